"""The permission matrix against the real server, and payload fuzzing (hypothesis): every
refusal is an ack with a code, the connection stays up, nothing stored is touched."""

import logging
import uuid
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from classroom_helper.adapters.orm import ContentQuestionRecord, RoomIssueRecord
from classroom_helper.domain.payloads import EVENTS
from classroom_helper.entrypoints.socketio import REASONS
from helpdesk.adapters.orm.institute import RoomSession


@pytest.fixture
def app_config(app_config):
    return replace(app_config, room_rate_limit="100000 per second")  # fuzzing sends a lot


TRAINEE, OWNER, TRAINER, MANAGER = "other trainee", "owner", "trainer", "manager"
# who may send each event at an item raised by OWNER (everyone else is refused)
ALLOWED = {
    "issue.claim": {MANAGER},
    "issue.message": {MANAGER, OWNER},
    "issue.resolve": {MANAGER},
    "issue.escalate": {MANAGER},
    "issue.reroute": {MANAGER},
    "issue.confirm": {OWNER},
    "issue.reopen": {OWNER},
    "issue.withdraw": {OWNER},
    "incident.resolve": {MANAGER},
    "incident.message": {MANAGER},
    "question.upvote": {TRAINEE},
    "question.answer": {TRAINER},
    "question.answer_live": {TRAINER},
    "question.dismiss": {TRAINER},
    "question.reroute": {TRAINER},
    "session.open": {MANAGER},
    "session.close": {MANAGER},
    "issue.raise": {OWNER, TRAINEE},
    "question.ask": {OWNER, TRAINEE},
}


async def test_permission_matrix_end_to_end(join, room, caplog):
    people = {
        OWNER: await join("trainee", "t1"),
        TRAINEE: await join("trainee", "t2"),
        TRAINER: await join("trainer", "c1"),
        MANAGER: await join("manager", "m1"),
    }
    issue = (await people[OWNER].ok("issue.raise", category="no_audio"))["issue"]
    await people[TRAINEE].ok("issue.raise", category="no_audio")  # makes an incident
    question = (await people[OWNER].ok("question.ask", text="q"))["question"]
    incident_id = (await people[MANAGER].event("incident.updated"))["data"]["incident"]["id"]
    fields = {
        "issue": {"issue_id": issue["id"]},
        "incident": {"incident_id": incident_id},
        "question": {"question_id": question["id"]},
        "session": {},
    }
    extra = {
        "issue.message": {"text": "hi"},
        "incident.message": {"text": "hi"},
        "question.answer": {"text": "a"},
        "question.dismiss": {"reason": "r"},
        "issue.raise": {"category": "other"},
        "question.ask": {"text": "q2"},
    }
    assert set(ALLOWED) == set(EVENTS) - {"room.sync"}
    caplog.set_level(logging.WARNING, logger="classroom_helper")
    before = (await RoomIssueRecord.all().values(), await ContentQuestionRecord.all().values())
    for event, allowed in ALLOWED.items():
        for who, client in people.items():
            if who in allowed:
                continue
            about = {} if event in ("issue.raise", "question.ask") else fields[event.split(".")[0]]
            payload = {**about, **extra.get(event, {})}
            ack = await client.call(event, **payload)
            expected = "not_yours" if who == TRAINEE and OWNER in allowed else "not_permitted"
            if (event, who) == ("question.upvote", OWNER):
                expected = "own_question"
            assert ack["error"] == expected, (event, who, ack)
    assert (
        await RoomIssueRecord.all().values(),
        await ContentQuestionRecord.all().values(),
    ) == before
    assert any("refused issue.claim by t1" in r.getMessage() for r in caplog.records)


async def test_nobody_touches_another_room(join, room, token_for, caplog):
    other = await RoomSession.create(
        room_id=f"room-{uuid.uuid4().hex[:8]}",
        title="Other",
        scheduled_start=room.scheduled_start,
        scheduled_end=room.scheduled_end,
        state="open",
    )
    sara = await join("trainee", "t1")
    issue = (await sara.ok("issue.raise", category="no_audio"))["issue"]
    question = (await sara.ok("question.ask", text="q"))["question"]
    stranger = await join("manager", "m9", room_id=other.room_id)
    trainer = await join("trainer", "c9", room_id=other.room_id)
    caplog.set_level(logging.WARNING, logger="classroom_helper")
    await stranger.refused("issue.claim", "wrong_room", issue_id=issue["id"])
    await stranger.refused("issue.message", "wrong_room", issue_id=issue["id"], text="hi")
    await trainer.refused("question.answer_live", "wrong_room", question_id=question["id"])
    assert (await sara.ok("room.sync", last_seq=None))["snapshot"]["issues"][0]["state"] == "raised"
    assert not [e for e in stranger.events if e["type"].startswith("issue.")]
    assert any("wrong_room" in r.getMessage() for r in caplog.records)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
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
PAYLOADS = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"cid": st.uuids().map(lambda u: u.hex)},
        optional={
            name: JSON | st.integers(1, 5) | st.sampled_from(["no_audio", "room", "asker"])
            for name in FIELDS
            if name != "cid"
        },
    ),
)
CODES = set(REASONS)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=st.sampled_from([*sorted(EVENTS), "issue.explode"]), payload=PAYLOADS)
# what Python's json writes and a strict JSON reader refuses
@example(event="issue.raise", payload={"cid": "c" * 32, "category": float("nan")})
@example(event="question.ask", payload={"cid": "d" * 32, "text": "\ud800", "x": float("inf")})
async def test_fuzzed_payloads_always_get_an_ack(join_once, event, payload):
    for client in join_once:
        ack = await client.sio.call(event, payload, timeout=10)
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
        if not ack["ok"]:
            assert ack["error"] in CODES and ack["error"] != "internal_error", ack
            assert ack["message"]
        assert client.sio.connected


@pytest.fixture
async def join_once(join):
    """One trainee, one manager and one trainer for every example of the fuzzing test."""
    return [await join("trainee", "t1"), await join("manager", "m1"), await join("trainer", "c1")]
