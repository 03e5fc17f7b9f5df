"""Domain events the helpdesk publishes on the message bus."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketOpened:
    ticket_id: int
    number: str
    channel: str
    room_id: str | None
