"""Contact-centre hours (minimal version written for the guidance banner; the helpdesk's full
business calendar replaces it and keeps `contact_centre_status`).

The policy: the contact centre is staffed Sunday–Thursday 09:00–17:00 in the institute's time
zone, except on holidays, and during the scheduled times of training courses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SUNDAY_TO_THURSDAY = (6, 0, 1, 2, 3)  # date.weekday(): Monday is 0
OPENING, CLOSING = time(9, 0), time(17, 0)
_HORIZON_DAYS = 400


@dataclass(frozen=True)
class Availability:
    """What pages and the widget say about the contact centre."""

    open_now: bool
    next_open: datetime | None  # None when open now (or no opening within a year)


def contact_centre_status(
    now: datetime,
    time_zone: ZoneInfo,
    holidays: frozenset[date] = frozenset(),
    course_times: Sequence[tuple[datetime, datetime]] = (),
) -> Availability:
    """Open in working hours and during scheduled course times; else when it opens next."""
    if any(start <= now < end for start, end in course_times):
        return Availability(True, None)
    local = now.astimezone(time_zone)
    courses = sorted(start.astimezone(time_zone) for start, _ in course_times if start > now)
    for offset in range(_HORIZON_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in SUNDAY_TO_THURSDAY or day in holidays:
            continue
        opening = datetime.combine(day, OPENING, tzinfo=time_zone)
        closing = datetime.combine(day, CLOSING, tzinfo=time_zone)
        if opening <= local < closing:
            return Availability(True, None)
        if local < opening:
            return Availability(False, min([opening, *courses[:1]]))
    return Availability(False, courses[0] if courses else None)
