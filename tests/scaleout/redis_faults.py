"""What the Redis fault tests are made of: a private Redis server (one a test may stop, restart or
cut off), a proxy that can go silent, and a client that follows the sync protocol. The fixtures
are in test_fanout_faults.py (not a conftest.py: tests/scaleout/ holds other faults too)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid

import pytest
import socketio

from tests.processes import free_port

# What every test here needs (their modules set `pytestmark = NEEDS`).
NEEDS = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="several processes need PostgreSQL (they run in the PostgreSQL + Redis leg)",
    ),
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="redis-server is not installed"
    ),
]


class PrivateRedis:
    """A redis-server of this test alone, on a free port: stopping it disturbs nobody else."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while self.cli("PING") != "PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)

    def cli(self, *command: str) -> str:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), *command], capture_output=True, text=True
        )
        return done.stdout.strip()


class BlackHoleProxy:
    """A TCP proxy to Redis that can go silent: the connections it holds stay open but nothing
    passes any more (a NAT or a load balancer forgetting them); new connections pass."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.port = target_port, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.links: list[dict] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    def go_silent(self) -> None:
        for link in self.links:
            link["silent"] = True

    async def _link(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        link = {"silent": False, "writers": (writer, up_writer)}
        self.links.append(link)
        await asyncio.gather(
            self._pipe(reader, up_writer, link),
            self._pipe(up_reader, writer, link),
            return_exceptions=True,
        )

    @staticmethod
    async def _pipe(reader, writer, link) -> None:
        while data := await reader.read(65536):
            if not link["silent"]:
                writer.write(data)
                await writer.drain()
        writer.close()

    async def close(self) -> None:
        self.server.close()
        for link in self.links:
            for writer in link["writers"]:
                writer.close()


class Person:
    """A real client that follows the protocol: syncs after connecting and when told to
    (`room.resync`); every issue it has heard of, live or through a sync, is in `issues`."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.seq = 0
        self.issues: dict[int, dict] = {}
        self.resyncs = 0
        self.news = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("room.event", self._apply)
        self.sio.on("room.resync", self._resync)

    def _apply(self, event: dict) -> None:
        self.seq = max(self.seq, event["seq"])
        if "issue" in event["data"]:
            self.issues[event["data"]["issue"]["id"]] = event["data"]["issue"]
            self.news.set()

    async def connect(self) -> Person:
        await self.sio.connect(
            self.url, transports=["websocket"], auth={"token": self.token}, wait_timeout=10
        )
        await self.sync()
        return self

    async def sync(self) -> None:
        answer = (await self.sio.call("room.sync", {"last_seq": self.seq}, timeout=10))["data"]
        for event in answer.get("events", []):
            self._apply(event)
        self.seq = max(self.seq, answer["seq"])

    async def _resync(self, _data) -> None:
        self.resyncs += 1
        await self.sync()

    async def raise_issue(self) -> int:
        data = {"cid": uuid.uuid4().hex, "category": "no_audio", "text": "x"}
        ack = await self.sio.call("issue.raise", data, timeout=10)
        assert ack["ok"], ack
        return ack["data"]["issue"]["id"]

    async def heard(self, issue_id: int, within: float) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while issue_id not in self.issues:
                    self.news.clear()
                    await self.news.wait()
        return issue_id in self.issues

    async def disconnect(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
