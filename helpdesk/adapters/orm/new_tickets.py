"""A new ticket and the rows that come with it (its first timeline line, its outbox rows), stored
in as few round trips to the database as it allows.

On PostgreSQL: the id from the ticket's sequence, then ONE statement that inserts the ticket, already
numbered, and its rows (data-modifying CTEs). One statement is atomic on its own: there is no
BEGIN/COMMIT to send, and the outbox rows exist exactly when the ticket does. Two round trips instead
of seven (docs/performance.md: each costs the server a socket send, ~0.2 ms on this machine, and a
wake-up). Inside a caller's transaction the two statements simply join it.

On SQLite (no sequences; each statement is a function call, not a round trip): the ORM's insert, the
number from the id, then the rows, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tortoise import connections
from tortoise.models import Model
from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.desk import SETTINGS_ID, DeskSettings
from helpdesk.adapters.orm.tickets import Ticket


def _connection():
    # the caller's transaction when there is one (tortoise keeps it in a context variable)
    return connections.get(Ticket._meta.default_connection or "default")


@dataclass(frozen=True)
class Opening:
    serial: int | None  # the new ticket's id (PostgreSQL); None: the insert gives it (SQLite)
    desk_revision: str  # the desk settings' revision ("" without a settings row)


async def begin_opening() -> Opening:
    """What a creation reads first, in one round trip: the desk's revision (is this process's desk
    still current?) and, on PostgreSQL, the new ticket's id from its sequence."""
    connection = _connection()
    revision = f"(SELECT revision FROM {DeskSettings._meta.db_table} WHERE id = {SETTINGS_ID})"
    if connection.capabilities.dialect != "postgres":
        _, found = await connection.execute_query(f"SELECT {revision} AS revision")
        return Opening(None, found[0]["revision"] or "")
    _, found = await connection.execute_query(
        f"SELECT nextval('{Ticket._meta.db_table}_id_seq'::regclass) AS serial,"
        f" {revision} AS revision"
    )
    return Opening(found[0]["serial"], found[0]["revision"] or "")


async def store_new_ticket(
    ticket: Ticket,
    opening: Opening,
    number: Callable[[int], str],
    rows: Callable[[Ticket], list[Model]],
) -> None:
    """Stores `ticket` (not yet stored, no id) numbered `number(id)`, and the rows `rows(ticket)`
    makes once it has its id and number, all or nothing."""
    connection = _connection()
    if opening.serial is None:
        async with in_transaction():
            await ticket.save()
            ticket.number = number(ticket.id)
            await ticket.save(update_fields=["number"])
            for row in rows(ticket):
                await row.save()
        return
    ticket.id = opening.serial
    ticket.number = number(ticket.id)
    values: list = []
    inserts = [_insert(ticket, values, with_pk=True)]
    ticket._saved_in_db = True  # the ORM lets rows refer only to a stored ticket
    try:
        inserts += [_insert(row, values) for row in rows(ticket)]
        ahead = ", ".join(f"r{i} AS ({sql})" for i, sql in enumerate(inserts[:-1]))
        await connection.execute_query(f"WITH {ahead} {inserts[-1]}", values)
    except BaseException:
        ticket._saved_in_db = False
        raise


def _insert(row: Model, values: list, with_pk: bool = False) -> str:
    """`INSERT INTO <table> (...) VALUES ($n, ...)` of every column of `row`, its values appended to
    `values` (numbered after those already there)."""
    meta = row._meta
    names = [n for n in meta.fields_db_projection if with_pk or n != meta.pk_attr]
    start = len(values)
    values += [meta.fields_map[n].to_db_value(getattr(row, n), row) for n in names]
    columns = ", ".join(meta.fields_db_projection[n] for n in names)
    placeholders = ", ".join(f"${start + i}" for i in range(1, len(names) + 1))
    return f"INSERT INTO {meta.db_table} ({columns}) VALUES ({placeholders})"
