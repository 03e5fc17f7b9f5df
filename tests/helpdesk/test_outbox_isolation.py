"""The outbox's drills (issue 20): a poison row among good ones, an SMTP server that refuses for a
while, a slow one shared by two schedulers, a row left mid-send, and Level 1 sending again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from helpdesk.services import delivery
from helpdesk.services.messages import MessageWriter
from tests.helpdesk.fixtures import T0, new_ticket
from tests.helpdesk.pages import csrf_of
from tests.helpdesk.smtp_sink import SmtpSink

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture
def writer(server):
    return MessageWriter(server.app[keys.CATALOGUES], "https://sanad.example")


def by_mail(writer, port: int, timeout: float = 3) -> delivery.Senders:
    mailer = SmtpMailer("127.0.0.1", port, "support@sanad.example", timeout=timeout)
    return delivery.Senders(writer, mailer, None, WebhookSender(timeout=3))


class RefusingSink(SmtpSink):
    """Answers 451 (try later) while `refusing`; takes `delay` seconds per message."""

    def __init__(self, refusing: bool = False, delay: float = 0.0) -> None:
        super().__init__()
        self.refusing, self.delay = refusing, delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refusing:
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink_factory():
    made = []

    def make(**options) -> RefusingSink:
        sink = RefusingSink(**options)
        sink.start()
        made.append(sink)
        return sink

    yield make
    for sink in made:
        sink.stop()


async def poison(ticket: Ticket, recipient: str, kind: str = "created") -> Notification:
    """A row as an older release could write it (before every door checked contacts)."""
    return await Notification.create(
        ticket=ticket, kind=kind, medium="email", recipient=recipient, locale="ar",
        payload={"number": ticket.number, "subject": "s", "status": "new", "name": "x",
                 "tracking_path": "/track/x"},
        next_attempt_at=T0 - timedelta(minutes=5), created_at=T0 - timedelta(minutes=5),
    )  # fmt: skip


async def test_poison_rows_among_ten_good_ones_do_not_stop_the_round(writer, sink_factory):
    sink = sink_factory()
    first = await new_ticket(now=T0, email="first@example.com")
    bad_address = await poison(first, "<>@x.org")
    bad_header = await poison(first, "ok@example.com\r\nBcc: all@example.com")
    unknown_kind = await poison(first, "first@example.com", kind="no_such_kind")
    for n in range(9):
        await new_ticket(now=T0, email=f"t{n}@example.com")

    result = await delivery.deliver_due(T0 + timedelta(seconds=1), by_mail(writer, sink.port))

    assert (result.sent, result.failed) == (10, 3)
    assert sorted(m["To"] for m in sink.messages) == sorted(
        ["first@example.com"] + [f"t{n}@example.com" for n in range(9)]
    )
    for never in (bad_address, bad_header):  # no server will ever take these: failed at once
        row = await Notification.get(id=never.id)
        assert (row.state, row.attempts) == ("failed", 1)
        assert "not a valid email address" in row.last_error
    row = await Notification.get(id=unknown_kind.id)  # our side failed: tried again later
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at > T0 + timedelta(seconds=1)
    assert "no_such_kind" in row.last_error
    lines = await TicketEvent.filter(ticket_id=first.id, action="notification_given_up")
    assert len(lines) == 2 and all("not a valid email address" in e.body for e in lines)
    assert await Notification.filter(state="sending").count() == 0


async def test_an_smtp_server_refusing_for_a_while_gets_each_message_once(writer, sink_factory):
    sink = sink_factory(refusing=True)
    out = by_mail(writer, sink.port)
    for n in range(5):
        await new_ticket(now=T0, email=f"t{n}@example.com")
    refused = await delivery.deliver_due(T0, out)
    assert (refused.sent, refused.failed) == (0, 5)
    assert (await delivery.deliver_due(T0 + timedelta(seconds=30), out)).failed == 5
    sink.refusing = False
    back = await delivery.deliver_due(T0 + timedelta(minutes=2), out)
    assert (back.sent, back.failed) == (5, 0)
    for later in (timedelta(minutes=5), timedelta(hours=2)):
        assert (await delivery.deliver_due(T0 + later, out)).sent == 0
    assert sorted(m["To"] for m in sink.messages) == [f"t{n}@example.com" for n in range(5)]
    assert await Notification.filter(state="sent", attempts=3).count() == 5


async def test_a_slow_server_and_two_schedulers_whose_leases_overlap_send_each_once(
    writer, sink_factory
):
    # The second scheduler runs when, by its clock, the first one's lease has run out while the
    # first is still sending (the drill: a slow SMTP server, two processes, 26 duplicates).
    sink = sink_factory(delay=0.2)
    out = by_mail(writer, sink.port, timeout=10)
    for n in range(6):
        await new_ticket(now=T0, email=f"t{n}@example.com")
    first, second = await asyncio.gather(
        delivery.deliver_due(T0, out),
        delivery.deliver_due(T0 + delivery.LEASE + timedelta(seconds=1), out),
    )
    assert first.sent + second.sent == 6
    assert sorted(m["To"] for m in sink.messages) == [f"t{n}@example.com" for n in range(6)]
    assert await Notification.filter(state="sent", attempts=1).count() == 6
    sent_lines = await TicketEvent.filter(action="notification_sent").count()
    assert sent_lines == 6


async def test_a_row_left_mid_send_is_given_up_never_sent_twice(writer, sink_factory):
    sink = sink_factory()
    ticket = await new_ticket(now=T0)
    row = await Notification.get(ticket_id=ticket.id)
    # a process that stopped between the send and the record left it so
    await Notification.filter(id=row.id).update(
        state="sending", attempts=1, claimed_until=(T0 + delivery.SEND_LIMIT).astimezone(UTC)
    )
    out = by_mail(writer, sink.port)
    assert (await delivery.deliver_due(T0 + timedelta(minutes=1), out)).interrupted == 0
    later = await delivery.deliver_due(T0 + delivery.SEND_LIMIT + timedelta(seconds=1), out)
    assert (later.interrupted, later.sent) == (1, 0)
    assert sink.messages == []
    row = await Notification.get(id=row.id)
    assert (row.state, row.last_error) == ("failed", delivery.INTERRUPTED)


async def test_level1_sees_what_failed_corrects_the_contact_and_sends_again(
    writer, sink_factory, client, log_in_as
):
    sink = sink_factory()
    ticket = await new_ticket(now=T0, email="first@example.com")
    row = await Notification.get(ticket_id=ticket.id)
    await Notification.filter(id=row.id).update(recipient="sara@@example")
    await Ticket.filter(id=ticket.id).update(requester_email="sara@@example")
    out = by_mail(writer, sink.port)
    assert (await delivery.deliver_due(T0, out)).failed == 1

    await log_in_as(StaffRole.LEVEL1_AGENT)
    page = await (await client.get("/console/queue")).text()
    assert "sara@@example" in page and ticket.number in page
    assert "not a valid email address" in page
    url = f"/console/notifications/{row.id}/send-again"
    wrong = await client.post(
        url, data={"csrf": csrf_of(page), "recipient": "still@@wrong"}, allow_redirects=False
    )
    assert wrong.status == 400
    assert "ليس عنوان بريد إلكتروني صالحًا" in await wrong.text()
    fixed = await client.post(
        url, data={"csrf": csrf_of(page), "recipient": "sara@example.com"}, allow_redirects=False
    )
    assert fixed.status == 303
    assert (await Ticket.get(id=ticket.id)).requester_email == "sara@example.com"
    assert (await delivery.deliver_due(datetime.now(UTC), out)).sent == 1  # sent again now
    assert [m["To"] for m in sink.messages] == ["sara@example.com"]
    assert await TicketEvent.filter(ticket_id=ticket.id, action="notification_resent").exists()
    again = await client.post(
        url, data={"csrf": csrf_of(page), "recipient": "x@example.com"}, allow_redirects=False
    )
    assert again.status == 404  # no longer failed
