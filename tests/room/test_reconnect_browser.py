"""Pages that reconnect miss nothing (issue 19): the widget, the room manager console and the
trainer console, each with the real socket.io-client in Chromium, in a room under steady traffic
from real python-socketio clients. What each page applied is counted against the room's event log:
in order, once each, none missing; after a dropped network, after a re-admission held up by a
stalled database, and after the server process was SIGKILLed and started again.

Each page tells what it applies (`sanad:room-event` and `sanad:room-snapshot` on `window`,
docs/widget.md); an init script records it."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from itertools import cycle, pairwise

import aiohttp
import asyncpg
import pytest
import socketio
from aiohttp import web
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from playwright.async_api import async_playwright, expect
from tortoise.backends.base.config_generator import expand_db_url

from classroom_helper.adapters.host_tokens import mint_host_token
from helpdesk.domain.institute import RoomRole
from tests.processes import ROOT, free_port, seed_open_room
from tests.widget.conftest import CHROMIUM, host_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RATE = 32  # room actions offered per second, each stores one room event
TRAINEES = 4  # the python-socketio clients that make the traffic
STALL_SECONDS = 2.5  # how long the database is held while the pages are re-admitted
# Refusals that pass: the action is sent again with its cid (docs/realtime-protocol.md).
RETRIED = {"internal_error", "rate_limited", "unavailable", "not_connected"}

RECORD = """
window.sanadTrail = [];
addEventListener("sanad:room-event", (e) => sanadTrail.push(["event", e.detail.seq]));
addEventListener("sanad:room-snapshot", (e) => sanadTrail.push(["snapshot", e.detail.seq]));
"""


async def until(condition, what: str, within: float = 30.0) -> None:
    """Wait for a state of this test's own objects (pages are waited on with Playwright)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class Sanad:
    """`run.py serve` on a fixed port, so that it can be SIGKILLed and started again there."""

    def __init__(self, database_url: str, tmp_path):
        self.env = {
            "DATABASE_URL": database_url,
            "PORT": str(free_port()),
            "SECRET_KEY": "reconnect-test",
            "VAR_DIR": str(tmp_path / "var"),
            "LOG_LEVEL": "WARNING",
            "SCHEDULER": "off",
            # the traffic comes from a few clients
            "ROOM_RATE_LIMIT": "1000 per 10 seconds",
            "SOCKETIO_CHANNEL": f"sanad-reconnect-{uuid.uuid4().hex}",
        }
        # the test's database, and Redis only when the test run has it
        self.env["REDIS_URL"] = os.environ.get("REDIS_URL", "")
        self.port = int(self.env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "sanad.log"
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: ASYNC220 (started once, waited on by polling)
            [sys.executable, "run.py", "serve"],
            cwd=ROOT,
            env={**os.environ, **self.env, "PYTHONUNBUFFERED": "1"},
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = asyncio.get_running_loop().time() + 90  # a loaded machine starts slowly
        async with aiohttp.ClientSession() as http:
            while asyncio.get_running_loop().time() < deadline:
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                assert self.process.poll() is None, self.log.read_text()
                await asyncio.sleep(0.05)
        raise AssertionError(self.log.read_text())

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


class Trainee:
    """A python-socketio client that raises and withdraws issues, asks and upvotes questions;
    it reconnects on its own and sends each action again with its cid until it is answered."""

    def __init__(self, url: str, token: str, sub: str, traffic: Traffic):
        self.url, self.token, self.sub, self.traffic = url, token, sub, traffic
        self.sio = socketio.AsyncClient(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5
        )
        self.up = asyncio.Event()
        self.connections = 0
        self.synced = 0
        self.upvoted: set[int] = set()
        self.sio.on("connect", self._connected)
        self.sio.on("disconnect", lambda *reason: self.up.clear())

    def _connected(self) -> None:
        self.connections += 1
        self.up.set()

    async def connect(self) -> None:
        await self.sio.connect(
            self.url, transports=["websocket"], auth={"token": self.token}, wait_timeout=10
        )

    async def call(self, event: str, payload: dict) -> dict:
        while True:
            await asyncio.wait_for(self.up.wait(), 30)
            try:
                ack = await self.sio.call(event, payload, timeout=5)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                continue  # the connection dropped meanwhile: again, with the same cid
            if ack["ok"]:
                return ack["data"]
            assert ack["error"] in RETRIED, (event, ack)
            await asyncio.sleep(0.2)

    async def act(self, event: str, **fields) -> dict:
        if self.synced != self.connections:  # the protocol: room.sync after every (re)connect
            self.synced = self.connections
            await self.call("room.sync", {"last_seq": None})
        data = await self.call(event, {"cid": uuid.uuid4().hex, **fields})
        self.traffic.actions += 1
        return data

    async def run(self, neighbour: Trainee) -> None:
        loop = asyncio.get_running_loop()
        every = TRAINEES / RATE
        next_at = loop.time()
        for step in cycle(
            ["raise", "withdraw", "ask", "raise", "withdraw", "upvote", "raise", "withdraw"]
        ):
            if self.traffic.stopped:
                return
            if step == "raise":
                issue = (await self.act("issue.raise", category="no_audio", text="x"))["issue"]
            elif step == "withdraw":
                await self.act("issue.withdraw", issue_id=issue["id"])
            else:
                theirs = [q for q in self.traffic.asked[neighbour.sub] if q not in self.upvoted]
                if step == "upvote" and theirs:
                    self.upvoted.add(theirs[-1])
                    await self.act("question.upvote", question_id=theirs[-1])
                else:
                    question = (await self.act("question.ask", text=f"{self.sub}?"))["question"]
                    self.traffic.asked[self.sub].append(question["id"])
            # Paced: a stall is not made up for in a burst.
            next_at = max(next_at + every, loop.time() - 1)
            await asyncio.sleep(max(0.0, next_at - loop.time()))


class Traffic:
    def __init__(self):
        self.actions = 0
        self.stopped = False
        self.asked: dict[str, list[int]] = {}
        self.trainees: list[Trainee] = []
        self.tasks: list[asyncio.Task] = []

    async def start(self, url: str, token) -> None:
        for n in range(TRAINEES):
            sub = f"t{n}"
            self.asked[sub] = []
            trainee = Trainee(url, token("trainee", sub), sub, self)
            await trainee.connect()
            self.trainees.append(trainee)
        for n, trainee in enumerate(self.trainees):
            neighbour = self.trainees[(n + 1) % TRAINEES]
            self.tasks.append(asyncio.create_task(trainee.run(neighbour)))

    async def flowing(self, actions: int = RATE) -> None:
        """Wait until that many more actions have been stored (about a second of traffic)."""
        target = self.actions + actions
        await until(lambda: self.actions >= target or self.failed(), "the traffic")
        self.failed()

    def failed(self) -> bool:
        for task in self.tasks:
            if task.done():
                task.result()  # a producer's failure is the test's
        return False

    async def stop(self) -> None:
        self.stopped = True
        await asyncio.gather(*self.tasks)
        for trainee in self.trainees:
            await trainee.sio.disconnect()


class Network:
    """The pages reach Sanad through this TCP relay: dropping it cuts every connection at once,
    as a network that fails does; new connections go through again."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.links: list[asyncio.Transport] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _link(self, reader, writer) -> None:
        self.links.append(writer.transport)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()  # Sanad is down: the page's attempt fails
            return
        self.links.append(up_writer.transport)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @staticmethod
    async def _pipe(reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()

    def drop(self) -> None:
        links, self.links = self.links, []
        for link in links:
            link.abort()

    async def close(self) -> None:
        self.drop()
        self.server.close()


class LivePage:
    """One page in Chromium and what it applied."""

    def __init__(self, name: str, page, hears):
        self.name, self.page, self.hears = name, page, hears
        self.sockets: list = []  # the page's websockets (Playwright's events)
        self.marked = 0
        self.watch()

    def watch(self) -> None:
        self.page.on("websocket", lambda websocket: self.sockets.append(websocket))

    def mark(self) -> None:
        self.marked = len(self.sockets)

    async def tried_again(self) -> None:
        """The page opened a new websocket since `mark()`."""
        await until(lambda: len(self.sockets) > self.marked, f"{self.name} to try again")

    async def online(self) -> None:
        if self.name == "widget":
            await self.page.locator('sanad-widget .status[data-state="online"]').wait_for(
                state="attached", timeout=30000
            )
        else:
            await expect(self.page.locator("#console-status")).to_have_text("متصل.", timeout=30000)

    async def applied(self) -> list[list]:
        return await self.page.evaluate("window.sanadTrail")


async def open_pages(context, origin: str, room_id: str, token, host_url) -> list[LivePage]:
    """The three pages, reaching Sanad at `origin`."""
    await context.add_init_script(RECORD)
    manager, trainer, widget = [await context.new_page() for _ in range(3)]
    for role, page in (("manager", manager), ("trainer", trainer)):
        await page.goto(f"{origin}/rooms/{room_id}/{role}#token={token(role, role[0] + '1')}")
    await widget.goto(host_url(origin, token("trainee", "w1")))
    pages = [
        LivePage("manager console", manager, lambda e: e["to_managers"]),
        LivePage("trainer console", trainer, lambda e: e["to_trainers"]),
        LivePage("widget", widget, lambda e: e["to_trainees"] or e["to_person"] == "w1"),
    ]
    for page in pages:
        await page.online()
    return pages


async def room_log(database_url: str, room_id: str) -> list[dict]:
    query = (
        "SELECT seq, to_managers, to_trainers, to_trainees, to_person FROM room_event "
        "WHERE room_id = {} ORDER BY seq"
    )
    if database_url.startswith("sqlite"):
        path = expand_db_url(database_url)["credentials"]["file_path"]
        with sqlite3.connect(path) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(query.format("?"), (room_id,)).fetchall()
        return [dict(row) for row in rows]
    connection = await asyncpg.connect(database_url)
    try:
        return [dict(row) for row in await connection.fetch(query.format("$1"), room_id)]
    finally:
        await connection.close()


@asynccontextmanager
async def database_stalled(database_url: str):
    """Another connection holds the tables admission writes (presence) until the block ends."""
    if database_url.startswith("sqlite"):
        path = expand_db_url(database_url)["credentials"]["file_path"]
        connection = sqlite3.connect(
            path, timeout=10, isolation_level=None, check_same_thread=False
        )
        await asyncio.to_thread(connection.execute, "BEGIN IMMEDIATE")
        try:
            yield
        finally:
            await asyncio.to_thread(connection.execute, "ROLLBACK")
            connection.close()
        return
    connection = await asyncpg.connect(database_url)
    transaction = connection.transaction()
    await transaction.start()
    try:
        await connection.execute("LOCK TABLE room_presence IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        await transaction.rollback()
        await connection.close()


async def check_every_event_applied(pages: list[LivePage], log: list[dict]) -> None:
    """Each page applied every event of its audience after its first snapshot, in order, once.

    A page that was away for more than the protocol's 200 events loads a snapshot instead (it
    replaces all it holds): the count starts again from the snapshot's seq."""
    for page in pages:
        heard = [event["seq"] for event in log if page.hears(event)]
        try:
            await page.page.wait_for_function(
                "(last) => sanadTrail.some(([kind, seq]) => seq >= last)",
                arg=heard[-1],
                polling=200,  # not on animation frames: a page in the background has none
                timeout=120_000,  # a page catching up after a restart on a busy machine
            )
        except PlaywrightTimeoutError:
            trail = await page.applied()
            stopped = f"{page.name} stopped at {trail[-3:]}, the log at {heard[-1]}"
            raise AssertionError(stopped) from None
        trail = await page.applied()
        assert trail[0][0] == "snapshot", (page.name, trail[:5])
        segments: list[tuple[int, list[int]]] = []  # (snapshot seq, events applied after it)
        for kind, seq in trail:
            if kind == "snapshot":
                segments.append((seq, []))
            else:
                segments[-1][1].append(seq)
        for number, (floor, applied) in enumerate(segments):
            last = heard[-1]
            if number + 1 < len(segments):  # the next snapshot covers what came after
                last = applied[-1] if applied else floor
            expected = [seq for seq in heard if floor < seq <= last]
            missing = sorted(set(expected) - set(applied))
            assert applied == expected, (
                f"{page.name} after the snapshot at {floor}: {len(applied)} applied, "
                f"{len(expected)} in the log; missing {len(missing)}: {missing[:20]}; "
                f"out of order at {[b for a, b in pairwise(applied) if b <= a][:20]}"
            )


@pytest.fixture
async def chromium():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"]
        )
        yield browser
        await browser.close()


@dataclass
class BusyRoom:
    sanad: Sanad
    network: Network
    pages: list[LivePage]
    traffic: Traffic
    finish: Callable[[], Awaitable[None]]  # stop the traffic, compare each page with the log


@pytest.fixture
async def busy_room(database_url, tmp_path, chromium, aiohttp_server):
    """A running Sanad, its room with the three pages open and the traffic flowing; the test
    does its reconnects, then the log is compared with what each page applied."""
    secret, room_id = await seed_open_room(database_url, "Reconnect test")
    sanad = Sanad(database_url, tmp_path)
    await sanad.start()

    def token(role: str, sub: str) -> str:
        return mint_host_token(
            "lms", secret, person_ref=sub, name=sub, role=RoomRole(role), room_id=room_id
        )

    hosts: dict[str, str] = {}

    async def host(request: web.Request) -> web.Response:
        return web.Response(text=hosts[request.match_info["name"]], content_type="text/html")

    app = web.Application()
    app.router.add_get("/{name}/", host)
    host_site = await aiohttp_server(app)

    def host_url(origin: str, trainee_token: str) -> str:
        hosts["class"] = host_page(origin, trainee_token)
        return str(host_site.make_url("/class/"))

    context = await chromium.new_context()
    network = Network(sanad.port)
    traffic = Traffic()
    try:
        pages = await open_pages(context, await network.start(), room_id, token, host_url)
        await traffic.start(sanad.url, token)
        await traffic.flowing()

        async def finish() -> None:
            await traffic.stop()
            await check_every_event_applied(pages, await room_log(database_url, room_id))

        yield BusyRoom(sanad, network, pages, traffic, finish)
    finally:
        traffic.stopped = True
        for task in traffic.tasks:
            task.cancel()
        await asyncio.gather(*traffic.tasks, return_exceptions=True)
        sanad.kill()  # first: the clients then close at once
        for trainee in traffic.trainees:
            with suppress(Exception):
                await trainee.sio.disconnect()
        await context.close()
        await network.close()


def mark(pages: list[LivePage]) -> None:
    for page in pages:
        page.mark()


async def tried_again(pages: list[LivePage]) -> None:
    for page in pages:
        await page.tried_again()


async def online(pages: list[LivePage]) -> None:
    for page in pages:
        await page.online()


async def test_a_dropped_network(busy_room):
    for _ in range(2):
        mark(busy_room.pages)
        busy_room.network.drop()
        await tried_again(busy_room.pages)
        await online(busy_room.pages)
        await busy_room.traffic.flowing()
    await busy_room.finish()


async def test_a_slow_readmission(busy_room, database_url):
    for _ in range(2):
        async with database_stalled(database_url):
            mark(busy_room.pages)
            busy_room.network.drop()
            await tried_again(busy_room.pages)
            await asyncio.sleep(STALL_SECONDS)  # the stall itself, while they are re-admitted
        await online(busy_room.pages)
        await busy_room.traffic.flowing()
    await busy_room.finish()


async def test_the_server_sigkilled_and_started_again(busy_room):
    mark(busy_room.pages)
    busy_room.sanad.kill()
    await tried_again(busy_room.pages)
    await busy_room.sanad.start()
    await online(busy_room.pages)
    await busy_room.traffic.flowing(2 * RATE)
    await busy_room.finish()
