"""Email in through real servers: the app's own SMTP listener (aiosmtpd) and dovecot over IMAP."""

import asyncio
import imaplib
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import aiosmtplib
import pytest

from helpdesk.adapters.channels.email_in import ImapMailbox, poll_mailbox
from helpdesk.adapters.orm.channels import InboundMessage
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.entrypoints import keys
from helpdesk.services.intake import process_pending, receive_email
from tests.channels.imap_server import PASSWORD, USER, Dovecot, available
from tests.channels.mail import SUPPORT, email_bytes
from tests.channels.waiting import eventually


@pytest.fixture
async def smtp_app(serve_with):
    server = await serve_with(
        inbound_smtp_port=0, support_addresses=(SUPPORT,), mail_max_bytes=64 * 1024
    )
    port = server.app[keys.SMTP_LISTENER].sockets[0].getsockname()[1]
    return server, port


async def send(port, raw, to=SUPPORT, sender="huda@example.org"):
    return await aiosmtplib.send(
        raw,
        sender=sender,
        recipients=[to],
        hostname="127.0.0.1",
        port=port,
        timeout=10,
        local_hostname="example.org",  # no DNS lookup of this host's name (helpdesk mailer)
    )


async def test_mail_to_the_listener_becomes_a_ticket_and_a_reply_threads_onto_it(smtp_app):
    _, port = smtp_app
    await send(port, email_bytes(message_id="<one@example.org>"))
    await eventually(lambda: Ticket.exists())
    ticket = await Ticket.get()
    assert ticket.channel == "email" and ticket.requester_email == "huda@example.org"

    await send(
        port,
        email_bytes(
            subject="Re: login", text="Still broken", headers={"In-Reply-To": "<one@example.org>"}
        ),
    )
    await eventually(lambda: TicketEvent.exists(ticket_id=ticket.id, action="requester_reply"))
    assert await Ticket.all().count() == 1


async def test_the_listener_stores_a_resent_message_once(smtp_app):
    _, port = smtp_app
    raw = email_bytes(message_id="<twice@example.org>")
    await send(port, raw)
    await send(port, raw)
    await eventually(lambda: Ticket.exists())
    await asyncio.sleep(0.2)
    assert await InboundMessage.all().count() == 1 and await Ticket.all().count() == 1


async def test_the_listener_refuses_other_mailboxes_oversized_and_unreadable_mail(smtp_app):
    _, port = smtp_app
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send(port, email_bytes(), to="someone@elsewhere.org")
    with pytest.raises(aiosmtplib.SMTPResponseException) as too_big:
        await send(port, email_bytes(text="x" * 70_000))
    assert too_big.value.code == 552
    with pytest.raises(aiosmtplib.SMTPDataError) as unreadable:
        await send(port, b"Subject: no sender\r\n\r\nbody\r\n")
    assert unreadable.value.code == 550
    assert not await InboundMessage.exists()


async def test_an_auto_reply_to_the_listener_makes_no_ticket(smtp_app):
    _, port = smtp_app
    await send(port, email_bytes(headers={"Auto-Submitted": "auto-replied"}))
    await eventually(lambda: InboundMessage.exists(outcome="auto_reply"))
    assert not await Ticket.exists()


# -- IMAP, against dovecot -----------------------------------------------------------------------

needs_dovecot = pytest.mark.skipif(not available(), reason="dovecot-imapd is not installed")


@pytest.fixture
def dovecot():
    # Not under pytest's private tmp_path: dovecot's mail processes run as nobody and must reach it.
    root = Path(tempfile.mkdtemp(prefix="sanad-dovecot-"))
    server = Dovecot(root)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def mailbox_of(dovecot) -> ImapMailbox:
    return ImapMailbox("127.0.0.1", dovecot.port, USER, PASSWORD, tls="none")


@needs_dovecot
async def test_imap_polling_makes_tickets_and_a_refetch_makes_no_second_one(
    server, dovecot, intake
):
    dovecot.deliver(email_bytes(message_id="<imap-1@example.org>"))
    dovecot.deliver(email_bytes(sender="MAILER-DAEMON@mx.example.org", subject="Undelivered"))

    assert await poll_mailbox(mailbox_of(dovecot), receive_email) == 2
    await process_pending(intake)
    assert dovecot.seen_count() == 2
    assert await Ticket.all().count() == 1
    assert await InboundMessage.filter(outcome="bounce").count() == 1

    dovecot.mark_all_unseen()  # as if the poller died before marking them seen
    assert await poll_mailbox(mailbox_of(dovecot), receive_email) == 2
    await process_pending(intake)
    assert await InboundMessage.all().count() == 2 and await Ticket.all().count() == 1


@needs_dovecot
async def test_the_app_polls_imap_when_configured(serve_with, dovecot):
    await serve_with(
        scheduler=True,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_user=USER,
        imap_password=PASSWORD,
        imap_tls="none",
        imap_poll_seconds=1,
    )
    dovecot.deliver(email_bytes(subject="Certificate not issued"))
    await eventually(lambda: Ticket.exists(subject="Certificate not issued"))


@needs_dovecot
async def test_a_wrong_imap_password_fails_loudly_and_stores_nothing(dovecot):
    wrong = replace(mailbox_of(dovecot), password="wrong")
    with pytest.raises(imaplib.IMAP4.error):
        await poll_mailbox(wrong, receive_email)
