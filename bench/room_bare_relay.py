"""The floor of the stack: a bare python-socketio relay doing the benchmark's hop (a trainee's
event → the room's managers, plus the ack) with no token check, no validation, no database.

    python bench/room_bare_relay.py PORT
"""

import sys

import jwt
import socketio
from aiohttp import web

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
app = web.Application()
sio.attach(app)
issue_ids = iter(range(1, 10**12))


@sio.event
async def connect(sid, environ, auth):
    claims = jwt.decode(auth["token"], options={"verify_signature": False})
    await sio.save_session(sid, claims)
    if claims["role"] == "manager":
        await sio.enter_room(sid, f"{claims['room']}:managers")


@sio.on("issue.raise")
async def raise_issue(sid, data):
    claims = await sio.get_session(sid)
    issue = {"id": next(issue_ids), "text": data["text"], "category": data["category"]}
    await sio.emit(
        "room.event",
        {"type": "issue.raised", "data": {"issue": issue}},
        to=f"{claims['room']}:managers",
    )
    return {"ok": True, "data": {"issue": issue}}


@sio.on("issue.withdraw")
async def withdraw_issue(sid, data):
    claims = await sio.get_session(sid)
    issue = {"id": data["issue_id"], "state": "withdrawn"}
    await sio.emit(
        "room.event",
        {"type": "issue.updated", "data": {"issue": issue}},
        to=f"{claims['room']}:managers",
    )
    return {"ok": True, "data": {"issue": issue}}


if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
