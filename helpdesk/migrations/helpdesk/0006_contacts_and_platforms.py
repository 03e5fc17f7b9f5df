from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('helpdesk', '0005_ticket_row_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='RoomSession',
            name='platform',
            field=fields.CharField(default='', db_default='', max_length=60),
        ),
        ops.AddField(
            model_name='Ticket',
            name='contact_flag',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AlterField(
            model_name='TicketEvent',
            name='new_value',
            field=fields.CharField(default='', max_length=320),
        ),
        ops.AlterField(
            model_name='TicketEvent',
            name='old_value',
            field=fields.CharField(default='', max_length=320),
        ),
    ]
