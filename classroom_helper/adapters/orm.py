"""Tortoise models of the live room (tortoise app "classroom"). Everything a client was told is
here before it was told: issues, threads, incidents, questions, the room's event log with its
sequence numbers, and the client-made ids already handled."""

from tortoise import fields
from tortoise.models import Model

# room ids and person ids come from host platforms: opaque strings
ROOM_ID = 128
PERSON_ID = 128


class RoomIssueRecord(Model):
    id = fields.IntField(primary_key=True)
    room_id = fields.CharField(max_length=ROOM_ID, db_index=True)
    trainee_sub = fields.CharField(max_length=PERSON_ID)
    trainee_name = fields.CharField(max_length=200)
    trainee_email = fields.CharField(max_length=254, null=True)
    trainee_phone = fields.CharField(max_length=40, null=True)
    trainee_locale = fields.CharField(max_length=10, null=True)
    category = fields.CharField(max_length=32)
    text = fields.TextField(default="")
    diagnostics = fields.JSONField(default=dict)
    state = fields.CharField(max_length=16, db_index=True)
    raised_at = fields.DatetimeField()
    claimed_by_sub = fields.CharField(max_length=PERSON_ID, null=True)
    claimed_by_name = fields.CharField(max_length=200, null=True)
    claimed_at = fields.DatetimeField(null=True)
    resolution_note = fields.TextField(default="")
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    ticket_number = fields.CharField(max_length=32, null=True)
    ticket_reason = fields.CharField(max_length=32, null=True)
    # the ticket's status the trainee was last told in the room
    ticket_status = fields.CharField(max_length=20, null=True)
    incident_id = fields.IntField(null=True)
    rerouted_to_question = fields.IntField(null=True)

    class Meta:
        app = "classroom"
        table = "room_issue"


class IssueMessageRecord(Model):
    id = fields.IntField(primary_key=True)
    issue = fields.ForeignKeyField("classroom.RoomIssueRecord", related_name="messages")
    author_sub = fields.CharField(max_length=PERSON_ID)
    author_name = fields.CharField(max_length=200)
    author_role = fields.CharField(max_length=16)
    text = fields.TextField()
    at = fields.DatetimeField()

    class Meta:
        app = "classroom"
        table = "room_issue_message"


class IncidentRecord(Model):
    id = fields.IntField(primary_key=True)
    room_id = fields.CharField(max_length=ROOM_ID, db_index=True)
    category = fields.CharField(max_length=32)
    state = fields.CharField(max_length=16, default="open")
    opened_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        app = "classroom"
        table = "room_incident"


class ContentQuestionRecord(Model):
    id = fields.IntField(primary_key=True)
    room_id = fields.CharField(max_length=ROOM_ID, db_index=True)
    asker_sub = fields.CharField(max_length=PERSON_ID)
    asker_name = fields.CharField(max_length=200)
    name_hidden = fields.BooleanField(default=False)
    text = fields.TextField()
    state = fields.CharField(max_length=16)
    asked_at = fields.DatetimeField()
    upvotes = fields.IntField(default=0)
    answer = fields.TextField(default="")
    answer_audience = fields.CharField(max_length=8, null=True)
    answered_by_name = fields.CharField(max_length=200, null=True)
    dismiss_reason = fields.TextField(default="")
    closed_at = fields.DatetimeField(null=True)
    rerouted_to_issue = fields.IntField(null=True)
    rerouted_from_issue = fields.IntField(null=True)

    class Meta:
        app = "classroom"
        table = "room_question"


class QuestionUpvoteRecord(Model):
    id = fields.IntField(primary_key=True)
    question = fields.ForeignKeyField("classroom.ContentQuestionRecord", related_name="upvote_rows")
    trainee_sub = fields.CharField(max_length=PERSON_ID)

    class Meta:
        app = "classroom"
        table = "room_question_upvote"
        unique_together = (("question", "trainee_sub"),)


class RoomLedger(Model):
    """One row per room: its last sequence number (incremented under a row lock), and when its
    last room manager left (for the no-manager rule)."""

    room_id = fields.CharField(max_length=ROOM_ID, primary_key=True)
    seq = fields.BigIntField(default=0)
    manager_left_at = fields.DatetimeField(null=True)

    class Meta:
        app = "classroom"
        table = "room_ledger"


class RoomEventRecord(Model):
    """A sequenced server event, with who may see it (see docs/realtime-protocol.md §3.1)."""

    id = fields.BigIntField(primary_key=True)
    room_id = fields.CharField(max_length=ROOM_ID)
    seq = fields.BigIntField()
    type = fields.CharField(max_length=32)
    at = fields.DatetimeField()
    data = fields.JSONField()
    # what trainees see when it differs from `data` (None: the same)
    trainee_data = fields.JSONField(null=True)
    to_managers = fields.BooleanField(default=False)
    to_trainers = fields.BooleanField(default=False)
    to_trainees = fields.BooleanField(default=False)
    to_person = fields.CharField(max_length=PERSON_ID, null=True)

    class Meta:
        app = "classroom"
        table = "room_event"
        unique_together = (("room_id", "seq"),)


class ClientActionRecord(Model):
    """A client event already handled, with its ack data: a retry with the same cid gets it back."""

    id = fields.BigIntField(primary_key=True)
    room_id = fields.CharField(max_length=ROOM_ID)
    person_sub = fields.CharField(max_length=PERSON_ID)
    cid = fields.CharField(max_length=64)
    event = fields.CharField(max_length=32)
    result = fields.JSONField()
    at = fields.DatetimeField()

    class Meta:
        app = "classroom"
        table = "room_client_action"
        unique_together = (("room_id", "person_sub", "cid"),)


class PresenceRecord(Model):
    """A live connection. Rows of a process that died go stale (seen_at stops moving) and stop counting."""

    sid = fields.CharField(max_length=64, primary_key=True)
    process = fields.CharField(max_length=64)
    room_id = fields.CharField(max_length=ROOM_ID, db_index=True)
    person_sub = fields.CharField(max_length=PERSON_ID)
    role = fields.CharField(max_length=16)
    seen_at = fields.DatetimeField()

    class Meta:
        app = "classroom"
        table = "room_presence"
