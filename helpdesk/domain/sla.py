"""The ticket's clocks: the policy's 24-hour referral limit, and first-response and resolution
targets counted in business hours.

The 24 hours run on the wall clock from receipt (intake is open around the clock); a warning
goes out at a configurable share of it (default 75%) and at the limit the ticket is escalated on
its own to the competent department's manager.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.tickets import AWAITING_REFERRAL, REFERRAL_LIMIT, Priority, Status


def _hours(**by_priority: float) -> dict[Priority, timedelta]:
    return {Priority(name): timedelta(hours=h) for name, h in by_priority.items()}


@dataclass(frozen=True)
class SlaPolicy:
    referral_limit: timedelta = REFERRAL_LIMIT
    warn_share: float = 0.75
    # Business time (working hours of the calendar), by priority.
    first_response: dict[Priority, timedelta] = field(
        default_factory=lambda: _hours(urgent=1, high=2, normal=4, low=8)
    )
    resolution: dict[Priority, timedelta] = field(
        default_factory=lambda: _hours(urgent=8, high=16, normal=24, low=40)
    )

    def __post_init__(self) -> None:
        if not 0 < self.warn_share < 1:
            raise ValueError("warn_share must be between 0 and 1")
        if self.referral_limit <= timedelta(0):
            raise ValueError("referral_limit must be positive")


@dataclass(frozen=True)
class Deadlines:
    referral_warn_at: datetime
    referral_due: datetime
    first_response_due: datetime
    resolution_due: datetime


def deadlines_for(
    received_at: datetime, priority: Priority, calendar: BusinessCalendar, policy: SlaPolicy
) -> Deadlines:
    return Deadlines(
        referral_warn_at=received_at + policy.referral_limit * policy.warn_share,
        referral_due=received_at + policy.referral_limit,
        first_response_due=calendar.add_working_time(received_at, policy.first_response[priority]),
        resolution_due=calendar.add_working_time(received_at, policy.resolution[priority]),
    )


class ClockAction(enum.StrEnum):
    WARN = "warn"
    ESCALATE = "escalate"


def referral_clock_action(
    status: Status, deadlines: Deadlines, now: datetime, warned: bool
) -> ClockAction | None:
    """What the sweep owes a ticket now: nothing once it has left Level 1."""
    if status not in AWAITING_REFERRAL:
        return None
    if now >= deadlines.referral_due:
        return ClockAction.ESCALATE
    if now >= deadlines.referral_warn_at and not warned:
        return ClockAction.WARN
    return None


class Risk(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


def referral_risk(
    status: Status, deadlines: Deadlines, now: datetime, referred_at: datetime | None
) -> Risk:
    """For the department manager: is this case at risk of, or past, the 24-hour limit?"""
    if referred_at is not None:
        return Risk.OVERDUE if referred_at > deadlines.referral_due else Risk.ON_TRACK
    if status not in AWAITING_REFERRAL:
        return Risk.ON_TRACK
    if now >= deadlines.referral_due:
        return Risk.OVERDUE
    if now >= deadlines.referral_warn_at:
        return Risk.AT_RISK
    return Risk.ON_TRACK
