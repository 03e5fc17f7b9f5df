"""Engine.IO on aiohttp as python-engineio's own driver does it, with three differences made for
thousands of connections: the environ read from the request, the websocket without deflate, and
the websocket loop with one heartbeat for all (docs/performance.md: memory per connection, and
the young garbage collections)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import hdrs, web
from engineio import exceptions, packet
from engineio.async_drivers import aiohttp as driver
from engineio.async_socket import AsyncSocket

_MISSING = object()

# The driver's environ (engineio/async_drivers/aiohttp.py, translate_request), key by key.
_FROM_REQUEST: dict[str, Callable[[web.Request], Any]] = {
    "wsgi.input": lambda request: request.content,
    "wsgi.errors": lambda request: sys.stderr,
    "wsgi.version": lambda request: (1, 0),
    "wsgi.async": lambda request: True,
    "wsgi.multithread": lambda request: False,
    "wsgi.multiprocess": lambda request: False,
    "wsgi.run_once": lambda request: False,
    "SERVER_SOFTWARE": lambda request: "aiohttp",
    "REQUEST_METHOD": lambda request: request.method,
    "QUERY_STRING": lambda request: request.query_string or "",
    "RAW_URI": lambda request: request.path_qs,
    "SERVER_PROTOCOL": lambda request: f"HTTP/{request.version[0]}.{request.version[1]}",
    "REMOTE_ADDR": lambda request: "127.0.0.1",
    "REMOTE_PORT": lambda request: "0",
    "SERVER_NAME": lambda request: "aiohttp",
    "SERVER_PORT": lambda request: "0",
    "CONTENT_TYPE": lambda request: _header(request, hdrs.CONTENT_TYPE),
    "CONTENT_LENGTH": lambda request: _header(request, hdrs.CONTENT_LENGTH),
    "wsgi.url_scheme": lambda request: _header(request, "X-Forwarded-Proto", "http"),
    "PATH_INFO": lambda request: request.path,
    "SCRIPT_NAME": lambda request: "",
}
_NOT_HTTP = {"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"}  # the driver names them without HTTP_


def _header(request: web.Request, name: str, default: Any = _MISSING) -> Any:
    values = request.headers.getall(name, ())
    return ",".join(values) if values else default


class RequestEnviron(dict):
    """The WSGI environ of a request, each value read from the aiohttp request when Engine.IO
    asks for it. The driver copies every header into a new dict under a new `HTTP_…` key, and
    python-socketio keeps the connecting request's environ for the connection's whole life
    (~1.5 KB each); the request itself is kept anyway (the websocket is its response)."""

    __slots__ = ()

    def __init__(self, request: web.Request):
        super().__init__({"aiohttp.request": request})

    def _value(self, key: str) -> Any:
        request = dict.__getitem__(self, "aiohttp.request")
        if key in _FROM_REQUEST:
            return _FROM_REQUEST[key](request)
        if key.startswith("HTTP_") and key not in _NOT_HTTP:
            return _header(request, key[5:].replace("_", "-"))
        return _MISSING

    def __missing__(self, key: str) -> Any:
        value = self._value(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self[key] if dict.__contains__(self, key) else self._value(key)
        return default if value is _MISSING else value

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (
            isinstance(key, str) and self._value(key) is not _MISSING
        )


class WebSocketWithoutDeflate(driver.WebSocket):
    """The driver's websocket, refusing permessage-deflate. Browsers offer it and aiohttp accepts
    it by default; each connection then keeps its own zlib streams for messages of a few hundred
    bytes: 142 KB per idle connection instead of 34 KB, measured on the bare relay, and ~30 µs
    more CPU per event (STACK.md). Refused here rather than by removing the offer from a copy of
    the request, which kept both requests alive (~4 KB)."""

    def __init__(self, handler, server, heartbeat: Heartbeat) -> None:
        super().__init__(handler, server)
        self.heartbeat = heartbeat

    async def __call__(self, environ: dict) -> web.WebSocketResponse:
        self._sock = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(environ["aiohttp.request"])
        self.environ = environ
        socket = self.handler.__self__
        if socket.connected:  # an upgrade from long polling (rare): Engine.IO's own loop
            await self.handler(self)
        else:
            await serve(socket, self, self.heartbeat)
        return self._sock


async def serve(socket: AsyncSocket, ws: WebSocketWithoutDeflate, heartbeat: Heartbeat) -> None:
    """Engine.IO's websocket loop (`AsyncSocket._websocket_handler`) waiting plainly. Its loop
    waits for each frame and each packet to send through `asyncio.wait_for` (a task, a timer, a
    future, two coroutines and a context each time), made anew for every message and ping of
    every connection: with thousands connected they were most of what each young garbage
    collection traversed, 130–300 ms each. The timeouts only ended the loops of a socket that
    Engine.IO had closed, and each ping had a task of its own: `Heartbeat` does both for all
    sockets at once."""
    socket.connected = socket.upgraded = True
    writer = asyncio.ensure_future(_write(socket, ws))
    heartbeat.watch(socket)
    try:
        while True:
            try:
                data = await ws.wait()
            except (Exception, asyncio.CancelledError):
                # closed, an error frame (the driver raises OSError), or the connection lost
                # (aiohttp cancels the handler): the socket is closed below all the same, as
                # Engine.IO's loop does, so that the room hears of the departure
                break
            if len(data) > socket.server.max_http_buffer_size:
                break
            pkt = packet.Packet(encoded_packet=data)
            if pkt.packet_type == packet.PONG:
                heartbeat.pong(socket)
                continue
            try:
                await socket.receive(pkt)
            except exceptions.UnknownPacketError:
                pass
            except exceptions.SocketIsClosedError:
                break
            except Exception:
                socket.server.logger.exception("Unknown receive error")
    finally:
        heartbeat.forget(socket)
        socket.queue.put_nowait(None)  # the writer ends
        await writer
    await socket.close(wait=False, abort=True, reason=socket.server.reason.TRANSPORT_CLOSE)


async def _write(socket: AsyncSocket, ws: WebSocketWithoutDeflate) -> None:
    queue = socket.queue
    while True:
        try:
            pkt = await queue.get()
        except asyncio.CancelledError:  # the connection is lost (see above)
            break
        queue.task_done()
        if pkt is None:
            break
        try:
            await ws.send(pkt.encode())
        except Exception:
            break
    await ws.close()  # ends the reading loop too


class Heartbeat:
    """The timers of every websocket of one server, on one timer of the loop:

    - Pings. Engine.IO pings a client `ping_interval` after its last pong from a task of its
      own (a task, a context, two coroutines, a future and a timer, made anew every 25 s for
      every connection: a third of what each young collection traversed). Here a queue of who
      is due next, in the order due (the interval is the same for all).
    - The end of the websocket loop of each socket Engine.IO has closed without its client
      closing the websocket (a client that stopped answering pings: Engine.IO's service task
      marks its socket closed), instead of a timeout on every wait.
    """

    EVERY = 1.0  # seconds between looks: a ping is at most this late
    CLOSED_EVERY = 5  # looks

    def __init__(self) -> None:
        self.watching: set[AsyncSocket] = set()
        self._due: deque[tuple[float, AsyncSocket]] = deque()
        self._looks = 0
        self._looking = False

    def watch(self, socket: AsyncSocket) -> None:
        self.watching.add(socket)
        self._look_later()

    def forget(self, socket: AsyncSocket) -> None:
        self.watching.discard(socket)

    def pong(self, socket: AsyncSocket) -> None:
        """What `AsyncSocket.schedule_ping` does when a pong arrives, without its task."""
        if socket.last_ping:  # only once per ping
            socket.last_ping = None
            self._due.append((time.monotonic() + socket.server.ping_interval, socket))
            self._look_later()

    def _look_later(self) -> None:
        if not self._looking:  # no timer while no one is connected
            self._looking = True
            asyncio.get_running_loop().call_later(self.EVERY, self._look)

    def _look(self) -> None:
        now = time.monotonic()
        while self._due and self._due[0][0] <= now:
            socket = self._due.popleft()[1]
            if not (socket.closing or socket.closed):  # as `AsyncSocket._send_ping`
                socket.last_ping = time.time()
                socket.queue.put_nowait(packet.Packet(packet.PING))
        self._looks += 1
        if self._looks % self.CLOSED_EVERY == 0:
            for socket in [s for s in self.watching if s.closed]:
                self.watching.discard(socket)
                socket.queue.put_nowait(None)
        self._looking = False
        if self.watching or self._due:
            self._look_later()


def lean_driver(engineio_server) -> None:
    """Engine.IO's aiohttp driver with the environ and the websocket above. Its table of parts is
    the server's own attribute (`_async`, set from the driver's module): replaced for this server
    only, not in the module."""
    engineio_server._async = {
        **engineio_server._async,
        "translate_request": RequestEnviron,
        "websocket": partial(WebSocketWithoutDeflate, heartbeat=Heartbeat()),
    }
