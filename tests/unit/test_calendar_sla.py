"""The ticket's clocks on a frozen clock: the 24-hour referral limit and business-hour targets."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.domain.calendar import BusinessCalendar, public_holidays
from helpdesk.domain.sla import (
    ClockAction,
    Risk,
    SlaPolicy,
    deadlines_for,
    referral_clock_action,
    referral_risk,
)
from helpdesk.domain.tickets import Priority, Status

RIYADH = ZoneInfo("Asia/Riyadh")
CAL = BusinessCalendar(holidays=frozenset(public_holidays([2026])))
POLICY = SlaPolicy()


def riyadh(*args) -> datetime:
    return datetime(*args, tzinfo=RIYADH)


def test_deadlines_received_on_a_thursday_afternoon():
    received = riyadh(2026, 11, 26, 15, 0)
    d = deadlines_for(received, Priority.NORMAL, CAL, POLICY)
    assert d.referral_due == riyadh(2026, 11, 27, 15, 0)  # 24 wall-clock hours, weekend or not
    assert d.referral_warn_at == riyadh(2026, 11, 27, 9, 0)  # 75%
    assert d.first_response_due == riyadh(2026, 11, 29, 11, 0)  # 2 h Thursday + 2 h Sunday
    assert d.resolution_due == riyadh(2026, 12, 1, 15, 0)  # 2+8+8+6 working hours


def test_deadlines_across_a_holiday_by_priority():
    received = riyadh(2026, 9, 22, 16, 0)  # Tuesday; Wednesday is National Day
    urgent = deadlines_for(received, Priority.URGENT, CAL, POLICY)
    assert urgent.first_response_due == riyadh(2026, 9, 22, 17, 0)
    low = deadlines_for(received, Priority.LOW, CAL, POLICY)
    assert low.first_response_due == riyadh(2026, 9, 24, 16, 0)


def test_configurable_warning_share_and_limit():
    policy = SlaPolicy(referral_limit=timedelta(hours=12), warn_share=0.5)
    d = deadlines_for(riyadh(2026, 11, 24, 0, 0), Priority.NORMAL, CAL, policy)
    assert (d.referral_warn_at, d.referral_due) == (
        riyadh(2026, 11, 24, 6),
        riyadh(2026, 11, 24, 12),
    )
    for bad in (dict(warn_share=0), dict(warn_share=1.2), dict(referral_limit=timedelta(0))):
        with pytest.raises(ValueError):
            SlaPolicy(**bad)


def test_the_sweep_warns_once_then_escalates_at_the_limit():
    received = riyadh(2026, 11, 24, 10, 0)
    d = deadlines_for(received, Priority.NORMAL, CAL, POLICY)

    def at(**kw):
        return received + timedelta(**kw)

    assert referral_clock_action(Status.OPEN, d, at(hours=17, minutes=59), False) is None
    assert referral_clock_action(Status.OPEN, d, at(hours=18), False) == ClockAction.WARN
    assert referral_clock_action(Status.OPEN, d, at(hours=18), True) is None
    assert referral_clock_action(Status.NEW, d, at(hours=24), True) == ClockAction.ESCALATE
    assert referral_clock_action(Status.NEW, d, at(hours=24), False) == ClockAction.ESCALATE
    for left_level1 in (Status.REFERRED, Status.RESOLVED, Status.SPAM):
        assert referral_clock_action(left_level1, d, at(hours=30), False) is None


def test_risk_for_the_department_manager():
    received = riyadh(2026, 11, 24, 10, 0)
    d = deadlines_for(received, Priority.NORMAL, CAL, POLICY)

    def at(**kw):
        return received + timedelta(**kw)

    assert referral_risk(Status.OPEN, d, at(hours=1), None) == Risk.ON_TRACK
    assert referral_risk(Status.OPEN, d, at(hours=19), None) == Risk.AT_RISK
    assert referral_risk(Status.OPEN, d, at(hours=25), None) == Risk.OVERDUE
    assert referral_risk(Status.REFERRED, d, at(hours=40), at(hours=3)) == Risk.ON_TRACK
    assert referral_risk(Status.REFERRED, d, at(hours=40), at(hours=25)) == Risk.OVERDUE
    assert referral_risk(Status.RESOLVED, d, at(hours=40), None) == Risk.ON_TRACK
