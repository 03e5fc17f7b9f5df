"""Business hours on a frozen clock: weekends, holidays, time zones and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.domain.calendar import (
    BusinessCalendar,
    NoWorkingTime,
    contact_centre_availability,
    public_holidays,
)

RIYADH = ZoneInfo("Asia/Riyadh")
LONDON = ZoneInfo("Europe/London")
SAUDI = BusinessCalendar(holidays=frozenset(public_holidays([2026, 2027])))


def riyadh(*args) -> datetime:
    return datetime(*args, tzinfo=RIYADH)


def test_saudi_public_holidays_come_from_the_holidays_package():
    days = public_holidays([2026])
    assert date(2026, 9, 23) in days  # National Day
    assert date(2026, 2, 22) in days  # Founding Day


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (riyadh(2026, 11, 22, 9, 0), True),  # Sunday at opening
        (riyadh(2026, 11, 26, 16, 59), True),  # Thursday just before closing
        (riyadh(2026, 11, 26, 17, 0), False),  # Thursday at closing
        (riyadh(2026, 11, 27, 12, 0), False),  # Friday
        (riyadh(2026, 11, 28, 12, 0), False),  # Saturday
        (riyadh(2026, 11, 24, 8, 59), False),  # Tuesday before opening
        (riyadh(2026, 9, 23, 12, 0), False),  # National Day, a Wednesday
        (datetime(2026, 11, 24, 6, 0, tzinfo=UTC), True),  # 09:00 in Riyadh
        (datetime(2026, 11, 24, 5, 59, tzinfo=UTC), False),
    ],
)
def test_working_time(at, open_):
    assert SAUDI.is_working_time(at) is open_


def test_across_the_weekend():
    # Thursday 16:00 + 2 working hours = Sunday 10:00.
    assert SAUDI.add_working_time(riyadh(2026, 11, 26, 16, 0), timedelta(hours=2)) == riyadh(
        2026, 11, 29, 10, 0
    )
    assert SAUDI.next_working_time(riyadh(2026, 11, 27, 3, 0)) == riyadh(2026, 11, 29, 9, 0)


def test_across_a_public_holiday():
    # Tuesday 22 September 16:00, Wednesday is National Day: + 2 hours = Thursday 10:00.
    assert SAUDI.add_working_time(riyadh(2026, 9, 22, 16, 0), timedelta(hours=2)) == riyadh(
        2026, 9, 24, 10, 0
    )
    # Eid al-Fitr 2026 runs Thursday 19 to Tuesday 24 March.
    assert SAUDI.add_working_time(riyadh(2026, 3, 18, 16, 0), timedelta(hours=2)) == riyadh(
        2026, 3, 25, 10, 0
    )


def test_the_administrators_holiday_table_adds_days():
    extra = BusinessCalendar(holidays=SAUDI.holidays | {date(2026, 11, 29)})
    assert extra.add_working_time(riyadh(2026, 11, 26, 16, 0), timedelta(hours=2)) == riyadh(
        2026, 11, 30, 10, 0
    )


def test_start_outside_hours_counts_from_the_next_opening():
    assert SAUDI.add_working_time(riyadh(2026, 11, 24, 20, 0), timedelta(hours=3)) == riyadh(
        2026, 11, 25, 12, 0
    )
    assert SAUDI.add_working_time(riyadh(2026, 11, 24, 6, 0), timedelta(0)) == riyadh(
        2026, 11, 24, 9, 0
    )


def test_a_week_of_working_time_is_five_days():
    start = riyadh(2026, 11, 22, 9, 0)
    assert SAUDI.add_working_time(start, timedelta(hours=40)) == riyadh(2026, 11, 26, 17, 0)
    assert SAUDI.working_time_between(start, riyadh(2026, 11, 29, 9, 0)) == timedelta(hours=40)


def test_time_zone_of_the_input_does_not_matter():
    in_utc = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thursday 16:00 in Riyadh
    result = SAUDI.add_working_time(in_utc, timedelta(hours=2))
    assert result == riyadh(2026, 11, 29, 10, 0)
    assert result.tzinfo == RIYADH  # shown in the institute's zone


def test_daylight_saving_in_another_institute_zone():
    # A Monday–Friday calendar in London; clocks go forward on Sunday 29 March 2026.
    london = BusinessCalendar(time_zone=LONDON, working_days=(0, 1, 2, 3, 4))
    friday = datetime(2026, 3, 27, 16, 0, tzinfo=LONDON)  # 16:00 GMT
    monday_10 = datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)  # 10:00 BST = 09:00 UTC
    assert london.add_working_time(friday, timedelta(hours=2)) == monday_10
    assert monday_10.astimezone(UTC).hour == 9
    assert london.working_time_between(friday, monday_10) == timedelta(hours=2)


def test_custom_hours_and_bad_calendars():
    short = BusinessCalendar(opening=time(10, 0), closing=time(14, 0))
    assert short.add_working_time(riyadh(2026, 11, 24, 13, 0), timedelta(hours=2)) == riyadh(
        2026, 11, 25, 11, 0
    )
    with pytest.raises(ValueError):
        BusinessCalendar(opening=time(17, 0), closing=time(9, 0))
    with pytest.raises(NoWorkingTime):
        BusinessCalendar(working_days=()).next_working_time(riyadh(2026, 11, 24, 9, 0))
    with pytest.raises(ValueError):
        SAUDI.add_working_time(riyadh(2026, 11, 24, 9, 0), timedelta(hours=-1))


def test_contact_centre_open_now_and_next_opening():
    friday = riyadh(2026, 11, 27, 12, 0)
    closed = contact_centre_availability(SAUDI, friday)
    assert (closed.open_now, closed.next_open) == (False, riyadh(2026, 11, 29, 9, 0))
    assert contact_centre_availability(SAUDI, riyadh(2026, 11, 24, 12, 0)).open_now


def test_contact_centre_is_open_during_scheduled_course_times():
    session = (riyadh(2026, 11, 27, 18, 0), riyadh(2026, 11, 27, 20, 0))  # a Friday evening course
    during = contact_centre_availability(SAUDI, riyadh(2026, 11, 27, 19, 0), [session])
    assert during.open_now
    before = contact_centre_availability(SAUDI, riyadh(2026, 11, 27, 12, 0), [session])
    assert (before.open_now, before.next_open) == (False, session[0])


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=80 * 60).map(lambda m: timedelta(minutes=m))


@given(moments, durations)
def test_adding_then_measuring_working_time_round_trips(start, duration):
    end = SAUDI.add_working_time(start, duration)
    assert end >= start
    assert SAUDI.working_time_between(start, end) == duration


@given(moments, durations, durations)
def test_adding_more_working_time_never_ends_earlier(start, a, b):
    shorter, longer = sorted((a, b))
    assert SAUDI.add_working_time(start, shorter) <= SAUDI.add_working_time(start, longer)


@given(moments)
def test_next_working_time_is_open_and_not_before(at):
    nxt = SAUDI.next_working_time(at)
    assert nxt >= at
    assert SAUDI.is_working_time(nxt)
    if SAUDI.is_working_time(at):
        assert nxt == at
