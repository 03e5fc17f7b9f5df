"""What the fault tests share: an institute seeded in the database, Sanad processes started on it,
and people in a room as real python-socketio clients that fail over as a load balancer would."""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import socketio
from tortoise.contrib.test import truncate_all_models

from classroom_helper.adapters.host_tokens import mint_host_token
from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
from helpdesk.config import Config
from helpdesk.domain.institute import RoomRole, RoomState
from helpdesk.services.api_tokens import SCOPES, create_token
from tests.processes import SanadProcess
from tests.room_events import first_event

needs_postgres_and_redis = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
    reason="the fault tests need PostgreSQL and Redis "
    "(they run in the PostgreSQL + Redis leg of `python -m tests`)",
)


@dataclass(frozen=True)
class Institute:
    database_url: str
    platform_secret: str
    room_id: str
    api_token: str

    def token(self, role: str, sub: str) -> str:
        return mint_host_token(
            "lms",
            self.platform_secret,
            person_ref=sub,
            name=sub,
            role=RoomRole(role),
            room_id=self.room_id,
            email=f"{sub}@example.org",
        )

    @property
    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_token}"}


async def in_database(database_url: str, work):
    """Run `await work()` with this test process connected to the database, then disconnect."""
    context = await database.connect(
        tortoise_config(Config.from_env({"DATABASE_URL": database_url, "SECRET_KEY": "x"}))
    )
    try:
        return await work()
    finally:
        await context.close_connections()


async def seed(database_url: str) -> Institute:
    """An emptied database with a host platform, an open room and an API token. Emptied before any
    process starts: TRUNCATE waits for every table, the processes' workers would hold rows."""

    async def make() -> Institute:
        await truncate_all_models()
        platform = await HostPlatform.create(id="lms", name="LMS", secret=secrets.token_urlsafe(32))
        now = datetime.now(UTC)
        room = await RoomSession.create(
            room_id=f"room-{uuid.uuid4().hex[:8]}",
            title="Faults",
            scheduled_start=now - timedelta(minutes=5),
            scheduled_end=now + timedelta(hours=2),
            state=RoomState.OPEN,
            opened_at=now - timedelta(minutes=5),
        )
        token, _ = await create_token("fault tests", list(SCOPES))
        return Institute(database_url, platform.secret, room.room_id, token)

    return await in_database(database_url, make)


def sanad_env(database_url: str, var_dir: Path, channel: str, **settings: str) -> dict[str, str]:
    """One deployment's settings: every process of it gets the same."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "SOCKETIO_CHANNEL": channel,
        "SECRET_KEY": "faults-test",
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "SCHEDULER": "off",
        **settings,
    }


async def started(*processes: SanadProcess) -> None:
    for process in processes:
        await asyncio.to_thread(process.wait_until_ready)


class Person:
    """One person's browser in the room. `urls` are where a load balancer may send them: after a
    drop the client tries each in turn, then sends `room.sync` with the last seq it saw."""

    def __init__(self, institute: Institute, role: str, sub: str, urls: list[str]):
        self.role, self.sub, self.urls = role, sub, urls
        self.token = institute.token(role, sub)
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[dict] = []  # every room.event received live, in arrival order
        self.presence: list[dict] = []
        self.refusals: list[dict] = []  # {"message": ..., "data": {"code": ...}}
        self.seq: int | None = None
        self.fail_over = False  # once admitted: after a drop, connect again elsewhere
        self.reconnected = asyncio.Event()
        self.sio.on("room.event", self._received)
        self.sio.on("room.presence", lambda data: self.presence.append(data["presence"]))
        self.sio.on("disconnect", self._dropped)
        self.sio.on("connect_error", self.refusals.append)

    def _received(self, event: dict) -> None:
        self.events.append(event)
        self.seq = max(self.seq or 0, event["seq"])

    async def connect(self) -> Person:
        for url in self.urls:
            try:
                await self.sio.connect(
                    url, transports=["websocket"], auth={"token": self.token}, wait_timeout=5
                )
            except socketio.exceptions.ConnectionError:
                continue
            self.url, self.fail_over = url, True
            data = await self.ok("room.sync", last_seq=self.seq)
            for event in data.get("events", []):
                if event["seq"] not in {e["seq"] for e in self.events}:
                    self._received(event)
            if self.seq is None:
                self.joined_at_seq = data["seq"]  # what came before is in the snapshot
            self.seq = max(self.seq or 0, data["seq"])
            return self
        raise AssertionError(f"{self.sub}: no process answered at {self.urls}")

    def _dropped(self, reason=None) -> None:
        if self.fail_over:
            asyncio.get_running_loop().create_task(self._connect_again())

    async def _connect_again(self) -> None:
        await asyncio.sleep(0.2)  # a client's reconnection delay; the dropped one is torn down
        await self.connect()
        self.reconnected.set()

    async def call(self, event: str, **fields) -> dict:
        payload = {"cid": fields.pop("cid", None) or uuid.uuid4().hex, **fields}
        return await self.sio.call(event, payload, timeout=15)

    async def ok(self, event: str, **fields) -> dict:
        ack = await self.call(event, **fields)
        assert ack["ok"], (self.sub, event, ack)
        return ack["data"]

    async def sees(self, type_: str, where=lambda data: True, within: float = 10) -> dict:
        """The first room.event of that type matching `where` (waits for it)."""
        event = await first_event(self.events, type_, where, within)
        if event is None:
            got = [(e["seq"], e["type"]) for e in self.events]
            raise AssertionError(f"{self.sub} saw no {type_}; got {got}")
        return event

    async def due(self) -> list[int]:
        """The seqs of the events since this person joined that they may see, as the server
        keeps them."""
        data = await self.ok("room.sync", last_seq=self.joined_at_seq)
        assert data["mode"] == "events", data["mode"]
        return [event["seq"] for event in data["events"]]

    async def holds_everything_due(self, within: float = 10) -> None:
        """Everything this person may see since they joined has reached them (waits for it)."""
        due = await self.due()
        deadline = asyncio.get_running_loop().time() + within
        while sorted({e["seq"] for e in self.events}) != due:
            assert asyncio.get_running_loop().time() < deadline, (self.sub, due, self.events)
            await asyncio.sleep(0.05)

    async def leave(self) -> None:
        self.fail_over = False
        await self.sio.disconnect()  # also when dropped: closes the client's HTTP session
