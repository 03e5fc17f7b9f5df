"""The permission matrix and the payload rules, as pure functions."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classroom_helper.domain.errors import NotPermitted
from classroom_helper.domain.payloads import (
    DIAGNOSTICS_MAX_BYTES,
    EVENTS,
    InvalidPayload,
    parse,
)
from classroom_helper.domain.people import Action, Person, Role, may, require

T, M, C = Role.TRAINEE, Role.ROOM_MANAGER, Role.TRAINER
# Written out by hand from the policy, independently of PERMISSIONS.
WHO_MAY = {
    Action.RAISE_ISSUE: {T},
    Action.WITHDRAW_ISSUE: {T},
    Action.CONFIRM_ISSUE: {T},
    Action.REOPEN_ISSUE: {T},
    Action.MESSAGE_ISSUE: {T, M},
    Action.CLAIM_ISSUE: {M},
    Action.RESOLVE_ISSUE: {M},
    Action.ESCALATE_ISSUE: {M},
    Action.REROUTE_ISSUE: {M},
    Action.RESOLVE_INCIDENT: {M},
    Action.MESSAGE_INCIDENT: {M},
    Action.OPEN_SESSION: {M},
    Action.CLOSE_SESSION: {M},
    Action.ASK_QUESTION: {T},
    Action.UPVOTE_QUESTION: {T},
    Action.ANSWER_QUESTION: {C},
    Action.ANSWER_LIVE: {C},
    Action.DISMISS_QUESTION: {C},
    Action.REROUTE_QUESTION: {C},
    Action.EXPORT_QUESTIONS: {C},
}


def test_the_matrix_covers_every_action():
    assert set(WHO_MAY) == set(Action)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_permission_matrix(role, action):
    person = Person("x", "X", role, "r1")
    assert may(person, action) is (role in WHO_MAY[action])
    if role not in WHO_MAY[action]:
        with pytest.raises(NotPermitted):
            require(person, action, room="r1")


def test_no_one_acts_on_another_room():
    manager = Person("m1", "Mona", Role.ROOM_MANAGER, "r1")
    require(manager, Action.CLAIM_ISSUE, room="r1")
    with pytest.raises(NotPermitted) as refused:
        require(manager, Action.CLAIM_ISSUE, room="r2")
    assert refused.value.code == "wrong_room"
    with pytest.raises(NotPermitted) as refused:
        require(manager, Action.ASK_QUESTION)
    assert refused.value.code == "not_permitted"


def test_raise_is_cleaned_and_capped():
    event = parse(
        "issue.raise",
        {"cid": "c-12345678", "category": "no_audio", "text": "  لا\x07 صوت ", "diagnostics": {}},
    )
    assert event.text == "لا صوت"
    too_long = {"cid": "c-12345678", "category": "no_audio", "text": "x" * 2001}
    with pytest.raises(InvalidPayload, match="text"):
        parse("issue.raise", too_long)
    heavy = {"cid": "c-12345678", "category": "other", "diagnostics": {"ua": "x" * 450}}
    heavy["diagnostics"].update({f"k{i}": "y" * 450 for i in range(9)})
    with pytest.raises(InvalidPayload, match=str(DIAGNOSTICS_MAX_BYTES)):
        parse("issue.raise", heavy)


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("issue.raise", {"cid": "c-12345678", "category": "fire"}),
        ("issue.raise", {"cid": "short", "category": "no_audio"}),
        ("issue.raise", {"cid": "c-12345678", "category": "no_audio", "diagnostics": {"a": [1]}}),
        ("issue.claim", {"cid": "c-12345678", "issue_id": "7"}),
        ("issue.claim", {"cid": "c-12345678", "issue_id": True}),
        ("issue.claim", {"cid": "c-12345678", "issue_id": 0}),
        ("issue.claim", {"cid": "c-12345678", "issue_id": 7, "as": "admin"}),
        ("question.ask", {"cid": "c-12345678", "text": "   "}),
        ("question.ask", {"cid": "c-12345678", "text": "q" * 1001}),
        ("question.ask", {"cid": "c-12345678", "text": "ok", "hide_name": "yes"}),
        ("question.answer", {"cid": "c-12345678", "question_id": 1, "text": "a", "audience": "x"}),
        ("room.sync", {"last_seq": -1}),
    ],
)
def test_bad_payloads_are_refused_with_a_code(event, data):
    with pytest.raises(InvalidPayload):
        parse(event, data)


@pytest.mark.parametrize(
    "data",
    [
        {"cid": "c-12345678", "category": "no_audio", "text": "لا صوت\x00"},
        {"cid": "c-12345678", "category": "no_audio", "text": "lone \ud800 surrogate"},
        {"cid": "c-12345678", "category": "other", "diagnostics": {"ua": "\udfff"}},
        {"cid": "c-12345678", "category": "other", "diagnostics": {"\ud800": 1}},
        {"cid": "c-12345678", "category": "other", "extra\x00": 1},
    ],
)
def test_text_a_database_cannot_store_is_an_invalid_payload(data):
    with pytest.raises(InvalidPayload) as refused:
        parse("issue.raise", data)
    assert refused.value.code == "invalid_payload"


def test_bidi_controls_do_not_survive_into_room_text():
    event = parse("question.ask", {"cid": "c-12345678", "text": "\u202eabc\u2066 سؤال\u2069"})
    assert event.text == "abc سؤال"


def test_unknown_events_and_non_objects():
    with pytest.raises(Exception) as refused:
        parse("issue.delete_everything", {})
    assert refused.value.code == "unknown_event"
    with pytest.raises(InvalidPayload):
        parse("issue.raise", ["no_audio"])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(
    event=st.sampled_from(sorted(EVENTS)),
    data=st.one_of(
        JSON,
        st.dictionaries(
            st.sampled_from(
                [
                    "cid",
                    "text",
                    "issue_id",
                    "category",
                    "question_id",
                    "incident_id",
                    "note",
                    "reason",
                    "audience",
                    "hide_name",
                    "diagnostics",
                    "last_seq",
                ]
            ),
            JSON,
            max_size=6,
        ),
    ),
)
def test_any_payload_is_either_valid_or_refused_with_invalid_payload(event, data):
    with contextlib.suppress(InvalidPayload):
        parse(event, data)
