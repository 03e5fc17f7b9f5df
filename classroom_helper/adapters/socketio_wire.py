"""How the live room's Socket.IO messages are made and handed to the sockets: python-socketio's
own classes, with two costs of each emit taken out (docs/performance.md: the live room).

- The packet: the room sends JSON only, so no payload is walked looking for bytes to send
  as attachments, and orjson encodes it (python-socketio's documented `serializer` hook).
- The emit: python-socketio makes a task per recipient and waits for them all. Handing a
  packet to a socket only puts it on that socket's unbounded queue (its own writer task
  sends it), so here each recipient's packet is queued in turn, without the tasks.
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
    """`emit` without a task per recipient; with acks (callbacks), python-socketio's own."""

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
