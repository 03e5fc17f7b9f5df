"""Tickets and their timelines."""

from tortoise import fields
from tortoise.models import Model

from helpdesk.domain.tickets import (
    Category,
    Channel,
    ContactPreference,
    Level,
    Priority,
    Status,
    TicketKind,
)


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=20, unique=True, null=True)  # set once the id is known
    kind = fields.CharEnumField(TicketKind, max_length=30)
    category = fields.CharEnumField(Category, max_length=40)
    channel = fields.CharEnumField(Channel, max_length=20)
    subject = fields.CharField(max_length=300)
    description = fields.TextField(default="")
    requester_ref = fields.CharField(max_length=100, default="")  # the host platform's person id
    requester_name = fields.CharField(max_length=200)
    requester_email = fields.CharField(max_length=254, default="")
    requester_phone = fields.CharField(max_length=40, default="")
    # Why Level 1 must check the requester's contact ("" when it is fine): mail-in keeps a
    # ticket whose sender's address or number could not be used, and says why here.
    contact_flag = fields.CharField(max_length=200, default="", db_default="")
    contact_preference = fields.CharEnumField(
        ContactPreference, max_length=10, default=ContactPreference.EMAIL
    )
    requester_locale = fields.CharField(max_length=5, default="ar")
    room_session = fields.ForeignKeyField(
        "helpdesk.RoomSession", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    course = fields.ForeignKeyField(
        "helpdesk.Course", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    priority = fields.CharEnumField(Priority, max_length=10, default=Priority.NORMAL)
    status = fields.CharEnumField(Status, max_length=20, default=Status.NEW)
    level = fields.IntEnumField(Level, default=Level.CONTACT_CENTRE)
    department = fields.ForeignKeyField(
        "helpdesk.Department", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    assignee = fields.ForeignKeyField(
        "helpdesk.Staff", related_name="assigned_tickets", null=True, on_delete=fields.SET_NULL
    )
    # The department the category map sends it to; its manager watches the 24-hour clock.
    routed_department = fields.ForeignKeyField(
        "helpdesk.Department", related_name="routed_tickets", null=True, on_delete=fields.SET_NULL
    )
    tracking_secret = fields.CharField(max_length=64)
    received_at = fields.DatetimeField()
    referral_due_at = fields.DatetimeField(null=True, db_index=True)
    referral_warn_at = fields.DatetimeField(null=True, db_index=True)
    # "" until the sweep acts, then "warned", "escalated", or "blocked" (no department to reach).
    referral_clock = fields.CharField(max_length=10, default="", db_default="")
    # When the sweep must look at this ticket next (the warning, then the limit); None once the
    # clock has nothing more to do. The sweep reads only rows due by this index.
    referral_check_at = fields.DatetimeField(null=True, db_index=True)
    first_response_due_at = fields.DatetimeField(null=True)
    resolution_due_at = fields.DatetimeField(null=True)
    referred_at = fields.DatetimeField(null=True)
    first_response_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    merged_into = fields.ForeignKeyField(
        "helpdesk.Ticket", related_name="duplicates", null=True, on_delete=fields.SET_NULL
    )
    status_before_spam = fields.CharField(max_length=20, default="", db_default="")
    rating = fields.SmallIntField(null=True)
    rating_comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    events: fields.ReverseRelation["TicketEvent"]

    class Meta:
        app = "helpdesk"


class TicketEvent(Model):
    # One line of a ticket's timeline: who, when, what, old → new, on which channel.

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "helpdesk.Ticket", related_name="events", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=120)  # "staff:12", "requester", "system", "room:<person>"
    actor_name = fields.CharField(max_length=200, default="")
    action = fields.CharField(max_length=40)
    old_value = fields.CharField(max_length=320, default="")  # room for a medium and an address
    new_value = fields.CharField(max_length=320, default="")
    channel = fields.CharField(max_length=20, default="")
    is_public = fields.BooleanField(default=False)
    body = fields.TextField(default="")

    class Meta:
        app = "helpdesk"
        ordering = ["at", "id"]
