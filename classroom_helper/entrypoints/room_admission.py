"""Who may be in a live room, and when a connection starts hearing it.

A connection is admitted when it connects (its host token, its room, its presence row), and joins
its audiences' Socket.IO rooms only when it first asks for `room.sync`, after its CONNECT:
python-socketio sends CONNECT when the connect handler returns, and a room's emits would reach a
socket joined inside the handler before it (docs/realtime-protocol.md, section 1)."""

import socketio

from classroom_helper.adapters.host_tokens import RoomPasses
from classroom_helper.domain.people import Person
from classroom_helper.entrypoints.identity import person_from
from classroom_helper.entrypoints.room_audiences import audiences
from classroom_helper.entrypoints.room_delivery import Delivery
from classroom_helper.entrypoints.room_presence import RoomPresence
from classroom_helper.services.rooms import room_session


class Admission:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        passes: RoomPasses,
        presence: RoomPresence,
        delivery: Delivery,
    ):
        self.sio, self.passes, self.presence, self.delivery = sio, passes, presence, delivery
        # who each connection of this process is; not python-socketio's session, which costs two
        # dicts per connection (docs/performance.md: memory per connection)
        self._people: dict[str, Person] = {}
        self._joined: set[str] = set()  # the connections that asked for `room.sync`

    async def admit(self, sid: str, token: str, room: str | None) -> Person:
        """Raises TokenRefused or RoomError (their `code` says why)."""
        room_pass = await self.passes.verify(token, room)
        await room_session(room_pass.room_id)
        person = person_from(room_pass)
        await self.presence.arrive(sid, person)
        self._people[sid] = person  # last: a refused connection is never disconnected
        return person

    def person(self, sid: str) -> Person | None:
        return self._people.get(sid)

    async def join(self, sid: str, person: Person) -> None:
        """Into the Socket.IO rooms of the person's audiences, on the connection's first
        `room.sync`, before the sync reads the database: every event is then in the sync's
        answer or heard live afterwards."""
        if sid in self._joined:
            return
        await self.delivery.follow(person.room)
        if sid not in self._people:  # gone meanwhile
            return
        for room in audiences(person):
            await self.sio.enter_room(sid, room)
        self._joined.add(sid)
        self.presence.tell_soon(person.room)

    async def leave(self, sid: str) -> None:
        self._people.pop(sid, None)
        self._joined.discard(sid)
        await self.presence.leave(sid)
