"""The helpdesk's news of tickets that came from room issues, told in their rooms."""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from classroom_helper.entrypoints.room_delivery import Delivery
from classroom_helper.services import issues
from helpdesk.domain.events import TicketChanged
from helpdesk.services.bus import MessageBus


def tell_rooms_of_tickets(
    bus: MessageBus, delivery: Delivery, clock: Callable[[], datetime]
) -> None:
    async def on_ticket_changed(event: TicketChanged) -> None:
        """The helpdesk moved a ticket; if it came from a room issue, its trainee is told there."""
        if event.status not in issues.TICKET_NEWS:  # e.g. every new ticket: nothing to look up
            return
        room_id = await issues.room_of_ticket(event.number)
        if room_id is not None:
            await delivery.act(
                room_id, partial(issues.ticket_news, event.number, event.status, clock())
            )

    bus.subscribe(TicketChanged, on_ticket_changed)
