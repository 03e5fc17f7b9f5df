"""The ticket state machine: every (status, level, action) pair, and random walks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.domain import tickets as t
from helpdesk.domain.tickets import IllegalTransition, Level, Status, TicketFlow

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)
S = Status

# Each action as the console or the requester would call it, with fixed arguments.
ACTIONS = {
    "open": lambda f: t.open_at_level1(f),
    "resolve": lambda f: t.resolve(f, NOW),
    "refer_to_a": lambda f: t.refer_to_department(f, 1),
    "refer_to_b": lambda f: t.refer_to_department(f, 2),
    "return": lambda f: t.return_to_level1(f),
    "start": lambda f: t.start_work(f),
    "verify": lambda f: t.verify_closure(f),
    "close": lambda f: t.close(f, NOW),
    "confirm": lambda f: t.confirm_closure(f, NOW),
    "reopen": lambda f: t.reopen(f, NOW, WINDOW),
    "merge": lambda f: t.merge_into(f, "SND-2026-000002", "SND-2026-000001"),
    "mark_spam": lambda f: t.mark_spam(f),
    "unmark_spam": lambda f: t.unmark_spam(f),
}


def flow(status: Status, level: Level) -> TicketFlow:
    """A consistent flow in the given status and level."""
    at_dept = level == Level.DEPARTMENT
    done = status in {S.RESOLVED, S.VERIFIED, S.CLOSED}
    return TicketFlow(
        status=status,
        level=level,
        department_id=1 if at_dept else None,
        resolved_at=NOW - timedelta(days=1) if done else None,
        closed_at=NOW if status == S.CLOSED else None,
        merged_into="SND-2026-000009" if status == S.MERGED else None,
        status_before_spam=S.OPEN if status == S.SPAM else None,
    )


L1, L2 = Level.CONTACT_CENTRE, Level.DEPARTMENT
# The specification: (status, level, action) -> resulting status. Everything absent is refused.
LEGAL = {
    (S.NEW, L1, "open"): S.OPEN,
    **{(s, L1, "resolve"): S.RESOLVED for s in (S.NEW, S.OPEN)},
    **{(s, L1, a): S.REFERRED for s in (S.NEW, S.OPEN) for a in ("refer_to_a", "refer_to_b")},
    **{(s, L2, "refer_to_b"): S.REFERRED for s in (S.REFERRED, S.IN_PROGRESS)},
    **{(s, L2, "return"): S.OPEN for s in (S.REFERRED, S.IN_PROGRESS)},
    (S.REFERRED, L2, "start"): S.IN_PROGRESS,
    **{(s, L2, "resolve"): S.RESOLVED for s in (S.REFERRED, S.IN_PROGRESS)},
    (S.RESOLVED, L2, "verify"): S.VERIFIED,
    (S.RESOLVED, L1, "close"): S.CLOSED,
    (S.VERIFIED, L2, "close"): S.CLOSED,
    **{(S.RESOLVED, lv, "confirm"): S.CLOSED for lv in (L1, L2)},
    (S.VERIFIED, L2, "confirm"): S.CLOSED,
    **{(s, L1, "reopen"): S.OPEN for s in (S.RESOLVED, S.CLOSED)},
    **{(s, L2, "reopen"): S.IN_PROGRESS for s in (S.RESOLVED, S.VERIFIED, S.CLOSED)},
    **{(s, L1, "merge"): S.MERGED for s in (S.NEW, S.OPEN)},
    **{(s, L2, "merge"): S.MERGED for s in (S.REFERRED, S.IN_PROGRESS)},
    **{(s, L1, "mark_spam"): S.SPAM for s in (S.NEW, S.OPEN)},
    (S.SPAM, L1, "unmark_spam"): S.OPEN,
}

# Statuses that exist at each level (a Level 1 ticket is never "verified", for instance).
AT_LEVEL = {
    L1: [S.NEW, S.OPEN, S.RESOLVED, S.CLOSED, S.MERGED, S.SPAM],
    L2: [S.REFERRED, S.IN_PROGRESS, S.RESOLVED, S.VERIFIED, S.CLOSED, S.MERGED],
}
ALL_CASES = [(s, lv, a) for lv, ss in AT_LEVEL.items() for s in ss for a in ACTIONS]


@pytest.mark.parametrize(("status", "level", "action"), ALL_CASES)
def test_every_action_in_every_state_follows_the_specification(status, level, action):
    before = flow(status, level)
    expected = LEGAL.get((status, level, action))
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            ACTIONS[action](before)
        assert refused.value.status == status
        assert refused.value.code
        assert str(refused.value)
    else:
        assert ACTIONS[action](before).status == expected


def test_the_specification_names_only_real_cases():
    assert set(LEGAL) <= set(ALL_CASES)


def test_level1_path_new_open_resolved_closed():
    f = t.open_at_level1(TicketFlow())
    f = t.resolve(f, NOW)
    assert (f.status, f.level, f.resolved_at) == (S.RESOLVED, L1, NOW)
    f = t.close(f, NOW + timedelta(days=3))
    assert f.status == S.CLOSED and f.closed_at == NOW + timedelta(days=3)


def test_level2_path_referred_in_progress_resolved_verified_closed():
    f = t.refer_to_department(t.open_at_level1(TicketFlow()), 7)
    assert (f.status, f.level, f.department_id) == (S.REFERRED, L2, 7)
    f = t.verify_closure(t.resolve(t.start_work(f), NOW))
    assert f.status == S.VERIFIED
    with pytest.raises(IllegalTransition):
        t.close(t.resolve(t.start_work(t.refer_to_department(TicketFlow(), 7)), NOW), NOW)
    assert t.close(f, NOW).status == S.CLOSED


def test_referring_to_the_department_that_holds_it_is_refused():
    f = t.refer_to_department(TicketFlow(), 3)
    with pytest.raises(IllegalTransition) as refused:
        t.refer_to_department(f, 3)
    assert refused.value.code == "same_department"


def test_reopen_only_within_the_window():
    resolved = t.resolve(TicketFlow(), NOW)
    closed = t.close(resolved, NOW + timedelta(days=1))
    assert t.reopen(closed, NOW + WINDOW, WINDOW).status == S.OPEN
    with pytest.raises(IllegalTransition) as refused:
        t.reopen(closed, NOW + WINDOW + timedelta(seconds=1), WINDOW)
    assert refused.value.code == "reopen_window_passed"


def test_reopened_department_ticket_stays_with_its_department():
    f = t.refer_to_department(TicketFlow(), 4)
    f = t.close(t.verify_closure(t.resolve(f, NOW)), NOW)
    f = t.reopen(f, NOW + timedelta(hours=1), WINDOW)
    assert (f.status, f.level, f.department_id, f.resolved_at, f.closed_at) == (
        S.IN_PROGRESS,
        L2,
        4,
        None,
        None,
    )


def test_merge_into_itself_is_refused_and_target_must_be_active():
    with pytest.raises(IllegalTransition) as refused:
        t.merge_into(TicketFlow(), "SND-2026-000001", "SND-2026-000001")
    assert refused.value.code == "merge_into_self"
    merged = t.merge_into(TicketFlow(), "SND-2026-000002", "SND-2026-000001")
    assert merged.merged_into == "SND-2026-000002"
    assert not t.can_receive_merge(merged)
    assert t.can_receive_merge(TicketFlow())


def test_spam_is_kept_and_can_be_restored_to_where_it_was():
    spam = t.mark_spam(TicketFlow())
    assert spam.status == S.SPAM
    assert t.unmark_spam(spam).status == S.NEW


@given(st.lists(st.sampled_from(sorted(ACTIONS)), max_size=40))
def test_any_sequence_of_actions_keeps_the_ticket_consistent(actions):
    f = TicketFlow()
    for name in actions:
        before = f
        try:
            f = ACTIONS[name](f)
        except IllegalTransition:
            assert f == before  # a refusal changes nothing
            continue
        assert (f.level == L2) == (f.department_id is not None)
        if f.status in {S.REFERRED, S.IN_PROGRESS, S.VERIFIED}:
            assert f.level == L2
        assert (f.resolved_at is not None) == (f.status in {S.RESOLVED, S.VERIFIED, S.CLOSED})
        assert (f.closed_at is not None) == (f.status == S.CLOSED)
        assert (f.merged_into is not None) == (f.status == S.MERGED)
        assert (f.status_before_spam is not None) == (f.status == S.SPAM)
        if before.status == S.MERGED:
            pytest.fail(f"a merged ticket accepted {name}")
