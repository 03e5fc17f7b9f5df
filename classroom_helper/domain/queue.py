"""The trainee's place in the room's queue of unclaimed issues, and an estimate of the wait."""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from statistics import median

from classroom_helper.domain.room_issues import RoomIssue

# Enough recent claims to say something, few enough to follow the room's current pace.
RECENT_CLAIMS = 10


def queue_position(issue: RoomIssue, room_issues: Iterable[RoomIssue]) -> int | None:
    """1 for the oldest unclaimed issue of the room; None once the issue is no longer waiting."""
    if not issue.is_unclaimed:
        return None
    ahead = sum(
        1
        for other in room_issues
        if other.is_unclaimed
        and other.id != issue.id
        and (other.raised_at, other.id or 0) < (issue.raised_at, issue.id or 0)
    )
    return ahead + 1


def estimated_wait(
    position: int | None, recent_claim_waits: Sequence[timedelta], managers_online: int
) -> timedelta | None:
    """Position × the median time this room recently took to claim an issue, shared among the
    managers online. None when there is nothing to go on (no claims, no manager, no queue)."""
    if position is None or not recent_claim_waits or managers_online < 1:
        return None
    typical = median(recent_claim_waits[-RECENT_CLAIMS:])
    return typical * position / managers_online
