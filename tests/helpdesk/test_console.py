"""The staff console over HTTP: queues, the ticket page and its actions, scope, CSRF, live updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import socketio

from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category, Channel, Status
from helpdesk.entrypoints import keys
from tests.conftest import TEST_PASSWORD, login_csrf
from tests.helpdesk.fixtures import department, new_ticket
from tests.helpdesk.pages import csrf_of

R = StaffRole


async def act(client, number: str, action: str, csrf: str = "", **form):
    """Post an action as the ticket page's form does (the session's token from the page)."""
    csrf = csrf or csrf_of(await (await client.get(f"/console/tickets/{number}")).text())
    return await client.post(
        f"/console/tickets/{number}/{action}",
        data={"csrf": csrf, **form},
        allow_redirects=False,
    )


async def test_level1_queue_filters_and_the_two_level_path_through_the_pages(
    client, aiohttp_client, server, log_in_as
):
    certs = await department("certs", mapped=(Category.CERTIFICATES,))
    now = datetime.now(UTC)
    web = await new_ticket(now=now, subject="شهادتي لم تصدر")
    await new_ticket(now=now, subject="لا أستطيع الدخول", channel=Channel.EMAIL)
    await log_in_as(R.LEVEL1_AGENT)
    queue = await (await client.get("/console/queue")).text()
    assert web.number in queue and "لا أستطيع الدخول" in queue
    only_email = await (await client.get("/console/queue?channel=email")).text()
    assert web.number not in only_email and "لا أستطيع الدخول" in only_email
    assert (await client.get("/console/queue?channel=<script>")).status == 200  # ignored, not 500

    token = csrf_of(await (await client.get(f"/console/tickets/{web.number}")).text())
    assert (await act(client, web.number, "take")).status == 303
    assert (
        await act(client, web.number, "refer", department=str(certs.id), body="للقسم")
    ).status == 303
    assert (await Ticket.get(id=web.id)).status == Status.REFERRED
    # Level 1 no longer works it: the action is refused, nothing changes.
    assert (await act(client, web.number, "resolve", token, body="x")).status == 403

    manager = await aiohttp_client(server)
    staff = await log_in_as_on(manager, R.DEPARTMENT_MANAGER, department=certs)
    assert web.number in await (await manager.get("/console/department")).text()
    for action, form in [
        ("start", {}),
        ("resolve", {"body": "صدرت"}),
        ("verify", {}),
        ("close", {}),
    ]:
        assert (await act(manager, web.number, action, **form)).status == 303, action
    assert (await Ticket.get(id=web.id)).status == Status.CLOSED
    actions = (
        await TicketEvent.filter(ticket_id=web.id).order_by("id").values_list("action", "actor")
    )
    assert [a for a, _ in actions] == [
        "opened", "taken", "referred", "started", "resolved", "verified", "closed",
    ]  # fmt: skip
    assert actions[-1][1] == f"staff:{staff.id}"


async def log_in_as_on(client, role, *, department=None):
    """Log a second client in (the log_in_as fixture logs in the first one)."""
    from helpdesk.services.staff import create_staff

    staff = await create_staff(
        email=f"{role.value}-{id(client)}@sanad.test", name=f"Test {role.value}", role=role,
        password=TEST_PASSWORD, department=department,
    )  # fmt: skip
    response = await client.post(
        "/staff/login",
        data={"email": staff.email, "password": TEST_PASSWORD, "csrf": await login_csrf(client)},
        allow_redirects=False,
    )
    assert response.status == 303
    return staff


async def test_illegal_action_and_bad_input_show_a_clear_error(client, log_in_as):
    t = await new_ticket(now=datetime.now(UTC))
    await log_in_as(R.ADMINISTRATOR)
    refused = await act(client, t.number, "verify")
    assert refused.status == 409 and 'role="alert"' in await refused.text()
    empty = await act(client, t.number, "reply", body="   ")
    assert empty.status == 400
    unknown = await act(client, t.number, "refer", department="999")
    assert unknown.status == 400
    assert (await act(client, t.number, "explode")).status == 404
    assert await TicketEvent.filter(ticket_id=t.id).count() == 1


async def test_forms_need_the_csrf_token(client, log_in_as):
    t = await new_ticket(now=datetime.now(UTC))
    await log_in_as(R.LEVEL1_AGENT)
    forged = await client.post(f"/console/tickets/{t.number}/take", allow_redirects=False)
    assert forged.status == 403
    assert (await Ticket.get(id=t.id)).status == Status.NEW


async def test_other_departments_cannot_see_or_act(client, log_in_as):
    certs, it = await department("certs"), await department("it", mapped=(Category.CERTIFICATES,))
    t = await new_ticket(now=datetime.now(UTC))
    await log_in_as(R.LEVEL2_AGENT, department=certs)
    assert (await client.get(f"/console/tickets/{t.number}")).status == 403
    assert (await client.get("/console/queue")).status == 403
    assert t.number not in await (await client.get("/console/department")).text()
    assert it.id != certs.id


async def test_the_manager_sees_what_is_at_risk(client, log_in_as):
    certs = await department("certs", mapped=(Category.CERTIFICATES,))
    other = await department("it", mapped=(Category.LOGIN_AND_ACCOUNTS,))
    now = datetime.now(UTC)
    risky = await new_ticket(now=now - timedelta(hours=20))
    fresh = await new_ticket(now=now - timedelta(hours=1))
    elsewhere = await new_ticket(
        now=now - timedelta(hours=20), category=Category.LOGIN_AND_ACCOUNTS
    )
    await log_in_as(R.DEPARTMENT_MANAGER, department=certs)
    page = await (await client.get("/console/at-risk")).text()
    assert risky.number in page
    assert fresh.number not in page and elsewhere.number not in page
    assert other.id


async def test_logging_a_phone_call_opens_a_phone_ticket(client, log_in_as):
    await log_in_as(R.LEVEL1_AGENT)
    token = csrf_of(await (await client.get("/console/phone-call")).text())
    form = {
        "csrf": token, "name": "خالد", "phone": "+966500000002", "contact_preference": "phone",
        "kind": "inquiry", "category": "registration", "priority": "high",
        "subject": "شروط التسجيل", "description": "يسأل عن شروط التسجيل", "locale": "ar",
    }  # fmt: skip
    response = await client.post("/console/phone-call", data=form, allow_redirects=False)
    assert response.status == 303
    t = await Ticket.get(requester_name="خالد")
    assert (t.channel, t.priority, t.contact_preference) == ("phone", "high", "phone")
    assert response.headers["Location"] == f"/console/tickets/{t.number}"
    bad = await client.post("/console/phone-call", data={**form, "kind": "nonsense"})
    assert bad.status == 400
    assert await Ticket.all().count() == 1


async def test_anonymous_people_are_sent_to_log_in(client):
    for path in ("/console", "/console/queue", "/console/at-risk", "/console/department"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith("/staff/login")


async def test_repeated_failures_lock_the_account(client, staff_member):
    staff = await staff_member(R.LEVEL1_AGENT)
    csrf = await login_csrf(client)

    async def attempt(password):
        return await client.post(
            "/staff/login",
            data={"email": staff.email, "password": password, "csrf": csrf},
            allow_redirects=False,
        )

    for _ in range(5):
        assert (await attempt("wrong")).status == 401
    locked = await attempt(TEST_PASSWORD)
    assert locked.status == 429
    assert (await attempt(TEST_PASSWORD)).status == 429
    forged = await client.post(
        "/staff/login", data={"email": staff.email, "password": TEST_PASSWORD}
    )
    assert forged.status == 403


async def test_console_updates_live_over_socketio(server, client, log_in_as):
    await log_in_as(R.LEVEL1_AGENT)
    cookie = "; ".join(f"{c.key}={c.value}" for c in client.session.cookie_jar)
    url = str(server.make_url("/"))
    stranger = socketio.AsyncClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await stranger.connect(url, namespaces=["/console"], transports=["websocket"])
    live = socketio.AsyncClient()
    received = asyncio.Queue()
    live.on("ticket_changed", received.put, namespace="/console")
    await live.connect(
        url, namespaces=["/console"], transports=["websocket"], headers={"Cookie": cookie}
    )
    # a console hears tickets once it asks, after its CONNECT (helpdesk/entrypoints/live.py)
    assert await live.call("console.follow", namespace="/console", timeout=5) == {"ok": True}
    try:
        t = await new_ticket(now=datetime.now(UTC), bus=server.app[keys.BUS])
        event = await asyncio.wait_for(received.get(), 5)
        assert (event["number"], event["action"]) == (t.number, "opened")
        await act(client, t.number, "take")
        event = await asyncio.wait_for(received.get(), 5)
        assert (event["number"], event["action"], event["status"]) == (t.number, "taken", "open")
    finally:
        await live.disconnect()
