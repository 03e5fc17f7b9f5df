"""The requester's tracking page over HTTP: number + key, replies, confirm, reopen, rating."""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Status
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from tests.helpdesk.fixtures import actor, new_ticket
from tests.helpdesk.pages import csrf_of


def url(t, lang="") -> str:
    return f"/track/{t.number}?key={t.tracking_secret}" + (f"&lang={lang}" if lang else "")


async def test_the_page_shows_status_and_public_replies_only(client, staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    t = await new_ticket(subject="<img src=x onerror=alert(1)>", now=datetime.now(UTC))
    await svc.add_internal_note(t.id, level1, "ملاحظة داخلية سرية", bus=MessageBus())
    await svc.reply_to_requester(t.id, level1, "نراجع طلبك الآن", bus=MessageBus())
    response = await client.get(url(t))
    html = await response.text()
    assert response.status == 200
    assert 'dir="rtl"' in html and t.number in html
    assert "نراجع طلبك الآن" in html and "ملاحظة داخلية سرية" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    english = await (await client.get(url(t, "en"))).text()
    assert 'dir="ltr"' in english and "Conversation" in english
    assert f"key={t.tracking_secret}" in english  # the language switch keeps the key


async def test_a_wrong_key_or_number_shows_nothing(client):
    t = await new_ticket(now=datetime.now(UTC))
    for path in (
        f"/track/{t.number}?key=guess",
        f"/track/{t.number}",
        "/track/SND-2026-999999?key=x",
    ):
        response = await client.get(path)
        assert response.status == 404
        assert t.subject not in await response.text()


async def test_reply_needs_the_form_token_and_is_stored(client):
    t = await new_ticket(now=datetime.now(UTC))
    forged = await client.post(
        f"/track/{t.number}/reply",
        data={"key": t.tracking_secret, "body": "x"},
        allow_redirects=False,
    )
    assert forged.status == 403
    token = csrf_of(await (await client.get(url(t))).text())
    sent = await client.post(
        f"/track/{t.number}/reply",
        data={"csrf": token, "key": t.tracking_secret, "body": "هل من جديد؟"},
        allow_redirects=False,
    )
    assert sent.status == 303
    empty = await client.post(
        f"/track/{t.number}/reply", data={"csrf": token, "key": t.tracking_secret, "body": " "}
    )
    assert empty.status == 400 and 'role="alert"' in await empty.text()
    bodies = await TicketEvent.filter(ticket_id=t.id, action="requester_reply").values_list(
        "body", flat=True
    )
    assert bodies == ["هل من جديد؟"]


async def test_confirm_then_rate_and_bad_rating_is_refused(client, staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    t = await new_ticket(now=datetime.now(UTC))
    await svc.resolve_ticket(t.id, level1, "أعدنا ضبط كلمة المرور", bus=MessageBus())
    page = await (await client.get(url(t))).text()
    token = csrf_of(page)
    assert "/confirm" in page and "/reopen" in page
    form = {"csrf": token, "key": t.tracking_secret}
    assert (
        await client.post(f"/track/{t.number}/confirm", data=form, allow_redirects=False)
    ).status == 303
    assert (await Ticket.get(id=t.id)).status == Status.CLOSED
    again = await client.post(f"/track/{t.number}/confirm", data=form)
    assert again.status == 409
    bad = await client.post(f"/track/{t.number}/rate", data={**form, "rating": "9"})
    assert bad.status == 400
    assert (await Ticket.get(id=t.id)).rating is None
    rated = await client.post(
        f"/track/{t.number}/rate",
        data={**form, "rating": "5", "comment": "ممتاز"},
        allow_redirects=False,
    )
    assert rated.status == 303
    assert ((await Ticket.get(id=t.id)).rating, (await Ticket.get(id=t.id)).rating_comment) == (
        5,
        "ممتاز",
    )
    page = await (await client.get(url(t))).text()
    assert 'name="rating"' not in page  # rated once


async def test_reopen_from_the_page(client, staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    t = await new_ticket(now=datetime.now(UTC))
    await svc.resolve_ticket(t.id, level1, "تم", bus=MessageBus())
    token = csrf_of(await (await client.get(url(t))).text())
    response = await client.post(
        f"/track/{t.number}/reopen",
        data={"csrf": token, "key": t.tracking_secret, "reason": "ما زالت المشكلة"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert (await Ticket.get(id=t.id)).status == Status.OPEN


async def test_lookup_form_leads_to_the_page(client):
    t = await new_ticket(now=datetime.now(UTC))
    response = await client.get(
        f"/track?number={t.number.lower()}&key={t.tracking_secret}", allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == url(t)
    assert (await client.get("/track")).status == 200
