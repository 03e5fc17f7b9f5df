"""The intake service on the real database: raw first, dedupe, threading, automatic mail, retries."""

import asyncio
import json
from dataclasses import replace

import pytest

from helpdesk.adapters.orm.channels import Attachment, InboundMessage, OutboundMessage
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.events import TicketChanged
from helpdesk.domain.tickets import Category, Channel, Status
from helpdesk.services.bus import MessageBus
from helpdesk.services.intake import (
    Outcome,
    process,
    process_pending,
    receive,
    receive_email,
)
from tests.channels.mail import SUPPORT, email_bytes

pytestmark = pytest.mark.usefixtures("server")  # the migrated, emptied database

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def mail_in(intake, raw):
    received = await receive_email(raw)
    return await process(received.inbound_id, intake)


async def test_a_new_email_makes_a_ticket_and_keeps_the_raw_message(intake):
    raw = email_bytes(message_id="<first@example.org>")
    result = await mail_in(intake, raw)

    assert result.outcome == Outcome.OPENED
    ticket = await Ticket.get(id=result.ticket.id)
    assert ticket.channel == Channel.EMAIL
    assert ticket.requester_email == "huda@example.org"
    assert ticket.requester_name == "Huda Salem"
    assert ticket.requester_locale == "ar"
    assert ticket.subject == "لا أستطيع الدخول إلى المنصة"
    assert "نسيت كلمة المرور" in ticket.description
    assert ticket.number.startswith("SND-")
    inbound = await InboundMessage.get(external_id="<first@example.org>")
    assert bytes(inbound.payload) == raw
    assert inbound.processed_at is not None and inbound.ticket_id == ticket.id
    assert inbound.outcome == "opened" and inbound.attempts == 1


async def test_the_same_message_id_never_makes_two_tickets(intake):
    raw = email_bytes(message_id="<again@example.org>")
    first = await receive_email(raw)
    await process(first.inbound_id, intake)
    second = await receive_email(raw)

    assert second.duplicate and second.inbound_id == first.inbound_id
    assert await process(second.inbound_id, intake) is None
    assert await Ticket.all().count() == 1
    assert await InboundMessage.all().count() == 1


async def test_a_reply_threads_by_in_reply_to_and_by_references(intake):
    opened = await mail_in(intake, email_bytes(message_id="<start@example.org>"))
    reply = await mail_in(
        intake,
        email_bytes(
            subject="Re: something else",
            text="وصلتني الرسالة الآن، شكراً\n\nفي الثلاثاء، سند كتب:\n> نص الرسالة السابقة",
            headers={"In-Reply-To": "<start@example.org>"},
        ),
    )
    deeper = await mail_in(
        intake,
        email_bytes(
            subject="Re: Re:",
            text="still there",
            headers={"References": "<unknown@x> <start@example.org> <other@y>"},
        ),
    )

    assert reply.outcome == deeper.outcome == Outcome.REPLY
    assert reply.ticket.id == deeper.ticket.id == opened.ticket.id
    lines = await TicketEvent.filter(ticket_id=opened.ticket.id, action="requester_reply")
    assert [line.body for line in lines] == ["وصلتني الرسالة الآن، شكراً", "still there"]
    assert all(line.is_public and line.channel == "email" for line in lines)
    assert await Ticket.all().count() == 1


async def test_a_reply_to_a_staff_email_threads_by_its_message_id(intake):
    opened = await mail_in(intake, email_bytes())
    await OutboundMessage.create(
        channel="email",
        external_id="<reply-1@sanad.test>",
        ticket_id=opened.ticket.id,
        recipient="huda@example.org",
        sent_at=opened.ticket.received_at,
    )
    answer = await mail_in(
        intake,
        email_bytes(subject="Re: your ticket", headers={"In-Reply-To": "<reply-1@sanad.test>"}),
    )
    assert answer.outcome == Outcome.REPLY and answer.ticket.id == opened.ticket.id


async def test_the_ticket_number_in_the_subject_threads_only_for_its_requester(intake):
    opened = await mail_in(intake, email_bytes())
    number = opened.ticket.number
    own = await mail_in(intake, email_bytes(subject=f"[{number}] more details"))
    stranger = await mail_in(
        intake, email_bytes(sender="someone@else.org", subject=f"Re: {number} let me in")
    )

    assert own.outcome == Outcome.REPLY and own.ticket.id == opened.ticket.id
    assert stranger.outcome == Outcome.OPENED and stranger.ticket.id != opened.ticket.id


async def test_a_reply_to_a_closed_ticket_opens_a_follow_up(intake):
    opened = await mail_in(intake, email_bytes(message_id="<old@example.org>"))
    await Ticket.filter(id=opened.ticket.id).update(status=Status.CLOSED)
    follow = await mail_in(intake, email_bytes(headers={"In-Reply-To": "<old@example.org>"}))

    assert follow.outcome == Outcome.OPENED and follow.ticket.id != opened.ticket.id
    note = await TicketEvent.get(ticket_id=follow.ticket.id, action="follow_up_of")
    assert note.new_value == opened.ticket.number and not note.is_public


@pytest.mark.parametrize(
    ("sender", "headers", "outcome"),
    [
        ("huda@example.org", {"Auto-Submitted": "auto-replied"}, Outcome.AUTO_REPLY),
        ("huda@example.org", {"X-Autoreply": "yes"}, Outcome.AUTO_REPLY),
        ("huda@example.org", {"Precedence": "bulk"}, Outcome.AUTO_REPLY),
        ("huda@example.org", {"Precedence": "list"}, Outcome.AUTO_REPLY),
        ("MAILER-DAEMON@mx.example.org", {}, Outcome.BOUNCE),
        ("huda@example.org", {"X-Sanad-Loop": SUPPORT}, Outcome.LOOP),
        (SUPPORT, {}, Outcome.LOOP),
    ],
)
async def test_automatic_mail_is_kept_but_makes_no_ticket(intake, sender, headers, outcome):
    result = await mail_in(intake, email_bytes(sender=sender, headers=headers))
    assert result.outcome == outcome and result.ticket is None
    assert await Ticket.all().count() == 0
    inbound = await InboundMessage.get()
    assert inbound.outcome == outcome.value and inbound.processed_at is not None


async def test_a_delivery_report_is_a_bounce(intake):
    report = (
        b"From: Mail Delivery System <noreply@mx.example.org>\r\nTo: support@sanad.test\r\n"
        b"Subject: Undelivered Mail\r\nMessage-ID: <dsn@mx>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--b--\r\n"
    )
    result = await mail_in(intake, report)
    assert result.outcome == Outcome.BOUNCE and await Ticket.all().count() == 0


async def test_html_only_mail_is_sanitised_to_text(intake):
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;<b>team</b></p>"
        "<script>alert('x')</script><p>Line two <img src=x onerror=alert(1)></p></body></html>"
    )
    result = await mail_in(intake, email_bytes(text=None, html=html))
    ticket = await Ticket.get(id=result.ticket.id)
    assert ticket.description == "Hello\xa0team\nLine two"
    assert ticket.requester_locale == "en"


async def test_attachments_are_kept_outside_the_web_root_and_refused_ones_are_noted(intake):
    result = await mail_in(
        intake,
        email_bytes(
            files=[
                ("receipt.pdf", "application/pdf", PDF),
                ("tool.exe", "application/octet-stream", b"MZ\x90\x00"),
                ("big.pdf", "application/pdf", PDF + b"0" * intake.attachment_max_bytes),
            ]
        ),
    )
    kept = await Attachment.filter(ticket_id=result.ticket.id)
    assert [(a.filename, a.content_type, a.size) for a in kept] == [
        ("receipt.pdf", "application/pdf", len(PDF))
    ]
    path = intake.attachments.path(kept[0].storage_name)
    assert path.read_bytes() == PDF and "static" not in path.parts
    note = await TicketEvent.get(ticket_id=result.ticket.id, action="attachments_refused")
    assert note.new_value == "tool.exe (type_not_allowed), big.pdf (too_large)"


async def test_a_failure_after_storing_loses_nothing_and_the_retry_finishes_the_job(intake):
    blocker = intake.attachments.directory
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a directory")  # the attachment store cannot write: processing fails
    raw = email_bytes(files=[("receipt.pdf", "application/pdf", PDF)])
    received = await receive_email(raw)

    assert await process(received.inbound_id, intake) is None
    inbound = await InboundMessage.get(id=received.inbound_id)
    assert inbound.processed_at is None and inbound.attempts == 1
    assert "Error" in inbound.error and bytes(inbound.payload) == raw
    assert await Ticket.all().count() == 0  # the transaction took the half-made ticket back

    blocker.unlink()
    later = inbound.claimed_until  # the back-off: not before this
    assert await process_pending(intake, now=later) == 1
    inbound = await InboundMessage.get(id=received.inbound_id)
    assert inbound.outcome == "opened" and inbound.error == "" and inbound.attempts == 2
    assert await Attachment.filter(ticket_id=inbound.ticket_id).count() == 1


async def test_two_workers_on_one_message_make_one_ticket(intake):
    received = await receive_email(email_bytes())
    results = await asyncio.gather(
        process(received.inbound_id, intake), process(received.inbound_id, intake)
    )
    assert sorted(r is None for r in results) == [False, True]
    assert await Ticket.all().count() == 1


async def test_a_second_open_ticket_in_the_same_category_is_offered_for_merging(intake):
    form = {
        "kind": "complaint",
        "category": Category.CERTIFICATES,
        "name": "Huda",
        "email": "huda@example.org",
        "subject": "My certificate",
        "description": "Not issued yet",
        "locale": "ar",
    }
    first = await receive(Channel.WEB_FORM, "nonce-1", json.dumps(form).encode())
    second = await receive(Channel.WEB_FORM, "nonce-2", json.dumps(form).encode())
    other = await receive(
        Channel.WEB_FORM, "nonce-3", json.dumps({**form, "category": "registration"}).encode()
    )
    one = await process(first.inbound_id, intake)
    two = await process(second.inbound_id, intake)
    three = await process(other.inbound_id, intake)

    offer = await TicketEvent.get(ticket_id=two.ticket.id, action="merge_offered")
    assert offer.new_value == one.ticket.number and not offer.is_public
    assert not await TicketEvent.filter(ticket_id=one.ticket.id, action="merge_offered").exists()
    assert not await TicketEvent.filter(ticket_id=three.ticket.id, action="merge_offered").exists()


async def test_the_consoles_hear_of_new_tickets_and_replies_after_the_commit(intake):
    bus, heard = MessageBus(), []

    async def listen(event):
        heard.append((type(event).__name__, getattr(event, "action", ""), event.number))

    bus.subscribe(TicketChanged, listen)
    with_bus = replace(intake, bus=bus)
    opened = await mail_in(with_bus, email_bytes(message_id="<heard@example.org>"))
    await mail_in(with_bus, email_bytes(headers={"In-Reply-To": "<heard@example.org>"}))
    number = opened.ticket.number
    assert heard == [
        ("TicketChanged", "opened", number),
        ("TicketChanged", "requester_reply", number),
    ]


async def test_nul_characters_are_dropped_so_any_database_keeps_the_message(intake):
    raw = (
        b"From: Huda\x00 <huda@example.org>\r\nTo: support@sanad.test\r\n"
        b"Subject: login\x00 problem\r\nMessage-ID: <nul\x00@example.org>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nbroken\x00 again\r\n"
    )
    result = await mail_in(intake, raw)
    assert result.outcome == Outcome.OPENED
    ticket = await Ticket.get(id=result.ticket.id)
    assert (ticket.subject, ticket.description) == ("login problem", "broken again")
    reply = await mail_in(
        intake,
        raw.replace(b"<nul\x00@", b"<other@").replace(
            b"Subject: ", b"In-Reply-To: <nul@example.org>\r\nSubject: "
        ),
    )
    assert reply.outcome == Outcome.REPLY and reply.ticket.id == ticket.id
