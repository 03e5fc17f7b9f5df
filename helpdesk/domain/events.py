"""Domain events the helpdesk publishes on the message bus."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketChanged:
    """A ticket moved on its lifecycle or got a new timeline line (consoles and rooms listen)."""

    ticket_id: int
    number: str
    action: str
    status: str
    level: int
    department_id: int | None
    room_session_id: int | None
    routed_department_id: int | None = None
