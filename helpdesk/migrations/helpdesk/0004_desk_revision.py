from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('helpdesk', '0003_clock_index')]

    initial = False

    operations = [
        # Start-up gives the settings row its first revision (services.desk.ensure_settings).
        ops.AddField(
            model_name='DeskSettings',
            name='revision',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
