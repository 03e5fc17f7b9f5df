"""/api/v1 over HTTP: bearer tokens and scopes, problem+json, scope of staff-bound tokens,
and the server checked against its own OpenAPI document with schemathesis."""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from classroom_helper.adapters.host_tokens import mint_host_token
from helpdesk.adapters.orm.institute import HostPlatform
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import RoomRole, StaffRole
from helpdesk.domain.tickets import Category, Status
from helpdesk.entrypoints import api
from helpdesk.entrypoints.auth import SESSION_COOKIE
from helpdesk.entrypoints.guidance import PLATFORM_AUDIENCE
from helpdesk.services.api_tokens import SCOPES, create_token, revoke_token
from tests.helpdesk.fixtures import NEW_TICKET, department, new_ticket

ALL = list(SCOPES)


async def bearer(scopes=ALL, staff=None) -> dict:
    token, _ = await create_token("test client", scopes, staff.id if staff else None)
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_valid_token_or_scope_nothing_is_answered_or_stored(client):
    for headers in ({}, {"Authorization": "Bearer snd_wrong"}, {"Authorization": "Basic x"}):
        response = await client.post("/api/v1/tickets", json=NEW_TICKET, headers=headers)
        assert response.status == 401
        assert response.content_type == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    read_only = await bearer(["tickets:read"])
    refused = await client.post("/api/v1/tickets", json=NEW_TICKET, headers=read_only)
    assert refused.status == 403 and "tickets:write" in (await refused.json())["detail"]
    assert await Ticket.all().count() == 0


async def test_a_revoked_token_is_refused_at_once(client):
    token, row = await create_token("revoked client", ["tickets:read"])
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/tickets", headers=auth)).status == 200  # checked, kept
    await revoke_token(row.id)
    refused = await client.get("/api/v1/tickets", headers=auth)
    assert refused.status == 401


async def test_open_read_list_and_work_a_ticket(client, server):
    certs = await department("certs", mapped=(Category.CERTIFICATES,))
    auth = await bearer()
    created = await client.post("/api/v1/tickets", json=NEW_TICKET, headers=auth)
    assert created.status == 201
    ticket = await created.json()
    number = ticket["number"]
    assert created.headers["Location"] == f"/api/v1/tickets/{number}"
    assert (ticket["status"], ticket["level"], ticket["routed_department_id"]) == (
        "new",
        1,
        certs.id,
    )

    listed = await (await client.get("/api/v1/tickets?status=new&per_page=1", headers=auth)).json()
    assert (listed["total"], [t["number"] for t in listed["items"]]) == (1, [number])
    assert (await (await client.get("/api/v1/tickets?channel=phone", headers=auth)).json())[
        "total"
    ] == 0

    refer = await client.post(
        f"/api/v1/tickets/{number}/actions/refer", json={"department_id": certs.id}, headers=auth
    )
    assert refer.status == 200 and (await refer.json())["status"] == "referred"
    again = await client.post(f"/api/v1/tickets/{number}/actions/take", json={}, headers=auth)
    assert again.status == 409 and (await again.json())["code"] == "illegal_transition"
    replied = await client.post(
        f"/api/v1/tickets/{number}/replies", json={"body": "نعمل على ذلك"}, headers=auth
    )
    assert replied.status == 201 and (await replied.json())["first_response_at"]
    timeline = await (await client.get(f"/api/v1/tickets/{number}/timeline", headers=auth)).json()
    assert [e["action"] for e in timeline] == ["opened", "referred", "reply"]
    assert timeline[1]["actor"].startswith("api:")
    departments = await (await client.get("/api/v1/departments", headers=auth)).json()
    assert departments == [
        {"id": certs.id, "code": "certs", "name_ar": "قسم certs", "name_en": "certs dept"}
    ]


async def test_bad_input_gets_a_problem_and_stores_nothing(client):
    auth = await bearer()
    cases = [
        ("POST", "/api/v1/tickets", {**NEW_TICKET, "category": "weather"}, 422),
        ("POST", "/api/v1/tickets", {**NEW_TICKET, "subject": "   "}, 422),
        ("POST", "/api/v1/tickets", {**NEW_TICKET, "surprise": 1}, 422),
        (
            "POST",
            "/api/v1/tickets",
            {**NEW_TICKET, "requester": {"name": "x", "email": "nope"}},
            422,
        ),
        ("GET", "/api/v1/tickets?per_page=1000", None, 422),
        ("GET", "/api/v1/tickets?level=abc", None, 422),
        ("GET", "/api/v1/tickets/SND-2026-999999", None, 404),
        ("GET", "/api/v1/tickets/not-a-number", None, 404),
        ("DELETE", "/api/v1/tickets", None, 405),
    ]
    for method, path, body, status in cases:
        response = await client.request(method, path, json=body, headers=auth)
        assert response.status == status, (method, path, body, await response.text())
        assert response.content_type == "application/problem+json", path
    garbage = await client.post("/api/v1/tickets", data=b"{not json", headers=auth)
    assert garbage.status == 400
    assert (
        await client.post("/api/v1/tickets", json=NEW_TICKET | {"kind": None}, headers=auth)
    ).status == 422
    assert await Ticket.all().count() == 0


async def test_a_token_bound_to_a_level2_agent_sees_only_its_department(client, staff_member):
    certs, it = await department("certs"), await department("it")
    agent = await staff_member(StaffRole.LEVEL2_AGENT, department=it)
    admin_auth = await bearer()
    ours = await new_ticket(now=datetime.now(UTC))
    theirs = await new_ticket(now=datetime.now(UTC))
    for t, d in ((ours, it), (theirs, certs)):
        await client.post(
            f"/api/v1/tickets/{t.number}/actions/refer",
            json={"department_id": d.id},
            headers=admin_auth,
        )
    auth = await bearer(staff=agent)
    listed = await (await client.get("/api/v1/tickets", headers=auth)).json()
    assert [t["number"] for t in listed["items"]] == [ours.number]
    assert (await client.get(f"/api/v1/tickets/{theirs.number}", headers=auth)).status == 404
    start = await client.post(f"/api/v1/tickets/{ours.number}/actions/start", json={}, headers=auth)
    assert start.status == 200
    spam = await client.post(f"/api/v1/tickets/{ours.number}/actions/spam", json={}, headers=auth)
    assert spam.status == 403  # Level 2 does not mark spam
    assert (await Ticket.get(id=ours.id)).status == Status.IN_PROGRESS
    staff = await (await client.get("/api/v1/staff", headers=auth)).json()
    assert [s["id"] for s in staff] == [agent.id]


def api_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the server answers under /api/, but the document and its page."""
    return {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.resource.canonical not in ("/api/openapi.json", "/api/docs")
        and route.method != "HEAD"  # aiohttp's twin of a GET
    }


async def test_the_openapi_document_lists_every_route_and_a_page_reads_it(client, server):
    document = await (await client.get("/api/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    documented = {(m.upper(), p) for p, ms in document["paths"].items() for m in ms}
    registered = api_routes(server.app)
    assert {op.path for op in api.OPERATIONS} < {path for _, path in registered}
    assert registered - documented == set(), "routes the document does not describe"
    assert documented - registered == set(), "the document describes routes the server lacks"
    schemes = document["components"]["securitySchemes"]
    for path, methods in document["paths"].items():
        for operation in methods.values():
            assert {s for r in operation["security"] for s in r} <= set(schemes), path
    page = await client.get("/api/docs?lang=en")
    text = await page.text()
    assert page.status == 200
    assert "/api/v1/tickets/{number}/timeline" in text and "/api/v1/rooms/{room_id}" in text


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("schemathesis", path=str(Path(sys.executable).parent)) is None,
    reason="schemathesis is not installed",
)
async def test_the_server_matches_its_openapi_document(server, client, log_in_as, tmp_path):
    """schemathesis generates requests from the document, valid and invalid, and checks that every
    answer is documented, conforms to its schema, and is never a 500.

    Each operation gets the credentials its security scheme names, so that every one is tested
    past its authentication: an API token with every scope (bearer), an administrator's session
    cookie (staffSession), and JWTs signed by a registered host platform (hostPlatform): one for
    certificate profiles, a room manager's and a trainer's for one room, whose id is therefore
    fixed (hostile room ids are in tests/test_bad_input_everywhere.py)."""
    await department("certs", mapped=(Category.CERTIFICATES,))
    await new_ticket(now=datetime.now(UTC))
    await log_in_as(StaffRole.ADMINISTRATOR)
    session = next(c.value for c in client.session.cookie_jar if c.key == SESSION_COOKIE)
    platform = await HostPlatform.create(id="lms", name="LMS", secret=secrets.token_urlsafe(32))
    now = datetime.now(UTC)
    certificates = jwt.encode(
        {"iss": platform.id, "aud": PLATFORM_AUDIENCE, "iat": now, "exp": now + timedelta(hours=1)},
        platform.secret,
        algorithm="HS256",
    )

    def in_the_room(role: RoomRole) -> str:
        return mint_host_token(
            platform.id, platform.secret, person_ref=f"{role}-1", name=f"The {role}", role=role,
            room_id="room-schemathesis", lifetime=timedelta(hours=1),
        )  # fmt: skip

    # One room's tokens differ by operation: they go as headers, which win over [auth].
    in_room = {
        "/api/v1/rooms/{room_id}": in_the_room(RoomRole.ROOM_MANAGER),
        "/api/v1/rooms/{room_id}/session": in_the_room(RoomRole.ROOM_MANAGER),
        "/api/v1/rooms/{room_id}/questions.csv": in_the_room(RoomRole.TRAINER),
    }
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"""
[auth.openapi]
bearer = {{ bearer = {json.dumps((await bearer())["Authorization"].removeprefix("Bearer "))} }}
staffSession = {{ api_key = {json.dumps(session)} }}
hostPlatform = {{ bearer = {json.dumps(certificates)} }}
"""
        + "".join(
            f"""
[[operations]]
include-path = {json.dumps(path)}
headers = {{ Authorization = {json.dumps("Bearer " + token)} }}
parameters = {{ room_id = "room-schemathesis" }}
"""
            for path, token in in_room.items()
        )
    )
    base = str(server.make_url("")).rstrip("/")
    runner = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run",
        f"{base}/api/openapi.json", "--url", base,
        "--checks", "all", "--max-examples", "25", "--seed", "1", "--request-timeout", "10",
        "--exclude-checks", "positive_data_acceptance,missing_required_header,ignored_auth",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(runner.communicate(), 300)
    report = output.decode()
    assert runner.returncode == 0, report[-6000:]
    assert "Authentication failed" not in report, report[-3000:]
    assert f"Tested: {len(api_routes(server.app))}" in report, report[-3000:]


async def test_contact_centre_availability_is_public(client):
    answer = await (await client.get("/api/v1/contact-centre")).json()
    assert set(answer) == {"open_now", "next_open", "headline", "detail", "locale", "time_zone"}
    assert answer["time_zone"] == "Asia/Riyadh"
    assert answer["open_now"] == (answer["next_open"] is None)
    page = await (await client.get("/track")).text()
    assert 'class="contact-centre' in page  # the banner of every public page
