"""A room belongs to its platform (issue 20): a token of another platform is refused over
Socket.IO, the HTTP room API and the questions export; Sanad's own staff passes still go in."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from classroom_helper.adapters.host_tokens import mint_host_token
from classroom_helper.entrypoints.socketio import REASONS
from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
from helpdesk.domain.institute import RoomRole
from helpdesk.entrypoints import keys
from tests.room.conftest import RoomClient
from tests.room.test_connection_and_sync import refusal

ROOM = "room-of-the-lms"


@pytest.fixture
async def demo(server):
    return await HostPlatform.create(id="demo", name="Demo", secret=secrets.token_urlsafe(32))


def minted(platform, role: str, sub: str, room_id: str = ROOM) -> str:
    return mint_host_token(
        platform.id, platform.secret, person_ref=sub, name=sub, role=RoomRole(role),
        room_id=room_id,
    )  # fmt: skip


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def schedule(client, token: str, room_id: str = ROOM):
    now = datetime.now(UTC)
    return await client.put(
        f"/api/v1/rooms/{room_id}",
        json={
            "title": "Presenting",
            "scheduled_start": now.isoformat(),
            "scheduled_end": (now + timedelta(hours=2)).isoformat(),
        },
        headers=bearer(token),
    )


async def test_another_platforms_token_is_refused_everywhere(server, client, platform, demo):
    lms_manager = minted(platform, "manager", "m1")
    assert (await schedule(client, lms_manager)).status == 201
    assert (await RoomSession.get(room_id=ROOM)).platform == "lms"
    opened = await client.post(
        f"/api/v1/rooms/{ROOM}/session", json={"state": "open"}, headers=bearer(lms_manager)
    )
    assert opened.status == 200
    lms_trainer = minted(platform, "trainer", "c1")
    export = await client.get(f"/api/v1/rooms/{ROOM}/questions.csv", headers=bearer(lms_trainer))
    assert export.status == 200

    # demo signs tokens for the same room id: every door refuses them, with one code
    for role, sub in (("manager", "m9"), ("trainer", "c9"), ("trainee", "t9")):
        refused = await refusal(server, {"token": minted(demo, role, sub), "locale": "en"})
        assert refused["data"] == {"code": "token_wrong_platform"}
        assert refused["message"] == REASONS["token_wrong_platform"]
    arabic = await refusal(server, {"token": minted(demo, "trainee", "t9"), "locale": "ar"})
    assert arabic["message"] == server.app[keys.CATALOGUES].gettext(
        "ar", REASONS["token_wrong_platform"]
    )
    assert arabic["message"] != REASONS["token_wrong_platform"]  # translated
    for answer in (
        await client.get(
            f"/api/v1/rooms/{ROOM}/questions.csv", headers=bearer(minted(demo, "trainer", "c9"))
        ),
        await client.post(
            f"/api/v1/rooms/{ROOM}/session",
            json={"state": "closed"},
            headers=bearer(minted(demo, "manager", "m9")),
        ),
        await schedule(client, minted(demo, "manager", "m9")),
    ):
        assert answer.status == 403
        assert (await answer.json())["code"] == "token_wrong_platform"
    session = await RoomSession.get(room_id=ROOM)
    assert (session.state, session.platform) == ("open", "lms")

    # its own platform's people and Sanad's staff passes are let in
    trainee = RoomClient(str(server.make_url("/")), minted(platform, "trainee", "t1"))
    await trainee.connect()
    staff_pass = server.app[keys.ROOM_PASSES].mint_staff_pass(
        7, name="Staff", role=RoomRole.ROOM_MANAGER, room_id=ROOM, email="s@example.org",
        locale="ar",
    )  # fmt: skip
    staff = RoomClient(str(server.make_url("/")), staff_pass)
    await staff.connect()
    await trainee.disconnect()
    await staff.disconnect()


async def test_a_room_scheduled_by_a_platform_is_not_taken_by_the_next(client, platform, demo):
    mine = minted(demo, "manager", "m9", "room-of-demo")
    assert (await schedule(client, mine, "room-of-demo")).status == 201
    again = await schedule(
        client, minted(platform, "manager", "m1", "room-of-demo"), "room-of-demo"
    )
    assert again.status == 403
    assert (await RoomSession.get(room_id="room-of-demo")).platform == "demo"
