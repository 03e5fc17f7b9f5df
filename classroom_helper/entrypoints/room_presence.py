"""Who is connected to each room, recorded for every process to count (services/presence.py), and
`room.presence` told to the room when it changes."""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import socketio

from classroom_helper.domain.people import Person
from classroom_helper.entrypoints.room_audiences import everyone
from classroom_helper.services import presence
from helpdesk.adapters import database

log = logging.getLogger(__name__)


class RoomPresence:
    def __init__(self, sio: socketio.AsyncServer, process: str, clock: Callable[[], datetime]):
        self.sio, self.process, self.clock = sio, process, clock
        self.closing = False  # the server is stopping: its presence rows go stale on their own
        self._beating = False  # this process's heartbeat exists
        self._departures_to_record: set[str] = set()
        self._refreshed_at = clock()
        self._telling: set[asyncio.Task] = set()  # held until done (the loop keeps weak refs)

    async def arrive(self, sid: str, person: Person) -> None:
        if not self._beating:  # a new process counts from its first connection, not first sweep
            await presence.beat(self.process, self.clock())
            self._beating = True
        await presence.arrive(sid, self.process, person, self.clock())

    async def leave(self, sid: str) -> None:
        if self.closing:
            return
        try:
            room_id = await presence.leave(sid, self.clock())
        except Exception as error:
            if not database.unavailable(error):
                raise
            # recorded by the next refresh: until then this process would keep the row fresh
            self._departures_to_record.add(sid)
            return
        if room_id is not None:
            await self.tell(room_id)

    def tell_soon(self, room_id: str) -> None:
        task = asyncio.create_task(self._tell_or_wait(room_id))
        self._telling.add(task)
        task.add_done_callback(self._telling.discard)

    async def _tell_or_wait(self, room_id: str) -> None:
        try:
            await self.tell(room_id)
        except Exception as error:  # the counts are told again at the next change
            if not database.unavailable(error):
                log.exception("telling the presence of %s failed", room_id)

    async def tell(self, room_id: str) -> None:
        counts = await presence.counts(room_id, self.clock())
        await self.sio.emit("room.presence", {"presence": counts}, to=everyone(room_id))

    async def refresh(self) -> None:
        """Keep this process's connections counted (its heartbeat), record the departures the
        database missed, and tell the rooms whose counts changed on their own (another process
        stopped beating)."""
        now = self.clock()
        for sid in list(self._departures_to_record):
            room_id = await presence.leave(sid, now)
            self._departures_to_record.discard(sid)
            if room_id is not None:
                await self.tell(room_id)
        for room_id in await presence.refresh(self.process, self._refreshed_at, now):
            await self.tell(room_id)
        self._beating = True
        self._refreshed_at = now
