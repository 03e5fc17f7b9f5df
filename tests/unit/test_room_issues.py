from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classroom_helper.domain.errors import InvalidTransition, NotPermitted
from classroom_helper.domain.people import Person, Role
from classroom_helper.domain.room_issues import (
    IssueCategory,
    IssueState,
    RoomIssue,
    TicketReason,
    TicketRules,
    automatic_ticket_reason,
)
from classroom_helper.services.views import when

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SARA = Person("t1", "Sara", Role.TRAINEE, "r1")
OMAR = Person("t2", "Omar", Role.TRAINEE, "r1")
MONA = Person("m1", "Mona", Role.ROOM_MANAGER, "r1")
HADI = Person("m2", "Hadi", Role.ROOM_MANAGER, "r1")
TRAINER = Person("c1", "Dr Ali", Role.TRAINER, "r1")
OTHER_ROOM_MANAGER = Person("m9", "Ziad", Role.ROOM_MANAGER, "r2")


def raised(**kw) -> RoomIssue:
    return RoomIssue(
        room="r1",
        trainee_sub="t1",
        trainee_name="Sara",
        category=IssueCategory.NO_AUDIO,
        raised_at=kw.pop("raised_at", T0),
        id=kw.pop("id", 1),
        **kw,
    )


def test_claim_chat_resolve_confirm():
    issue = raised()
    issue.claim(MONA, T0 + timedelta(seconds=30))
    assert issue.state is IssueState.CLAIMED and issue.claimed_by_name == "Mona"
    issue.check_may_write(SARA)
    issue.check_may_write(HADI)
    issue.resolve(MONA, "Unmuted you", T0 + timedelta(minutes=2))
    assert issue.state is IssueState.RESOLVED and not issue.is_open
    issue.check_may_write(SARA)  # the thread stays open until the trainee's word
    issue.confirm(SARA, T0 + timedelta(minutes=3))
    assert issue.state is IssueState.CONFIRMED and issue.closed_at == T0 + timedelta(minutes=3)
    with pytest.raises(InvalidTransition):
        issue.check_may_write(SARA)


def test_claim_twice_by_same_manager_is_harmless_but_another_is_refused():
    issue = raised()
    issue.claim(MONA, T0)
    issue.claim(MONA, T0 + timedelta(seconds=1))
    assert issue.claimed_at == T0
    with pytest.raises(InvalidTransition) as refused:
        issue.claim(HADI, T0)
    assert refused.value.code == "already_claimed"


def test_still_broken_reopens_with_the_same_manager():
    issue = raised()
    issue.claim(MONA, T0)
    issue.resolve(MONA, "", T0)
    issue.reopen(SARA, T0 + timedelta(minutes=1))
    assert issue.state is IssueState.REOPENED and issue.is_open
    assert issue.claimed_by_sub == "m1" and issue.resolved_at is None
    issue.resolve(MONA, "really fixed", T0 + timedelta(minutes=2))
    assert issue.state is IssueState.RESOLVED


def test_resolving_an_unclaimed_issue_claims_it():
    issue = raised()
    issue.resolve(HADI, "done", T0)
    assert issue.claimed_by_sub == "m2"


def test_only_the_owner_confirms_reopens_or_withdraws():
    issue = raised()
    for act in (issue.withdraw, issue.confirm, issue.reopen):
        with pytest.raises(NotPermitted) as refused:
            act(OMAR, T0)
        assert refused.value.code == "not_yours"
    with pytest.raises(NotPermitted):
        issue.withdraw(MONA, T0)
    with pytest.raises(NotPermitted):
        issue.check_may_write(OMAR)
    with pytest.raises(NotPermitted):
        issue.check_may_write(TRAINER)
    with pytest.raises(NotPermitted) as refused:
        issue.check_may_write(OTHER_ROOM_MANAGER)
    assert refused.value.code == "wrong_room"


def test_withdraw_and_escalate_close_the_issue():
    issue = raised()
    issue.withdraw(SARA, T0)
    assert issue.state is IssueState.WITHDRAWN
    with pytest.raises(InvalidTransition):
        issue.claim(MONA, T0)
    other = raised(id=2)
    other.escalate("T-000042", TicketReason.MANAGER, T0)
    assert other.state is IssueState.ESCALATED and other.ticket_number == "T-000042"
    with pytest.raises(InvalidTransition):
        other.escalate("T-000043", TicketReason.MANAGER, T0)
    with pytest.raises(InvalidTransition):
        other.withdraw(SARA, T0)


def test_confirm_needs_a_resolution():
    with pytest.raises(InvalidTransition):
        raised().confirm(SARA, T0)
    with pytest.raises(InvalidTransition):
        raised().reopen(SARA, T0)


def test_reroute_to_the_trainer():
    issue = raised()
    issue.reroute(7, T0)
    assert issue.state is IssueState.REROUTED and issue.rerouted_to_question == 7


RULES = TicketRules(unclaimed_limit=timedelta(minutes=10), no_manager_grace=timedelta(minutes=1))


def test_unclaimed_issue_becomes_a_ticket_at_the_limit():
    issue = raised()
    assert (
        automatic_ticket_reason(issue, T0 + timedelta(minutes=9, seconds=59), RULES, None) is None
    )
    assert (
        automatic_ticket_reason(issue, T0 + timedelta(minutes=10), RULES, None)
        is TicketReason.UNCLAIMED_TIMEOUT
    )
    issue.claim(MONA, T0 + timedelta(minutes=1))
    assert automatic_ticket_reason(issue, T0 + timedelta(hours=1), RULES, None) is None


def test_no_manager_online_counts_from_the_later_of_absence_and_raise():
    issue = raised(raised_at=T0 + timedelta(minutes=5))
    gone = T0  # the last manager left before the issue was raised
    assert (
        automatic_ticket_reason(issue, T0 + timedelta(minutes=5, seconds=59), RULES, gone) is None
    )
    assert (
        automatic_ticket_reason(issue, T0 + timedelta(minutes=6), RULES, gone)
        is TicketReason.NO_MANAGER_ONLINE
    )
    issue.claim(MONA, T0 + timedelta(minutes=5))
    left_later = T0 + timedelta(minutes=7)
    assert (
        automatic_ticket_reason(issue, T0 + timedelta(minutes=8), RULES, left_later)
        is TicketReason.NO_MANAGER_ONLINE
    )


def test_closed_issues_never_become_tickets():
    issue = raised()
    issue.withdraw(SARA, T0)
    assert automatic_ticket_reason(issue, T0 + timedelta(days=1), RULES, T0) is None


@given(
    limit=st.integers(1, 3600),
    grace=st.integers(1, 3600),
    age=st.integers(0, 7200),
    absent_for=st.one_of(st.none(), st.integers(0, 7200)),
)
def test_no_issue_younger_than_the_youngest_due_is_due(limit, grace, age, absent_for):
    # the sweep reads only issues at least this old (services/issues.tickets_due)
    rules = TicketRules(timedelta(seconds=limit), timedelta(seconds=grace))
    now = T0 + timedelta(hours=3)
    issue = raised(raised_at=now - timedelta(seconds=age))
    absent = None if absent_for is None else now - timedelta(seconds=absent_for)
    if timedelta(seconds=age) < rules.youngest_due:
        assert automatic_ticket_reason(issue, now, rules, absent) is None


def test_views_show_each_moment_in_its_own_zone():
    # `when` remembers what it formatted; one instant in two zones compares equal
    utc = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    riyadh = utc.astimezone(timezone(timedelta(hours=3)))
    assert [when(utc), when(riyadh), when(utc)] == [
        "2026-11-25T10:00:00+00:00",
        "2026-11-25T13:00:00+03:00",
        "2026-11-25T10:00:00+00:00",
    ]
    assert when(None) is None
