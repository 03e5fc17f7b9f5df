"""A new ticket and the rows that come with it (its first timeline line, its outbox rows), stored
all or nothing: the ticket, its number made from its id, then its rows, in one transaction (inside
a caller's transaction, a savepoint of it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tortoise.models import Model
from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.desk import SETTINGS_ID, DeskSettings
from helpdesk.adapters.orm.tickets import Ticket


@dataclass(frozen=True)
class Opening:
    desk_revision: str  # the desk settings' revision ("" without a settings row)


async def begin_opening() -> Opening:
    """What a creation reads first: the desk's revision (is this process's desk still current?)."""
    revision = await DeskSettings.filter(id=SETTINGS_ID).first().values_list("revision", flat=True)
    return Opening(revision or "")


async def store_new_ticket(
    ticket: Ticket,
    opening: Opening,
    number: Callable[[int], str],
    rows: Callable[[Ticket], list[Model]],
) -> None:
    """Stores `ticket` (not yet stored, no id) numbered `number(id)`, and the rows `rows(ticket)`
    makes once it has its id and number, all or nothing. (`opening`: what `begin_opening` read
    for this creation.)"""
    async with in_transaction():
        await ticket.save()
        ticket.number = number(ticket.id)
        await ticket.save(update_fields=["number"])
        for row in rows(ticket):
            await row.save()
