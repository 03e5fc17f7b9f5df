"""The Socket.IO endpoint's transport settings (STACK.md: memory per connection), served by
python-engineio's own aiohttp driver."""

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web

from classroom_helper.bootstrap import socketio_server
from helpdesk.entrypoints import keys


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
        # the websocket's line is written as it opens, not hours later when it closes
        lines = [r.getMessage() for r in caplog.records if r.name == "sanad.http"]
    assert lines[0].startswith("GET /socket.io/ 200 ") and lines[0].endswith(" rid=poll-1")
    assert lines[1] == "GET /socket.io/ websocket rid=ws-1"


async def test_an_open_websocket_holds_nothing_of_ours(client):
    """Each middleware around a websocket stays suspended for its whole life (memory per
    connection, bench/JOURNAL.md): python-socketio's own frames alone remain."""
    async with client.ws_connect("/socket.io/?EIO=4&transport=websocket") as ws:
        await ws.receive_str(timeout=5)
        chains = [_awaiting(task.get_coro()) for task in asyncio.all_tasks()]
        held = next(chain for chain in chains if "AsyncServer.handle_request" in chain)
    assert not {
        "request_log",
        "locale",
        "errors",
        "session_middleware",
        "context_processors_middleware",
    } & set(held), held


async def test_a_websocket_keeps_only_the_headers_the_room_reads(client):
    """python-engineio copies every header into the environ that python-socketio keeps for the
    connection's life: of a browser's websocket (cloned to drop its deflate offer), the user
    agent, languages and offers are not kept."""
    sio = client.server.app[keys.SIO]
    connected = asyncio.get_running_loop().create_future()
    sio.on("connect", lambda sid, environ, auth=None: connected.set_result(environ), "/kept")
    async with client.ws_connect(
        "/socket.io/?EIO=4&transport=websocket",
        headers={
            "Origin": f"http://{client.host}:{client.port}",
            "Cookie": "sanad_lang=en",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0",
            "Accept-Language": "ar,en;q=0.8",
            "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
        },
    ) as ws:
        await ws.receive_str(timeout=5)  # the Engine.IO opening
        await ws.send_str("40/kept,")
        environ = await asyncio.wait_for(connected, 5)
    assert environ["HTTP_ORIGIN"] == f"http://{client.host}:{client.port}"
    assert environ["HTTP_COOKIE"] == "sanad_lang=en"
    assert environ["HTTP_UPGRADE"].lower() == "websocket"
    for dropped in ("HTTP_USER_AGENT", "HTTP_ACCEPT_LANGUAGE", "HTTP_SEC_WEBSOCKET_EXTENSIONS"):
        assert dropped not in environ


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
