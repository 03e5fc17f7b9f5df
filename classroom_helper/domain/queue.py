"""The trainee's place in the room's queue of unclaimed issues, and an estimate of the wait."""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from statistics import median

from classroom_helper.domain.room_issues import RoomIssue

# Enough recent claims to say something, few enough to follow the room's current pace.
RECENT_CLAIMS = 10


def queue_order(room_issues: Iterable[RoomIssue]) -> list[RoomIssue]:
    """The room's unclaimed issues in their queue's order: the oldest raised first (position 1)."""
    return sorted(
        (issue for issue in room_issues if issue.is_unclaimed),
        key=lambda issue: (issue.raised_at, issue.id or 0),
    )


def estimated_wait(
    position: int | None, recent_claim_waits: Sequence[timedelta], managers_online: int
) -> timedelta | None:
    """Position × the median time this room recently took to claim an issue, shared among the
    managers online. None when there is nothing to go on (no claims, no manager, no queue)."""
    if position is None or not recent_claim_waits or managers_online < 1:
        return None
    typical = median(recent_claim_waits[-RECENT_CLAIMS:])
    return typical * position / managers_online
