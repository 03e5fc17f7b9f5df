"""The live room in one process, its parts put together (the composition root builds it):

- socketio.py      the Socket.IO handlers: admission on connect, each event to its use case, acks
- room_admission   who may be in a room; a connection joins its audiences on its first `room.sync`
- room_delivery    what a use case stored, sent in each room's `seq` order (room_order.InOrder),
                   handed to the fan-out for the other processes
- room_presence    presence rows and `room.presence`; room_queues: `issue.queue`
- room_tickets     the helpdesk's ticket news (the bus) told in the rooms
- room_sweeper     the room's scheduled job (presence heartbeat, automatic tickets, sessions' ends)
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import socketio

from classroom_helper.adapters.group_commit import GroupCommit
from classroom_helper.adapters.host_tokens import RoomPasses
from classroom_helper.domain.room_issues import TicketRules
from classroom_helper.entrypoints.room_admission import Admission
from classroom_helper.entrypoints.room_delivery import Delivery
from classroom_helper.entrypoints.room_metrics import RoomMetrics
from classroom_helper.entrypoints.room_order import InOrder, Message
from classroom_helper.entrypoints.room_presence import RoomPresence
from classroom_helper.entrypoints.room_queues import QueuePushes
from classroom_helper.entrypoints.room_sweeper import RoomSweeper
from classroom_helper.entrypoints.room_tickets import tell_rooms_of_tickets
from classroom_helper.entrypoints.socketio import RoomEvents
from classroom_helper.services.room_log import Outcome
from helpdesk.adapters.rate_limits import RateLimit
from helpdesk.i18n import Catalogues
from helpdesk.services.bus import MessageBus


class LiveRoom:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        catalogues: Catalogues,
        bus: MessageBus,
        rate_limit: RateLimit,
        rules: TicketRules,
        passes: RoomPasses,
        metrics: RoomMetrics,
        group_commit: GroupCommit | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.process = uuid.uuid4().hex
        self.rate_limit = rate_limit
        self.presence = RoomPresence(sio, self.process, clock)
        self.delivery = Delivery(sio, bus, QueuePushes(sio, clock), metrics, group_commit)
        self.admission = Admission(sio, passes, self.presence, self.delivery)
        self.events = RoomEvents(
            sio, catalogues, self.admission, self.delivery, rate_limit, metrics, clock
        )
        self.sweeper = RoomSweeper(rules, self.presence, self.delivery, clock)
        tell_rooms_of_tickets(bus, self.delivery, clock)

    # What the rest of the application reaches: the HTTP room API acts through the delivery, the
    # fan-out hands the other processes' events to it, and shutdown marks the presence closing.

    async def act(self, room_id: str, use_case: Callable[[], Awaitable[Outcome]]) -> Outcome:
        return await self.delivery.act(room_id, use_case)

    @property
    def in_order(self) -> InOrder:
        return self.delivery.in_order

    @property
    def share(self) -> Callable[[Message], Awaitable[None]] | None:
        return self.delivery.share

    @share.setter
    def share(self, share: Callable[[Message], Awaitable[None]] | None) -> None:
        self.delivery.share = share

    async def tell_clients_to_sync(self, everywhere: bool) -> None:
        await self.delivery.tell_clients_to_sync(everywhere)

    @property
    def closing(self) -> bool:
        return self.presence.closing

    @closing.setter
    def closing(self, closing: bool) -> None:
        self.presence.closing = closing
