"""What a ticket made in a live room keeps of the room: the conversation as timeline lines (who, in
which role, when, what they wrote) and the browser's diagnostics, for staff alone. Stored as data, so
each page renders them for its reader: names, local times, roles in words, in the reader's language."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk.adapters.orm.tickets import Ticket, TicketEvent

ROOM_MESSAGE = "room_message"  # public: the requester reads their own conversation
ROOM_DIAGNOSTICS = "room_diagnostics"  # staff only
ROOM_TICKET = "room_ticket"  # public: why the room's issue became a ticket (its code in new_value)


@dataclass(frozen=True)
class RoomLine:
    at: datetime
    name: str
    role: str  # "trainee", "manager", "trainer"
    text: str


async def record_room_history(
    ticket: Ticket,
    lines: Sequence[RoomLine],
    diagnostics: dict[str, Any],
    reason: str,
    raised_at: datetime,
    now: datetime,
) -> None:
    """Inside the transaction that opened the ticket."""
    rows = [
        TicketEvent(
            ticket=ticket,
            at=line.at,
            actor="room",
            actor_name=line.name,
            action=ROOM_MESSAGE,
            new_value=line.role,
            channel="room",
            is_public=True,
            body=line.text,
        )
        for line in lines
        if line.text.strip()
    ]
    if diagnostics:
        rows.append(
            TicketEvent(
                ticket=ticket,
                at=raised_at,
                actor="system",
                actor_name="Sanad",
                action=ROOM_DIAGNOSTICS,
                channel="room",
                is_public=False,
                body=json.dumps(diagnostics, ensure_ascii=False),
            )
        )
    rows.append(
        TicketEvent(
            ticket=ticket,
            at=now,
            actor="system",
            actor_name="Sanad",
            action=ROOM_TICKET,
            new_value=reason,
            channel="room",
            is_public=True,
        )
    )
    await TicketEvent.bulk_create(rows)


def diagnostics_of(events: Sequence[TicketEvent]) -> list[tuple[str, str]]:
    """The staff panel's rows, (key, value), in the order the browser sent them."""
    for event in events:
        if event.action == ROOM_DIAGNOSTICS and event.body:
            try:
                values = json.loads(event.body)
            except ValueError:
                return [("", event.body)]
            return [(str(k), _shown(v)) for k, v in values.items()]
    return []


def _shown(value: Any) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
