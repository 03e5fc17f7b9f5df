"""What the consoles and the API list: the queues of each level, the manager's at-risk view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.access import StaffActor
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import AWAITING_REFERRAL, Level, Status

DEPARTMENT_STATUSES = [Status.REFERRED, Status.IN_PROGRESS, Status.RESOLVED, Status.VERIFIED]
TIME_LEFT = ("all", "at_risk", "overdue")


# The 24-hour limit as the department manager watches it: still waiting for a referral and past
# the warning (each a range of the warning-time index), before the limit (at risk) or past it.
def _past_warning(now: datetime) -> Q:
    return Q(status__in=list(AWAITING_REFERRAL), referral_warn_at__lte=now)


_REFERRAL_RISK = {
    "at_risk": lambda now: _past_warning(now) & Q(referral_due_at__gt=now),
    "overdue": lambda now: _past_warning(now) & Q(referral_due_at__lte=now),
}
# How far back the at-risk view looks for cases that reached the department late.
LATE_WINDOW = timedelta(days=30)


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
    if f.time_left != "all":
        query = query.filter(_REFERRAL_RISK[f.time_left](now))
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


def _at_risk_queries(department_id: int | None, now: datetime, since: timedelta):
    """The at-risk view's two lists: cases still at Level 1 past the warning (at risk or overdue),
    and cases that reached the department only after the 24-hour limit (escalated late)."""
    now = now.astimezone(UTC)
    waiting = Ticket.filter(_past_warning(now), level=Level.CONTACT_CENTRE)
    late = Ticket.filter(referral_clock="escalated", referred_at__gte=now - since)
    if department_id is not None:
        waiting = waiting.filter(routed_department_id=department_id)
        late = late.filter(department_id=department_id)
    return waiting, late


async def at_risk(department_id: int | None, now: datetime, since: timedelta = LATE_WINDOW):
    """For the department manager: the cases at risk of, or past, the 24-hour limit."""
    waiting, late = _at_risk_queries(department_id, now, since)
    return (
        await waiting.order_by("referral_due_at"),
        await late.order_by("-referred_at").limit(200),
    )


@dataclass(frozen=True)
class ReferralRisk:
    at_risk: int  # still at Level 1, past the warning, before the limit
    overdue: int  # still at Level 1, past the limit (the sweep escalates these within seconds)
    referred_late: int  # reached the department after the limit, within LATE_WINDOW


async def referral_risk(now: datetime) -> ReferralRisk:
    """How many cases the at-risk view lists across every department (for /metrics)."""
    waiting, late = _at_risk_queries(None, now, LATE_WINDOW)
    now = now.astimezone(UTC)
    return ReferralRisk(
        at_risk=await waiting.filter(_REFERRAL_RISK["at_risk"](now)).count(),
        overdue=await waiting.filter(_REFERRAL_RISK["overdue"](now)).count(),
        referred_late=await late.count(),
    )


async def tickets_by_level_and_status() -> dict[tuple[Level, Status], int]:
    """Every level and status, zero included."""
    counted = {(level, status): 0 for level in Level for status in Status}
    rows = Ticket.annotate(n=Count("id")).group_by("level", "status")
    for level, status, n in await rows.values_list("level", "status", "n"):
        counted[Level(level), Status(status)] = n
    return counted


async def open_call_tasks() -> list[Notification]:
    return (
        await Notification.filter(state="call_open")
        .order_by("created_at")
        .prefetch_related("ticket")
    )
