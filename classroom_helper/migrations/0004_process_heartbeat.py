from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('classroom', '0003_issue_indexes')]

    initial = False

    # Presence is kept fresh by one row per process, not by rewriting every connection's row
    # each sweep (6,200 rows every 5 s under the benchmark's load).
    operations = [
        ops.CreateModel(
            name='ProcessHeartbeat',
            fields=[
                ('process', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'room_process', 'app': 'classroom', 'pk_attr': 'process', 'table_description': "A server process's last sign of life: its connections count while it is recent."},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='PresenceRecord',
            options={'table': 'room_presence', 'app': 'classroom', 'pk_attr': 'sid', 'table_description': 'A live connection. Rows of a process that died stop counting (its heartbeat stops moving).'},
        ),
    ]
