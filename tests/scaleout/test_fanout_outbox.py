"""RedisFanout's outbox against a real redis-server: one connection whatever the number of
concurrent emits, in order; bounded while Redis is down; delivered once Redis answers again."""

import asyncio
import contextlib
import shutil
import uuid

import pytest
import socketio

from classroom_helper.adapters.fanout import RedisFanout
from tests.scaleout.redis_faults import PrivateRedis

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


async def listening(url: str, channel: str, **limits) -> tuple[RedisFanout, list]:
    """A fan-out on a real server object, and what its subscription hears from others."""
    fanout = RedisFanout(url, channel, **limits)
    socketio.AsyncServer(async_mode="aiohttp", client_manager=fanout)
    heard: list = []

    async def hear(message: dict) -> None:
        heard.append(message["data"])

    fanout.hand_out = hear  # what would go to this process's clients
    fanout.initialize()
    return fanout, heard


def subscribers(redis: PrivateRedis, channel: str) -> int:
    return int(redis.cli("PUBSUB", "NUMSUB", channel).split()[-1])


async def until(check, within: float = 10) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 (polls the state of other tasks)
            await asyncio.sleep(0.05)


async def test_concurrent_emits_share_one_connection_in_order(private_redis):
    channel = f"outbox-{uuid.uuid4().hex}"
    sender, _ = await listening(private_redis.url, channel)
    receiver, heard = await listening(private_redis.url, channel)
    try:
        await until(lambda: subscribers(private_redis, channel) == 2)
        await asyncio.gather(*(sender.emit("room.event", n, to="r") for n in range(2_000)))
        await until(lambda: len(heard) == 2_000)
        assert heard == list(range(2_000))
        clients = private_redis.cli("CLIENT", "LIST").splitlines()
        assert len(clients) <= 5  # 2 fan-outs × (publisher + subscriber), and redis-cli
    finally:
        await sender.close()
        await receiver.close()


async def test_the_outbox_is_bounded_while_redis_is_down_and_sends_when_it_is_back(
    private_redis,
):
    channel = f"outbox-{uuid.uuid4().hex}"
    sender, _ = await listening(private_redis.url, channel, outbox_limit=50, overdue_after=1.0)
    receiver, heard = await listening(private_redis.url, channel)
    try:
        await until(lambda: subscribers(private_redis, channel) == 2)
        await sender.emit("room.event", "before", to="r")
        await until(lambda: heard == ["before"])
        private_redis.stop()
        for n in range(200):  # never blocks: Redis is unreachable, not merely slow
            await sender.emit("room.event", n, to="r")
        await until(lambda: not sender.publishing)
        assert len(sender.outbox) <= 50 + sender.batch_limit
        assert sender.dropped > 0
        await until(lambda: sender.problem is not None)
        assert "own heartbeat not back" in sender.problem

        private_redis.start()
        await until(lambda: sender.problem is None and receiver.problem is None, within=20)
        await sender.emit("room.event", "after", to="r")
        await until(lambda: "after" in heard)
        kept = [n for n in heard if isinstance(n, int)]
        assert kept == sorted(kept)  # what was kept went out in order
    finally:
        for fanout in (sender, receiver):
            with contextlib.suppress(Exception):
                await fanout.close()


async def test_binary_attachments_cross_as_bytes(private_redis):
    channel = f"outbox-{uuid.uuid4().hex}"
    sender, _ = await listening(private_redis.url, channel)
    receiver, heard = await listening(private_redis.url, channel)
    try:
        await until(lambda: subscribers(private_redis, channel) == 2)
        await sender.emit("room.event", {"file": b"\x00\x01", "sanad": [b"\xff"]}, to="r")
        await until(lambda: len(heard) == 1)
        assert heard == [{"file": b"\x00\x01", "sanad": [b"\xff"]}]
    finally:
        await sender.close()
        await receiver.close()
