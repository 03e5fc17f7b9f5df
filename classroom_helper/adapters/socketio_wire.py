"""How the live room's Socket.IO messages are made and handed to the sockets: python-socketio's
own classes, with three costs taken out (docs/performance.md: the live room).

- The packet: the room sends JSON only, so no payload is walked looking for bytes to send
  as attachments, and orjson encodes it (python-socketio's documented `serializer` hook).
- The emit: python-socketio makes a task per recipient and waits for them all. Handing a
  packet to a socket only puts it on that socket's unbounded queue (its own writer task
  sends it), so here each recipient's packet is queued in turn, without the tasks.
- The disconnect: python-socketio finds the rooms a leaving socket was in by looking through
  every room of the process (here two or more per connection): with 6,200 connections a
  departure cost ~0.9 ms, and a burst of them held the loop for seconds. Each socket's rooms are
  kept here, so a departure leaves just those (~3 µs).
"""

import json
import logging

import orjson
import socketio
from engineio import packet as eio_packet
from socketio import packet

log = logging.getLogger(__name__)


class _OrJson:
    """The json module's two functions as python-socketio calls them, done by orjson."""

    @staticmethod
    def dumps(data, **_options) -> str:
        return orjson.dumps(data).decode()

    @staticmethod
    def loads(text: str):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            # what the json module reads and orjson refuses (NaN, Infinity, a lone surrogate):
            # read as python-socketio would, so that validation answers it with an error ack
            return json.loads(text)


class RoomPacket(packet.Packet):
    uses_binary_events = False
    json = _OrJson


class DirectSend(socketio.AsyncManager):
    """`emit` without a task per recipient (with acks, python-socketio's own); a departure leaves
    only the rooms its socket was in."""

    def __init__(self) -> None:
        super().__init__()
        self._rooms_of: dict[str, list] = {}  # sid → the rooms it is in (None: the namespace's)

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        rooms = self._rooms_of.setdefault(sid, [])
        if room not in rooms:
            rooms.append(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get(sid)
        if rooms is not None and room in rooms:
            rooms.remove(room)

    def basic_disconnect(self, sid, namespace, **kwargs):
        # python-socketio's own, with the socket's rooms from the index instead of a search
        for room in self._rooms_of.pop(sid, ()):
            super().basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            if sid in pending.get(namespace, ()):
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]

    async def emit(
        self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs
    ):
        if callback is not None or namespace not in self.rooms:
            return await super().emit(
                event, data, namespace, room, skip_sid, callback, to, **kwargs
            )
        arguments = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *arguments]
        ).encode()
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        skipped = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        for sid, eio_sid in self.get_participants(namespace, to or room):
            if sid in skipped:
                continue
            try:
                await self.server._send_eio_packet(eio_sid, message)
            except Exception:  # one socket's failure is not the others' (as with the tasks)
                log.exception("sending %s to %s failed", event, sid)
