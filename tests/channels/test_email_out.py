"""Staff replies by email thread in the requester's client, and the requester's answer threads back."""

import pytest

from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.orm.channels import OutboundMessage
from helpdesk.adapters.orm.tickets import TicketEvent
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from helpdesk.services import delivery
from helpdesk.services.bus import MessageBus
from helpdesk.services.intake import Outcome, process, receive_email
from helpdesk.services.messages import MessageWriter
from helpdesk.services.tickets import reply_to_requester
from tests.channels.mail import SUPPORT, email_bytes
from tests.helpdesk.fixtures import actor

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture
def sink(smtp_sink):
    return smtp_sink


@pytest.fixture
def senders(server, sink):
    writer = MessageWriter(server.app[keys.CATALOGUES], "https://sanad.example")
    return delivery.Senders(
        writer,
        SmtpMailer("127.0.0.1", sink.port, SUPPORT, timeout=3),
        HttpSmsGateway("http://127.0.0.1:9/unused"),
        WebhookSender(timeout=3),
    )


async def mail_in(intake, raw):
    return await process((await receive_email(raw)).inbound_id, intake)


async def test_acknowledgement_and_staff_reply_thread_and_the_answer_comes_back(
    intake, senders, sink, staff_member
):
    opened = await mail_in(intake, email_bytes(message_id="<question@example.org>"))
    ticket = opened.ticket
    await delivery.deliver_due(ticket.received_at, senders)
    [acknowledgement] = sink.messages
    assert (
        acknowledgement["To"] == "huda@example.org" and ticket.number in acknowledgement["Subject"]
    )
    assert acknowledgement["In-Reply-To"] == "<question@example.org>"
    assert acknowledgement["References"] == "<question@example.org>"
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert acknowledgement["X-Sanad-Loop"] == SUPPORT

    agent = await staff_member(StaffRole.LEVEL1_AGENT)
    await reply_to_requester(
        ticket.id, actor(agent), "أرسلنا رابط الاستعادة مرة أخرى.", bus=MessageBus()
    )
    await delivery.deliver_due(ticket.received_at.replace(year=2100), senders)
    reply = sink.messages[1]
    assert reply["Auto-Submitted"] is None  # a person wrote this one
    assert reply["In-Reply-To"] == acknowledgement["Message-ID"]
    assert reply["References"].split() == ["<question@example.org>", acknowledgement["Message-ID"]]
    assert await OutboundMessage.filter(ticket_id=ticket.id).count() == 2

    answer = await mail_in(
        intake,
        email_bytes(
            subject="Re: your reply",  # no number: the headers alone must thread it
            text="وصلني الرابط، شكراً",
            headers={"In-Reply-To": reply["Message-ID"], "References": reply["References"]},
        ),
    )
    assert answer.outcome == Outcome.REPLY and answer.ticket.id == ticket.id
    assert await TicketEvent.exists(ticket_id=ticket.id, action="requester_reply")


async def test_our_own_mail_coming_back_is_a_loop(intake, senders, sink):
    opened = await mail_in(intake, email_bytes())
    await delivery.deliver_due(opened.ticket.received_at, senders)
    [ours] = sink.messages
    bounced_back = ours.as_bytes().replace(f"From: {SUPPORT}".encode(), b"From: relay@example.org")
    result = await mail_in(intake, bounced_back)
    assert result.outcome == Outcome.LOOP and result.ticket is None
