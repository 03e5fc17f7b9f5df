"""WhatsApp Cloud API: the webhook on the real app, replies through a local stand-in Graph API."""

import asyncio
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.adapters.channels.replies import ChannelSenders
from helpdesk.adapters.channels.whatsapp import GraphClient
from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.orm.channels import Attachment, InboundMessage, OutboundMessage
from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import channels, keys
from helpdesk.services import delivery
from helpdesk.services.bus import MessageBus
from helpdesk.services.messages import MessageWriter
from helpdesk.services.tickets import reply_to_requester
from tests.channels.fake_apis import FakeApi
from tests.channels.waiting import eventually
from tests.helpdesk.fixtures import actor

SECRET, VERIFY = "app-secret-for-tests", "verify-token-for-tests"
PHONE = "966501234567"
URL = "/channels/whatsapp/webhook"


def payload(*messages, statuses=()):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "106540352242922",
                            },
                            "contacts": [{"profile": {"name": "هدى"}, "wa_id": PHONE}],
                            "messages": list(messages),
                            "statuses": list(statuses),
                        },
                    }
                ],
            }
        ],
    }


def text_message(wamid, body, sender=PHONE):
    return {
        "from": sender,
        "id": wamid,
        "timestamp": "1795000000",
        "type": "text",
        "text": {"body": body},
    }


def signed(body: bytes, secret: str = SECRET) -> dict:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


@pytest.fixture
async def client(serve_with, aiohttp_client):
    server = await serve_with(whatsapp_app_secret=SECRET, whatsapp_verify_token=VERIFY)
    return await aiohttp_client(server)


async def post(client, data, headers=None):
    body = json.dumps(data).encode()
    return await client.post(URL, data=body, headers=signed(body) if headers is None else headers)


async def test_the_verify_handshake_echoes_the_challenge_only_for_the_right_token(client):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    ok = await client.get(URL, params=query)
    assert ok.status == 200 and await ok.text() == "1158201444"
    wrong = await client.get(URL, params={**query, "hub.verify_token": "guess"})
    assert wrong.status == 403


async def test_the_webhook_is_off_while_unconfigured(server, aiohttp_client):
    client = await aiohttp_client(server)
    assert (await client.get(URL, params={"hub.mode": "subscribe"})).status == 404
    assert (await post(client, payload(text_message("wamid.1", "hi")))).status == 404


async def test_a_message_makes_a_ticket_a_retry_does_not_and_the_next_one_threads(client):
    first = payload(text_message("wamid.A1", "لا أستطيع دخول الجلسة المباشرة"))
    response = await post(client, first)
    assert response.status == 200 and await response.json() == {"received": 1, "new": 1}
    again = await post(client, first)  # Meta retries when it did not see our 200 in time
    assert await again.json() == {"received": 1, "new": 0}

    ticket = await Ticket.get()
    assert ticket.channel == "whatsapp" and ticket.requester_phone == "+" + PHONE
    assert ticket.requester_name == "هدى" and ticket.requester_locale == "ar"
    assert ticket.description == "لا أستطيع دخول الجلسة المباشرة"

    await post(client, payload(text_message("wamid.A2", "the link gives error 403")))
    assert await Ticket.all().count() == 1
    line = await TicketEvent.get(ticket_id=ticket.id, action="requester_reply")
    assert line.body == "the link gives error 403" and line.channel == "whatsapp"

    await post(client, payload(text_message("wamid.B1", "another person", sender="966559999999")))
    assert await Ticket.all().count() == 2  # threads are per phone number


async def test_media_and_receipts(client):
    image = {
        "from": PHONE,
        "id": "wamid.IMG",
        "timestamp": "1795000000",
        "type": "image",
        "image": {"id": "1234", "mime_type": "image/jpeg", "caption": "error screen"},
    }
    receipt = {"id": "wamid.sent1", "status": "delivered", "recipient_id": PHONE}
    await post(client, payload(image, statuses=[receipt]))
    ticket = await Ticket.get()
    assert ticket.description == "[image] error screen"
    assert await InboundMessage.all().count() == 1  # the receipt is nothing to take in


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "application/json"}, 401),
        (signed(b"another body"), 403),
        ("wrong secret", 403),
        ({"X-Hub-Signature-256": "md5=abc"}, 403),
    ],
)
async def test_forged_or_unsigned_calls_are_refused_logged_and_store_nothing(
    client, caplog, headers, status
):
    data = payload(text_message("wamid.F", "forged"))
    if headers == "wrong secret":
        headers = signed(json.dumps(data).encode(), secret="not-the-secret")
    with caplog.at_level(logging.WARNING, logger="sanad.channels"):
        response = await post(client, data, headers=headers)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    assert "whatsapp webhook refused" in caplog.text
    assert not await InboundMessage.exists() and not await Ticket.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        json.dumps({"object": "page", "entry": []}).encode(),
        json.dumps(
            payload({"from": "not-a-number", "id": "x", "timestamp": "1", "type": "text"})
        ).encode(),
        json.dumps(payload({"id": "wamid.no-sender", "timestamp": "1", "type": "text"})).encode(),
    ],
)
async def test_malformed_payloads_get_400_and_store_nothing(client, body):
    response = await client.post(URL, data=body, headers=signed(body))
    assert response.status == 400
    assert not await InboundMessage.exists()


# -- replies through the Graph API ---------------------------------------------------------------


@pytest.fixture
async def graph(aiohttp_server):
    api = FakeApi()
    server = await aiohttp_server(api.app())
    api.base = str(server.make_url("/v21.0"))
    api.sms_url = str(server.make_url("/sms"))
    return api


def outbox(server, graph, *, template=None, sms=False, mailer=None):
    return delivery.Senders(
        MessageWriter(server.app[keys.CATALOGUES], "https://sanad.example"),
        mailer,
        HttpSmsGateway(graph.sms_url, token="sms-token") if sms else None,
        WebhookSender(timeout=3),
        ChannelSenders(GraphClient(graph.base, "graph-token", "106540352242922"), template),
    )


async def whatsapp_ticket_with_a_reply(client, staff_member, at: datetime):
    await post(client, payload(text_message("wamid.Q", "متى تبدأ الدورة؟")))
    ticket = await Ticket.get()
    await Notification.filter(ticket_id=ticket.id).delete()  # the acknowledgement: not this test's
    agent = await staff_member(StaffRole.LEVEL1_AGENT)
    await reply_to_requester(ticket.id, actor(agent), "تبدأ يوم الأحد.", now=at, bus=MessageBus())
    return ticket


async def test_a_reply_within_24_hours_goes_as_text_through_the_graph_api(
    client, graph, staff_member
):
    now = datetime.now(UTC)
    ticket = await whatsapp_ticket_with_a_reply(client, staff_member, now)
    result = await delivery.deliver_due(now, outbox(client.server, graph))

    assert result.sent == 1
    [sent] = graph.requests
    assert sent.method == "POST" and sent.path == "/v21.0/106540352242922/messages"
    assert sent.headers["Authorization"] == "Bearer graph-token"
    assert sent.headers["Content-Type"].startswith("application/json")
    body = sent.body
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": PHONE,
        "type": "text",
        "text": {"preview_url": False, "body": body["text"]["body"]},
    }
    assert body["text"]["body"].startswith("تبدأ يوم الأحد.\n\n")
    assert ticket.number in body["text"]["body"]
    out = await OutboundMessage.get(ticket_id=ticket.id)
    assert (out.channel, out.external_id, out.route) == ("whatsapp", "wamid.sent1", "free_form")


async def test_after_24_hours_the_configured_template_goes_instead(client, graph, staff_member):
    later = datetime.now(UTC) + timedelta(hours=24, minutes=1)
    ticket = await whatsapp_ticket_with_a_reply(client, staff_member, later)
    await delivery.deliver_due(
        later, outbox(client.server, graph, template=("ticket_update", "ar"))
    )

    [sent] = graph.requests
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": PHONE,
        "type": "template",
        "template": {
            "name": "ticket_update",
            "language": {"code": "ar"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": ticket.number}]}
            ],
        },
    }
    assert (await OutboundMessage.get(ticket_id=ticket.id)).route == "template"


async def test_after_24_hours_without_a_template_it_falls_back_to_sms(client, graph, staff_member):
    later = datetime.now(UTC) + timedelta(hours=30)
    await whatsapp_ticket_with_a_reply(client, staff_member, later)
    await delivery.deliver_due(later, outbox(client.server, graph, sms=True))

    [sent] = graph.requests
    assert sent.path == "/sms" and sent.body["to"] == "+" + PHONE
    assert sent.body["text"].startswith("تبدأ يوم الأحد.")
    assert sent.headers["Authorization"] == "Bearer sms-token"


async def test_after_24_hours_with_nothing_to_fall_back_on_the_attempt_fails_visibly(
    client, graph, staff_member
):
    later = datetime.now(UTC) + timedelta(days=2)
    ticket = await whatsapp_ticket_with_a_reply(client, staff_member, later)
    result = await delivery.deliver_due(later, outbox(client.server, graph))
    assert result.failed == 1 and not graph.requests
    row = await Notification.get(ticket_id=ticket.id)
    assert "24-hour window" in row.last_error and row.state == "pending"


async def test_a_graph_api_error_is_retried_later(client, graph, staff_member):
    now = datetime.now(UTC)
    ticket = await whatsapp_ticket_with_a_reply(client, staff_member, now)
    graph.fail_with = 400
    assert (await delivery.deliver_due(now, outbox(client.server, graph))).failed == 1
    row = await Notification.get(ticket_id=ticket.id)
    assert "131047" in row.last_error and row.next_attempt_at > now
    graph.fail_with = None
    assert (await delivery.deliver_due(row.next_attempt_at, outbox(client.server, graph))).sent == 1


async def test_a_staff_reply_can_fall_back_to_email_when_the_ticket_has_one(
    client, graph, staff_member, smtp_sink
):
    later = datetime.now(UTC) + timedelta(days=3)
    ticket = await whatsapp_ticket_with_a_reply(client, staff_member, later)
    await Ticket.filter(id=ticket.id).update(requester_email="huda@example.org")
    mailer = SmtpMailer("127.0.0.1", smtp_sink.port, "support@sanad.test", timeout=3)
    await delivery.deliver_due(later, outbox(client.server, graph, mailer=mailer))
    [mail] = smtp_sink.messages
    assert mail["To"] == "huda@example.org" and ticket.number in mail["Subject"]
    assert not graph.requests


async def test_a_picture_sent_on_whatsapp_is_fetched_into_the_tickets_attachments(
    serve_with, aiohttp_client, graph
):
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    graph.media["1234"] = ("image/jpeg", jpeg)
    graph.media["5678"] = ("image/jpeg", b"\xff\xd8\xff" + b"\x00" * 200)
    server = await serve_with(
        whatsapp_app_secret=SECRET,
        whatsapp_access_token="graph-token",
        whatsapp_phone_number_id="106540352242922",
        whatsapp_api_base=graph.base,
        attachment_max_bytes=100,
    )
    client = await aiohttp_client(server)
    image = {
        "from": PHONE,
        "id": "wamid.IMG1",
        "timestamp": "1795000000",
        "type": "image",
        "image": {"id": "1234", "mime_type": "image/jpeg", "caption": "error screen"},
    }
    await post(client, payload(image))
    ticket = await Ticket.get()
    [kept] = await Attachment.filter(ticket_id=ticket.id)
    assert (kept.filename, kept.content_type, kept.size) == ("image.jpg", "image/jpeg", len(jpeg))
    assert server.app[keys.INTAKE].attachments.path(kept.storage_name).read_bytes() == jpeg
    assert [(r.method, r.path) for r in graph.requests] == [
        ("GET", "/v21.0/1234"),
        ("GET", "/media/1234"),
    ]
    assert all(r.headers["Authorization"] == "Bearer graph-token" for r in graph.requests)

    too_big = {**image, "id": "wamid.IMG2", "image": {"id": "5678", "caption": "bigger"}}
    await post(client, payload(too_big))
    note = await TicketEvent.get(ticket_id=ticket.id, action="attachments_refused")
    assert note.new_value == "image (too_large)"
    assert [r.path for r in graph.requests][-1] == "/v21.0/5678"  # the size said no: not fetched


async def test_a_slow_download_does_not_hold_the_webhooks_answer(
    serve_with, aiohttp_client, graph, monkeypatch
):
    monkeypatch.setattr(channels, "PROCESSING_WAIT", 0.2)
    graph.media["1234"] = ("application/pdf", b"%PDF-1.4\n%%EOF\n")
    graph.media_delay = 1.0
    server = await serve_with(
        whatsapp_app_secret=SECRET,
        whatsapp_access_token="graph-token",
        whatsapp_phone_number_id="106540352242922",
        whatsapp_api_base=graph.base,
    )
    client = await aiohttp_client(server)
    document = {
        "from": PHONE,
        "id": "wamid.DOC",
        "timestamp": "1795000000",
        "type": "document",
        "document": {"id": "1234", "filename": "receipt.pdf", "mime_type": "application/pdf"},
    }
    started = asyncio.get_running_loop().time()
    response = await post(client, payload(document))
    assert await response.json() == {"received": 1, "new": 1}
    assert asyncio.get_running_loop().time() - started < 0.9
    assert not await Ticket.exists()  # still downloading
    await eventually(lambda: Attachment.exists(filename="receipt.pdf"))
    assert (await Ticket.get()).description == "[document]"
