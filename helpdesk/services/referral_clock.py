"""The 24-hour referral clock: warn at the configured share of the limit, escalate at the limit.

Deadlines live on the ticket rows, so a restart loses nothing. The sweep locks the due rows with
FOR UPDATE SKIP LOCKED: when several processes sweep at once on PostgreSQL, each ticket is handled by
exactly one of them (SQLite ignores the clause; the embedded default runs one process).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain import tickets as lifecycle
from helpdesk.domain.notifications import NotificationKind
from helpdesk.domain.sla import ClockAction, Deadlines, referral_clock_action
from helpdesk.domain.tickets import Status
from helpdesk.services.bus import MessageBus
from helpdesk.services.desk import load_desk
from helpdesk.services.outbox import notify_department_managers, notify_requester
from helpdesk.services.tickets import SYSTEM, changed_event, flow_of, record, store_flow

WARNED, ESCALATED, BLOCKED = "warned", "escalated", "blocked"


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0
    blocked: int = 0  # due, but no department is mapped to its category: Level 1 must refer it

    @property
    def touched(self) -> int:
        return self.warned + self.escalated + self.blocked


def _due(now: datetime):
    return Ticket.filter(referral_check_at__lte=now)


async def sweep_referral_clock(
    now: datetime, *, bus: MessageBus | None = None, batch: int = 500
) -> SweepResult:
    now = now.astimezone(UTC)  # SQLite compares timestamps as text: filter in the stored zone
    result = SweepResult()
    desk = await load_desk(now)
    while True:
        changed = []
        async with in_transaction():
            tickets = (
                await _due(now)
                .order_by("referral_check_at")
                .limit(batch)
                .select_for_update(skip_locked=True)
            )
            for ticket in tickets:
                if await _apply_clock(ticket, now, desk.routes, result):
                    changed.append(ticket)
        if bus is not None:
            for ticket in changed:
                await bus.publish(changed_event(ticket, ticket.referral_clock))
        if len(tickets) < batch:
            return result


async def _apply_clock(ticket: Ticket, now: datetime, routes: dict, result: SweepResult) -> bool:
    deadlines = Deadlines(
        ticket.referral_warn_at,
        ticket.referral_due_at,
        ticket.first_response_due_at,
        ticket.resolution_due_at,
    )
    warned = bool(ticket.referral_clock)
    action = referral_clock_action(Status(ticket.status), deadlines, now, warned)
    if action is None:  # it left Level 1 in time: the clock has nothing more to do
        ticket.referral_check_at = None
        await ticket.save(update_fields=["referral_check_at"])
        return False
    if action == ClockAction.WARN:
        ticket.referral_clock, ticket.referral_check_at = WARNED, ticket.referral_due_at
        await ticket.save(update_fields=["referral_clock", "referral_check_at"])
        due = ticket.referral_due_at.isoformat()
        await record(ticket, SYSTEM, "referral_warning", now, new=due)
        if ticket.routed_department_id:
            await notify_department_managers(
                ticket, ticket.routed_department_id, NotificationKind.REFERRAL_WARNING, now
            )
        result.warned += 1
        return True
    # The limit: the case reaches the competent department's manager on its own.
    ticket.referral_check_at = None
    department_id = ticket.routed_department_id or routes.get(ticket.category)
    if department_id is None:
        ticket.referral_clock = BLOCKED
        await ticket.save(update_fields=["referral_clock", "referral_check_at"])
        await record(ticket, SYSTEM, "escalation_blocked", now)
        result.blocked += 1
        return True
    old = str(ticket.status)
    store_flow(ticket, lifecycle.refer_to_department(flow_of(ticket), department_id))
    ticket.referral_clock = ESCALATED
    ticket.referred_at = now
    ticket.assignee_id = None
    await ticket.save()
    await record(ticket, SYSTEM, "escalated", now, old=old, new=str(ticket.status), public=True)
    await notify_requester(ticket, NotificationKind.ESCALATED, now)
    await notify_department_managers(
        ticket, department_id, NotificationKind.REFERRED_TO_DEPARTMENT, now
    )
    result.escalated += 1
    return True
