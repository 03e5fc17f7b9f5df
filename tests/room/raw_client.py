"""A Socket.IO client at the packet level (Engine.IO 4 over a websocket, aiohttp's client): it sees
every packet in the order the server sent it, and can send packets no Socket.IO client library
makes (an event name that is not a string, a thousand arguments)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp


class RawSocket:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.packets: list[str] = []  # every Socket.IO packet received ("4" taken off), in order

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, base_url: str) -> RawSocket:
        ws = await http.ws_connect(base_url.rstrip("/") + "/socket.io/?EIO=4&transport=websocket")
        socket = cls(ws)
        opened = await ws.receive_str(timeout=10)
        assert opened.startswith("0{"), opened  # Engine.IO's open packet comes first
        return socket

    async def send(self, packet: str) -> None:
        """One Socket.IO packet, e.g. `0{"token": ...}` (CONNECT) or `21["room.sync",{}]`."""
        await self.ws.send_str("4" + packet)

    async def connect(self, auth: dict | None = None, namespace: str = "/") -> None:
        prefix = "" if namespace == "/" else namespace + ","
        await self.send("0" + prefix + (json.dumps(auth) if auth is not None else ""))

    async def emit(self, ack_id: int, *event: Any, namespace: str = "/") -> None:
        prefix = "" if namespace == "/" else namespace + ","
        await self.send(f"2{prefix}{ack_id}{json.dumps(list(event))}")

    async def next_packet(self, within: float = 10) -> str:
        """The next Socket.IO packet (answering Engine.IO's pings meanwhile)."""
        while True:
            message = await self.ws.receive(timeout=within)
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"the websocket ended: {message}")
            if message.data == "2":
                await self.ws.send_str("3")
                continue
            if message.data.startswith("4"):
                self.packets.append(message.data[1:])
                return message.data[1:]

    async def ack(self, ack_id: int, namespace: str = "/", within: float = 10) -> Any:
        """The answer to the event sent with `ack_id` (the packets before it are kept)."""
        prefix = "3" + ("" if namespace == "/" else namespace + ",") + str(ack_id)
        while True:
            packet = await self.next_packet(within)
            if packet.startswith(prefix + "["):
                return json.loads(packet[len(prefix) :])[0]

    async def close(self) -> None:
        await self.ws.close()


def namespace_of(packet: str) -> str:
    """A Socket.IO packet's namespace ("/" when it names none)."""
    body = packet[1:]
    return body.split(",", 1)[0] if body.startswith("/") else "/"
