"""Report figures from plain ticket facts (the service layer reads them from the database)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TicketFacts:
    channel: str
    category: str
    department: str | None
    received_at: datetime
    referral_due: datetime
    referred_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class Report:
    tickets: int
    referred: int
    referred_within_limit: int
    median_first_response: timedelta | None
    median_resolution: timedelta | None
    by_channel: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, int] = field(default_factory=dict)

    @property
    def share_referred_within_limit(self) -> float | None:
        """Share of escalated cases that reached Level 2 within the 24-hour limit."""
        return self.referred_within_limit / self.referred if self.referred else None


def _median(durations: list[timedelta]) -> timedelta | None:
    return statistics.median(durations) if durations else None


def build_report(facts: Iterable[TicketFacts]) -> Report:
    facts = list(facts)
    referred = [f for f in facts if f.referred_at is not None]
    return Report(
        tickets=len(facts),
        referred=len(referred),
        referred_within_limit=sum(1 for f in referred if f.referred_at <= f.referral_due),
        median_first_response=_median(
            [f.first_response_at - f.received_at for f in facts if f.first_response_at]
        ),
        median_resolution=_median([f.resolved_at - f.received_at for f in facts if f.resolved_at]),
        by_channel=dict(Counter(f.channel for f in facts).most_common()),
        by_category=dict(Counter(f.category for f in facts).most_common()),
        by_department=dict(Counter(f.department for f in referred if f.department).most_common()),
    )
