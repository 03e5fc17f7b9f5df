"""How the live room's Socket.IO packets are encoded: python-socketio's own packet, its JSON done
by orjson (the documented `serializer` argument takes a subclass of `socketio.packet.Packet`)."""

import json

import orjson
from socketio import packet


class OrJson:
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
    json = OrJson

    def decode(self, encoded_packet):
        attachments = super().decode(encoded_packet)
        # python-socketio looks an event's name up among its handlers before any handler runs: a
        # name that cannot be a dict key (a list, an object) would fail there, in a task nobody
        # awaits. As None it reaches the room's catch-all handler, which refuses it.
        if (
            self.packet_type in (packet.EVENT, packet.BINARY_EVENT)
            and isinstance(self.data, list)
            and self.data
            and isinstance(self.data[0], list | dict)
        ):
            self.data[0] = None
        return attachments
