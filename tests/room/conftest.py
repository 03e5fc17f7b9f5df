"""Live-room fixtures: a host platform, a room session, and real python-socketio clients."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import socketio

from classroom_helper.adapters.host_tokens import mint_host_token
from helpdesk.adapters.orm.institute import Course, HostPlatform, RoomSession
from helpdesk.domain.institute import RoomRole, RoomState
from tests.room_events import first_event


class RoomClient:
    """One person's connection, recording what the server sends."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[dict] = []
        self.presence: list[dict] = []
        self.queue: list[dict] = []
        self.sio.on("room.event", self.events.append)
        self.sio.on("room.presence", lambda data: self.presence.append(data["presence"]))
        self.sio.on("issue.queue", lambda data: self.queue.append(data["queue"]))

    async def connect(self, sync: bool = True, **auth) -> RoomClient:
        """Connect, then send `room.sync` as every client does (the server joins the connection
        to its audiences then: docs/realtime-protocol.md, section 1)."""
        await self.sio.connect(
            self.url, transports=["websocket"], auth={"token": self.token, **auth}, wait_timeout=5
        )
        if sync:
            self.synced = await self.ok("room.sync", last_seq=None)
        return self

    async def call(self, event: str, data=None, **fields) -> dict:
        if data is None:
            data = {"cid": uuid.uuid4().hex, **fields}
        return await self.sio.call(event, data, timeout=10)

    async def ok(self, event: str, **fields) -> dict:
        ack = await self.call(event, **fields)
        assert ack["ok"], ack
        return ack["data"]

    async def refused(self, event: str, code: str, **fields) -> dict:
        ack = await self.call(event, **fields)
        assert ack == {"ok": False, "error": code, "message": ack.get("message")}, ack
        assert ack["message"]
        return ack

    async def event(self, type_: str, where=lambda data: True, within: float = 5.0) -> dict:
        """The first received `room.event` of that type matching `where` (waits for it)."""
        event = await first_event(self.events, type_, where, within)
        if event is None:
            raise AssertionError(f"no {type_} event; got {[e['type'] for e in self.events]}")
        return event

    async def disconnect(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


@pytest.fixture
async def platform(server):
    return await HostPlatform.create(
        id="lms", name="Institute LMS", secret=secrets.token_urlsafe(32)
    )


@pytest.fixture
async def room(server):
    course = await Course.create(
        code=f"C-{uuid.uuid4().hex[:6]}", title_ar="مهارات العرض", title_en="Presenting"
    )
    now = datetime.now(UTC)
    return await RoomSession.create(
        room_id=f"room-{uuid.uuid4().hex[:10]}",
        title="مهارات العرض — الجلسة ١",
        course=course,
        scheduled_start=now - timedelta(minutes=5),
        scheduled_end=now + timedelta(hours=2),
        state=RoomState.OPEN,
        opened_at=now - timedelta(minutes=5),
    )


@pytest.fixture
def token_for(platform, room):
    def mint(role: str, sub: str, name: str | None = None, room_id: str | None = None, **kw):
        return mint_host_token(
            platform.id,
            platform.secret,
            person_ref=sub,
            name=name or sub,
            role=RoomRole(role),
            room_id=room_id or room.room_id,
            email=kw.pop("email", f"{sub}@example.org"),
            **kw,
        )

    return mint


@pytest.fixture
async def join(server, client, token_for):
    """`await join("trainee", "t1")` → a connected RoomClient; all are disconnected afterwards
    (before the HTTP `client` closes the server, which would otherwise wait for their sockets)."""
    clients: list[RoomClient] = []
    url = str(server.make_url("/"))

    async def connect(
        role: str, sub: str, name: str | None = None, sync: bool = True, **kw
    ) -> RoomClient:
        client = RoomClient(url, token_for(role, sub, name, **kw))
        clients.append(client)
        return await client.connect(sync=sync)

    yield connect
    for client in clients:
        await client.disconnect()
