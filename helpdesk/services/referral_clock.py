"""The 24-hour referral clock: warn at the configured share of the limit, escalate at the limit.

Deadlines live on the ticket rows, so a restart loses nothing. The sweep locks a batch of due rows
with FOR UPDATE SKIP LOCKED and writes the whole batch in that transaction: when several processes
sweep at once on PostgreSQL, each ticket is handled by exactly one of them (SQLite ignores the
clause; the embedded default runs one process).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.institute import Staff
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain import tickets as lifecycle
from helpdesk.domain.notifications import NotificationKind
from helpdesk.domain.sla import ClockAction, Deadlines, referral_clock_action
from helpdesk.domain.tickets import Status
from helpdesk.services.bus import MessageBus
from helpdesk.services.desk import Desk, load_desk
from helpdesk.services.outbox import (
    department_managers,
    manager_notifications,
    requester_notifications,
)
from helpdesk.services.tickets import changed_event, flow_of, store_flow
from helpdesk.services.timeline import SYSTEM, timeline_line

WARNED, ESCALATED, BLOCKED = "warned", "escalated", "blocked"
# The warning's next look is at the limit: one UPDATE sets it from each row's own deadline.
AT_THE_LIMIT = F("referral_due_at")


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0
    blocked: int = 0  # due, but no department is mapped to its category: Level 1 must refer it

    @property
    def touched(self) -> int:
        return self.warned + self.escalated + self.blocked


@dataclass
class _Writes:
    """What one batch changes, stored set by set: one UPDATE per kind of change, one INSERT for
    the timeline lines and one for the outbox rows, whatever the number of tickets."""

    updates: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(list))
    lines: list[TicketEvent] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

    def update(self, ticket: Ticket, **values: object) -> None:
        self.updates[tuple(values.items())].append(ticket.id)

    async def store(self) -> None:
        for values, ids in self.updates.items():
            await Ticket.filter(id__in=ids).update(**dict(values))
        if self.lines:
            await TicketEvent.bulk_create(self.lines)
        if self.notifications:
            await Notification.bulk_create(self.notifications)


def _due(now: datetime):
    return Ticket.filter(referral_check_at__lte=now)


async def sweep_referral_clock(now: datetime, *, bus: MessageBus, batch: int = 500) -> SweepResult:
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
            if tickets:
                managers = await department_managers(
                    {d for t in tickets if (d := _department_of(t, desk.routes)) is not None}
                )
                writes = _Writes()
                for ticket in tickets:
                    if _apply_clock(ticket, now, desk, managers, writes, result):
                        changed.append(ticket)
                await writes.store()
        for ticket in changed:
            await bus.publish(changed_event(ticket, ticket.referral_clock))
        if len(tickets) < batch:
            return result


def _department_of(ticket: Ticket, routes: dict) -> int | None:
    return ticket.routed_department_id or routes.get(ticket.category)


def _apply_clock(
    ticket: Ticket,
    now: datetime,
    desk: Desk,
    managers: dict[int, list[Staff]],
    writes: _Writes,
    result: SweepResult,
) -> bool:
    """One ticket's due step, applied to the row in memory and added to the batch's writes."""
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
        writes.update(ticket, referral_check_at=None)
        return False
    if action == ClockAction.WARN:
        ticket.referral_clock, ticket.referral_check_at = WARNED, ticket.referral_due_at
        writes.update(ticket, referral_clock=WARNED, referral_check_at=AT_THE_LIMIT)
        due = ticket.referral_due_at.isoformat()
        writes.lines.append(timeline_line(ticket, SYSTEM, "referral_warning", now, new=due))
        if ticket.routed_department_id:
            writes.notifications += manager_notifications(
                ticket,
                managers.get(ticket.routed_department_id, []),
                NotificationKind.REFERRAL_WARNING,
                now,
            )
        result.warned += 1
        return True
    # The limit: the case reaches the competent department's manager on its own.
    ticket.referral_check_at = None
    department_id = _department_of(ticket, desk.routes)
    if department_id is None:
        ticket.referral_clock = BLOCKED
        writes.update(ticket, referral_clock=BLOCKED, referral_check_at=None)
        writes.lines.append(timeline_line(ticket, SYSTEM, "escalation_blocked", now))
        result.blocked += 1
        return True
    old = str(ticket.status)
    store_flow(ticket, lifecycle.refer_to_department(flow_of(ticket), department_id))
    ticket.referral_clock = ESCALATED
    ticket.referred_at = now
    ticket.assignee_id = None
    writes.update(
        ticket,
        status=ticket.status,
        level=ticket.level,
        department_id=ticket.department_id,
        referral_clock=ESCALATED,
        referral_check_at=None,
        referred_at=now,
        assignee_id=None,
        updated_at=now,
    )
    writes.lines.append(
        timeline_line(
            ticket, SYSTEM, "escalated", now, old=old, new=str(ticket.status), public=True
        )
    )
    writes.notifications += requester_notifications(
        ticket, NotificationKind.ESCALATED, now, desk.webhooks
    )
    writes.notifications += manager_notifications(
        ticket, managers.get(department_id, []), NotificationKind.REFERRED_TO_DEPARTMENT, now
    )
    result.escalated += 1
    return True
