"""Tortoise models of the live room (tortoise app "classroom"). Everything a client was told is
here before it was told: issues, threads, incidents, questions, the room's event log with its
sequence numbers, and the client-made ids already handled."""

from collections.abc import Iterable
from datetime import datetime
from functools import cache, lru_cache
from typing import TypeVar

from tortoise import fields
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.connection import get_connections
from tortoise.models import Model

from helpdesk.adapters.orm.institute import RoomSession

M = TypeVar("M", bound=Model)

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


# --- the hot path's statements in SQL (docs/performance.md: each ORM statement costs ~300 µs of
# CPU; these run for every client action). The same SQL on SQLite (>= 3.35) and PostgreSQL.


def _connection():
    # the caller's transaction when there is one (tortoise keeps it in a context variable)
    return get_connections().get(RoomLedger._meta.default_connection or "default")


def in_a_transaction() -> bool:
    return isinstance(_connection(), TransactionalDBClient)


@lru_cache(maxsize=256)  # a statement per call site
def _sql(dialect: str, statement: str) -> str:
    """`{}` placeholders in the dialect's style: `?` for SQLite, `$1, $2…` for PostgreSQL."""
    if dialect == "postgres":
        return statement.format(*(f"${n}" for n in range(1, statement.count("{}") + 1)))
    return statement.format(*("?" * statement.count("{}")))


async def _rows(statement: str, values: list, connection=None) -> list[dict]:
    """The rows of one statement (SQL with `{}` placeholders). In a transaction it goes straight to
    the driver's connection, which the transaction holds: tortoise's wrapping of each statement
    (a lock, its error types, a log line) cost more CPU than SQLite spends on one. Outside a
    transaction through tortoise, which makes it wait for another task's transaction to end."""
    connection = connection or _connection()
    sql = _sql(connection.capabilities.dialect, statement)
    if not isinstance(connection, TransactionalDBClient):
        return await connection.execute_query_dict(sql, values)
    connection.log.debug("%s: %s", sql, values)
    driver = connection._connection
    if connection.capabilities.dialect == "postgres":
        return [dict(row) for row in await driver.fetch(sql, *values)]
    return [dict(row) for row in await driver.execute_fetchall(sql, values)]


_NEXT_SEQ = "UPDATE room_ledger SET seq = seq + 1 WHERE room_id = {} RETURNING seq"


async def insert_numbered(event: RoomEventRecord) -> bool:
    """INSERT a room event with its room's next sequence number, taken under the ledger row's
    lock until commit; False when the room has no ledger row yet. PostgreSQL does both in one
    statement (a data-modifying CTE: one round trip less per event); SQLite has no such CTE, and
    no round trips to save."""
    connection = _connection()
    if connection.capabilities.dialect != "postgres":
        rows = await _rows(_NEXT_SEQ, [event.room_id], connection)
        if not rows:
            return False
        event.seq = rows[0]["seq"]
        await insert(event)
        return True
    names, columns, values = _columns(event, leave_out="seq")
    placeholders = ", ".join(["{}"] * len(names))
    statement = (
        f"WITH ledger AS ({_NEXT_SEQ}) INSERT INTO {event._meta.db_table} ({columns}, seq)"
        f" SELECT {placeholders}, seq FROM ledger RETURNING id, seq"
    )
    rows = await _rows(statement, [event.room_id, *values], connection)
    if not rows:
        return False
    event.id, event.seq = rows[0]["id"], rows[0]["seq"]
    event._saved_in_db = True
    return True


@cache
def _new_row_columns(model: type[Model], leave_out: str | None) -> tuple[list[str], str]:
    """A new row's fields (all but its id and `leave_out`) and their columns."""
    meta = model._meta
    names = [name for name in meta.fields_db_projection if name not in (meta.pk_attr, leave_out)]
    return names, ", ".join(meta.fields_db_projection[name] for name in names)


def _columns(row: Model, leave_out: str | None = None) -> tuple[list[str], str, list]:
    """A new row's fields (all but its id and `leave_out`), their columns and database values."""
    names, columns = _new_row_columns(type(row), leave_out)
    fields_map = row._meta.fields_map
    return names, columns, [fields_map[name].to_db_value(getattr(row, name), row) for name in names]


async def insert(row: Model) -> None:
    """INSERT a new row of a model without relations in one statement, its id from RETURNING
    (what `Model.create` does, without building the query each time)."""
    meta = row._meta
    names, columns, values = _columns(row)
    placeholders = ", ".join(["{}"] * len(names))
    statement = (
        f"INSERT INTO {meta.db_table} ({columns}) VALUES ({placeholders})"
        f" RETURNING {meta.db_pk_column}"
    )
    rows = await _rows(statement, values)
    setattr(row, meta.pk_attr, rows[0][meta.db_pk_column])
    row._saved_in_db = True


async def update(row: Model, names: Iterable[str]) -> None:
    """UPDATE these fields of a stored row in one statement (what `save(update_fields=…)` does)."""
    meta = row._meta
    names = list(names)
    if not names:
        return
    assignments = ", ".join(f"{meta.fields_db_projection[name]} = {{}}" for name in names)
    values = [meta.fields_map[name].to_db_value(getattr(row, name), row) for name in names]
    await _rows(
        f"UPDATE {meta.db_table} SET {assignments} WHERE {meta.db_pk_column} = {{}}",
        [*values, getattr(row, meta.pk_attr)],
    )


async def _select(model: type[M], where: str, values: list, lock: bool = False) -> list[M]:
    """The model's rows `WHERE <where>` (SQL with `{}` placeholders); `lock`: FOR UPDATE on
    PostgreSQL (SQLite has one writer at a time)."""
    connection = _connection()
    statement = f"SELECT * FROM {model._meta.db_table} WHERE {where}"
    if lock and connection.capabilities.dialect == "postgres":
        statement += " FOR UPDATE"
    return [model._init_from_db(**row) for row in await _rows(statement, values, connection)]


def _any_of(values: list) -> str:
    return f"({', '.join(['{}'] * len(values))})"


async def issues_in_states(room_id: str, states: Iterable[str]) -> list[RoomIssueRecord]:
    states = list(states)
    return await _select(
        RoomIssueRecord, f"room_id = {{}} AND state IN {_any_of(states)}", [room_id, *states]
    )


async def session_and_issues(
    room_id: str, states: Iterable[str]
) -> tuple[str | None, list[RoomIssueRecord]]:
    """The state of the room's session (None: the room is not known) and the room's issues in
    these states, in one statement (on PostgreSQL one round trip less for every raise)."""
    states = list(states)
    rows = await _rows(
        f"SELECT s.state AS session_state, i.* FROM {RoomSession._meta.db_table} s"
        f" LEFT JOIN room_issue i ON i.room_id = s.room_id AND i.state IN {_any_of(states)}"
        " WHERE s.room_id = {}",
        [*states, room_id],
    )
    if not rows:
        return None, []
    issues = [RoomIssueRecord._init_from_db(**row) for row in rows if row["id"] is not None]
    return rows[0]["session_state"], issues


async def issue_to_change(issue_id: int) -> RoomIssueRecord | None:
    """The issue, locked until commit (PostgreSQL: two managers claiming at once wait in turn)."""
    rows = await _select(RoomIssueRecord, "id = {}", [issue_id], lock=True)
    return rows[0] if rows else None


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


async def session_state(room_id: str) -> str | None:
    """The state of the room's session (None: the room is not known)."""
    rows = await _rows(
        f"SELECT state FROM {RoomSession._meta.db_table} WHERE room_id = {{}}", [room_id]
    )
    return rows[0]["state"] if rows else None


_MOMENT = RoomIssueRecord._meta.fields_map["raised_at"].to_python_value


async def recent_claims(room_id: str, count: int) -> list[tuple[datetime, datetime]]:
    """(raised, claimed) of the room's last `count` claimed issues, the latest first."""
    rows = await _rows(
        "SELECT raised_at, claimed_at FROM room_issue WHERE room_id = {}"
        " AND claimed_at IS NOT NULL ORDER BY claimed_at DESC LIMIT {}",
        [room_id, count],
    )
    return [(_MOMENT(row["raised_at"]), _MOMENT(row["claimed_at"])) for row in rows]


_HEARTBEAT_AT = ProcessHeartbeat._meta.fields_map["seen_at"]


async def live_people(room_id: str, beaten_since: datetime) -> set[tuple[str, str]]:
    """(role, person) of the room's connections whose process beat since then (on every arrival
    and departure: one statement, not tortoise's query with a subquery)."""
    rows = await _rows(
        "SELECT DISTINCT p.role, p.person_sub FROM room_presence p"
        " JOIN room_process h ON h.process = p.process"
        " WHERE p.room_id = {} AND h.seen_at >= {}",
        [room_id, _HEARTBEAT_AT.to_db_value(beaten_since, ProcessHeartbeat)],
    )
    return {(row["role"], row["person_sub"]) for row in rows}
