"""The suites' heartbeat test for long-polling ("closes the session upon ping timeout") polls once,
exactly pingInterval + pingTimeout after the handshake, which may come before python-engineio's
check closes the session (docs/realtime-protocol.md §8): here the same promise, by its states."""

from __future__ import annotations

import json
import os

import pytest

from tests.protocol.reference_server import SERVER, reference_app

PATH = "/engine.io/"


@pytest.mark.parametrize("stock", [True, False], ids=["stock", "ours"])
async def test_a_polling_session_that_never_answers_a_ping_is_closed(aiohttp_client, stock):
    app = reference_app("engine.io", stock, None if stock else os.environ.get("REDIS_URL"))
    eio = app[SERVER].eio
    reasons = []

    async def disconnect(eio_sid, reason):  # the Engine.IO suite has no Socket.IO layer to tell
        reasons.append(reason)

    eio.on("disconnect", disconnect)
    client = await aiohttp_client(app)

    async def poll(sid: str | None = None):
        params = {"EIO": "4", "transport": "polling", **({"sid": sid} if sid else {})}
        response = await client.get(PATH, params=params)
        return response.status, await response.text()

    status, handshake = await poll()
    assert status == 200 and handshake.startswith("0"), handshake
    sid = json.loads(handshake[1:])["sid"]

    assert await poll(sid) == (200, "2")  # the server's ping, left unanswered
    # held until the ping times out, then refused as the suite expects: the session is gone
    assert (await poll(sid))[0] == 400
    assert reasons == [eio.reason.PING_TIMEOUT]  # not the held poll's own time limit
    assert (await poll(sid))[0] == 400
