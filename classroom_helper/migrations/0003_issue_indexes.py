from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('classroom', '0002_issue_ticket_status')]

    initial = False

    # Every raise and withdraw reads its room's open issues and last claims, and an incident's
    # update its members: without these, each read scans every issue the room ever had.
    operations = [
        ops.RunSQL(
            "CREATE INDEX idx_room_issue_room_state ON room_issue (room_id, state)",
            reverse_sql="DROP INDEX idx_room_issue_room_state",
        ),
        ops.RunSQL(
            "CREATE INDEX idx_room_issue_room_claimed ON room_issue (room_id, claimed_at)",
            reverse_sql="DROP INDEX idx_room_issue_room_claimed",
        ),
        ops.RunSQL(
            "CREATE INDEX idx_room_issue_incident ON room_issue (incident_id)",
            reverse_sql="DROP INDEX idx_room_issue_incident",
        ),
    ]
