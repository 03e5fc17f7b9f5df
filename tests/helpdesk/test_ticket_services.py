"""Ticket use cases on the real database: lifecycle, timeline, outbox rows, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.exceptions import IntegrityError

from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.events import TicketChanged
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category, ContactPreference, IllegalTransition, Level, Status
from helpdesk.services import desk
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from tests.helpdesk.fixtures import RIYADH, T0, actor, department, new_ticket

pytestmark = pytest.mark.usefixtures("server")


async def timeline(ticket) -> list[tuple[str, str, str, str]]:
    return [
        (e.action, e.actor, e.old_value, e.new_value)
        for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("at", "id")
    ]


async def outbox(ticket) -> list[tuple[str, str, str]]:
    rows = await Notification.filter(ticket_id=ticket.id).order_by("id")
    return [(n.kind, n.medium, n.recipient) for n in rows]


async def test_a_new_ticket_gets_deadlines_its_department_and_an_acknowledgement():
    certs = await department(mapped=(Category.CERTIFICATES,))
    ticket = await new_ticket(now=T0)
    assert ticket.number == f"SND-2026-{ticket.id:06d}"
    assert ticket.routed_department_id == certs.id
    assert ticket.referral_due_at == T0 + timedelta(hours=24)
    assert ticket.referral_warn_at == T0 + timedelta(hours=18)
    assert ticket.first_response_due_at.astimezone(RIYADH) == T0 + timedelta(hours=4)
    assert await timeline(ticket) == [("opened", "requester", "", "new")]
    assert await outbox(ticket) == [("created", "email", "trainee@example.com")]
    [created] = await Notification.filter(ticket_id=ticket.id)
    assert (
        created.payload["tracking_path"] == f"/track/{ticket.number}?key={ticket.tracking_secret}"
    )


async def test_bad_input_is_refused_and_nothing_is_stored():
    for subject in ("", "   ", "x" * 301):
        with pytest.raises(svc.InvalidInput):
            await new_ticket(subject=subject)
    assert await Ticket.all().count() == 0


async def test_a_ticket_is_stored_with_its_first_line_and_acknowledgement_or_not_at_all(
    monkeypatch,
):
    # On PostgreSQL one statement stores all three; here the database refuses the outbox row.
    made = svc.requester_notifications

    def refused(*args, **kwargs):
        rows = made(*args, **kwargs)
        rows[0].ticket_id = 2**31 - 1  # no such ticket: the foreign key refuses the row
        return rows

    monkeypatch.setattr(svc, "requester_notifications", refused)
    with pytest.raises(IntegrityError):
        await new_ticket()
    assert await Ticket.all().count() == 0
    assert await TicketEvent.all().count() == 0
    assert await Notification.all().count() == 0
    monkeypatch.setattr(svc, "requester_notifications", made)
    ticket = await new_ticket()
    assert await outbox(ticket) == [("created", "email", "trainee@example.com")]


async def test_the_department_path_is_recorded_and_the_requester_told(staff_member):
    certs = await department()
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    manager_row = await staff_member(StaffRole.DEPARTMENT_MANAGER, department=certs)
    manager = actor(manager_row)
    bus, seen = MessageBus(), []

    async def listen(event):
        seen.append(event.action)

    bus.subscribe(TicketChanged, listen)
    t = await new_ticket(phone="+966500000001", preference=ContactPreference.PHONE, bus=bus)
    at = T0
    await svc.take_ticket(t.id, level1, bus=bus, now=(at := at + timedelta(minutes=5)))
    await svc.refer_to_department(
        t.id, certs.id, level1, "للقسم", bus=bus, now=(at := at + timedelta(minutes=5))
    )
    await svc.start_work(t.id, manager, bus=bus, now=(at := at + timedelta(hours=1)))
    await svc.resolve_ticket(
        t.id, manager, "أصدرنا الشهادة", bus=bus, now=(at := at + timedelta(hours=1))
    )
    await svc.verify_closure(t.id, manager, bus=bus, now=(at := at + timedelta(hours=1)))
    done = await svc.close_ticket(t.id, manager, bus=bus, now=(at := at + timedelta(hours=1)))
    assert (done.status, done.level, done.department_id) == (
        Status.CLOSED,
        Level.DEPARTMENT,
        certs.id,
    )
    assert done.referred_at == T0 + timedelta(minutes=10)
    assert done.first_response_at == T0 + timedelta(hours=2, minutes=10)
    assert await timeline(t) == [
        ("opened", "requester", "", "new"),
        ("taken", level1.ref, "new", "open"),
        ("referred", level1.ref, "open", "referred"),
        ("started", manager.ref, "referred", "in_progress"),
        ("resolved", manager.ref, "in_progress", "resolved"),
        ("verified", manager.ref, "resolved", "verified"),
        ("closed", manager.ref, "verified", "closed"),
    ]
    phone = "+966500000001"
    assert await outbox(t) == [
        ("created", "sms", phone),
        ("referred", "sms", phone),
        ("referred_to_department", "email", manager_row.email),
        ("resolved", "sms", phone),
        ("closed", "sms", phone),
    ]
    assert seen == ["opened", "taken", "referred", "started", "resolved", "verified", "closed"]


async def test_an_illegal_step_is_refused_and_changes_nothing(staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    admin = actor(await staff_member(StaffRole.ADMINISTRATOR))
    t = await new_ticket()
    before = await timeline(t)
    with pytest.raises(svc.NotAllowed):
        await svc.verify_closure(t.id, level1, bus=MessageBus())  # Level 1 never verifies
    with pytest.raises(IllegalTransition):
        await svc.verify_closure(t.id, admin, bus=MessageBus())  # nobody verifies a new ticket
    with pytest.raises(IllegalTransition):
        await svc.close_ticket(t.id, level1, bus=MessageBus())
    assert (await Ticket.get(id=t.id)).status == Status.NEW
    assert await timeline(t) == before
    assert len(await outbox(t)) == 1


async def test_scope_other_departments_cannot_act_or_see(staff_member):
    certs, it = await department("certs"), await department("it")
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    outsider = actor(await staff_member(StaffRole.LEVEL2_AGENT, department=it))
    t = await new_ticket()
    await svc.refer_to_department(t.id, certs.id, level1, bus=MessageBus())
    with pytest.raises(svc.NotAllowed):
        await svc.start_work(t.id, outsider, bus=MessageBus())
    with pytest.raises(svc.NotAllowed):
        await svc.visible_ticket(t.id, outsider.staff)
    with pytest.raises(svc.NotAllowed):
        await svc.add_internal_note(t.id, outsider, "x", bus=MessageBus())
    with pytest.raises(svc.NotAllowed):  # Level 1 no longer works it once referred
        await svc.resolve_ticket(t.id, level1, "done", bus=MessageBus())
    assert (await Ticket.get(id=t.id)).status == Status.REFERRED


async def test_level1_resolves_and_the_requester_reopens_then_confirms_and_rates(staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    t = await new_ticket()
    await svc.resolve_ticket(
        t.id, level1, "جرّبي تسجيل الدخول من جديد", now=T0 + timedelta(hours=1), bus=MessageBus()
    )
    with pytest.raises(svc.TicketNotFound):
        await svc.reopen_ticket(t.number, "wrong-key", "ما زالت المشكلة", bus=MessageBus())
    back = await svc.reopen_ticket(
        t.number, t.tracking_secret, "ما زالت المشكلة", now=T0 + timedelta(days=2), bus=MessageBus()
    )
    assert back.status == Status.OPEN
    await svc.resolve_ticket(t.id, level1, "تم", now=T0 + timedelta(days=3), bus=MessageBus())
    with pytest.raises(svc.InvalidInput):
        await svc.rate_ticket(t.number, t.tracking_secret, 5, bus=MessageBus())  # not closed yet
    await svc.confirm_closure(
        t.number, t.tracking_secret, now=T0 + timedelta(days=3, hours=1), bus=MessageBus()
    )
    for bad in (0, 6, "5"):
        with pytest.raises(svc.InvalidInput):
            await svc.rate_ticket(t.number, t.tracking_secret, bad, bus=MessageBus())
    rated = await svc.rate_ticket(t.number, t.tracking_secret, 4, "شكرًا", bus=MessageBus())
    assert (rated.rating, rated.rating_comment) == (4, "شكرًا")
    with pytest.raises(svc.InvalidInput):
        await svc.rate_ticket(t.number, t.tracking_secret, 5, bus=MessageBus())
    with pytest.raises(IllegalTransition) as late:
        await svc.reopen_ticket(
            t.number, t.tracking_secret, "again", now=T0 + timedelta(days=40), bus=MessageBus()
        )
    assert late.value.code == "reopen_window_passed"
    public = [e.action for e in await svc.public_timeline(t)]
    assert public == ["opened", "resolved", "reopened", "resolved", "confirmed"]


async def test_reopen_window_is_the_administrators_setting(staff_member):
    await desk.update_settings(
        working_days=[6, 0, 1, 2, 3],
        opening="09:00",
        closing="17:00",
        warn_share=0.75,
        reopen_days=1,
    )
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    t = await new_ticket()
    await svc.resolve_ticket(t.id, level1, "تم", now=T0, bus=MessageBus())
    with pytest.raises(IllegalTransition):
        await svc.reopen_ticket(
            t.number, t.tracking_secret, "لا", now=T0 + timedelta(days=2), bus=MessageBus()
        )


async def test_merge_duplicates_and_mark_spam(staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    first, dup = await new_ticket(), await new_ticket()
    with pytest.raises(IllegalTransition):
        await svc.merge_tickets(first.id, first.number, level1, bus=MessageBus())
    for nonsense in ("SND-2026-999999", "x" * 50, "SND\x00"):
        with pytest.raises(svc.InvalidInput):
            await svc.merge_tickets(dup.id, nonsense, level1, bus=MessageBus())
    merged = await svc.merge_tickets(dup.id, first.number, level1, bus=MessageBus())
    assert (merged.status, merged.merged_into_id) == (Status.MERGED, first.id)
    assert ("merged_in", level1.ref, "", dup.number) in await timeline(first)
    with pytest.raises(svc.InvalidInput):  # cannot merge into a merged ticket
        await svc.merge_tickets(first.id, dup.number, level1, bus=MessageBus())
    spam = await new_ticket(subject="اربح جائزة")
    assert (await svc.mark_spam(spam.id, level1, bus=MessageBus())).status == Status.SPAM
    assert await Ticket.filter(id=spam.id).exists()  # kept, not deleted
    assert (await svc.unmark_spam(spam.id, level1, bus=MessageBus())).status == Status.NEW


async def test_public_reply_is_the_first_response_and_notes_stay_internal(staff_member):
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    t = await new_ticket()
    await svc.add_internal_note(
        t.id, level1, "اتصلت بها", now=T0 + timedelta(minutes=1), bus=MessageBus()
    )
    await svc.reply_to_requester(
        t.id, level1, "نعمل على طلبك", now=T0 + timedelta(minutes=30), bus=MessageBus()
    )
    await svc.reply_to_requester(
        t.id, level1, "ما زلنا", now=T0 + timedelta(hours=2), bus=MessageBus()
    )
    await svc.requester_reply(
        t.number, t.tracking_secret, "شكرًا", now=T0 + timedelta(hours=3), bus=MessageBus()
    )
    t = await Ticket.get(id=t.id)
    assert t.first_response_at == T0 + timedelta(minutes=30)
    public = [(e.action, e.body) for e in await svc.public_timeline(t)]
    assert ("note", "اتصلت بها") not in public
    assert public[1:] == [
        ("reply", "نعمل على طلبك"),
        ("reply", "ما زلنا"),
        ("requester_reply", "شكرًا"),
    ]
    replies = await Notification.filter(ticket_id=t.id, kind="reply")
    assert [n.payload["reply"] for n in replies] == ["نعمل على طلبك", "ما زلنا"]


async def test_the_next_ticket_follows_a_change_to_the_desk_at_once():
    # The desk is kept between tickets while its revision holds; each change writes a new one.
    before = await new_ticket()
    certs = await department(mapped=(Category.CERTIFICATES,))
    routed = await new_ticket()
    assert (before.routed_department_id, routed.routed_department_id) == (None, certs.id)
    hook = await desk.add_webhook("http://127.0.0.1:9/h", "k", ["ticket.created"])
    assert ("ticket.created", "webhook", str(hook.id)) in await outbox(await new_ticket())
    await desk.remove_webhook(hook.id)
    await desk.route_category(Category.CERTIFICATES, None)
    last = await new_ticket()
    assert last.routed_department_id is None
    assert [row for row in await outbox(last) if row[1] == "webhook"] == []


async def test_subscribed_webhooks_get_outbox_rows(staff_member):
    hook = await desk.add_webhook("http://127.0.0.1:9/h", "k", ["ticket.created"])
    await desk.add_webhook("http://127.0.0.1:9/other", "k", ["ticket.closed"])
    t = await new_ticket()
    assert ("ticket.created", "webhook", str(hook.id)) in await outbox(t)
    assert len([row for row in await outbox(t) if row[1] == "webhook"]) == 1


async def test_a_nul_character_is_refused_on_every_backend():
    for field in ("subject", "email"):
        with pytest.raises(svc.InvalidInput):
            if field == "subject":
                await new_ticket(subject="a\x00b")
            else:
                await new_ticket(email="a\x00@b.sa")
    assert await Ticket.all().count() == 0
