"""How the desk runs: working hours and holidays, the category map, saved replies, the outbox,
API tokens and webhooks."""

from tortoise import fields
from tortoise.models import Model

from helpdesk.domain.calendar import DEFAULT_CLOSING, DEFAULT_OPENING, SUNDAY_TO_THURSDAY
from helpdesk.domain.tickets import Category

DEFAULT_WORKING_DAYS = ",".join(str(day) for day in SUNDAY_TO_THURSDAY)

SETTINGS_ID = 1  # the one row of DeskSettings


class DeskSettings(Model):
    # One row: the calendar and clocks the administrator edits (the time zone comes from the config).

    id = fields.IntField(primary_key=True)
    time_zone = fields.CharField(max_length=60, default="Asia/Riyadh")
    # The policy's defaults live in the calendar (helpdesk/domain/calendar.py).
    working_days = fields.CharField(max_length=20, default=DEFAULT_WORKING_DAYS)  # Monday is 0
    opening = fields.CharField(max_length=5, default=DEFAULT_OPENING.strftime("%H:%M"))
    closing = fields.CharField(max_length=5, default=DEFAULT_CLOSING.strftime("%H:%M"))
    warn_share = fields.FloatField(default=0.75)
    reopen_days = fields.IntField(default=14)
    # A new random value whenever the settings, the holidays, the category map or the webhooks
    # change: a process reuses the desk it built while the revision it read is the same.
    revision = fields.CharField(max_length=32, default="", db_default="")

    class Meta:
        app = "helpdesk"


class Holiday(Model):
    # The administrator's own holidays, added to the `holidays` package's public ones.

    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    name = fields.CharField(max_length=200)

    class Meta:
        app = "helpdesk"
        ordering = ["day"]


class CategoryRoute(Model):
    # The competent department for each category of service.

    category = fields.CharEnumField(Category, max_length=40, primary_key=True)
    department = fields.ForeignKeyField(
        "helpdesk.Department", related_name="categories", on_delete=fields.CASCADE
    )

    class Meta:
        app = "helpdesk"


class SavedReply(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    locale = fields.CharField(max_length=5, default="ar")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "helpdesk"
        ordering = ["title"]


class Notification(Model):
    # The outbox: written in the transaction of the change that causes it, sent by the worker.

    id = fields.IntField(primary_key=True)
    ticket = fields.ForeignKeyField(
        "helpdesk.Ticket", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=30)
    medium = fields.CharField(max_length=20)  # email | sms | call_task | webhook
    recipient = fields.CharField(max_length=300)
    locale = fields.CharField(max_length=5, default="ar")
    payload = fields.JSONField(default=dict)
    state = fields.CharField(max_length=12, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)

    class Meta:
        app = "helpdesk"


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    token_hash = fields.CharField(
        max_length=64, unique=True
    )  # sha256 of the token; never the token
    scopes = fields.JSONField(default=list)
    # When set, the client acts as this staff member: their role and department limit it too.
    staff = fields.ForeignKeyField(
        "helpdesk.Staff", related_name="api_tokens", null=True, on_delete=fields.CASCADE
    )
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        app = "helpdesk"


class Webhook(Model):
    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=500)
    secret = fields.CharField(max_length=200)
    events = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "helpdesk"
