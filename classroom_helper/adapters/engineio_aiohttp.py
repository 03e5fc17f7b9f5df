"""Engine.IO on aiohttp as python-engineio's own driver does it, with two differences that each
connection pays for its whole life (docs/performance.md: memory per connection)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from aiohttp import hdrs, web
from engineio.async_drivers import aiohttp as driver

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

    async def __call__(self, environ: dict) -> web.WebSocketResponse:
        self._sock = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(environ["aiohttp.request"])
        self.environ = environ
        await self.handler(self)
        return self._sock


def lean_driver(engineio_server) -> None:
    """Engine.IO's aiohttp driver with the environ and the websocket above. Its table of parts is
    the server's own attribute (`_async`, set from the driver's module): replaced for this server
    only, not in the module."""
    engineio_server._async = {
        **engineio_server._async,
        "translate_request": RequestEnviron,
        "websocket": WebSocketWithoutDeflate,
    }
