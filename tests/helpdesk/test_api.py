"""/api/v1 over HTTP: bearer tokens and scopes, problem+json, scope of staff-bound tokens,
and the server checked against its own OpenAPI document with schemathesis."""

from __future__ import annotations

import asyncio
import shutil
import sys
from datetime import UTC, datetime

import pytest

from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category, Status
from helpdesk.entrypoints import api
from helpdesk.services.api_tokens import SCOPES, create_token
from tests.helpdesk.fixtures import department, new_ticket

ALL = list(SCOPES)
NEW_TICKET = {
    "kind": "complaint",
    "category": "certificates",
    "channel": "email",
    "subject": "الشهادة لم تصدر",
    "description": "أنهيت الدورة قبل شهر",
    "requester": {"name": "سارة", "email": "sara@example.com", "locale": "ar"},
}


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


async def test_the_openapi_document_lists_every_route_and_a_page_reads_it(client):
    document = await (await client.get("/api/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    documented = {(m.upper(), p) for p, ms in document["paths"].items() for m in ms}
    assert documented == {(op.method, op.path) for op in api.OPERATIONS}
    page = await client.get("/api/docs?lang=en")
    assert page.status == 200 and "/api/v1/tickets/{number}/timeline" in await page.text()


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("schemathesis", path=str(__import__("pathlib").Path(sys.executable).parent))
    is None,
    reason="schemathesis is not installed",
)
async def test_the_server_matches_its_openapi_document(server):
    """schemathesis generates requests from the document, valid and invalid, and checks that every
    answer is documented, conforms to its schema, and is never a 500."""
    await department("certs", mapped=(Category.CERTIFICATES,))
    await new_ticket(now=datetime.now(UTC))
    auth = (await bearer())["Authorization"]
    base = str(server.make_url("")).rstrip("/")
    runner = await asyncio.create_subprocess_exec(
        str(__import__("pathlib").Path(sys.executable).parent / "schemathesis"), "run",
        f"{base}/api/openapi.json", "--url", base, "-H", f"Authorization: {auth}",
        "--checks", "all", "--max-examples", "25", "--seed", "1", "--request-timeout", "10",
        "--exclude-checks", "positive_data_acceptance,missing_required_header,ignored_auth",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(runner.communicate(), 300)
    assert runner.returncode == 0, output.decode()[-6000:]


async def test_contact_centre_availability_is_public(client):
    answer = await (await client.get("/api/v1/contact-centre")).json()
    assert set(answer) == {"open_now", "next_open", "time_zone"}
    assert answer["time_zone"] == "Asia/Riyadh"
    assert answer["open_now"] == (answer["next_open"] is None)
    page = await (await client.get("/track")).text()
    assert 'data-testid="contact-centre"' in page
