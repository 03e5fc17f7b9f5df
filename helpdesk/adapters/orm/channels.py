"""What the intake channels receive and send: raw inbound messages first, attachments, calls."""

from tortoise import fields
from tortoise.models import Model


class InboundMessage(Model):
    # Stored the moment a channel hands it over, before any processing: a later failure loses
    # nothing, and the (channel, external_id) pair keeps a retried delivery from counting twice.

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=20)
    external_id = fields.CharField(max_length=300)  # Message-ID, wamid, X event id, form nonce
    sender = fields.CharField(max_length=300, default="")  # address, phone or X user id
    payload = fields.BinaryField()  # the bytes as they arrived (an RFC 5322 email, a JSON payload)
    received_at = fields.DatetimeField(db_index=True)
    processed_at = fields.DatetimeField(null=True, db_index=True)
    claimed_until = fields.DatetimeField(null=True)  # a worker is processing it until then
    attempts = fields.IntField(default=0)
    outcome = fields.CharField(max_length=20, default="")  # opened, reply, auto_reply, bounce, ...
    ticket = fields.ForeignKeyField(
        "helpdesk.Ticket", related_name="inbound_messages", null=True, on_delete=fields.SET_NULL
    )
    error = fields.TextField(default="")

    class Meta:
        app = "channels"
        unique_together = (("channel", "external_id"),)


class OutboundMessage(Model):
    # A staff reply sent through a channel: its id there lets the requester's reply thread back.

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=20)
    external_id = fields.CharField(max_length=300, db_index=True)
    ticket = fields.ForeignKeyField(
        "helpdesk.Ticket", related_name="outbound_messages", on_delete=fields.CASCADE
    )
    recipient = fields.CharField(max_length=300)
    route = fields.CharField(max_length=20, default="")  # free_form, template, email, sms
    sent_at = fields.DatetimeField()

    class Meta:
        app = "channels"


class Attachment(Model):
    # A file that came with a message; its bytes live under VAR_DIR/attachments, outside the web root.

    id = fields.IntField(primary_key=True)
    ticket = fields.ForeignKeyField(
        "helpdesk.Ticket", related_name="attachments", null=True, on_delete=fields.CASCADE
    )
    inbound_message = fields.ForeignKeyField(
        "channels.InboundMessage", related_name="attachments", null=True, on_delete=fields.SET_NULL
    )
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_name = fields.CharField(max_length=80, unique=True)
    created_at = fields.DatetimeField()

    class Meta:
        app = "channels"


class CallbackTask(Model):
    # Level 1 promised to phone someone back by a due time.

    id = fields.IntField(primary_key=True)
    ticket = fields.ForeignKeyField(
        "helpdesk.Ticket", related_name="callback_tasks", on_delete=fields.CASCADE
    )
    phone = fields.CharField(max_length=40)
    due_at = fields.DatetimeField(db_index=True)
    note = fields.TextField(default="")
    created_by = fields.ForeignKeyField(
        "helpdesk.Staff", related_name="callback_tasks", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)
    done_by = fields.ForeignKeyField(
        "helpdesk.Staff", related_name="callbacks_done", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        app = "channels"
        ordering = ["due_at", "id"]
