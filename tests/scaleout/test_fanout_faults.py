"""The fan-out between processes survives Redis faults without restarting the app (issue 8):
Redis restarted mid-session, and a subscription gone silent (python-socketio #1581). What was
published while it did not work reaches the clients through `room.resync` → `room.sync`."""

import asyncio
import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import jwt
import pytest
import socketio

from classroom_helper.adapters.host_tokens import mint_host_token
from helpdesk.domain.institute import RoomRole
from tests.processes import ROOT, SanadProcess, free_port, seed_open_room
from tests.scaleout.redis_faults import NEEDS, BlackHoleProxy, Person, PrivateRedis

pytestmark = NEEDS


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
async def room_and_secret(database_url) -> tuple[str, str]:
    secret, room_id = await seed_open_room(database_url, "Fan-out test")
    return room_id, secret


@pytest.fixture
def sanad_pair(database_url, tmp_path):
    """`start(redis_url)` → two Sanad processes on two ports sharing that Redis."""
    started: list[SanadProcess] = []
    channel = f"sanad-fanout-test-{uuid.uuid4().hex}"

    def start(redis_url: str) -> list[SanadProcess]:
        for name in ("a", "b"):
            env = {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "SOCKETIO_CHANNEL": channel,
                "SECRET_KEY": "fan-out-test",
                "VAR_DIR": str(tmp_path / name),
                "LOG_LEVEL": "WARNING",
                "SCHEDULER": "off",
            }
            started.append(SanadProcess("serve", env=env))
        for process in started:
            process.wait_until_ready()
        return started

    yield start
    for process in started:
        process.stop()


@pytest.fixture
async def people(room_and_secret):
    """`await person(base_url, role, sub)` → a connected Person; all disconnected afterwards."""
    room_id, secret = room_and_secret
    connected: list[Person] = []

    async def person(base_url: str, role: str, sub: str) -> Person:
        token = mint_host_token(
            "lms", secret, person_ref=sub, name=sub, role=RoomRole(role), room_id=room_id
        )
        connected.append(Person(base_url, token))
        return await connected[-1].connect()

    yield person
    for one in connected:
        await one.disconnect()


def readiness(base_url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(base_url + "/readyz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def until(check, within: float, what: str):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if result := await asyncio.to_thread(check):
            return result
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {within} s: {what}")


async def test_redis_restarted_mid_session(private_redis, sanad_pair, people):
    a, b = sanad_pair(private_redis.url)
    manager = await people(b.base_url, "manager", "m1")
    sara = await people(a.base_url, "trainee", "t1")
    assert await manager.heard(await sara.raise_issue(), within=5)

    private_redis.stop()
    # Acknowledged while Redis is down: stored, and not heard on the other process yet.
    omar = await people(a.base_url, "trainee", "t2")
    during_outage = await omar.raise_issue()
    _, body = await until(
        lambda: (r := readiness(b.base_url))[0] == 503 and "fanout" in r[1]["problems"] and r,
        within=20,
        what="/readyz on B reports the silent fan-out",
    )
    assert "heartbeat" in body["problems"]["fanout"]

    private_redis.start()
    await until(lambda: readiness(a.base_url)[0] == 200, 30, "A ready again")
    await until(lambda: readiness(b.base_url)[0] == 200, 30, "B ready again")
    assert await manager.heard(during_outage, within=10)  # by resync, if not live
    assert manager.resyncs >= 1
    layla = await people(a.base_url, "trainee", "t3")
    assert await manager.heard(await layla.raise_issue(), within=5)  # live again, same processes


async def test_a_silent_subscription_is_reported_and_made_again(private_redis, sanad_pair, people):
    proxy = BlackHoleProxy(private_redis.port)
    await proxy.start()
    try:
        a, b = sanad_pair(proxy.url)
        manager = await people(b.base_url, "manager", "m1")
        sara = await people(a.base_url, "trainee", "t1")
        assert await manager.heard(await sara.raise_issue(), within=5)

        proxy.go_silent()  # every connection the processes hold to Redis: open, and mute
        omar = await people(a.base_url, "trainee", "t2")
        during_stall = await omar.raise_issue()
        _, body = await until(
            lambda: (r := readiness(b.base_url))[0] == 503 and r,
            within=20,
            what="/readyz on B reports the silent subscription",
        )
        assert "own heartbeat not back" in body["problems"]["fanout"]

        await until(lambda: readiness(b.base_url)[0] == 200, 30, "B subscribed again")
        assert await manager.heard(during_stall, within=10)
        layla = await people(a.base_url, "trainee", "t3")
        assert await manager.heard(await layla.raise_issue(), within=5)
    finally:
        await proxy.close()


async def test_the_stock_redis_manager_stays_deaf_after_the_same_stall(private_redis):
    """The same silent connections with python-socketio's own AsyncRedisManager (the bare relay
    of bench/): the process never notices, and the room manager hears nothing more."""
    proxy = BlackHoleProxy(private_redis.port)
    await proxy.start()
    ports = [free_port(), free_port()]
    relays = [
        subprocess.Popen(  # noqa: ASYNC220 (started once, stopped in finally)
            [
                *(sys.executable, "-m", "bench.bare_relay", "--port", str(port)),
                *("--secret", "s" * 32, "--redis", proxy.url),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    heard: list[dict] = []
    news = asyncio.Event()
    manager, trainee = socketio.AsyncClient(), socketio.AsyncClient()
    manager.on("room.event", lambda event: (heard.append(event), news.set()))

    def token(role: str, sub: str) -> str:
        return jwt.encode({"room": "r", "sub": sub, "role": role}, "s" * 32, algorithm="HS256")

    async def raise_and_hear(within: float) -> bool:
        before = len(heard)
        await trainee.call("issue.raise", {"category": "no_audio"}, timeout=10)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while len(heard) == before:
                    news.clear()
                    await news.wait()
        return len(heard) > before

    try:
        for client, port, role in ((manager, ports[1], "manager"), (trainee, ports[0], "trainee")):
            await until(lambda p=port: _answers(p), 30, "the bare relay is up")
            await client.connect(
                f"http://127.0.0.1:{port}",
                transports=["websocket"],
                auth={"token": token(role, role)},
            )
        await asyncio.sleep(0.5)  # the relays subscribe at their first connection
        assert await raise_and_hear(within=5)
        proxy.go_silent()
        await asyncio.sleep(10)  # longer than Sanad's adapter needs to notice and recover
        assert not await raise_and_hear(within=10)
    finally:
        for client in (manager, trainee):
            if client.connected:
                await client.disconnect()
        for relay in relays:
            relay.terminate()
            relay.wait(10)
        await proxy.close()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling", timeout=1
        ):
            return True
    except OSError:
        return False
