"""X direct messages: CRC, signatures and payloads on the real app; replies to a local stand-in X API."""

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime

import pytest

from helpdesk.adapters.channels.replies import ChannelSenders
from helpdesk.adapters.channels.x import XClient
from helpdesk.adapters.orm.channels import InboundMessage, OutboundMessage
from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from helpdesk.services import delivery
from helpdesk.services.bus import MessageBus
from helpdesk.services.messages import MessageWriter
from helpdesk.services.tickets import reply_to_requester
from tests.channels.fake_apis import FakeApi
from tests.helpdesk.fixtures import actor

SECRET = "x-consumer-secret-for-tests"
OURS, TRAINEE = "1500000000000000001", "2244994945"
URL = "/channels/x/webhook"


def dm(event_id, text, sender=TRAINEE):
    recipient = OURS if sender != OURS else TRAINEE
    return {
        "type": "message_create",
        "id": event_id,
        "created_timestamp": "1795000000000",
        "message_create": {
            "target": {"recipient_id": recipient},
            "sender_id": sender,
            "message_data": {"text": text, "entities": {"hashtags": [], "urls": []}},
        },
    }


def payload(*events):
    return {
        "for_user_id": OURS,
        "direct_message_events": list(events),
        "users": {
            TRAINEE: {"id": TRAINEE, "name": "Omar Ali", "screen_name": "omar_a"},
            OURS: {"id": OURS, "name": "Institute", "screen_name": "institute"},
        },
    }


def signature(body: bytes, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


async def post(client, data, headers=None):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    if headers is None:
        headers = {"X-Twitter-Webhooks-Signature": signature(body)}
    return await client.post(
        URL, data=body, headers={"Content-Type": "application/json", **headers}
    )


@pytest.fixture
async def client(serve_with, aiohttp_client):
    return await aiohttp_client(await serve_with(x_consumer_secret=SECRET, x_account_id=OURS))


async def test_the_crc_challenge_is_answered_with_the_signed_token(client):
    response = await client.get(URL, params={"crc_token": "challenge-123"})
    assert response.status == 200
    assert await response.json() == {"response_token": signature(b"challenge-123")}
    assert (await client.get(URL)).status == 400


async def test_x_can_be_switched_off(server, aiohttp_client):
    off = await aiohttp_client(server)
    assert (await off.get(URL, params={"crc_token": "t"})).status == 404
    assert (await post(off, payload(dm("1", "hi")))).status == 404


async def test_a_direct_message_makes_a_ticket_once_and_the_next_threads(client):
    first = payload(dm("1800000000000000001", "My certificate has the wrong name"))
    assert await (await post(client, first)).json() == {"received": 1, "new": 1}
    assert await (await post(client, first)).json() == {"received": 1, "new": 0}
    ticket = await Ticket.get()
    assert ticket.channel == "x" and ticket.requester_ref == f"x:{TRAINEE}"
    assert ticket.requester_name == "Omar Ali" and ticket.requester_locale == "en"

    await post(client, payload(dm("1800000000000000002", "It should be Omar Ali Hassan")))
    line = await TicketEvent.get(ticket_id=ticket.id, action="requester_reply")
    assert line.body == "It should be Omar Ali Hassan" and line.channel == "x"
    assert await Ticket.all().count() == 1


async def test_our_own_direct_messages_are_not_taken_in(client):
    response = await post(client, payload(dm("1800000000000000009", "our reply", sender=OURS)))
    assert await response.json() == {"received": 0, "new": 0}
    assert not await InboundMessage.exists()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-Twitter-Webhooks-Signature": "sha256=AAAA"}, 403),
        ("wrong secret", 403),
    ],
)
async def test_forged_or_unsigned_calls_are_refused_and_logged(client, caplog, headers, status):
    data = payload(dm("1800000000000000003", "forged"))
    if headers == "wrong secret":
        headers = {"X-Twitter-Webhooks-Signature": signature(json.dumps(data).encode(), "guess")}
    with caplog.at_level(logging.WARNING, logger="sanad.channels"):
        response = await post(client, data, headers)
    assert response.status == status and "x webhook refused" in caplog.text
    assert not await InboundMessage.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps({"direct_message_events": []}).encode(),
        json.dumps(payload({"type": "message_create", "id": "1", "message_create": {}})).encode(),
    ],
)
async def test_malformed_payloads_get_400_and_store_nothing(client, body):
    assert (await post(client, body)).status == 400
    assert not await InboundMessage.exists()


async def test_a_staff_reply_goes_back_as_a_direct_message(client, aiohttp_server, staff_member):
    api = FakeApi()
    api_server = await aiohttp_server(api.app())
    await post(client, payload(dm("1800000000000000004", "When does registration open?")))
    ticket = await Ticket.get()
    await Notification.filter(ticket_id=ticket.id).delete()
    now = datetime.now(UTC)
    await reply_to_requester(
        ticket.id,
        actor(await staff_member(StaffRole.LEVEL1_AGENT)),
        "On Sunday.",
        now=now,
        bus=MessageBus(),
    )
    senders = delivery.Senders(
        MessageWriter(client.server.app[keys.CATALOGUES], "https://sanad.example"),
        None,
        None,
        WebhookSender(timeout=3),
        ChannelSenders(x=XClient(str(api_server.make_url("")).rstrip("/"), "x-user-token")),
    )
    assert (await delivery.deliver_due(now, senders)).sent == 1

    [sent] = api.requests
    assert sent.method == "POST" and sent.path == f"/2/dm_conversations/with/{TRAINEE}/messages"
    assert sent.headers["Authorization"] == "Bearer x-user-token"
    assert list(sent.body) == ["text"] and sent.body["text"].startswith("On Sunday.\n\n")
    assert ticket.number in sent.body["text"]
    out = await OutboundMessage.get(ticket_id=ticket.id)
    assert (out.channel, out.external_id) == ("x", "dm1")
