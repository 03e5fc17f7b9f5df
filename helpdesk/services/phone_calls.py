"""Phone calls that Level 1 logs on an existing ticket, and the call-backs it promises.

A call that starts a new case is opened as a ticket by the console's phone-call form (the helpdesk's
`open_ticket`); these use cases cover the caller who phones about a case already open, and the
promise to ring someone back by a given time. Every call and call-back is a line on the timeline.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.channels import CallbackTask
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.contacts import InvalidContact, phone_number
from helpdesk.domain.tickets import ACTIVE, Channel
from helpdesk.i18n import N_
from helpdesk.services.tickets import Actor, InvalidInput, record

MAX_SUMMARY = 5000


async def open_tickets_of_caller(phone: str) -> list[Ticket]:
    """The caller's cases still being worked: Level 1 adds the call to one instead of a duplicate."""
    wanted = _national(phone)
    if len(wanted) < 6:
        return []
    # Numbers are kept as people typed them (+966 50 ..., 050...): compare their digits.
    tickets = await Ticket.filter(status__in=ACTIVE).exclude(requester_phone="").order_by("-id")
    return [t for t in tickets if _national(t.requester_phone) == wanted]


def _national(phone: str) -> str:
    """The last nine digits: the same number with or without its country code or leading 0."""
    return "".join(ch for ch in phone if ch.isdigit())[-9:]


async def log_call(
    number: str,
    staff: Actor,
    summary: str,
    *,
    callback_due: datetime | None = None,
    callback_phone: str = "",
    now: datetime | None = None,
) -> Ticket:
    """A call about an existing ticket: on its timeline, with a call-back task when promised."""
    now = now or datetime.now(UTC)
    summary = summary.strip()
    if not summary or len(summary) > MAX_SUMMARY:
        raise InvalidInput(
            N_("Write what the caller said, up to %(limit)s characters."), limit=MAX_SUMMARY
        )
    async with in_transaction():
        ticket = await Ticket.get_or_none(number=number.strip())
        if ticket is None:
            raise InvalidInput(N_("There is no ticket with that number."))
        caller = Actor(staff.ref, staff.name, staff.staff, channel=Channel.PHONE)
        await record(ticket, caller, "phone_call", now, body=summary)
        if callback_due is not None:
            await schedule_callback(ticket, staff, callback_due, callback_phone, now=now)
    return ticket


async def promise_callback(
    number: str, staff: Actor, due_at: datetime, phone: str = "", note: str = "", *, now=None
) -> CallbackTask:
    """Level 1 promises to ring the requester of a ticket back by `due_at`."""
    async with in_transaction():
        ticket = await Ticket.get_or_none(number=number.strip())
        if ticket is None:
            raise InvalidInput(N_("There is no ticket with that number."))
        return await schedule_callback(ticket, staff, due_at, phone, note, now=now)


async def schedule_callback(
    ticket: Ticket, staff: Actor, due_at: datetime, phone: str = "", note: str = "", *, now=None
) -> CallbackTask:
    now = now or datetime.now(UTC)
    try:
        phone = phone_number(phone or ticket.requester_phone)  # the same rules as every door
    except InvalidContact as error:
        raise InvalidInput(error.message, what=error.what) from None
    if not phone:
        raise InvalidInput(N_("A call-back needs a phone number."))
    if due_at <= now:
        raise InvalidInput(N_("A call-back must be due later than now."))
    task = await CallbackTask.create(
        ticket=ticket,
        phone=phone[:40],
        due_at=due_at,
        note=note[:2000],
        created_by_id=staff.staff.id if staff.staff else None,
        created_at=now,
    )
    await record(ticket, staff, "callback_scheduled", now, new=due_at.isoformat(), body=phone)
    return task


async def open_callbacks() -> list[CallbackTask]:
    """Level 1's call-back list, the earliest due first."""
    return await CallbackTask.filter(done_at=None).prefetch_related("ticket").order_by("due_at")


async def complete_callback(task_id: int, staff: Actor, outcome: str, now=None) -> CallbackTask:
    now = now or datetime.now(UTC)
    async with in_transaction():
        task = await CallbackTask.filter(id=task_id, done_at=None).select_for_update().first()
        if task is None:
            raise InvalidInput(N_("That call-back is already done."))
        task.done_at = now
        task.done_by_id = staff.staff.id if staff.staff else None
        await task.save(update_fields=["done_at", "done_by_id"])
        caller = Actor(staff.ref, staff.name, staff.staff, channel=Channel.PHONE)
        await record(await task.ticket, caller, "callback_done", now, body=outcome.strip()[:2000])
    return task
