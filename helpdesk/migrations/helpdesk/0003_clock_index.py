from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('helpdesk', '0002_desk_and_clocks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Ticket',
            name='referral_check_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        # Tickets already waiting at Level 1 keep their clock: due at the warning, or at the limit.
        ops.RunSQL(
            "UPDATE ticket SET referral_check_at = CASE WHEN referral_clock = '' "
            "THEN referral_warn_at ELSE referral_due_at END "
            "WHERE status IN ('new', 'open') AND referral_clock IN ('', 'warned')",
            reverse_sql="SELECT 1",
        ),
        # AddField does not create the index of a db_index field: the sweep reads by this one.
        ops.RunSQL(
            "CREATE INDEX idx_ticket_referral_check_at ON ticket (referral_check_at)",
            reverse_sql="DROP INDEX idx_ticket_referral_check_at",
        ),
        ops.RunSQL(
            "CREATE INDEX idx_ticket_referral_warn_at ON ticket (referral_warn_at)",
            reverse_sql="DROP INDEX idx_ticket_referral_warn_at",
        ),
        # The API lists the newest first.
        ops.RunSQL(
            "CREATE INDEX idx_ticket_received_at ON ticket (received_at)",
            reverse_sql="DROP INDEX idx_ticket_received_at",
        ),
    ]
