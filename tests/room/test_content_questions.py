"""Content questions end to end: ask, upvote, answer to one or all, answer live, dismiss,
re-route both ways, and the trainer's CSV export."""

import csv
import io
from datetime import UTC, datetime, timedelta

from helpdesk.adapters.orm.tickets import Ticket


async def test_ask_upvote_most_wanted_first_and_hidden_names(join):
    trainer = await join("trainer", "c1", "Dr Huda")
    sara = await join("trainee", "t1", "Sara")
    omar = await join("trainee", "t2", "Omar")
    lina = await join("trainee", "t3", "Lina")

    plain = (await sara.ok("question.ask", text="What is a closure?"))["question"]
    hidden = (await omar.ok("question.ask", text="Is this on the exam?", hide_name=True))[
        "question"
    ]
    assert hidden["mine"] and hidden["asker"]["name"] == "Omar"  # never hidden from the asker

    asked = await trainer.event("question.asked", lambda d: d["question"]["id"] == hidden["id"])
    assert asked["data"]["question"]["asker"] == {"name": "Omar", "sub": "t2"}  # nor from staff
    seen = await lina.event("question.asked", lambda d: d["question"]["id"] == hidden["id"])
    assert seen["data"]["question"]["asker"] == {"name": None}
    assert "sub" not in seen["data"]["question"]["asker"]

    upvoted = await lina.ok("question.upvote", question_id=hidden["id"])
    assert upvoted["question"]["upvotes"] == 1 and upvoted["question"]["upvoted_by_me"]
    await sara.ok("question.upvote", question_id=hidden["id"])
    await lina.refused("question.upvote", "already_upvoted", question_id=hidden["id"])
    await omar.refused("question.upvote", "own_question", question_id=hidden["id"])
    await trainer.refused("question.upvote", "not_permitted", question_id=plain["id"])
    await trainer.event("question.updated", lambda d: d["question"]["upvotes"] == 2)

    listed = (await trainer.ok("room.sync", last_seq=None))["snapshot"]["questions"]
    assert [q["id"] for q in listed] == [hidden["id"], plain["id"]]  # most-wanted first
    lina_view = (await lina.ok("room.sync", last_seq=None))["snapshot"]["questions"]
    assert lina_view[0]["asker"]["name"] is None and lina_view[0]["upvoted_by_me"] is True


async def test_answer_to_the_asker_alone_and_to_the_room(join):
    trainer = await join("trainer", "c1", "Dr Huda")
    sara = await join("trainee", "t1")
    omar = await join("trainee", "t2")
    private = (await sara.ok("question.ask", text="Can you check my code?"))["question"]
    public = (await sara.ok("question.ask", text="Slides?"))["question"]

    answered = await trainer.ok(
        "question.answer", question_id=private["id"], text="Send it after class", audience="asker"
    )
    assert answered["question"]["answer"] == "Send it after class"
    note = await sara.event("question.private_answer")
    assert note["data"] == {
        "question_id": private["id"],
        "answer": "Send it after class",
        "answered_by": "Dr Huda",
    }
    update = await omar.event("question.updated", lambda d: d["question"]["id"] == private["id"])
    assert update["data"]["question"]["state"] == "answered"
    assert update["data"]["question"]["answer"] is None  # not for the rest of the room
    assert not [e for e in omar.events if e["type"] == "question.private_answer"]
    sara_view = (await sara.ok("room.sync", last_seq=None))["snapshot"]["questions"]
    assert {q["id"]: q["answer"] for q in sara_view}[private["id"]] == "Send it after class"

    await trainer.ok("question.answer", question_id=public["id"], text="On the LMS")
    shown = await omar.event("question.updated", lambda d: d["question"]["id"] == public["id"])
    assert shown["data"]["question"]["answer"] == "On the LMS"
    await trainer.refused("question.answer_live", "invalid_state", question_id=public["id"])


async def test_answered_live_and_dismissed_with_a_reason(join):
    trainer = await join("trainer", "c1")
    sara = await join("trainee", "t1")
    live = (await sara.ok("question.ask", text="Repeat the last point?"))["question"]
    off = (await sara.ok("question.ask", text="What about football?"))["question"]
    assert (await trainer.ok("question.answer_live", question_id=live["id"]))["question"][
        "state"
    ] == "answered_live"
    await trainer.refused("question.dismiss", "invalid_payload", question_id=off["id"], reason=" ")
    dismissed = await trainer.ok("question.dismiss", question_id=off["id"], reason="Off topic")
    assert dismissed["question"]["dismiss_reason"] == "Off topic"
    told = await sara.event(
        "question.updated",
        lambda d: d["question"]["state"] == "dismissed" and d["question"]["mine"],
    )
    assert told["data"]["question"]["dismiss_reason"] == "Off topic"


async def test_the_dismissal_reason_goes_to_the_asker_alone(join):
    """Issue 21, finding 8: the others see that the question was dismissed, not why."""
    trainer = await join("trainer", "c1")
    sara = await join("trainee", "t1")
    omar = await join("trainee", "t2")
    off = (await sara.ok("question.ask", text="What about football?"))["question"]
    await trainer.ok("question.dismiss", question_id=off["id"], reason="Sara, see me after")
    seen = await omar.event("question.updated", lambda d: d["question"]["state"] == "dismissed")
    assert seen["data"]["question"]["dismiss_reason"] is None
    await sara.event("question.updated", lambda d: d["question"]["dismiss_reason"] is not None)
    await omar.ok("room.sync", last_seq=None)  # what a reconnecting trainee is given
    assert all("Sara, see me after" not in str(e) for e in omar.events)
    snapshot = (await omar.ok("room.sync", last_seq=None))["snapshot"]["questions"]
    assert [q["dismiss_reason"] for q in snapshot] == [None]
    mine = (await sara.ok("room.sync", last_seq=None))["snapshot"]["questions"]
    assert [q["dismiss_reason"] for q in mine] == ["Sara, see me after"]
    replay = await omar.ok("room.sync", last_seq=0)
    assert "Sara, see me after" not in str(replay)


async def test_reroute_both_ways(join):
    trainer = await join("trainer", "c1")
    manager = await join("manager", "m1")
    sara = await join("trainee", "t1", "Sara")

    question = (await sara.ok("question.ask", text="My microphone is not detected"))["question"]
    moved = await trainer.ok("question.reroute", question_id=question["id"])
    assert moved["question"]["state"] == "rerouted"
    issue_id = moved["issue"]["id"]
    raised = await manager.event("issue.raised", lambda d: d["issue"]["id"] == issue_id)
    assert raised["data"]["issue"]["text"] == "My microphone is not detected"
    assert raised["data"]["issue"]["category"] == "other"
    await sara.event("issue.raised")

    moved_back = await manager.ok("issue.reroute", issue_id=issue_id)
    assert moved_back["issue"]["state"] == "rerouted"
    new_question = await trainer.event(
        "question.asked", lambda d: d["question"]["id"] == moved_back["question"]["id"]
    )
    assert new_question["data"]["question"]["rerouted_from_issue"] == issue_id
    assert new_question["data"]["question"]["asker"]["name"] == "Sara"
    await trainer.refused("issue.reroute", "not_permitted", issue_id=issue_id)
    await manager.refused("question.reroute", "not_permitted", question_id=question["id"])
    assert await Ticket.all().count() == 0


async def test_trainer_exports_the_questions_as_csv_for_excel(join, client, token_for):
    trainer_token = token_for("trainer", "c1")
    await join("trainer", "c1")
    sara = await join("trainee", "t1", "سارة")
    first = (await sara.ok("question.ask", text="ما الفرق بين القائمة والمجموعة؟"))["question"]
    await sara.ok("question.ask", text='=HYPERLINK("http://evil")')
    trainer = await join("trainer", "c2")
    await trainer.ok("question.answer_live", question_id=first["id"])

    room_id = first["room"]
    response = await client.get(
        f"/api/v1/rooms/{room_id}/questions.csv",
        headers={"Authorization": f"Bearer {trainer_token}"},
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["question"] for r in rows] == [
        "ما الفرق بين القائمة والمجموعة؟",
        '\'=HYPERLINK("http://evil")',  # never a formula
    ]
    assert rows[0]["asker"] == "سارة" and rows[0]["state"] == "answered_live"

    unanswered = await client.get(
        f"/api/v1/rooms/{room_id}/questions.csv?unanswered=1",
        headers={"Authorization": f"Bearer {trainer_token}"},
    )
    rows = list(csv.DictReader(io.StringIO((await unanswered.read()).decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["state"] == "asked"

    trainee = await client.get(
        f"/api/v1/rooms/{room_id}/questions.csv",
        headers={"Authorization": f"Bearer {token_for('trainee', 't1')}"},
    )
    assert trainee.status == 403
    assert (await trainee.json())["code"] == "not_permitted"
    nobody = await client.get(f"/api/v1/rooms/{room_id}/questions.csv")
    assert nobody.status == 401
    assert nobody.headers["Content-Type"].startswith("application/problem+json")


async def test_host_platform_opens_and_closes_the_session_through_the_api(
    join, client, room, token_for
):
    sara = await join("trainee", "t1")
    await sara.ok("issue.raise", category="no_audio")
    headers = {"Authorization": f"Bearer {token_for('manager', 'lms-bot')}"}
    url = f"/api/v1/rooms/{room.room_id}/session"
    bad = await client.post(url, json={"state": "paused"}, headers=headers)
    assert bad.status == 400 and (await bad.json())["code"] == "invalid_payload"
    refused = await client.post(
        url,
        json={"state": "closed"},
        headers={"Authorization": f"Bearer {token_for('trainee', 't1')}"},
    )
    assert refused.status == 403
    closed = await client.post(url, json={"state": "closed"}, headers=headers)
    assert closed.status == 200
    assert (await closed.json())["session"]["state"] == "closed"
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated")
    assert told["data"]["issue"]["ticket_reason"] == "session_ended"
    await sara.event("session.changed", lambda d: d["session"]["state"] == "closed")
    # closed by mistake: it opens again while its scheduled time lasts, and not after
    again = await client.post(url, json={"state": "open"}, headers=headers)
    assert again.status == 200 and (await again.json())["session"]["state"] == "open"
    assert (await client.post(url, json={"state": "closed"}, headers=headers)).status == 200
    room.scheduled_end = datetime.now(UTC) - timedelta(minutes=1)
    await room.save(update_fields=["scheduled_end"])
    late = await client.post(url, json={"state": "open"}, headers=headers)
    assert late.status == 409
