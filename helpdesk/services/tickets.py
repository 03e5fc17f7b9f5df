"""Ticket use cases: one function each, one transaction each."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.events import TicketOpened
from helpdesk.domain.tickets import (
    REFERRAL_LIMIT,
    Category,
    Channel,
    Priority,
    Requester,
    Status,
    TicketKind,
    ticket_number,
)
from helpdesk.services.bus import MessageBus


async def open_ticket(
    *,
    kind: TicketKind,
    category: Category,
    channel: Channel,
    requester: Requester,
    subject: str,
    description: str = "",
    room_session_id: int | None = None,
    room_id: str | None = None,
    course_id: int | None = None,
    priority: Priority = Priority.NORMAL,
    actor: str = "requester",
    actor_name: str = "",
    bus: MessageBus | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Every channel's way in: a numbered ticket in Level 1's queue, with its first timeline line."""
    now = now or datetime.now(UTC)
    async with in_transaction():
        ticket = await Ticket.create(
            kind=kind,
            category=category,
            channel=channel,
            subject=subject,
            description=description,
            requester_ref=requester.ref,
            requester_name=requester.name,
            requester_email=requester.email,
            requester_phone=requester.phone,
            contact_preference=requester.contact_preference,
            requester_locale=requester.locale,
            room_session_id=room_session_id,
            course_id=course_id,
            priority=priority,
            status=Status.NEW,
            tracking_secret=secrets.token_urlsafe(24),
            received_at=now,
            referral_due_at=now + REFERRAL_LIMIT,
        )
        ticket.number = ticket_number(now.year, ticket.id)
        await ticket.save(update_fields=["number"])
        await TicketEvent.create(
            ticket=ticket,
            at=now,
            actor=actor,
            actor_name=actor_name or requester.name,
            action="opened",
            new_value=Status.NEW,
            channel=channel,
            is_public=True,
            body=description,
        )
    if bus is not None:
        await bus.publish(TicketOpened(ticket.id, ticket.number, channel, room_id))
    return ticket
