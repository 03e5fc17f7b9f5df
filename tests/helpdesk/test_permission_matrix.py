"""Every console and admin route, for every role: who gets in, who is refused, who must log in.
A route added without a line here fails the completeness check."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from helpdesk.services.guidance_seed import seed_guidance
from tests.helpdesk.fixtures import actor, department, new_ticket
from tests.helpdesk.pages import csrf_of

R = StaffRole
ADMIN, L1, L2, MANAGER = R.ADMINISTRATOR, R.LEVEL1_AGENT, R.LEVEL2_AGENT, R.DEPARTMENT_MANAGER
EVERYONE = {ADMIN, L1, L2, MANAGER}

# (method, route as registered, concrete path, roles let in, status when let in)
MATRIX = [
    ("GET", "/console", "/console", EVERYONE, 302),
    ("GET", "/console/queue", "/console/queue", {ADMIN, L1}, 200),
    ("GET", "/console/department", "/console/department", {ADMIN, L2, MANAGER}, 200),
    ("GET", "/console/at-risk", "/console/at-risk", {ADMIN, MANAGER}, 200),
    ("GET", "/console/phone-call", "/console/phone-call", {ADMIN, L1}, 200),
    ("POST", "/console/phone-call", "/console/phone-call", {ADMIN, L1}, 400),
    ("POST", "/console/calls/{task_id}/done", "/console/calls/999/done", {ADMIN, L1}, 404),
    # A notification that could not be sent: Level 1 corrects the contact (issue 20).
    (
        "POST",
        "/console/notifications/{notification_id}/send-again",
        "/console/notifications/999/send-again",
        {ADMIN, L1},
        404,
    ),
    # Intake channels: Level 1's calls, call-backs and messages without a ticket.
    ("GET", "/console/calls", "/console/calls", {ADMIN, L1}, 200),
    ("POST", "/console/calls", "/console/calls", {ADMIN, L1}, 400),
    ("POST", "/console/callbacks", "/console/callbacks", {ADMIN, L1}, 400),
    ("POST", "/console/callbacks/{task_id}/done", "/console/callbacks/999/done", {ADMIN, L1}, 409),
    ("GET", "/console/inbound", "/console/inbound", {ADMIN, L1}, 200),
    ("POST", "/console/inbound/{id}/try-again", "/console/inbound/999/try-again", {ADMIN, L1}, 404),
    ("GET", "/console/tickets/{number}", "{ours}", EVERYONE, 200),
    ("GET", "/console/tickets/{number}", "{theirs}", {ADMIN, L1}, 200),
    ("POST", "/console/tickets/{number}/{action}", "{ours}/note", {ADMIN, L2, MANAGER}, 303),
    ("POST", "/console/tickets/{number}/{action}", "{theirs}/note", {ADMIN}, 303),
    ("POST", "/console/tickets/{number}/{action}", "{level1}/take", {ADMIN, L1}, 303),
    ("GET", "/admin", "/admin", {ADMIN}, 200),
    ("POST", "/admin/{what}", "/admin/departments", {ADMIN}, 400),
    ("GET", "/admin/reports", "/admin/reports", {ADMIN}, 200),
    ("GET", "/admin/reports.csv", "/admin/reports.csv", {ADMIN}, 200),
    # Guidance content, certificate rules and the knowledge base (issue 6).
    ("GET", "/admin/guidance", "/admin/guidance", {ADMIN}, 200),
    ("GET", "/admin/guidance/{slug}/{locale}", "/admin/guidance/registration/ar", {ADMIN}, 200),
    ("POST", "/admin/guidance/{slug}/{locale}", "/admin/guidance/registration/ar", {ADMIN}, 422),
    (
        "POST",
        "/admin/guidance/{slug}/{locale}/restore",
        "/admin/guidance/registration/ar/restore",
        {ADMIN},
        400,
    ),
    ("GET", "/admin/certificate-rules", "/admin/certificate-rules", {ADMIN}, 200),
    ("POST", "/admin/certificate-rules", "/admin/certificate-rules", {ADMIN}, 422),
    ("GET", "/admin/help", "/admin/help", {ADMIN}, 200),
    ("GET", "/admin/help/articles/new", "/admin/help/articles/new", {ADMIN}, 200),
    ("GET", "/admin/help/articles/{article_id}", "/admin/help/articles/999999", {ADMIN}, 404),
    ("POST", "/admin/help/articles", "/admin/help/articles", {ADMIN}, 422),
    # LTI platforms (issue 22).
    ("GET", "/admin/lti", "/admin/lti", {ADMIN}, 200),
    ("POST", "/admin/lti/platforms", "/admin/lti/platforms", {ADMIN}, 400),
    (
        "POST",
        "/admin/lti/platforms/{platform_id}/{action}",
        "/admin/lti/platforms/999999/approve",
        {ADMIN},
        400,
    ),
]


def test_every_console_and_admin_route_is_in_the_matrix(server):
    registered = {
        (route.method, route.resource.canonical)
        for route in server.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith(("/console", "/admin"))
        and route.method != "HEAD"
    }
    assert registered == {(method, route) for method, route, *_ in MATRIX}


@pytest.mark.parametrize("role", [None, *R], ids=lambda r: r.value if r else "anonymous")
async def test_permission_matrix(role, client, log_in_as):
    await seed_guidance()
    certs, it = await department("certs", mapped=(Category.CERTIFICATES,)), await department("it")
    now = datetime.now(UTC)
    ours, theirs, level1 = [await new_ticket(now=now) for _ in range(3)]
    operator = actor(await _admin())
    await svc.refer_to_department(ours.id, certs.id, operator, bus=MessageBus())
    await svc.refer_to_department(theirs.id, it.id, operator, bus=MessageBus())
    if role is not None:
        await log_in_as(role, department=certs if role in (L2, MANAGER) else None)
    token = "" if role is None else await _any_token(client)
    numbers = {"ours": ours.number, "theirs": theirs.number, "level1": level1.number}
    for method, _route, path, allowed, ok in MATRIX:
        path = path.format(**numbers)
        if path.startswith("SND-"):
            path = f"/console/tickets/{path}"
        data = {"csrf": token, "body": "ملاحظة"} if method == "POST" else None
        response = await client.request(method, path, data=data, allow_redirects=False)
        expected = 302 if role is None else ok if role in allowed else 403
        assert response.status == expected, (role, method, path, await response.text())
        if role is None:
            assert response.headers["Location"].startswith("/staff/login")


async def _admin():
    from helpdesk.services.staff import create_staff
    from tests.conftest import TEST_PASSWORD

    return await create_staff(
        email="setup-admin@sanad.test", name="setup", role=ADMIN, password=TEST_PASSWORD
    )


async def _any_token(client) -> str:
    """The session's CSRF token, from a page every logged-in role may open."""
    page = await (await client.get("/staff/login")).text()
    return csrf_of(page)
