"""Issue 21, finding 7: emails as mail clients expect them (Date, Message-ID, Auto-Submitted
auto-generated on notifications) and worded for the person who receives them."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest

from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from helpdesk.services import delivery
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from helpdesk.services.messages import MessageWriter
from tests.helpdesk.fixtures import T0, actor, department, new_ticket

pytestmark = pytest.mark.usefixtures("server")


async def test_notifications_carry_date_message_id_and_auto_generated_and_speak_to_their_reader(
    server, smtp_sink, staff_member
):
    writer = MessageWriter(server.app[keys.CATALOGUES], "https://sanad.example")
    out = delivery.Senders(
        writer,
        SmtpMailer("127.0.0.1", smtp_sink.port, "support@sanad.example", timeout=3),
        HttpSmsGateway("http://127.0.0.1:9/unused"),
        WebhookSender(timeout=3),
    )
    dept = await department()
    manager = await staff_member(StaffRole.DEPARTMENT_MANAGER, department=dept)
    agent = await staff_member(StaffRole.LEVEL1_AGENT)
    ticket = await new_ticket(now=T0)
    bus = MessageBus()
    await svc.take_ticket(ticket.id, actor(agent), bus=bus, now=T0)
    await svc.refer_to_department(ticket.id, dept.id, actor(agent), "", bus=bus, now=T0)
    assert (await delivery.deliver_due(T0 + timedelta(minutes=5), out)).sent >= 3
    by_to: dict[str, list] = {}
    for mail in smtp_sink.messages:
        by_to.setdefault(mail["To"], []).append(mail)
        assert parsedate_to_datetime(mail["Date"]).tzinfo is not None
        assert mail["Message-ID"].startswith("<") and mail["Message-ID"].endswith(">")
        assert mail["Auto-Submitted"] == "auto-generated"  # a web-form ticket: nobody wrote these

    [to_manager] = by_to[manager.email]
    text = to_manager.get_body(("plain",)).get_content()
    assert "تذكرتك" not in text and "your ticket" not in text.lower()
    assert "افتح التذكرة في لوحة الموظفين" in text
    assert f"https://sanad.example/console/tickets/{ticket.number}" in text
    trainee_text = by_to["trainee@example.com"][0].get_body(("plain",)).get_content()
    assert "يمكنك متابعة تذكرتك عبر هذا الرابط" in trainee_text
