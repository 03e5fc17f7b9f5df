"""The Socket.IO endpoint's transport settings (STACK.md: memory per connection), served by
python-engineio's own aiohttp driver."""

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web

from classroom_helper.bootstrap import socketio_server


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
    connection, bench/JOURNAL.md): only the request log remains."""
    async with client.ws_connect("/socket.io/?EIO=4&transport=websocket") as ws:
        await ws.receive_str(timeout=5)
        chains = [_awaiting(task.get_coro()) for task in asyncio.all_tasks()]
        held = next(chain for chain in chains if "AsyncServer.handle_request" in chain)
    assert "request_log" in held
    assert not {"locale", "errors", "session_middleware", "context_processors_middleware"} & set(
        held
    ), held


@pytest.fixture
async def pinging(aiohttp_server):
    """The product's Socket.IO server pinging every 0.3 s, and a websocket to it."""
    app = web.Application()
    sio = socketio_server(app, ping_interval=0.3, ping_timeout=0.2)
    server = await aiohttp_server(app)
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(server.make_url("/socket.io/?EIO=4&transport=websocket")) as ws,
    ):
        assert (await ws.receive_str(timeout=5)).startswith("0{")
        yield ws
    await sio.shutdown()


async def test_pings_go_on_while_they_are_answered(pinging):
    ws = pinging
    for _ in range(3):
        assert await ws.receive_str(timeout=5) == "2"
        await ws.send_str("3")
    assert not ws.closed


async def test_a_client_that_stops_answering_pings_is_let_go(pinging):
    ws = pinging
    assert await ws.receive_str(timeout=5) == "2"  # a ping, left unanswered
    closing = await ws.receive(timeout=5)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), closing


def _awaiting(coro) -> list[str]:
    """The names of the coroutines a task's coroutine is suspended in, outermost first."""
    names = []
    while coro is not None and hasattr(coro, "cr_code"):
        names.append(coro.cr_code.co_qualname)
        coro = coro.cr_await
    return names
