"""Contact-centre status: open Sunday–Thursday 09:00–17:00 institute time, closed on holidays."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.domain.calendar import contact_centre_status

RIYADH = ZoneInfo("Asia/Riyadh")


def at(*parts):
    return datetime(*parts, tzinfo=RIYADH)


@pytest.mark.parametrize(
    ("now", "open_now", "next_open"),
    [
        (at(2026, 11, 22, 9, 0), True, None),  # Sunday at opening
        (at(2026, 11, 26, 16, 59), True, None),  # Thursday just before closing
        (at(2026, 11, 26, 17, 0), False, at(2026, 11, 29, 9, 0)),  # Thursday closing -> Sunday
        (at(2026, 11, 27, 12, 0), False, at(2026, 11, 29, 9, 0)),  # Friday
        (at(2026, 11, 24, 8, 30), False, at(2026, 11, 24, 9, 0)),  # Tuesday, early
        (at(2026, 11, 24, 23, 0), False, at(2026, 11, 25, 9, 0)),  # Tuesday night
    ],
)
def test_open_hours(now, open_now, next_open):
    status = contact_centre_status(now, RIYADH)
    assert status.open_now is open_now
    assert status.next_open == next_open


def test_utc_input_is_read_in_the_institute_zone():
    # 06:30 UTC on a Sunday is 09:30 in Riyadh
    assert contact_centre_status(datetime(2026, 11, 22, 6, 30, tzinfo=UTC), RIYADH).open_now


def test_holidays_close_the_centre_and_push_the_next_opening():
    holidays = frozenset({date(2026, 11, 24), date(2026, 11, 25)})
    status = contact_centre_status(at(2026, 11, 24, 10, 0), RIYADH, holidays)
    assert not status.open_now
    assert status.next_open == at(2026, 11, 26, 9, 0)


def test_scheduled_course_times_open_the_centre_outside_working_hours():
    evening_course = (at(2026, 11, 24, 19, 0), at(2026, 11, 24, 21, 0))
    during = contact_centre_status(at(2026, 11, 24, 20, 0), RIYADH, course_times=[evening_course])
    assert during.open_now
    before = contact_centre_status(at(2026, 11, 24, 18, 0), RIYADH, course_times=[evening_course])
    assert (before.open_now, before.next_open) == (False, at(2026, 11, 24, 19, 0))
    after = contact_centre_status(at(2026, 11, 24, 21, 0), RIYADH, course_times=[evening_course])
    assert (after.open_now, after.next_open) == (False, at(2026, 11, 25, 9, 0))


def test_a_friday_course_is_the_next_opening_before_sunday():
    friday_course = (at(2026, 11, 27, 16, 0), at(2026, 11, 27, 18, 0))
    status = contact_centre_status(at(2026, 11, 26, 20, 0), RIYADH, course_times=[friday_course])
    assert status.next_open == at(2026, 11, 27, 16, 0)
