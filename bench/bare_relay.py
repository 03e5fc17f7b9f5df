"""The floor of the stack: a bare python-socketio server (default settings, no persistence) doing
the live room's hop — a trainee's event reaches the room's managers and the trainee, with an ack.

Same wire as Sanad for what the load generator uses (docs/realtime-protocol.md): host-token
admission, `room.sync`, `issue.raise` / `issue.withdraw` acked and sent as `room.event` to the
room's managers and to the trainee. Nothing is stored; ids and sequence numbers live in memory.

    python -m bench.bare_relay --port 0 --secret S      # prints "listening on <port>"

With `--redis URL` several relays share their rooms through Redis with python-socketio's own
AsyncRedisManager.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
from datetime import UTC, datetime

import jwt
import socketio
from aiohttp import web


def build_relay(
    secret: str, redis_url: str | None = None, channel: str = "bare"
) -> web.Application:
    manager = socketio.AsyncRedisManager(redis_url, channel=channel) if redis_url else None
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager)
    app = web.Application()
    sio.attach(app)
    people: dict[str, tuple[str, str, str]] = {}  # sid → (room, sub, role)
    numbers = itertools.count(1)

    @sio.event
    async def connect(sid, environ, auth):
        try:
            claims = jwt.decode((auth or {}).get("token", ""), secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            raise socketio.exceptions.ConnectionRefusedError("token_invalid") from None
        room, sub, role = claims["room"], claims["sub"], claims["role"]
        people[sid] = (room, sub, role)
        await sio.enter_room(sid, f"{room}:{'managers' if role == 'manager' else 'trainees'}")
        await sio.enter_room(sid, f"{room}:person:{sub}")

    @sio.event
    async def disconnect(sid, reason=None):
        people.pop(sid, None)

    @sio.on("room.sync")
    async def sync(sid, data):
        return {"ok": True, "data": {"mode": "snapshot", "seq": 0, "snapshot": {}}}

    async def relay(sid, kind: str, issue: dict) -> dict:
        room, sub, _ = people[sid]
        issue["trainee"] = {"sub": sub}
        event = {
            "seq": next(numbers),
            "type": kind,
            "at": datetime.now(UTC).isoformat(),
            "data": {"issue": issue},
        }
        await sio.emit("room.event", event, to=[f"{room}:managers", f"{room}:person:{sub}"])
        return {"ok": True, "data": {"issue": issue, "existing": False}}

    @sio.on("issue.raise")
    async def raise_issue(sid, data):
        return await relay(sid, "issue.raised", {"id": next(numbers), **data, "state": "raised"})

    @sio.on("issue.withdraw")
    async def withdraw(sid, data):
        return await relay(sid, "issue.updated", {"id": data["issue_id"], "state": "withdrawn"})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--redis", default=None, help="Redis URL: relays share rooms through it")
    parser.add_argument("--channel", default="bare", help="the Redis pub/sub channel")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    web.run_app(
        build_relay(args.secret, args.redis, args.channel),
        host="127.0.0.1",
        port=args.port,
        access_log=None,
        print=lambda text: print(text, flush=True),
    )


if __name__ == "__main__":
    main()
