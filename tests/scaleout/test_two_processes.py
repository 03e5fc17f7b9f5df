"""Two Sanad processes serve one room through PostgreSQL and Redis; one of them is killed."""

from __future__ import annotations

import asyncio
import time

import pytest

from classroom_helper.adapters.orm import IssueMessageRecord, RoomEventRecord, RoomIssueRecord
from classroom_helper.services.presence import STALE_AFTER
from tests.scaleout.institute import Person, in_database, needs_postgres_and_redis, started

pytestmark = [pytest.mark.slow, needs_postgres_and_redis]


def in_order(person: Person) -> None:
    seqs = [event["seq"] for event in person.events]
    assert seqs == sorted(set(seqs)), (person.sub, seqs)


async def test_a_room_served_by_two_processes(institute, sanad, database_url):
    one, two = sanad(database_url), sanad(database_url)
    await started(one, two)
    sara = await Person(institute, "trainee", "sara", [one.base_url]).connect()
    huda = await Person(institute, "trainee", "huda", [two.base_url]).connect()
    manager = await Person(institute, "manager", "omar", [two.base_url]).connect()
    trainer = await Person(institute, "trainer", "laila", [one.base_url]).connect()
    people = (sara, huda, manager, trainer)
    try:
        # a trainee on one process, the room manager on the other
        issue = (await sara.ok("issue.raise", category="no_audio", text="لا أسمع"))["issue"]
        await manager.sees("issue.raised", lambda d: d["issue"]["id"] == issue["id"])
        await manager.ok("issue.claim", issue_id=issue["id"])
        await sara.sees("issue.updated", lambda d: d["issue"]["state"] == "claimed")
        await manager.ok("issue.message", issue_id=issue["id"], text="أعد تشغيل المتصفح")
        await sara.sees("issue.message", lambda d: d["message"]["text"] == "أعد تشغيل المتصفح")
        await sara.ok("issue.message", issue_id=issue["id"], text="نجح، شكرًا")
        await manager.sees("issue.message", lambda d: d["message"]["text"] == "نجح، شكرًا")
        await manager.ok("issue.resolve", issue_id=issue["id"], note="تم")
        await sara.sees("issue.updated", lambda d: d["issue"]["state"] == "resolved")
        await sara.ok("issue.confirm", issue_id=issue["id"])
        await manager.sees("issue.updated", lambda d: d["issue"]["state"] == "confirmed")

        # a content question asked on one process, answered by the trainer on the other
        question = (await huda.ok("question.ask", text="ما الفرق بين القائمة والمجموعة؟"))[
            "question"
        ]
        await trainer.sees("question.asked", lambda d: d["question"]["id"] == question["id"])
        await sara.ok("question.upvote", question_id=question["id"])
        await trainer.ok("question.answer", question_id=question["id"], text="القائمة مرتبة")
        for watcher in (sara, huda):
            await watcher.sees(
                "question.updated", lambda d: d["question"].get("answer") == "القائمة مرتبة"
            )

        # one after another, events reach every process's clients in the room's order
        for person in people:
            in_order(person)

        # a burst from both processes at once: every person hears every event meant for them,
        # in the room's order, though two processes commit a moment apart and publish in any order
        others = [
            await Person(institute, "trainee", f"t{n}", [(one, two)[n % 2].base_url]).connect()
            for n in range(6)
        ]
        people += tuple(others)
        await asyncio.gather(
            *(
                person.ok("question.ask", text=f"سؤال {person.sub} {n}")
                for person in others
                for n in range(3)
            ),
            *(person.ok("issue.raise", category="no_video") for person in others),
        )
        last_seq = await in_database(database_url, last_event_seq(institute.room_id))
        for person in people:
            await person.holds_everything_due()
            in_order(person)
        assert max(e["seq"] for person in people for e in person.events) == last_seq
    finally:
        for person in people:
            await person.leave()


def last_event_seq(room_id: str):
    async def query() -> int:
        return (await RoomEventRecord.filter(room_id=room_id).order_by("-seq").first()).seq

    return query


async def test_a_killed_process_loses_nothing_and_its_people_move_to_the_other(
    institute, sanad, database_url
):
    survivor, doomed = sanad(database_url), sanad(database_url)
    await started(survivor, doomed)
    # the load balancer sent sara and huda to the process that will die; sara's browser tries
    # again (the load balancer now sends her to the survivor), huda's was closed meanwhile
    sara = await Person(
        institute, "trainee", "sara", [doomed.base_url, survivor.base_url]
    ).connect()
    huda = await Person(institute, "trainee", "huda", [doomed.base_url]).connect()
    manager = await Person(institute, "manager", "omar", [survivor.base_url]).connect()
    people = (sara, huda, manager)
    try:
        issue = (await sara.ok("issue.raise", category="no_audio"))["issue"]
        await manager.ok("issue.claim", issue_id=issue["id"])
        for n in range(3):
            await sara.ok("issue.message", issue_id=issue["id"], text=f"sara {n}")
        question = (await huda.ok("question.ask", text="هل يسجل الدرس؟"))["question"]
        await manager.sees("issue.message", lambda d: d["message"]["text"] == "sara 2")
        assert manager.presence[-1]["trainees"] == 2

        huda.fail_over = False
        doomed.kill()
        killed_at = time.monotonic()
        # while sara is away the manager writes to her: acknowledged, so she must get it
        await manager.ok("issue.message", issue_id=issue["id"], text="omar while you were away")
        await asyncio.wait_for(sara.reconnected.wait(), 15)
        assert sara.url == survivor.base_url
        await sara.sees(
            "issue.message", lambda d: d["message"]["text"] == "omar while you were away"
        )
        await sara.ok("issue.message", issue_id=issue["id"], text="sara is back")
        await manager.sees("issue.message", lambda d: d["message"]["text"] == "sara is back")

        # the database holds everything that was acknowledged, once
        async def stored():
            issue_row = await RoomIssueRecord.get(id=issue["id"])
            texts = await IssueMessageRecord.filter(issue_id=issue["id"]).order_by("id")
            seqs = await RoomEventRecord.filter(room_id=institute.room_id).values_list(
                "seq", flat=True
            )
            return issue_row.state, [m.text for m in texts], sorted(seqs)

        state, texts, seqs = await in_database(database_url, stored)
        assert state == "claimed"
        assert texts == ["sara 0", "sara 1", "sara 2", "omar while you were away", "sara is back"]
        assert seqs == list(range(1, len(seqs) + 1))  # no number lost or given twice
        # and what each client ends up holding is what the server says they may see
        for person in (sara, manager):
            await person.holds_everything_due()
        snapshot = (await sara.ok("room.sync", last_seq=None))["snapshot"]
        assert [q["id"] for q in snapshot["questions"]] == [question["id"]]

        # huda's connection died with its process: within the presence timeout she stops counting
        while manager.presence[-1]["trainees"] != 1:
            waited = time.monotonic() - killed_at
            assert waited < STALE_AFTER.total_seconds() + 10, manager.presence[-3:]
            await asyncio.sleep(0.2)
        assert (await manager.ok("room.sync", last_seq=manager.seq))["presence"]["trainees"] == 1
    finally:
        for person in people:
            await person.leave()
