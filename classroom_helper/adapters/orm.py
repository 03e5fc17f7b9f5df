"""Tortoise models of the live room (tortoise app "classroom"). Everything a client was told is
here before it was told: issues, threads, incidents, questions, the room's event log with its
sequence numbers, and the client-made ids already handled."""

from collections.abc import Iterable
from datetime import datetime
from functools import cache, lru_cache
from typing import TypeVar

from tortoise import connections, fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Subquery
from tortoise.models import Model

from helpdesk.adapters.orm.institute import RoomSession

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
    """A live connection. Rows of a process that died stop counting (its heartbeat stops moving)."""

    sid = fields.CharField(max_length=64, primary_key=True)
    process = fields.CharField(max_length=64)
    room_id = fields.CharField(max_length=ROOM_ID, db_index=True)
    person_sub = fields.CharField(max_length=PERSON_ID)
    role = fields.CharField(max_length=16)
    # when the connection arrived; whether it is still there is its process's heartbeat
    seen_at = fields.DatetimeField()

    class Meta:
        app = "classroom"
        table = "room_presence"


class ProcessHeartbeat(Model):
    """A server process's last sign of life: its connections count while it is recent."""

    process = fields.CharField(max_length=64, primary_key=True)
    seen_at = fields.DatetimeField()

    class Meta:
        app = "classroom"
        table = "room_process"


# --- the live room's queries: tortoise's querysets, and SQL where a statement must say what it
# did (the ledger's next number, whether a client id was new) or where a raise and a withdraw
# pass (tortoise's query building there took half of the process's time for them:
# bench/JOURNAL.md). That SQL is the same on SQLite (>= 3.35) and PostgreSQL.

M = TypeVar("M", bound=Model)


def _connection() -> BaseDBAsyncClient:
    # the caller's transaction when there is one (tortoise keeps it in a context variable)
    return connections.get(RoomLedger._meta.default_connection or "default")


@lru_cache(maxsize=64)  # a statement per call site (and per set of fields updated)
def _sql(dialect: str, statement: str) -> str:
    """`{}` placeholders in the dialect's style: `?` for SQLite, `$1, $2…` for PostgreSQL."""
    if dialect == "postgres":
        return statement.format(*(f"${n}" for n in range(1, statement.count("{}") + 1)))
    return statement.format(*("?" * statement.count("{}")))


async def _rows(
    statement: str,
    values: list,
    for_update: bool = False,
    connection: BaseDBAsyncClient | None = None,
) -> list[dict]:
    """The rows of one statement (SQL with `{}` placeholders), in the caller's transaction (or
    on `connection`, when the caller already has it); `for_update`: locked until commit where the
    database locks rows (PostgreSQL)."""
    connection = connection or _connection()
    if for_update and connection.capabilities.support_for_update:
        statement += " FOR UPDATE"
    return await connection.execute_query_dict(
        _sql(connection.capabilities.dialect, statement), values
    )


def _records(model: type[M], rows: Iterable[dict]) -> list[M]:
    """Models of rows read with SQL (models whose columns are named as their fields), each value
    made a Python one by its field, as tortoise does. tortoise counts them as not yet saved:
    change them with `update` (or `save(update_fields=...)`, which then updates), never a bare
    `save()`, which would insert them again."""
    fields = model._meta.fields_map
    return [
        model.construct(
            **{
                name: None if value is None else fields[name].to_python_value(value)
                for name, value in row.items()
            }
        )
        for row in rows
    ]


def _db_values(record: Model, names: Iterable[str]) -> list:
    fields = record._meta.fields_map
    return [fields[name].to_db_value(getattr(record, name), record) for name in names]


@cache
def _insert_statement(model: type[Model]) -> tuple[str, tuple[str, ...]]:
    """INSERT of every column but the id (which the database gives), and those columns."""
    names = tuple(name for name in model._meta.db_fields if name != model._meta.pk_attr)
    placeholders = ", ".join("{}" for _ in names)
    table = model._meta.db_table
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders}) RETURNING id", names


@cache
def _numbered_event_statement() -> tuple[str, tuple[str, ...]]:
    """PostgreSQL's INSERT of an event numbered by its room's ledger in the same statement, and
    the columns given after the room."""
    names = _insert_statement(RoomEventRecord)[1]
    numbered = ", ".join("n.seq" if name == "seq" else "{}" for name in names)
    return (
        "WITH n AS (UPDATE room_ledger SET seq = seq + 1 WHERE room_id = {} RETURNING seq)"
        f" INSERT INTO room_event ({', '.join(names)}) SELECT {numbered} FROM n"
        " RETURNING id, seq"
    ), tuple(name for name in names if name != "seq")


async def insert(record: M, connection: BaseDBAsyncClient | None = None) -> M:
    """Store a new record, as `Model.create` would: its defaults filled by its constructor, its
    id given by the database. tortoise counts it as not yet saved (see `_records`)."""
    statement, names = _insert_statement(type(record))
    (row,) = await _rows(statement, _db_values(record, names), connection=connection)
    record.pk = row["id"]
    return record


async def update(record: Model, names: list[str]) -> None:
    """Store these fields of a record, as `save(update_fields=names)` would."""
    sets = ", ".join(f"{name} = {{}}" for name in names)
    await _rows(
        f"UPDATE {record._meta.db_table} SET {sets} WHERE id = {{}}",
        [*_db_values(record, names), record.pk],
    )


async def insert_event(event: RoomEventRecord) -> bool:
    """Store an event with its room's next sequence number (set on it), the room's ledger row
    locked until commit, so that numbers are gap-free and in commit order; False when the room
    has no ledger row yet. On PostgreSQL one statement; SQLite has no UPDATE inside a WITH."""
    connection = _connection()
    if connection.capabilities.dialect != "postgres":
        seq = await next_seq(event.room_id, connection)
        if seq is None:
            return False
        event.seq = seq
        await insert(event, connection)
        return True
    statement, names = _numbered_event_statement()
    rows = await _rows(statement, [event.room_id, *_db_values(event, names)], connection=connection)
    if not rows:
        return False
    event.pk, event.seq = rows[0]["id"], rows[0]["seq"]
    return True


async def next_seq(room_id: str, connection: BaseDBAsyncClient | None = None) -> int | None:
    """The room's next sequence number, its ledger row locked until commit; None when the room
    has no ledger row yet."""
    rows = await _rows(
        "UPDATE room_ledger SET seq = seq + 1 WHERE room_id = {} RETURNING seq",
        [room_id],
        connection=connection,
    )
    return rows[0]["seq"] if rows else None


_RESULT = ClientActionRecord._meta.fields_map["result"]


async def store_client_action(
    room_id: str, person_sub: str, cid: str, event: str, result: dict, at: datetime
) -> bool:
    """Store a handled client action; False when its client id was already stored (or is being
    stored by a transaction that commits first: PostgreSQL makes this INSERT wait for it)."""
    rows = await _rows(
        "INSERT INTO room_client_action (room_id, person_sub, cid, event, result, at)"
        " VALUES ({}, {}, {}, {}, {}, {})"
        " ON CONFLICT (room_id, person_sub, cid) DO NOTHING RETURNING id",
        [room_id, person_sub, cid, event, _RESULT.to_db_value(result, ClientActionRecord), at],
    )
    return bool(rows)


def _among(states: Iterable[str]) -> tuple[str, list[str]]:
    states = list(states)
    return ", ".join("{}" for _ in states), states


async def issues_in_states(room_id: str, states: Iterable[str]) -> list[RoomIssueRecord]:
    """The room's issues in these states, the first raised first."""
    among, states = _among(states)
    rows = await _rows(
        f"SELECT * FROM room_issue WHERE room_id = {{}} AND state IN ({among}) ORDER BY id",
        [room_id, *states],
    )
    return _records(RoomIssueRecord, rows)


async def session_and_issues(
    room_id: str, states: Iterable[str]
) -> tuple[str | None, list[RoomIssueRecord]]:
    """The state of the room's session (None: the room is not known) and the room's issues in
    these states, the first raised first, in one statement."""
    among, states = _among(states)
    rows = await _rows(
        f"SELECT s.state AS session_state, i.* FROM {RoomSession._meta.db_table} s"
        f" LEFT JOIN room_issue i ON i.room_id = s.room_id AND i.state IN ({among})"
        " WHERE s.room_id = {} ORDER BY i.id",
        [*states, room_id],
    )
    if not rows:
        return None, []
    state = rows[0].pop("session_state")
    for row in rows[1:]:
        del row["session_state"]
    return state, _records(RoomIssueRecord, (row for row in rows if row["id"] is not None))


async def issue_to_change(issue_id: int) -> RoomIssueRecord | None:
    """The issue, locked until commit (PostgreSQL: two managers claiming at once wait in turn)."""
    rows = await _rows("SELECT * FROM room_issue WHERE id = {}", [issue_id], for_update=True)
    return next(iter(_records(RoomIssueRecord, rows)), None)


async def incident_of(incident_id: int) -> IncidentRecord:
    rows = await _rows("SELECT * FROM room_incident WHERE id = {}", [incident_id])
    (incident,) = _records(IncidentRecord, rows)
    return incident


async def incident_members(incident_id: int) -> list[RoomIssueRecord]:
    """The incident's issues, with what its view counts (only: an incident can grow long)."""
    rows = await _rows(
        "SELECT id, state, trainee_sub FROM room_issue WHERE incident_id = {}", [incident_id]
    )
    return _records(RoomIssueRecord, rows)


async def session_state(room_id: str) -> str | None:
    """The state of the room's session (None: the room is not known)."""
    return await RoomSession.filter(room_id=room_id).first().values_list("state", flat=True)


async def recent_claims(room_id: str, count: int) -> list[tuple[datetime, datetime]]:
    """(raised, claimed) of the room's last `count` claimed issues, the latest first."""
    rows = await _rows(
        "SELECT raised_at, claimed_at FROM room_issue WHERE room_id = {}"
        " AND claimed_at IS NOT NULL ORDER BY claimed_at DESC LIMIT {}",
        [room_id, count],
    )
    when = RoomIssueRecord._meta.fields_map["raised_at"].to_python_value
    return [(when(row["raised_at"]), when(row["claimed_at"])) for row in rows]


async def live_people(room_id: str, beaten_since: datetime) -> set[tuple[str, str]]:
    """(role, person) of the room's connections whose process beat since then."""
    live = ProcessHeartbeat.filter(seen_at__gte=beaten_since).values("process")
    people = PresenceRecord.filter(room_id=room_id, process__in=Subquery(live)).distinct()
    return set(await people.values_list("role", "person_sub"))
