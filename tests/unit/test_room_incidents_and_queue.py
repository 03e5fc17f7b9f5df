from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from classroom_helper.domain.incidents import Grouping, group_for
from classroom_helper.domain.people import Person, Role
from classroom_helper.domain.queue import estimated_wait, queue_order
from classroom_helper.domain.room_issues import IssueCategory, RoomIssue

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=2)
MONA = Person("m1", "Mona", Role.ROOM_MANAGER, "r1")


def issue(id, seconds, category=IssueCategory.NO_AUDIO, room="r1", incident=None) -> RoomIssue:
    return RoomIssue(
        room=room,
        trainee_sub=f"t{id}",
        trainee_name=f"T{id}",
        category=category,
        raised_at=T0 + timedelta(seconds=seconds),
        id=id,
        incident_id=incident,
    )


def test_a_lone_issue_stands_alone():
    assert group_for(issue(1, 0), [], WINDOW) is None


def test_two_of_a_kind_within_the_window_start_an_incident():
    first, second = issue(1, 0), issue(2, 60)
    assert group_for(second, [first, second], WINDOW) == Grouping(None, partners=(1,))


def test_joining_an_existing_incident_and_the_window_slides():
    a, b, c = issue(1, 0, incident=5), issue(2, 100, incident=5), issue(3, 200)
    assert group_for(c, [a, b], WINDOW) == Grouping(incident_id=5)


def test_other_category_room_old_or_closed_issues_do_not_group():
    new = issue(9, 300)
    candidates = [
        issue(1, 290, category=IssueCategory.NO_VIDEO),
        issue(2, 290, room="r2"),
        issue(3, 0),  # five minutes earlier: outside the window
    ]
    closed = issue(4, 299)
    closed.withdraw(Person("t4", "T4", Role.TRAINEE, "r1"), T0)
    assert group_for(new, [*candidates, closed], WINDOW) is None
    assert (
        group_for(issue(9, 0, IssueCategory.OTHER), [issue(1, 0, IssueCategory.OTHER)], WINDOW)
        is None
    )


def test_the_queue_is_the_unclaimed_issues_oldest_first():
    a, b, c = issue(1, 0), issue(2, 10), issue(3, 20)
    assert queue_order([c, a, b]) == [a, b, c]
    a.claim(MONA, T0)
    assert queue_order([c, a, b]) == [b, c]


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=30))
def test_the_queue_orders_by_raise_then_id(seconds):
    room = [issue(i + 1, s) for i, s in enumerate(seconds)]
    order = queue_order(reversed(room))
    assert sorted(order, key=lambda i: (i.raised_at, i.id)) == order
    assert {i.id for i in order} == {i.id for i in room}


def test_estimated_wait_from_recent_claims():
    waits = [timedelta(seconds=s) for s in (30, 60, 90)]
    assert estimated_wait(1, waits, 1) == timedelta(seconds=60)
    assert estimated_wait(3, waits, 2) == timedelta(seconds=90)
    assert estimated_wait(None, waits, 1) is None
    assert estimated_wait(1, [], 1) is None
    assert estimated_wait(1, waits, 0) is None
    # only the most recent claims count: the room's pace changes
    assert estimated_wait(1, [timedelta(hours=1)] * 5 + [timedelta(seconds=10)] * 10, 1) == (
        timedelta(seconds=10)
    )
