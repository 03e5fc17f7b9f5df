"""What a use case stored, sent to the room's clients: in each room's `seq` order (InOrder), to this
process's clients and, through the fan-out, to the other processes'; then the queue if it moved,
and the domain events on the bus."""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable

import socketio

from classroom_helper.adapters.group_commit import GroupCommit
from classroom_helper.adapters.orm import RoomEventRecord
from classroom_helper.entrypoints.room_audiences import addressed
from classroom_helper.entrypoints.room_metrics import RoomMetrics
from classroom_helper.entrypoints.room_order import InOrder, Message
from classroom_helper.entrypoints.room_queues import QueuePushes
from classroom_helper.services.room_log import Outcome, current_seq, events_between
from helpdesk.services.bus import MessageBus


class Delivery:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        bus: MessageBus,
        queues: QueuePushes,
        metrics: RoomMetrics,
        group_commit: GroupCommit | None = None,
    ):
        self.sio, self.bus, self.queues, self.metrics = sio, bus, queues, metrics
        # SQLite: the actions that arrive together are stored in one transaction
        self.group_commit = group_commit
        self.in_order = InOrder(self.hand_out, self._read_log)
        # The other processes' way to this process's events: the Redis fan-out, when there is one
        # (the composition root sets it).
        self.share: Callable[[Message], Awaitable[None]] | None = None
        self._room_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def act(self, room_id: str, use_case: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """Run a use case that changes the room, then send what it stored, one at a time per room
        in this process: clients then receive this process's events in `seq` order."""
        if self.group_commit is not None:
            # Stored in turn, in `seq` order; the callers resume in that order and queue for
            # the room's lock in it.
            outcome = await self.group_commit.run(use_case)
            async with self._room_locks[room_id]:
                await self.deliver(room_id, outcome)
            return outcome
        async with self._room_locks[room_id]:
            outcome = await use_case()
            await self.deliver(room_id, outcome)
        return outcome

    async def deliver(self, room_id: str, outcome: Outcome) -> None:
        """Send a committed outcome's events, the queue if it moved, and its bus events."""
        for event in outcome.events:
            await self.send(event)
        if outcome.queue_moved:
            self.queues.moved(room_id)
        for published in outcome.published:
            await self.bus.publish(published)

    async def send(self, event: RoomEventRecord) -> None:
        message = addressed(event)
        await self.in_order.arrived(message)
        if self.share is not None:
            await self.share(message)
        self.metrics.handed_to_staff(event)
        self.metrics.room_event_sent(event)

    async def follow(self, room_id: str) -> None:
        """From a room's first listener in this process on, its events are handed out here (the
        listener's `room.sync` reads what came before)."""
        if not self.in_order.follows(room_id):
            self.in_order.follow(room_id, await current_seq(room_id))

    async def hand_out(self, message: Message) -> None:
        """To this process's clients in the event's audience (in the room's order: InOrder)."""
        for rooms, data in (
            (message["staff"], message["for_staff"]),
            (message["trainees"], message["for_trainees"]),
        ):
            if rooms:
                await self.sio.emit("room.event", data, to=rooms, ignore_queue=True)

    async def _read_log(self, room_id: str, after: int, before: int) -> list[Message]:
        return [addressed(event) for event in await events_between(room_id, after, before)]

    async def tell_clients_to_sync(self, everywhere: bool) -> None:
        """The fan-out between processes works again after a gap: events of other processes
        may have been missed (stored, but not heard), so clients sync (`room.resync`). Everywhere
        when this process's own events may not have reached the others."""
        await self.sio.emit("room.resync", {}, ignore_queue=not everywhere)
