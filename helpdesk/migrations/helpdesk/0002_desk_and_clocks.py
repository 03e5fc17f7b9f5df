from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from helpdesk.domain.tickets import Category
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('helpdesk', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('staff', fields.ForeignKeyField('helpdesk.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'apitoken', 'app': 'helpdesk', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CategoryRoute',
            fields=[
                ('category', fields.CharEnumField(primary_key=True, unique=True, db_index=True, description='REGISTRATION: registration\nPLATFORM_TRAINING: platform_training\nONBOARDING: onboarding\nLOGIN_AND_ACCOUNTS: login_and_accounts\nLIVE_SESSION_ATTENDANCE: live_session_attendance\nTRAINER_ACCESS: trainer_access\nCERTIFICATES: certificates\nOTHER: other', enum_type=Category, max_length=40)),
                ('department', fields.ForeignKeyField('helpdesk.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='categories', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'categoryroute', 'app': 'helpdesk', 'pk_attr': 'category'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeskSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('time_zone', fields.CharField(default='Asia/Riyadh', max_length=60)),
                ('working_days', fields.CharField(default='6,0,1,2,3', max_length=20)),
                ('opening', fields.CharField(default='09:00', max_length=5)),
                ('closing', fields.CharField(default='17:00', max_length=5)),
                ('warn_share', fields.FloatField(default=0.75)),
                ('reopen_days', fields.IntField(default=14)),
            ],
            options={'table': 'desksettings', 'app': 'helpdesk', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Holiday',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('name', fields.CharField(max_length=200)),
            ],
            options={'table': 'holiday', 'app': 'helpdesk', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('helpdesk.Ticket', source_field='ticket_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=30)),
                ('medium', fields.CharField(max_length=20)),
                ('recipient', fields.CharField(max_length=300)),
                ('locale', fields.CharField(default='ar', max_length=5)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='pending', db_index=True, max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'helpdesk', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SavedReply',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('locale', fields.CharField(default='ar', max_length=5)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'savedreply', 'app': 'helpdesk', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('url', fields.CharField(max_length=500)),
                ('secret', fields.CharField(max_length=200)),
                ('events', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook', 'app': 'helpdesk', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Ticket',
            name='closed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='first_response_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='merged_into',
            field=fields.ForeignKeyField('helpdesk.Ticket', source_field='merged_into_id', null=True, db_constraint=True, to_field='id', related_name='duplicates', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Ticket',
            name='rating',
            field=fields.SmallIntField(null=True),
        ),
        ops.AddField(
            model_name='Ticket',
            name='rating_comment',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='referral_clock',
            field=fields.CharField(default='', db_default='', max_length=10),
        ),
        ops.AddField(
            model_name='Ticket',
            name='referral_warn_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='referred_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='resolved_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='routed_department',
            field=fields.ForeignKeyField('helpdesk.Department', source_field='routed_department_id', null=True, db_constraint=True, to_field='id', related_name='routed_tickets', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Ticket',
            name='status_before_spam',
            field=fields.CharField(default='', db_default='', max_length=20),
        ),
    ]
