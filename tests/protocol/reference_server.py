"""The reference server of the official protocol suites (the `test-suite/` folders of
socketio/engine.io-protocol and socketio/socket.io-protocol, in ../shared/protocol-suites/),
made by the product's own Socket.IO factory, or by stock python-socketio for comparison:

    python -m tests.protocol.reference_server engine.io|socket.io [--stock] [--port 3000]

As the suites' READMEs describe it: pingInterval 300 ms, pingTimeout 200 ms, maxPayload
1,000,000, CORS `*`; the Engine.IO suite at /engine.io/, echoing every message; the Socket.IO
suite at /socket.io/, emitting `auth` with the handshake's auth on connection to `/` and
`/custom`, echoing `message` as `message-back`, and acknowledging `message-with-ack` with its
arguments. The suites connect to http://localhost:3000 (written in them)."""

import argparse
import uuid

import socketio
from aiohttp import web

from classroom_helper.adapters.fanout import RedisFanout
from classroom_helper.bootstrap import socketio_server

# The suites' client (ws 8.5) loses a message that arrives in the same read as the one before it
# (each test waits for one message at a time): `auth` goes a moment after the CONNECT packet, as
# two separate reads, for stock python-socketio and ours alike (docs/realtime-protocol.md).
AUTH_AFTER = 0.05  # seconds; the first ping comes 0.3 s after the handshake
SETTINGS = {"ping_interval": 0.3, "ping_timeout": 0.2, "max_http_buffer_size": 1_000_000}
PATHS = {"engine.io": "/engine.io/", "socket.io": "/socket.io/"}
SERVER = web.AppKey("server", socketio.AsyncServer)  # for tests that watch the server itself


def reference_app(suite: str, stock: bool = False, redis_url: str | None = None) -> web.Application:
    """`redis_url`: ours with its fan-out between processes through Redis, as in production with
    several processes (every emit goes through Redis and back)."""
    app = web.Application()
    if stock:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", **SETTINGS)
        sio.attach(app, socketio_path=PATHS[suite])
    else:
        fanout = RedisFanout(redis_url, f"protocol-suite-{uuid.uuid4().hex}") if redis_url else None
        sio = socketio_server(app, path=PATHS[suite], client_manager=fanout, **SETTINGS)
    app[SERVER] = sio
    if suite == "engine.io":
        echo_every_message(sio.eio)
    else:
        reference_handlers(sio)
    return app


def echo_every_message(eio) -> None:
    """Engine.IO alone: its messages go to this handler instead of the Socket.IO layer's."""

    async def message(eio_sid, data):
        await eio.send(eio_sid, data)

    eio.on("message", message)


def reference_handlers(sio: socketio.AsyncServer) -> None:
    async def tell_auth(sid, auth, namespace):
        await sio.sleep(AUTH_AFTER)
        await sio.emit("auth", auth, to=sid, namespace=namespace)

    for namespace in ("/", "/custom"):

        async def connect(sid, environ, auth, namespace=namespace):
            # As socket.io's "connection" event, after the CONNECT packet: python-socketio sends
            # that packet when this handler has returned.
            sio.start_background_task(tell_auth, sid, auth or {}, namespace)

        sio.on("connect", connect, namespace=namespace)

    @sio.on("message")
    async def message(sid, *arguments):
        await sio.emit("message-back", arguments, to=sid)

    @sio.on("message-with-ack")
    async def message_with_ack(sid, *arguments):
        return arguments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=sorted(PATHS))
    parser.add_argument("--stock", action="store_true", help="stock python-socketio, not ours")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--redis", help="ours with its Redis fan-out on this Redis")
    args = parser.parse_args()
    app = reference_app(args.suite, args.stock, args.redis)
    web.run_app(app, host="localhost", port=args.port, print=None)


if __name__ == "__main__":
    main()
