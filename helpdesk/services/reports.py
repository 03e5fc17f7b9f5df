"""Reports over a period: the figures of `domain.reports`, and the rows behind them as CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from helpdesk.adapters.orm.institute import Department
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.reports import Report, TicketFacts, build_report

CSV_COLUMNS = [
    "number", "subject", "received_at", "channel", "category", "kind", "priority", "status", "level",
    "department", "referral_due_at", "referred_at", "referred_within_24h", "first_response_at",
    "resolved_at", "closed_at", "rating",
]  # fmt: skip


async def _tickets(since: datetime, until: datetime) -> list[Ticket]:
    return await Ticket.filter(received_at__gte=since, received_at__lt=until).order_by(
        "received_at"
    )


async def period_report(since: datetime, until: datetime) -> Report:
    names = dict(await Department.all().values_list("id", "code"))
    return build_report(
        TicketFacts(
            channel=str(t.channel),
            category=str(t.category),
            department=names.get(t.department_id),
            received_at=t.received_at,
            referral_due=t.referral_due_at or t.received_at,
            referred_at=t.referred_at,
            first_response_at=t.first_response_at,
            resolved_at=t.resolved_at,
        )
        for t in await _tickets(since, until)
    )


async def period_csv(since: datetime, until: datetime) -> str:
    names = dict(await Department.all().values_list("id", "code"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)

    def at(moment: datetime | None) -> str:
        return moment.isoformat() if moment else ""

    for t in await _tickets(since, until):
        within = "" if t.referred_at is None else str(t.referred_at <= t.referral_due_at).lower()
        row = [
            t.number, t.subject, at(t.received_at), t.channel, t.category, t.kind, t.priority, t.status,
            int(t.level), names.get(t.department_id, ""), at(t.referral_due_at), at(t.referred_at),
            within, at(t.first_response_at), at(t.resolved_at), at(t.closed_at),
            "" if t.rating is None else t.rating,
        ]  # fmt: skip
        # A cell starting with = + - @ would run as a formula in a spreadsheet: neutralise it.
        writer.writerow(
            "'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row
        )
    return out.getvalue()
