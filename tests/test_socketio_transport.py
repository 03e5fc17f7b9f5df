"""The Socket.IO endpoint's transport settings (docs/performance.md: memory per connection)."""

import asyncio
import logging
import time

import aiohttp
import pytest
import socketio
from aiohttp import web

from classroom_helper.adapters import engineio_aiohttp


async def test_websockets_refuse_permessage_deflate_that_browsers_offer(server):
    url = server.make_url("/socket.io/?EIO=4&transport=websocket")
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, compress=15) as ws,  # as a browser offers it
    ):
        assert ws.compress == 0
        opening = await ws.receive_str(timeout=5)
        assert opening.startswith("0{") and '"sid"' in opening


async def test_long_polling_still_opens_a_session(client):
    response = await client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status == 200
    assert (await response.text()).startswith("0{")


async def test_socketio_requests_keep_their_request_id_and_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="sanad.http")
    polling = await client.get(
        "/socket.io/?EIO=4&transport=polling", headers={"X-Request-Id": "poll-1"}
    )
    assert polling.headers["X-Request-Id"] == "poll-1"
    async with client.ws_connect(
        "/socket.io/?EIO=4&transport=websocket", headers={"X-Request-Id": "ws-1"}
    ) as ws:
        await ws.receive_str(timeout=5)
    for _ in range(50):  # the websocket's line is written once the server has closed it
        lines = [r.getMessage() for r in caplog.records if r.name == "sanad.http"]
        if len(lines) == 2:
            break
        await asyncio.sleep(0.05)
    assert lines[0].startswith("GET /socket.io/ 200 ") and lines[0].endswith(" rid=poll-1")
    assert lines[1].startswith("GET /socket.io/ 101 ") and lines[1].endswith(" rid=ws-1")


async def test_an_open_websocket_is_not_held_by_the_other_middlewares(client):
    """Each middleware around a websocket stays suspended for its whole life (memory per
    connection, docs/performance.md): only the request log remains."""
    async with client.ws_connect("/socket.io/?EIO=4&transport=websocket") as ws:
        await ws.receive_str(timeout=5)
        chains = [_awaiting(task.get_coro()) for task in asyncio.all_tasks()]
        held = next(chain for chain in chains if "AsyncServer.handle_request" in chain)
    assert "request_log" in held
    assert not {"locale", "errors", "session_middleware", "context_processors_middleware"} & set(
        held
    ), held


async def test_an_open_websocket_waits_without_a_timer_per_message(client):
    """Engine.IO's own loop waits for every frame and packet through `asyncio.wait_for`: new
    objects for each message of each connection, which made the young garbage collections long
    (docs/performance.md)."""
    async with client.ws_connect("/socket.io/?EIO=4&transport=websocket") as ws:
        await ws.receive_str(timeout=5)
        await ws.send_str("40")  # the namespace (no token: refused), answered through the writer
        assert (await ws.receive_str(timeout=5)).startswith("44")
        chains = [_awaiting(task.get_coro()) for task in asyncio.all_tasks()]
    reading = next(chain for chain in chains if "AsyncServer.handle_request" in chain)
    writing = next(chain for chain in chains if "_write" in chain)
    assert "serve" in reading
    assert not any("wait_for" in name for name in reading + writing), (reading, writing)


@pytest.fixture
async def pinging(aiohttp_server, monkeypatch):
    """A bare Socket.IO server on our driver that pings every 0.3 s, and a websocket to it."""
    monkeypatch.setattr(engineio_aiohttp.Heartbeat, "EVERY", 0.05)
    monkeypatch.setattr(engineio_aiohttp.Heartbeat, "CLOSED_EVERY", 2)
    sio = socketio.AsyncServer(async_mode="aiohttp", ping_interval=0.3, ping_timeout=0.3)
    app = web.Application()
    sio.attach(app)
    engineio_aiohttp.lean_driver(sio.eio)
    server = await aiohttp_server(app)
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(server.make_url("/socket.io/?EIO=4&transport=websocket")) as ws,
    ):
        assert (await ws.receive_str(timeout=5)).startswith("0{")
        yield ws
    await sio.shutdown()


async def test_pings_come_from_one_timer_not_a_task_each(pinging):
    ws = pinging
    assert await ws.receive_str(timeout=5) == "2"  # the first: Engine.IO's own, at connect
    answered = time.monotonic()
    for _ in range(3):
        await ws.send_str("3")
        await asyncio.sleep(0.1)  # the pong has arrived: the next ping is waiting
        chains = [_awaiting(task.get_coro()) for task in asyncio.all_tasks()]
        assert not [chain for chain in chains if "AsyncSocket._send_ping" in chain]
        assert await ws.receive_str(timeout=5) == "2"
        assert 0.25 < time.monotonic() - answered < 1.5  # the interval after each pong
        answered = time.monotonic()
    assert not ws.closed


async def test_a_client_that_stops_answering_pings_is_let_go(pinging):
    """Engine.IO closes the socket of a client that no longer answers its pings; the heartbeat
    then ends its websocket (nothing else waits with a timeout)."""
    ws = pinging
    started = time.monotonic()
    assert await ws.receive_str(timeout=5) == "2"  # a ping, left unanswered
    closing = await ws.receive(timeout=5)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), closing
    assert time.monotonic() - started < 3


def _awaiting(coro) -> list[str]:
    """The names of the coroutines a task's coroutine is suspended in, outermost first."""
    names = []
    while coro is not None and hasattr(coro, "cr_code"):
        names.append(coro.cr_code.co_qualname)
        coro = coro.cr_await
    return names
