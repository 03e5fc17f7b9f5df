from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('helpdesk', '0004_desk_revision')]

    initial = False

    # A ticket's timeline and outbox rows are read by ticket (and deleted with it): without these,
    # PostgreSQL scans every line of every ticket (tortoise makes no index for a foreign key).
    operations = [
        ops.RunSQL(
            "CREATE INDEX idx_ticketevent_ticket_id ON ticketevent (ticket_id)",
            reverse_sql="DROP INDEX idx_ticketevent_ticket_id",
        ),
        ops.RunSQL(
            "CREATE INDEX idx_notification_ticket_id ON notification (ticket_id)",
            reverse_sql="DROP INDEX idx_notification_ticket_id",
        ),
    ]
