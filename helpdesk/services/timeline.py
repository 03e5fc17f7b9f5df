"""A ticket's timeline: who did what, when, on which channel. Every use case that changes a ticket
or sends about it writes its line here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.access import StaffActor
from helpdesk.domain.contacts import without_bidi_controls

# The sizes of the timeline's short columns (adapters/orm/tickets.py): a longer value is cut, the
# line is never lost for it.
SHORT_VALUE = 320
NAME = 200


@dataclass(frozen=True)
class Actor:
    """Who made a change, as the timeline shows it."""

    ref: str  # "staff:12", "requester", "system"
    name: str
    staff: StaffActor | None = None
    channel: str = ""

    @classmethod
    def of_staff(cls, staff: StaffActor, channel: str = "console") -> Actor:
        return cls(staff.ref, staff.name, staff, channel)


SYSTEM = Actor("system", "Sanad", channel="system")


async def record(
    ticket: Ticket,
    actor: Actor,
    action: str,
    now: datetime,
    *,
    old: str = "",
    new: str = "",
    body: str = "",
    public: bool = False,
) -> TicketEvent:
    """One timeline line: who, when, what, old → new, on which channel."""
    event = timeline_line(ticket, actor, action, now, old=old, new=new, body=body, public=public)
    await event.save()
    return event


def timeline_line(
    ticket: Ticket,
    actor: Actor,
    action: str,
    now: datetime,
    *,
    old: str = "",
    new: str = "",
    body: str = "",
    public: bool = False,
) -> TicketEvent:
    """The line `record` stores, not yet stored (the referral sweep stores a batch at once)."""
    return TicketEvent(
        ticket=ticket,
        at=now,
        actor=actor.ref,
        actor_name=without_bidi_controls(actor.name)[:NAME],
        action=action,
        old_value=without_bidi_controls(old)[:SHORT_VALUE],
        new_value=without_bidi_controls(new)[:SHORT_VALUE],
        channel=actor.channel,
        is_public=public,
        body=without_bidi_controls(body),
    )
