"""The outbox: SMTP down then up, email in both languages, SMS gateway, call tasks, webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web

from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import TicketEvent
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender, verify_signature
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.notifications import MAX_ATTEMPTS
from helpdesk.domain.tickets import ContactPreference
from helpdesk.entrypoints import keys
from helpdesk.services import delivery
from helpdesk.services.desk import add_webhook
from helpdesk.services.messages import MessageWriter
from tests.helpdesk.fixtures import T0, actor, new_ticket
from tests.helpdesk.smtp_sink import SmtpSink

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture
def writer(server):
    return MessageWriter(server.app[keys.CATALOGUES], "https://sanad.example")


def senders(writer, smtp_port=None, sms_url=None) -> delivery.Senders:
    mailer = (
        SmtpMailer("127.0.0.1", smtp_port, "support@sanad.example", timeout=3)
        if smtp_port
        else None
    )
    return delivery.Senders(
        writer, mailer, HttpSmsGateway(sms_url) if sms_url else None, WebhookSender(timeout=3)
    )


async def attempts(ticket) -> list[tuple[str, str]]:
    events = TicketEvent.filter(ticket_id=ticket.id, action__startswith="notification")
    return [(e.action, e.old_value) for e in await events.order_by("id")]


async def test_smtp_down_then_up_loses_nothing_and_every_attempt_is_on_the_timeline(writer):
    sink = SmtpSink()  # its port is chosen but nothing listens yet
    out = senders(writer, sink.port)
    ticket = await new_ticket(now=T0)

    down = await delivery.deliver_due(T0, out)
    assert (down.sent, down.failed) == (0, 1)
    row = await Notification.get(ticket_id=ticket.id)
    assert (row.state, row.attempts, row.next_attempt_at) == (
        "pending",
        1,
        T0 + timedelta(seconds=30),
    )
    assert (await delivery.deliver_due(T0 + timedelta(seconds=10), out)).failed == 0  # not due yet
    assert (await delivery.deliver_due(T0 + timedelta(seconds=30), out)).failed == 1
    sink.start()
    try:
        up = await delivery.deliver_due(T0 + timedelta(seconds=90), out)
        assert (up.sent, up.failed) == (1, 0)
        assert (await delivery.deliver_due(T0 + timedelta(hours=1), out)).sent == 0  # sent once
    finally:
        sink.stop()
    [mail] = sink.messages
    assert mail["To"] == "trainee@example.com"
    assert ticket.number in mail["Subject"]
    assert await attempts(ticket) == [
        ("notification_failed", "created"),
        ("notification_failed", "created"),
        ("notification_sent", "created"),
    ]
    assert (await Notification.get(ticket_id=ticket.id)).state == "sent"


async def test_email_in_arabic_and_english_with_html_and_text_and_escaped_user_text(
    writer, smtp_sink
):
    out = senders(writer, smtp_sink.port)
    ar = await new_ticket(locale="ar", subject="<script>alert(1)</script> شهادة")
    en = await new_ticket(locale="en", email="en@example.com", subject="Certificate & <b>name</b>")
    assert (await delivery.deliver_due(T0 + timedelta(minutes=1), out)).sent == 2
    by_to = {m["To"]: m for m in smtp_sink.messages}
    arabic, english = by_to["trainee@example.com"], by_to["en@example.com"]

    assert arabic["Subject"] == f"تم استلام تذكرتك {ar.number}"
    html = arabic.get_body(("html",)).get_content()
    text = arabic.get_body(("plain",)).get_content()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "مرحبًا سارة،" in text and "استلمنا طلبك برقم" in text
    assert f"https://sanad.example/track/{ar.number}?key={ar.tracking_secret}" in text

    assert english["Subject"] == f"Your ticket {en.number} has been received"
    html = english.get_body(("html",)).get_content()
    assert 'dir="ltr"' in html and "Certificate &amp; &lt;b&gt;name&lt;/b&gt;" in html
    assert "Hello سارة," in english.get_body(("plain",)).get_content()


@pytest.fixture
async def sms_gateway(aiohttp_server):
    received = []

    async def send(request):
        received.append(await request.json())
        return web.json_response({"id": "1"})

    app = web.Application()
    app.router.add_post("/sms", send)
    server = await aiohttp_server(app)
    return str(server.make_url("/sms")), received


async def test_phone_notifications_go_by_sms_through_the_gateway(writer, sms_gateway):
    url, received = sms_gateway
    ticket = await new_ticket(
        phone="+966500000001", preference=ContactPreference.PHONE, locale="en"
    )
    assert (await delivery.deliver_due(T0, senders(writer, sms_url=url))).sent == 1
    assert received == [
        {
            "to": "+966500000001",
            "text": f"Your ticket {ticket.number} has been received\n"
            f"https://sanad.example/track/{ticket.number}?key={ticket.tracking_secret}",
        }
    ]


async def test_without_a_gateway_level1_gets_a_call_task(writer, staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    ticket = await new_ticket(phone="+966500000001", preference=ContactPreference.PHONE)
    result = await delivery.deliver_due(T0, senders(writer))
    assert (result.sent, result.call_tasks) == (0, 1)
    task = await Notification.get(ticket_id=ticket.id)
    assert (task.medium, task.state) == ("call_task", "call_open")
    await delivery.complete_call_task(
        task.id, level1, "أبلغتها برقم التذكرة", T0 + timedelta(hours=1)
    )
    assert (await Notification.get(id=task.id)).state == "call_done"
    with pytest.raises(LookupError):
        await delivery.complete_call_task(task.id, level1, "again", T0)
    calls = await TicketEvent.filter(
        ticket_id=ticket.id, action__in=["call_task", "called_requester"]
    )
    assert [(e.action, e.actor) for e in calls] == [
        ("call_task", "system"),
        ("called_requester", level1.ref),
    ]


async def test_webhooks_are_signed_and_retried(writer, aiohttp_server):
    calls = []

    async def hook(request):
        calls.append((request.headers["X-Sanad-Signature"], await request.read()))
        return web.Response(status=500 if len(calls) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    receiver = await aiohttp_server(app)
    await add_webhook(str(receiver.make_url("/hook")), "s", ["ticket.created"])
    await new_ticket(email="")  # no email, no phone: only the webhook is told
    out = senders(writer)
    assert (await delivery.deliver_due(T0, out)).failed == 1
    assert (await delivery.deliver_due(T0 + timedelta(seconds=30), out)).sent == 1
    assert len(calls) == 2 and calls[0][1] == calls[1][1]
    assert verify_signature("s", calls[1][0], calls[1][1])
    assert b'"event":"ticket.created"' in calls[1][1]


async def test_the_outbox_gives_up_after_the_last_attempt(writer):
    sink = SmtpSink()
    out = senders(writer, sink.port)
    await new_ticket()
    at = T0
    for _ in range(MAX_ATTEMPTS):
        at += timedelta(hours=2)
        assert (await delivery.deliver_due(at, out)).failed == 1
    row = await Notification.get()
    assert (row.state, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "SMTP" in row.last_error
    assert (await delivery.deliver_due(at + timedelta(days=1), out)).failed == 0
