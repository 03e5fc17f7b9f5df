"""What the consoles and the API list: the queues of each level, the manager's at-risk view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.access import StaffActor
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import AWAITING_REFERRAL, Level, Status

DEPARTMENT_STATUSES = [Status.REFERRED, Status.IN_PROGRESS, Status.RESOLVED, Status.VERIFIED]
TIME_LEFT = ("all", "at_risk", "overdue")


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    level: int | None = None
    channel: str | None = None
    category: str | None = None
    department_id: int | None = None
    time_left: str = "all"  # all | at_risk (past the warning) | overdue (past the 24 hours)
    search: str = ""


def visible_to(staff: StaffActor) -> QuerySet[Ticket]:
    """Every ticket this staff member may see (the same rule as `domain.access.may(VIEW)`)."""
    if staff.role in (StaffRole.ADMINISTRATOR, StaffRole.LEVEL1_AGENT):
        return Ticket.all()
    if staff.department_id is None:
        return Ticket.filter(id=-1)
    return Ticket.filter(
        Q(level=Level.DEPARTMENT, department_id=staff.department_id)
        | Q(level=Level.CONTACT_CENTRE, routed_department_id=staff.department_id)
    )


def filtered(query: QuerySet[Ticket], f: TicketFilter, now: datetime) -> QuerySet[Ticket]:
    now = now.astimezone(UTC)  # SQLite compares timestamps as text: filter in the stored zone
    if f.status:
        query = query.filter(status=f.status)
    if f.level:
        query = query.filter(level=f.level)
    if f.channel:
        query = query.filter(channel=f.channel)
    if f.category:
        query = query.filter(category=f.category)
    if f.department_id:
        query = query.filter(department_id=f.department_id)
    if f.time_left == "at_risk":
        query = query.filter(
            status__in=list(AWAITING_REFERRAL), referral_warn_at__lte=now, referral_due_at__gt=now
        )
    elif f.time_left == "overdue":
        query = query.filter(status__in=list(AWAITING_REFERRAL), referral_due_at__lte=now)
    if f.search:
        query = query.filter(
            Q(number__icontains=f.search)
            | Q(subject__icontains=f.search)
            | Q(requester_name__icontains=f.search)
            | Q(requester_email__icontains=f.search)
        )
    return query


async def level1_queue(f: TicketFilter, now: datetime, limit: int = 200) -> list[Ticket]:
    """Everything new or open at Level 1, the nearest 24-hour limit first."""
    query = Ticket.filter(level=Level.CONTACT_CENTRE, status__in=list(AWAITING_REFERRAL))
    return await filtered(query, f, now).order_by("referral_due_at", "id").limit(limit)


async def department_queue(department_id: int, limit: int = 200) -> list[Ticket]:
    return (
        await Ticket.filter(
            level=Level.DEPARTMENT, department_id=department_id, status__in=DEPARTMENT_STATUSES
        )
        .order_by("resolution_due_at", "id")
        .limit(limit)
    )


async def at_risk(department_id: int | None, now: datetime, since: timedelta = timedelta(days=30)):
    """For the department manager: cases still at Level 1 past the warning (at risk or overdue),
    and cases that reached the department only after the 24-hour limit (escalated late)."""
    now = now.astimezone(UTC)
    waiting = Ticket.filter(
        level=Level.CONTACT_CENTRE, status__in=list(AWAITING_REFERRAL), referral_warn_at__lte=now
    )
    late = Ticket.filter(referral_clock="escalated", referred_at__gte=now - since)
    if department_id is not None:
        waiting = waiting.filter(routed_department_id=department_id)
        late = late.filter(department_id=department_id)
    return (
        await waiting.order_by("referral_due_at"),
        await late.order_by("-referred_at").limit(200),
    )


async def open_call_tasks() -> list[Notification]:
    return (
        await Notification.filter(state="call_open")
        .order_by("created_at")
        .prefetch_related("ticket")
    )
