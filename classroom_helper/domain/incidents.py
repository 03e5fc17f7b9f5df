"""Room-wide incidents: several trainees raising the same problem at about the same time are one
incident for the room manager ("12 trainees: no audio"), handled at once."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from classroom_helper.domain.room_issues import IssueCategory, RoomIssue

# Two trainees raising the same problem this close together are most likely one incident.
INCIDENT_WINDOW = timedelta(minutes=2)

# "Other" is free text: two "other" issues are rarely the same problem.
GROUPED_CATEGORIES = frozenset(IssueCategory) - {IssueCategory.OTHER}


@dataclass(frozen=True, slots=True)
class Grouping:
    """Where a newly raised issue belongs: an existing incident, or a new one with `partners`."""

    incident_id: int | None
    partners: tuple[int, ...] = ()


def group_for(
    issue: RoomIssue,
    open_issues: Iterable[RoomIssue],
    window: timedelta,
) -> Grouping | None:
    """The incident a new issue joins, if others in its room raised the same category within
    `window` before it (each issue extends the window: a slowly growing outage stays one incident).

    Returns None when the issue stands alone."""
    if issue.category not in GROUPED_CATEGORIES:
        return None
    recent = [
        other
        for other in open_issues
        if other.id != issue.id
        and other.is_open
        and other.room == issue.room
        and other.category is issue.category
        and timedelta(0) <= issue.raised_at - other.raised_at <= window
    ]
    if not recent:
        return None
    latest = max(recent, key=lambda other: other.raised_at)
    if latest.incident_id is not None:
        return Grouping(incident_id=latest.incident_id)
    return Grouping(incident_id=None, partners=tuple(o.id for o in recent if o.incident_id is None))
