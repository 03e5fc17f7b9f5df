"""Business hours of the contact centre: when it is open, when it opens next, and deadlines
counted in working time.

The institute works Sunday–Thursday 09:00–17:00 in its time zone (default Asia/Riyadh), except on
public holidays (the `holidays` package's Saudi calendar plus the administrator's own table, because
Eid dates move with the moon sighting). The contact centre is also staffed during scheduled course
times. All arithmetic is done in UTC so that zones with daylight saving count real hours.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package

# Monday is 0, as in date.weekday(); the institute's week starts on Sunday.
INSTITUTE_WEEK = (6, 0, 1, 2, 3, 4, 5)
SUNDAY_TO_THURSDAY = INSTITUTE_WEEK[:5]
DEFAULT_OPENING = time(9, 0)
DEFAULT_CLOSING = time(17, 0)
# A calendar with no working day at all would loop for ever; nobody plans further ahead than this.
_HORIZON_DAYS = 3 * 366


class NoWorkingTime(ValueError):
    """The calendar has no working time within the horizon (e.g. every day is off)."""


def public_holidays(years: Iterable[int], country: str = "SA") -> dict[date, str]:
    """Public holidays from the `holidays` package (Saudi Arabia by default)."""
    return dict(_computed_holidays(tuple(years), country))


@functools.cache
def _computed_holidays(years: tuple[int, ...], country: str) -> tuple[tuple[date, str], ...]:
    # Computing four years of the Hijri calendar takes ~3 ms of CPU; every ticket's deadlines need
    # them, and they never change while the process runs.
    return tuple(holidays_package.country_holidays(country, years=list(years)).items())


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Riyadh"))
    working_days: tuple[int, ...] = SUNDAY_TO_THURSDAY
    opening: time = DEFAULT_OPENING
    closing: time = DEFAULT_CLOSING
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.closing <= self.opening:
            raise ValueError("closing time must be after opening time")

    def _hours_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The working interval of a local day, in UTC, or None when the day is off."""
        if day.weekday() not in self.working_days or day in self.holidays:
            return None
        start = datetime.combine(day, self.opening, tzinfo=self.time_zone).astimezone(UTC)
        end = datetime.combine(day, self.closing, tzinfo=self.time_zone).astimezone(UTC)
        return start, end

    def _intervals_from(self, at: datetime):
        """Working intervals (UTC) that end after `at`, in order, starting on `at`'s local day."""
        day = at.astimezone(self.time_zone).date()
        for offset in range(_HORIZON_DAYS):
            hours = self._hours_on(day + timedelta(days=offset))
            if hours and hours[1] > at:
                yield hours
        raise NoWorkingTime("no working time in the calendar")

    def is_working_time(self, at: datetime) -> bool:
        hours = self._hours_on(at.astimezone(self.time_zone).date())
        return hours is not None and hours[0] <= at < hours[1]

    def next_working_time(self, at: datetime) -> datetime:
        """`at` itself when within working hours, else the next opening (institute's zone)."""
        start, _ = next(self._intervals_from(at))
        return max(start, at).astimezone(self.time_zone)

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when `duration` of working time has passed since `start`."""
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        remaining = duration
        cursor = start.astimezone(UTC)
        for opening, closing in self._intervals_from(cursor):
            cursor = max(cursor, opening)
            if cursor + remaining <= closing:
                return (cursor + remaining).astimezone(self.time_zone)
            remaining -= closing - cursor
        raise NoWorkingTime("no working time in the calendar")  # pragma: no cover

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from `start` to `end` (zero when end is not after start)."""
        total = timedelta(0)
        if end <= start:
            return total
        for opening, closing in self._intervals_from(start):
            if opening >= end:
                break
            total += min(closing, end) - max(opening, start)
        return total


@dataclass(frozen=True)
class Availability:
    """What pages and the widget say about the contact centre."""

    open_now: bool
    next_open: datetime | None  # None when open now


def contact_centre_availability(
    calendar: BusinessCalendar,
    at: datetime,
    course_times: Sequence[tuple[datetime, datetime]] = (),
) -> Availability:
    """Open in working hours and during scheduled course times (policy: availability)."""
    if calendar.is_working_time(at) or any(s <= at < e for s, e in course_times):
        return Availability(True, None)
    candidates = [calendar.next_working_time(at)]
    candidates += [s.astimezone(calendar.time_zone) for s, _ in course_times if s > at]
    return Availability(False, min(candidates))
