"""Staff who log in open the consoles of the sessions they run, with a pass Sanad mints itself."""

import logging
import re
from datetime import UTC, datetime, timedelta

from classroom_helper.adapters.host_tokens import SANAD_ISSUER, mint_host_token
from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
from helpdesk.domain.institute import RoomRole, StaffRole
from helpdesk.entrypoints import keys
from helpdesk.services.room_staff import assign_room_staff
from tests.conftest import TEST_PASSWORD, login_csrf
from tests.helpdesk.pages import csrf_of
from tests.room.conftest import RoomClient
from tests.room.test_connection_and_sync import refusal


async def log_in(client, staff, next_page: str = "/") -> str:
    response = await client.post(
        "/staff/login",
        data={
            "email": staff.email,
            "password": TEST_PASSWORD,
            "next": next_page,
            "csrf": await login_csrf(client),
        },
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    return response.headers["Location"]


async def staff_pass(client, room, console: str = "manager") -> str:
    response = await client.get(f"/rooms/{room.room_id}/{console}/pass")
    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    answer = await response.json()
    assert answer["expires_in"] == 15 * 60
    return answer["token"]


async def test_an_assigned_room_manager_logs_in_and_works_the_room(
    server, client, room, staff_member, join, caplog
):
    caplog.set_level(logging.DEBUG)
    huda = await staff_member(StaffRole.LEVEL2_AGENT, name="هدى")
    await assign_room_staff(room.id, huda.id, None)
    console = f"/rooms/{room.room_id}/manager"

    # not logged in: the page sends a visitor without a host token to log in, and back here
    page = await (await client.get(console)).text()
    assert f'data-login-url="/staff/login?next={console}"' in page
    assert 'data-pass-url=""' in page
    assert (await client.get(f"{console}/pass")).status == 401
    assert await log_in(client, huda, next_page=console) == console

    page = await (await client.get(console)).text()
    assert f'data-pass-url="{console}/pass"' in page
    token = await staff_pass(client, room)
    manager = await RoomClient(str(server.make_url("/")), token).connect(room=room.room_id)
    try:
        sara = await join("trainee", "t1", "سارة")
        issue = (await sara.ok("issue.raise", category="no_audio"))["issue"]
        await manager.event("issue.raised")
        claimed = await manager.ok("issue.claim", issue_id=issue["id"])
        assert claimed["issue"]["claimed_by"] == {"name": "هدى"}
        seen = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "claimed")
        assert seen["data"]["issue"]["claimed_by"] == {"name": "هدى"}
    finally:
        await manager.disconnect()
    assert token not in caplog.text  # neither the HTTP log nor the room's log holds the pass


async def test_who_else_may_open_a_console(server, client, room, staff_member):
    agent = await staff_member(StaffRole.LEVEL1_AGENT)
    trainer = await staff_member(StaffRole.LEVEL2_AGENT)
    await assign_room_staff(room.id, None, trainer.id)

    await log_in(client, agent)  # runs nothing here
    refused = await client.get(f"/rooms/{room.room_id}/manager")
    assert refused.status == 403
    assert "لا يمكنك فتح هذه اللوحة" in await refused.text()
    assert "/static/consoles/refused.js" in await refused.text()
    assert (await client.get(f"/rooms/{room.room_id}/manager/pass")).status == 403
    english = await client.get(f"/rooms/{room.room_id}/trainer?lang=en")
    assert english.status == 403
    assert "Only the trainer the institute assigned" in await english.text()
    # a host platform's link still works for them: the page then ignores the helpdesk session
    with_token = await client.get(f"/rooms/{room.room_id}/manager?with=host-token")
    assert with_token.status == 200
    assert 'data-pass-url=""' in await with_token.text()

    await log_in(client, trainer)  # the trainer of the session, not its room manager
    assert (await client.get(f"/rooms/{room.room_id}/manager")).status == 403
    assert (await client.get(f"/rooms/{room.room_id}/trainer")).status == 200
    await staff_pass(client, room, "trainer")

    await log_in(client, await staff_member(StaffRole.ADMINISTRATOR))  # stands in for anyone
    assert (await client.get(f"/rooms/{room.room_id}/manager")).status == 200
    await staff_pass(client, room, "manager")
    assert (await client.get("/rooms/no-such-room/manager/pass")).status == 404


async def test_passes_that_do_not_admit(server, client, room, staff_member):
    manager = await staff_member(StaffRole.LEVEL2_AGENT)
    await assign_room_staff(room.id, manager.id, None)
    await log_in(client, manager)
    passes = server.app[keys.ROOM_PASSES]
    expired = passes.mint_staff_pass(
        manager.id, name="M", role=RoomRole.ROOM_MANAGER, room_id=room.room_id,
        email=manager.email, locale="ar", now=datetime.now(UTC) - timedelta(hours=1),
    )  # fmt: skip
    assert (await refusal(server, {"token": expired}))["data"] == {"code": "token_expired"}

    other = await RoomSession.create(
        room_id="another-room", title="x", scheduled_start=room.scheduled_start,
        scheduled_end=room.scheduled_end,
    )  # fmt: skip
    token = await staff_pass(client, room)
    wrong_room = await refusal(server, {"token": token, "room": other.room_id})
    assert wrong_room["data"] == {"code": "token_wrong_room"}

    # A host platform registered under Sanad's own issuer mints nothing: its key is not the one.
    impostor = await HostPlatform.create(id=SANAD_ISSUER, name="Impostor", secret="s" * 40)
    forged = mint_host_token(
        impostor.id, impostor.secret, person_ref=f"staff:{manager.id}", name="M",
        role=RoomRole.ROOM_MANAGER, room_id=room.room_id,
    )  # fmt: skip
    assert (await refusal(server, {"token": forged}))["data"] == {"code": "token_invalid"}
    # ...while the real pass still admits (the row does not replace Sanad's key either)
    admitted = await RoomClient(str(server.make_url("/")), token).connect(room=room.room_id)
    await admitted.disconnect()


async def test_the_trainer_exports_the_questions_with_the_pass(server, client, room, staff_member):
    trainer = await staff_member(StaffRole.LEVEL2_AGENT)
    await assign_room_staff(room.id, None, trainer.id)
    await log_in(client, trainer)
    token = await staff_pass(client, room, "trainer")
    export = await client.get(
        f"/api/v1/rooms/{room.room_id}/questions.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert export.status == 200 and export.content_type == "text/csv"


async def test_the_administrator_assigns_and_the_staff_console_links_today(
    server, client, room, staff_member
):
    huda = await staff_member(StaffRole.LEVEL1_AGENT, name="هدى")
    await log_in(client, await staff_member(StaffRole.ADMINISTRATOR))
    overview = await (await client.get("/admin")).text()
    assert room.title in overview and "جلسات القاعات المباشرة: من يديرها" in overview
    token = csrf_of(overview)

    refused = await client.post(
        "/admin/room-staff",
        data={"csrf": token, "room": room.id, "room_manager": "99999", "trainer": ""},
    )
    assert refused.status == 400 and "اختر موظفًا نشطًا." in await refused.text()
    saved = await client.post(
        "/admin/room-staff",
        data={"csrf": token, "room": room.id, "room_manager": str(huda.id), "trainer": ""},
        allow_redirects=False,
    )
    assert saved.status == 303
    room = await RoomSession.get(id=room.id)
    assert (room.room_manager_ref, room.room_manager_name) == (f"staff:{huda.id}", "هدى")
    assert room.trainer_ref == ""
    overview = await (await client.get("/admin")).text()
    assert re.search(rf'<option value="{huda.id}" selected>', overview)

    await log_in(client, huda)
    queue = await (await client.get("/console/queue")).text()
    assert "جلساتك المباشرة اليوم" in queue
    assert f'href="/rooms/{room.room_id}/manager"' in queue
    assert f'href="/rooms/{room.room_id}/trainer"' not in queue
    tomorrow = room.scheduled_start + timedelta(days=2)
    await RoomSession.filter(id=room.id).update(
        scheduled_start=tomorrow, scheduled_end=tomorrow + timedelta(hours=1)
    )
    assert "جلساتك المباشرة اليوم" not in await (await client.get("/console/queue")).text()
