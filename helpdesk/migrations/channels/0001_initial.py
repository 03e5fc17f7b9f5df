from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('helpdesk', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CallbackTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('helpdesk.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='callback_tasks', on_delete=OnDelete.CASCADE)),
                ('phone', fields.CharField(max_length=40)),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_by', fields.ForeignKeyField('helpdesk.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='callback_tasks', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_by', fields.ForeignKeyField('helpdesk.Staff', source_field='done_by_id', null=True, db_constraint=True, to_field='id', related_name='callbacks_done', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'callbacktask', 'app': 'channels', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboundMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=20)),
                ('external_id', fields.CharField(max_length=300)),
                ('sender', fields.CharField(default='', max_length=300)),
                ('payload', fields.BinaryField()),
                ('received_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('processed_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('outcome', fields.CharField(default='', max_length=20)),
                ('ticket', fields.ForeignKeyField('helpdesk.Ticket', source_field='ticket_id', null=True, db_constraint=True, to_field='id', related_name='inbound_messages', on_delete=OnDelete.SET_NULL)),
                ('error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'inboundmessage', 'app': 'channels', 'unique_together': (('channel', 'external_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('helpdesk.Ticket', source_field='ticket_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('inbound_message', fields.ForeignKeyField('channels.InboundMessage', source_field='inbound_message_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.SET_NULL)),
                ('filename', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_name', fields.CharField(unique=True, max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attachment', 'app': 'channels', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboundMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=20)),
                ('external_id', fields.CharField(db_index=True, max_length=300)),
                ('ticket', fields.ForeignKeyField('helpdesk.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='outbound_messages', on_delete=OnDelete.CASCADE)),
                ('recipient', fields.CharField(max_length=300)),
                ('route', fields.CharField(default='', max_length=20)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outboundmessage', 'app': 'channels', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
