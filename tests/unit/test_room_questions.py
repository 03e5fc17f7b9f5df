from datetime import UTC, datetime, timedelta

import pytest

from classroom_helper.domain.content_questions import (
    AnswerAudience,
    ContentQuestion,
    QuestionState,
    answer_shown,
    most_wanted_first,
    name_shown,
)
from classroom_helper.domain.errors import InvalidTransition, NotPermitted, RoomError
from classroom_helper.domain.people import Person, Role

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SARA = Person("t1", "Sara", Role.TRAINEE, "r1")
OMAR = Person("t2", "Omar", Role.TRAINEE, "r1")
LINA = Person("t3", "Lina", Role.TRAINEE, "r1")
ALI = Person("c1", "Dr Ali", Role.TRAINER, "r1")
MONA = Person("m1", "Mona", Role.ROOM_MANAGER, "r1")


def asked(id=1, seconds=0, hidden=False) -> ContentQuestion:
    return ContentQuestion(
        room="r1",
        asker_sub="t1",
        asker_name="Sara",
        text="What is a closure?",
        asked_at=T0 + timedelta(seconds=seconds),
        name_hidden=hidden,
        id=id,
    )


def test_upvote_once_never_your_own():
    q = asked()
    q.upvote(OMAR)
    with pytest.raises(RoomError) as refused:
        q.upvote(OMAR)
    assert refused.value.code == "already_upvoted"
    with pytest.raises(RoomError) as refused:
        q.upvote(SARA)
    assert refused.value.code == "own_question"
    with pytest.raises(NotPermitted):
        q.upvote(ALI)
    assert q.upvotes == 1


def test_answer_to_the_asker_alone_is_seen_by_the_asker_and_staff_only():
    q = asked()
    q.answer_in_text(ALI, "A function with its scope", AnswerAudience.ASKER, T0)
    assert q.state is QuestionState.ANSWERED and q.answered_by_name == "Dr Ali"
    audience = q.answer_audience
    assert answer_shown(audience, to_staff=False, to_asker=True)
    assert answer_shown(audience, to_staff=True, to_asker=False)
    assert not answer_shown(audience, to_staff=False, to_asker=False)
    assert answer_shown(AnswerAudience.ROOM, to_staff=False, to_asker=False)
    with pytest.raises(InvalidTransition):
        q.upvote(OMAR)
    with pytest.raises(InvalidTransition):
        q.dismiss("late", T0)


def test_answered_live_dismissed_rerouted():
    live, dismissed, rerouted = asked(1), asked(2), asked(3)
    live.answer_live(ALI, T0)
    dismissed.dismiss("Covered in next week's session", T0)
    rerouted.reroute(11, T0)
    assert live.state is QuestionState.ANSWERED_LIVE
    assert dismissed.dismiss_reason == "Covered in next week's session"
    assert rerouted.state is QuestionState.REROUTED and rerouted.rerouted_to_issue == 11
    with pytest.raises(InvalidTransition):
        rerouted.answer_live(ALI, T0)


def test_a_hidden_name_is_hidden_from_other_trainees_only():
    assert not name_shown(True, to_staff=False, to_asker=False)
    assert name_shown(True, to_staff=False, to_asker=True)
    assert name_shown(True, to_staff=True, to_asker=False)
    assert name_shown(False, to_staff=False, to_asker=False)


def test_most_wanted_first():
    old, popular, newest, done = asked(1, 0), asked(2, 10), asked(3, 20), asked(4, 5)
    popular.upvote(OMAR)
    popular.upvote(LINA)
    newest.upvote(OMAR)
    done.answer_live(ALI, T0 + timedelta(minutes=1))
    assert [q.id for q in most_wanted_first([old, done, newest, popular])] == [2, 3, 1, 4]
