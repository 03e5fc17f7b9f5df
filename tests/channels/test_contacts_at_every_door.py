"""One validator for contacts at every door (issue 20): the API, the web form, mail-in, the
services; and a 254-character address end to end, sent once and on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.orm.channels import InboundMessage
from helpdesk.adapters.orm.desk import ApiToken, Notification
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.contacts import InvalidContact, email_address, phone_number
from helpdesk.entrypoints import keys
from helpdesk.services import delivery
from helpdesk.services.api_tokens import SCOPES, create_token
from helpdesk.services.messages import MessageWriter
from helpdesk.services.tickets import InvalidInput
from tests.channels.mail import SUPPORT, email_bytes
from tests.channels.test_email_in import send
from tests.channels.test_web_form import form_data, open_form
from tests.channels.waiting import eventually
from tests.helpdesk.fixtures import NEW_TICKET, new_ticket

LONGEST = "a" * 64 + "@" + ".".join(["b" * 58, "b" * 58, "b" * 59]) + ".example.org"  # 254
BAD_EMAILS = ["<>@x.org", "a\x07b@example.org", "sara@@example.org", "x" * 250 + "@ex.org", "a@"]
BAD_PHONES = ["not a number", "05", "+999 123", "1" * 41]


def test_the_longest_address_is_254_characters():
    assert len(LONGEST) == 254 and email_address(LONGEST) == LONGEST


@pytest.mark.parametrize("bad", BAD_EMAILS)
def test_bad_email_addresses_are_refused(bad):
    with pytest.raises(InvalidContact):
        email_address(bad)


@pytest.mark.parametrize("bad", BAD_PHONES)
def test_bad_phone_numbers_are_refused(bad):
    with pytest.raises(InvalidContact):
        phone_number(bad)


def test_phone_numbers_are_stored_in_e164_saudi_by_default():
    assert phone_number("050 123 4567") == "+966501234567"
    assert phone_number("+966 50 123 4567") == "+966501234567"
    assert phone_number("+1 202 555 0143") == "+12025550143"
    assert email_address("  Sara@Example.ORG ") == "sara@example.org"
    assert (email_address(""), phone_number("")) == ("", "")


async def auth() -> dict:
    token, _ = await create_token("contacts", list(SCOPES), None)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("field", "bad"), [("email", b) for b in BAD_EMAILS[:3]] + [
    ("phone", b) for b in BAD_PHONES[:2]])  # fmt: skip
async def test_the_api_refuses_a_bad_contact_with_a_problem_and_stores_nothing(client, field, bad):
    body = NEW_TICKET | {"requester": NEW_TICKET["requester"] | {field: bad}}
    response = await client.post("/api/v1/tickets", json=body, headers=await auth())
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert any(field in e["loc"] for e in problem["errors"])
    assert not await Ticket.exists() and not await Notification.exists()


async def test_the_web_form_refuses_a_bad_address_with_a_message(client):
    _, tokens = await open_form(client)
    response = await client.post(
        "/contact/complaint", data=form_data(tokens, email="<>@x.org")
    )  # fmt: skip
    assert response.status == 422
    assert not await InboundMessage.exists() and not await Ticket.exists()
    _, tokens = await open_form(client)
    response = await client.post(
        "/contact/complaint",
        data=form_data(tokens, email="", phone="050 123 4567", contact_preference="phone"),
    )
    assert response.status == 200
    await eventually(lambda: Ticket.exists())
    assert (await Ticket.get()).requester_phone == "+966501234567"


async def test_the_services_refuse_a_bad_contact_and_keep_the_rest_as_stored(server):
    with pytest.raises(InvalidInput):
        await new_ticket(email="<>@x.org")
    with pytest.raises(InvalidInput):
        await new_ticket(email="", phone="12")
    ticket = await new_ticket(email="Sara@Example.org", phone="0501234567")
    assert (ticket.requester_email, ticket.requester_phone) == (
        "sara@example.org",
        "+966501234567",
    )


@pytest.fixture
async def mail_in(serve_with):
    server = await serve_with(
        inbound_smtp_port=0, support_addresses=(SUPPORT,), mail_max_bytes=65536
    )
    return server.app[keys.SMTP_LISTENER].sockets[0].getsockname()[1]


async def test_mail_from_a_bad_address_becomes_a_ticket_flagged_for_level1(mail_in):
    await send(mail_in, email_bytes(sender='"Huda" <huda\u202e@example.org>'))
    await eventually(lambda: Ticket.exists())
    ticket = await Ticket.get()
    assert ticket.requester_email == ""
    assert "not a valid email address" in ticket.contact_flag
    assert "\u202e" not in ticket.contact_flag
    assert not await Notification.filter(medium="email").exists()  # nothing it cannot send


async def test_a_254_character_address_end_to_end_is_sent_once(client, server, smtp_sink):
    body = NEW_TICKET | {"requester": NEW_TICKET["requester"] | {"email": LONGEST}}
    created = await client.post("/api/v1/tickets", json=body, headers=await auth())
    assert created.status == 201
    ticket = await Ticket.get()
    assert ticket.requester_email == LONGEST
    writer = MessageWriter(server.app[keys.CATALOGUES], "https://sanad.example")
    out = delivery.Senders(
        writer,
        SmtpMailer("127.0.0.1", smtp_sink.port, "support@sanad.example", timeout=5),
        None,
        WebhookSender(timeout=3),
    )
    now = datetime.now(UTC)
    assert (await delivery.deliver_due(now, out)).sent == 1
    assert (await delivery.deliver_due(now, out)).sent == 0
    assert [m["To"] for m in smtp_sink.messages] == [LONGEST]
    [line] = await TicketEvent.filter(ticket_id=ticket.id, action="notification_sent")
    assert LONGEST in line.new_value
    assert (await Notification.get(ticket_id=ticket.id)).state == "sent"
    assert await ApiToken.exists()
