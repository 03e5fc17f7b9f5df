"""Ticket use cases: one function each, one transaction each.

Every change locks the ticket row, applies the pure lifecycle rule, writes the timeline line and the
outbox notifications in the same transaction, and publishes a domain event once committed. `bus` is
required of every caller: the one way consoles and rooms hear of a change. A caller passes None
only when it publishes itself after its own, larger transaction (intake) or through the room's
own log (a room issue's ticket), and says so.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.institute import Department
from helpdesk.adapters.orm.new_tickets import begin_opening, store_new_ticket
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain import tickets as lifecycle
from helpdesk.domain.access import StaffAction, StaffActor, TicketScope, may
from helpdesk.domain.contacts import (
    InvalidContact,
    email_address,
    phone_number,
    without_bidi_controls,
)
from helpdesk.domain.events import TicketChanged
from helpdesk.domain.notifications import NotificationKind
from helpdesk.domain.secret_check import same_secret
from helpdesk.domain.sla import deadlines_for
from helpdesk.domain.tickets import (
    TICKET_NUMBER_PATTERN,
    Category,
    Channel,
    Priority,
    Requester,
    Status,
    TicketFlow,
    TicketKind,
    ticket_number,
)
from helpdesk.i18n import N_
from helpdesk.services.bus import AfterCommit, MessageBus
from helpdesk.services.desk import load_desk
from helpdesk.services.outbox import (
    notify_department_managers,
    notify_requester,
    requester_notifications,
)
from helpdesk.services.timeline import Actor, record, timeline_line

MAX_SUBJECT = 300
MAX_TEXT = 20_000


class TicketNotFound(LookupError):
    """No such ticket (or, for a requester, a wrong tracking key: we do not say which)."""


class NotAllowed(PermissionError):
    """The actor's role or department does not allow this on this ticket."""


class InvalidInput(ValueError):
    """Input that cannot be stored; the message (English, translated where shown) says why."""

    def __init__(self, message: str, **values: object):
        self.message, self.values = message, values
        super().__init__(message % values if values else message)


def _now(now: datetime | None) -> datetime:
    # UTC always: SQLite compares stored timestamps as text, so filters must use the same zone.
    return (now or datetime.now(UTC)).astimezone(UTC)


def _text(value: str, what: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    value = (value or "").strip()
    if "\x00" in value:  # PostgreSQL cannot store it; no person types it
        raise InvalidInput(N_("%(what)s contains a character that is not allowed"), what=what)
    if required and not value:
        raise InvalidInput(N_("%(what)s is required"), what=what)
    if len(value) > limit:
        raise InvalidInput(
            N_("%(what)s is longer than %(limit)s characters"), what=what, limit=limit
        )
    return value


async def open_ticket(
    *,
    kind: TicketKind,
    category: Category,
    channel: Channel,
    requester: Requester,
    subject: str,
    description: str = "",
    room_session_id: int | None = None,
    course_id: int | None = None,
    priority: Priority = Priority.NORMAL,
    actor: str = "requester",
    actor_name: str = "",
    bus: MessageBus,
    now: datetime | None = None,
    flag_bad_contact: bool = False,
) -> Ticket:
    """Every channel's way in: a numbered ticket in Level 1's queue, its deadlines, its first
    timeline line, and the requester's acknowledgement (number and tracking link) in the outbox."""
    now = _now(now)
    subject = _text(subject, N_("subject"), MAX_SUBJECT)
    description = _text(description, N_("description"), required=False)
    _text(requester.name, N_("requester name"), 200)
    _text(requester.ref, N_("requester reference"), 100, required=False)
    requester, contact_flag = checked_contacts(requester, flag_bad=flag_bad_contact)
    opening = await begin_opening()
    desk = await load_desk(now, opening.desk_revision)
    due = deadlines_for(now, Priority(priority), desk.calendar, desk.policy)
    ticket = Ticket(
        kind=kind,
        category=category,
        channel=channel,
        subject=without_bidi_controls(subject),
        description=without_bidi_controls(description),
        requester_ref=requester.ref,
        requester_name=without_bidi_controls(requester.name.strip()),
        requester_email=requester.email,
        requester_phone=requester.phone,
        contact_flag=contact_flag,
        contact_preference=requester.contact_preference,
        requester_locale=requester.locale,
        room_session_id=room_session_id,
        course_id=course_id,
        priority=priority,
        status=Status.NEW,
        routed_department_id=desk.routes.get(Category(category)),
        tracking_secret=secrets.token_urlsafe(24),
        received_at=now,
        referral_due_at=due.referral_due,
        referral_warn_at=due.referral_warn_at,
        referral_check_at=due.referral_warn_at,
        first_response_due_at=due.first_response_due,
        resolution_due_at=due.resolution_due,
    )

    def first_rows(ticket: Ticket) -> list:
        opener = Actor(actor, actor_name or requester.name, channel=channel)
        opened = timeline_line(
            ticket, opener, "opened", now, new=Status.NEW, body=description, public=True
        )
        return [
            opened,
            *requester_notifications(ticket, NotificationKind.CREATED, now, desk.webhooks),
        ]

    # all or nothing: the numbered ticket, its first line and its acknowledgement
    await store_new_ticket(
        ticket, opening, lambda serial: ticket_number(now.year, serial), first_rows
    )
    await bus.publish(changed_event(ticket, "opened"))
    return ticket


def checked_contacts(requester: Requester, *, flag_bad: bool = False) -> tuple[Requester, str]:
    """The requester with their email and phone as stored (validated, E.164), and why Level 1
    must check them. A door where a person fills a form refuses a bad contact (InvalidInput); a
    channel that cannot ask again (mail-in) keeps the ticket, leaves the contact out so that
    the outbox never holds a row it cannot send, and flags it."""
    found, flags = {}, []
    for field, check in (("email", email_address), ("phone", phone_number)):
        given = getattr(requester, field)
        try:
            found[field] = check(given)
        except InvalidContact as error:
            if not flag_bad:
                raise InvalidInput(error.message, what=error.what) from None
            found[field] = ""
            flags.append(f"{error}: {without_bidi_controls(given.strip())[:80]!r}")
    return replace(requester, **found), "; ".join(flags)[:200]


def scope_of(ticket: Ticket) -> TicketScope:
    return TicketScope(ticket.level, ticket.department_id, ticket.routed_department_id)


def check_allowed(actor: Actor, action: StaffAction, ticket: Ticket) -> None:
    if actor.staff is not None and not may(actor.staff, action, scope_of(ticket)):
        raise NotAllowed(f"not allowed to {action.value} this ticket")


async def visible_ticket(ref: int | str, staff: StaffActor | None) -> Ticket:
    """The ticket (by id, or by number when `ref` is text) if `staff` may see it; None: a client
    that acts for no staff member (an API token without one) sees every ticket."""
    found = Ticket.get_or_none(number=ref) if isinstance(ref, str) else Ticket.get_or_none(id=ref)
    ticket = await found
    if ticket is None:
        raise TicketNotFound(ref)
    if staff is not None:
        check_allowed(Actor.of_staff(staff), StaffAction.VIEW, ticket)
    return ticket


def flow_of(ticket: Ticket) -> TicketFlow:
    return TicketFlow(
        status=Status(ticket.status),
        level=lifecycle.Level(ticket.level),
        department_id=ticket.department_id,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        merged_into=str(ticket.merged_into_id) if ticket.merged_into_id else None,
        status_before_spam=Status(ticket.status_before_spam) if ticket.status_before_spam else None,
    )


def store_flow(ticket: Ticket, flow: TicketFlow) -> None:
    ticket.status = flow.status
    ticket.level = flow.level
    ticket.department_id = flow.department_id
    ticket.resolved_at = flow.resolved_at
    ticket.closed_at = flow.closed_at
    ticket.status_before_spam = flow.status_before_spam.value if flow.status_before_spam else ""


def changed_event(ticket: Ticket, action: str) -> TicketChanged:
    return TicketChanged(
        ticket.id,
        ticket.number,
        action,
        str(ticket.status),
        int(ticket.level),
        ticket.department_id,
        ticket.room_session_id,
        ticket.routed_department_id,
    )


Step = Callable[[Ticket, datetime], Awaitable[None]]


async def _change(
    ticket_id: int,
    actor: Actor,
    permission: StaffAction,
    action: str,
    apply: Callable[[TicketFlow, datetime], TicketFlow],
    *,
    body: str = "",
    public: bool = False,
    then: Step | None = None,
    bus: MessageBus,
    now: datetime | None,
) -> Ticket:
    """A lifecycle step: lock, check, apply the rule, record, run `then` (outbox), publish."""
    now = _now(now)
    async with in_transaction():
        ticket = await Ticket.filter(id=ticket_id).select_for_update().first()
        if ticket is None:
            raise TicketNotFound(ticket_id)
        check_allowed(actor, permission, ticket)
        old = str(ticket.status)
        store_flow(ticket, apply(flow_of(ticket), now))
        if then is not None:
            await then(ticket, now)
        await ticket.save()
        await record(
            ticket, actor, action, now, old=old, new=str(ticket.status), body=body, public=public
        )
    await bus.publish(changed_event(ticket, action))
    return ticket


async def take_ticket(ticket_id: int, actor: Actor, *, bus: MessageBus, now=None) -> Ticket:
    """Level 1 takes a new ticket into its hands."""

    async def assign(ticket: Ticket, _now: datetime) -> None:
        if actor.staff is not None:
            ticket.assignee_id = actor.staff.id

    return await _change(
        ticket_id, actor, StaffAction.TAKE, "taken",
        lambda f, _: lifecycle.open_at_level1(f), then=assign, bus=bus, now=now,
    )  # fmt: skip


async def refer_to_department(
    ticket_id: int,
    department_id: int,
    actor: Actor,
    note: str = "",
    *,
    bus: MessageBus,
    now=None,
) -> Ticket:
    """Level 1 (or another department) refers the case to the competent department's manager."""
    note = _text(note, N_("note"), required=False)
    if not await Department.exists(id=department_id):
        raise InvalidInput(N_("no such department"))
    return await _change(
        ticket_id, actor, StaffAction.REFER, "referred",
        lambda f, _: lifecycle.refer_to_department(f, department_id),
        body=note, then=_on_referral(NotificationKind.REFERRED), bus=bus, now=now,
    )  # fmt: skip


def _on_referral(kind: NotificationKind) -> Step:
    async def then(ticket: Ticket, now: datetime) -> None:
        ticket.referred_at = ticket.referred_at or now
        ticket.assignee_id = None
        await notify_requester(ticket, kind, now)
        await notify_department_managers(
            ticket, ticket.department_id, NotificationKind.REFERRED_TO_DEPARTMENT, now
        )

    return then


async def return_to_level1(ticket_id: int, actor: Actor, reason: str, *, bus: MessageBus, now=None):
    reason = _text(reason, N_("reason"))

    async def unassign(ticket: Ticket, _now: datetime) -> None:
        ticket.assignee_id = None

    return await _change(
        ticket_id, actor, StaffAction.RETURN, "returned",
        lambda f, _: lifecycle.return_to_level1(f), body=reason, then=unassign, bus=bus, now=now,
    )  # fmt: skip


async def start_work(ticket_id: int, actor: Actor, *, bus: MessageBus, now=None) -> Ticket:
    async def assign(ticket: Ticket, _now: datetime) -> None:
        if actor.staff is not None:
            ticket.assignee_id = actor.staff.id

    return await _change(
        ticket_id, actor, StaffAction.START, "started",
        lambda f, _: lifecycle.start_work(f), then=assign, bus=bus, now=now,
    )  # fmt: skip


async def resolve_ticket(
    ticket_id: int, actor: Actor, resolution: str, *, bus: MessageBus, now=None
):
    """Resolve at whichever level holds it; the resolution is a public reply to the requester."""
    resolution = _text(resolution, N_("resolution"))

    async def tell(ticket: Ticket, now: datetime) -> None:
        ticket.first_response_at = ticket.first_response_at or now
        await notify_requester(ticket, NotificationKind.RESOLVED, now, reply=resolution)

    return await _change(
        ticket_id, actor, StaffAction.RESOLVE, "resolved", lifecycle.resolve,
        body=resolution, public=True, then=tell, bus=bus, now=now,
    )  # fmt: skip


async def verify_closure(
    ticket_id: int, actor: Actor, note: str = "", *, bus: MessageBus, now=None
):
    return await _change(
        ticket_id, actor, StaffAction.VERIFY, "verified",
        lambda f, _: lifecycle.verify_closure(f), body=_text(note, N_("note"), required=False),
        bus=bus, now=now,
    )  # fmt: skip


async def _tell_closed(ticket: Ticket, now: datetime) -> None:
    await notify_requester(ticket, NotificationKind.CLOSED, now)


async def close_ticket(ticket_id: int, actor: Actor, *, bus: MessageBus, now=None) -> Ticket:
    return await _change(
        ticket_id, actor, StaffAction.CLOSE, "closed", lifecycle.close,
        then=_tell_closed, bus=bus, now=now,
    )  # fmt: skip


async def mark_spam(ticket_id: int, actor: Actor, *, bus: MessageBus, now=None) -> Ticket:
    return await _change(
        ticket_id, actor, StaffAction.MARK_SPAM, "marked_spam",
        lambda f, _: lifecycle.mark_spam(f), bus=bus, now=now,
    )  # fmt: skip


async def unmark_spam(ticket_id: int, actor: Actor, *, bus: MessageBus, now=None) -> Ticket:
    return await _change(
        ticket_id, actor, StaffAction.UNMARK_SPAM, "unmarked_spam",
        lambda f, _: lifecycle.unmark_spam(f), bus=bus, now=now,
    )  # fmt: skip


async def merge_tickets(
    ticket_id: int, into_number: str, actor: Actor, *, bus: MessageBus, now=None
):
    """The ticket duplicates `into_number`: it ends as merged, and both timelines say so."""
    now = _now(now)
    own_number = await Ticket.filter(id=ticket_id).first().values_list("number", flat=True)
    if own_number is None:
        raise TicketNotFound(ticket_id)
    held = AfterCommit()  # the merged ticket's news, told once both timelines are committed
    async with in_transaction():
        into_number = into_number.strip().upper()
        valid = re.fullmatch(TICKET_NUMBER_PATTERN, into_number)
        target = valid and await Ticket.filter(number=into_number).select_for_update().first()
        if not target:
            raise InvalidInput(N_("no ticket with that number"))
        if not lifecycle.can_receive_merge(flow_of(target)):
            raise InvalidInput(N_("the ticket to merge into is no longer open"))
        check_allowed(actor, StaffAction.VIEW, target)

        async def point(ticket: Ticket, now: datetime) -> None:
            ticket.merged_into_id = target.id
            await record(target, actor, "merged_in", now, new=ticket.number)

        ticket = await _change(
            ticket_id, actor, StaffAction.MERGE, "merged",
            lambda f, _: lifecycle.merge_into(f, target.number, own_number),
            then=point, bus=held, now=now,
        )  # fmt: skip
    await held.release_to(bus)
    await bus.publish(changed_event(target, "merged_in"))
    return ticket


async def reply_to_requester(ticket_id: int, actor: Actor, body: str, *, bus: MessageBus, now=None):
    """A public reply from the staff; it goes back to the requester and counts as first response."""
    body = _text(body, N_("reply"))
    now = _now(now)
    async with in_transaction():
        ticket = await Ticket.filter(id=ticket_id).select_for_update().first()
        if ticket is None:
            raise TicketNotFound(ticket_id)
        check_allowed(actor, StaffAction.REPLY, ticket)
        if ticket.status in (Status.MERGED, Status.SPAM):
            raise InvalidInput(N_("this ticket no longer takes replies"))
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            await ticket.save(update_fields=["first_response_at"])
        await record(ticket, actor, "reply", now, body=body, public=True)
        await notify_requester(ticket, NotificationKind.REPLY, now, reply=body)
    await bus.publish(changed_event(ticket, "reply"))
    return ticket


async def add_internal_note(ticket_id: int, actor: Actor, body: str, *, bus: MessageBus, now=None):
    body = _text(body, N_("note"))
    now = _now(now)
    async with in_transaction():
        ticket = await Ticket.get_or_none(id=ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        check_allowed(actor, StaffAction.NOTE, ticket)
        await record(ticket, actor, "note", now, body=body)
    await bus.publish(changed_event(ticket, "note"))
    return ticket


# --- the requester, on the tracking page (number + secret key, no account) ---


async def tracked_ticket(number: str, key: str) -> Ticket:
    ticket = await Ticket.get_or_none(number=number)
    if ticket is None or not same_secret(key, ticket.tracking_secret):
        raise TicketNotFound(number)
    return ticket


def requester_of(ticket: Ticket) -> Actor:
    return Actor("requester", ticket.requester_name, channel="tracking_page")


async def public_timeline(ticket: Ticket) -> list[TicketEvent]:
    return await TicketEvent.filter(ticket=ticket, is_public=True).order_by("at", "id")


async def requester_reply(number: str, key: str, body: str, *, bus: MessageBus, now=None) -> Ticket:
    body = _text(body, N_("message"))
    now = _now(now)
    ticket = await tracked_ticket(number, key)
    if ticket.status in (Status.MERGED, Status.SPAM):
        raise InvalidInput(N_("this ticket no longer takes replies"))
    await record(ticket, requester_of(ticket), "requester_reply", now, body=body, public=True)
    await bus.publish(changed_event(ticket, "requester_reply"))
    return ticket


async def confirm_closure(number: str, key: str, *, bus: MessageBus, now=None) -> Ticket:
    ticket = await tracked_ticket(number, key)
    return await _change(
        ticket.id, requester_of(ticket), StaffAction.VIEW, "confirmed",
        lifecycle.confirm_closure, public=True, then=_tell_closed, bus=bus, now=now,
    )  # fmt: skip


async def reopen_ticket(number: str, key: str, reason: str, *, bus: MessageBus, now=None) -> Ticket:
    reason = _text(reason, N_("reason"))
    ticket = await tracked_ticket(number, key)
    desk = await load_desk(_now(now))
    return await _change(
        ticket.id, requester_of(ticket), StaffAction.VIEW, "reopened",
        lambda f, at: lifecycle.reopen(f, at, desk.reopen_window),
        body=reason, public=True, bus=bus, now=now,
    )  # fmt: skip


async def rate_ticket(
    number: str, key: str, rating: int, comment: str = "", *, bus: MessageBus, now=None
):
    """A satisfaction rating, 1–5 with a comment, once the ticket is closed; once only."""
    comment = _text(comment, N_("comment"), 2000, required=False)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(N_("the rating is a whole number from 1 to 5"))
    now = _now(now)
    ticket = await tracked_ticket(number, key)
    async with in_transaction():
        ticket = await Ticket.filter(id=ticket.id).select_for_update().first()
        if ticket.status != Status.CLOSED:
            raise InvalidInput(N_("a ticket can be rated once it is closed"))
        if ticket.rating is not None:
            raise InvalidInput(N_("this ticket has already been rated"))
        ticket.rating, ticket.rating_comment = rating, comment
        await ticket.save(update_fields=["rating", "rating_comment"])
        await record(ticket, requester_of(ticket), "rated", now, new=str(rating), body=comment)
    await bus.publish(changed_event(ticket, "rated"))
    return ticket
