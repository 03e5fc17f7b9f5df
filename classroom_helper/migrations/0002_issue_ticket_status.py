from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('classroom', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='RoomIssueRecord',
            name='ticket_status',
            field=fields.CharField(null=True, max_length=20),
        ),
    ]
