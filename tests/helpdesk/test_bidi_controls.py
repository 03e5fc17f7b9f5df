"""Bidi controls (U+202A–U+202E, U+2066–U+2069) never reorder what staff or requesters read (issue
20): taken out at the doors, and out of every server-rendered page and email whatever was stored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.contacts import BIDI_CONTROLS, for_display, without_bidi_controls
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from helpdesk.services import delivery
from helpdesk.services.messages import MessageWriter
from tests.helpdesk.fixtures import T0, new_ticket
from tests.helpdesk.test_outbox_isolation import by_mail

SPOOF = "\u202eفاتورة\u202c \u2066SND-2026-999999\u2069 \u202a\u202b\u202d"


def test_the_pure_function():
    assert without_bidi_controls(SPOOF) == "فاتورة SND-2026-999999 "
    assert for_display(7) == 7
    from markupsafe import Markup

    shown = for_display(Markup("<b>\u202ex</b>"))
    assert isinstance(shown, Markup) and shown == Markup("<b>x</b>")


async def test_the_door_takes_them_out(server):
    ticket = await new_ticket(subject="عن " + SPOOF)
    stored = await Ticket.get(id=ticket.id)
    assert not BIDI_CONTROLS.search(stored.subject + stored.requester_name + stored.description)
    assert not any(BIDI_CONTROLS.search(e.body) for e in await TicketEvent.all())


async def test_pages_and_emails_never_show_them(server, client, log_in_as, smtp_sink):
    ticket = await new_ticket(now=T0)
    # as an older release stored them, before the doors took them out
    await Ticket.filter(id=ticket.id).update(subject=SPOOF, requester_name="سارة" + SPOOF)
    await log_in_as(StaffRole.LEVEL1_AGENT)
    for page in (f"/console/tickets/{ticket.number}", "/console/queue"):
        html = await (await client.get(page)).text()
        assert "SND-2026-999999" in html and not BIDI_CONTROLS.search(html), page
    tracking = await client.get(f"/track/{ticket.number}?key={ticket.tracking_secret}")
    assert not BIDI_CONTROLS.search(await tracking.text())

    from helpdesk.adapters.orm.desk import Notification

    row = await Notification.get(ticket_id=ticket.id)
    row.payload = {**row.payload, "subject": SPOOF, "name": SPOOF}
    await row.save()
    writer = MessageWriter(server.app[keys.CATALOGUES], "https://sanad.example")
    assert (
        await delivery.deliver_due(T0 + timedelta(seconds=1), by_mail(writer, smtp_sink.port))
    ).sent == 1
    [mail] = smtp_sink.messages
    for part in ("html", "plain"):
        body = mail.get_body((part,)).get_content()
        assert "SND-2026-999999" in body and not BIDI_CONTROLS.search(body)


@pytest.mark.parametrize("field", ["name", "subject"])
async def test_the_api_door_too(client, field):
    from tests.channels.test_contacts_at_every_door import auth
    from tests.helpdesk.fixtures import NEW_TICKET

    body = dict(NEW_TICKET)
    if field == "name":
        body["requester"] = NEW_TICKET["requester"] | {"name": "سارة\u202e"}
    else:
        body["subject"] = "شهادة\u2066"
    assert (await client.post("/api/v1/tickets", json=body, headers=await auth())).status == 201
    ticket = await Ticket.get()
    assert not BIDI_CONTROLS.search(ticket.requester_name + ticket.subject)
