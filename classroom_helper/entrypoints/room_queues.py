"""The waiting trainees' places in a room's queue (`issue.queue`), told when the queue moves."""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import socketio

from classroom_helper.entrypoints.room_audiences import person_room
from classroom_helper.services import issues
from helpdesk.adapters import database

log = logging.getLogger(__name__)


class QueuePushes:
    def __init__(self, sio: socketio.AsyncServer, clock: Callable[[], datetime]):
        self.sio, self.clock = sio, clock
        self._moved: set[str] = set()
        self._pushing: asyncio.Task | None = None

    def moved(self, room_id: str) -> None:
        """Tell the room's waiting trainees their new places, soon: once for all the moves that
        happen meanwhile (with many raising at once in a room, once per move was a read and an
        emit to every waiting trainee for each of them)."""
        self._moved.add(room_id)
        if self._pushing is None:
            self._pushing = asyncio.create_task(self._push_moved())

    async def _push_moved(self) -> None:
        try:
            while self._moved:
                room_id = self._moved.pop()
                try:
                    await self.push(room_id)
                except Exception as error:  # the places are told again at the next move
                    if not database.unavailable(error):
                        log.exception("telling the queue of %s failed", room_id)
        finally:
            self._pushing = None

    async def push(self, room_id: str) -> None:
        # to each trainee's own Socket.IO room, which a connection joins with its `room.sync`
        for place in await issues.room_queue(room_id, self.clock()):
            sub = place.pop("trainee_sub")
            await self.sio.emit("issue.queue", {"queue": place}, to=person_room(room_id, sub))
