"""Room-wide incidents, the queue, and issues that become tickets on their own."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.adapters.orm.tickets import Ticket


@pytest.fixture
def app_config(app_config):
    # short clocks, so that the sweeper acts within a test
    return replace(
        app_config,
        room_unclaimed_limit=timedelta(seconds=2),
        room_no_manager_grace=timedelta(seconds=0.5),
    )


async def test_grouped_incident_resolved_at_once_and_everyone_told(join):
    manager = await join("manager", "m1", "Mona")
    trainees = [await join("trainee", f"t{i}") for i in range(3)]
    loner = await join("trainee", "t9")
    ids = [(await t.ok("issue.raise", category="no_audio"))["issue"]["id"] for t in trainees]
    await loner.ok("issue.raise", category="no_video")

    incident = (
        await manager.event("incident.updated", lambda d: d["incident"]["open_issues"] == 3)
    )["data"]["incident"]
    assert incident["category"] == "no_audio" and incident["issue_ids"] == sorted(ids)
    assert incident["trainees"] == 3
    snapshot = (await manager.ok("room.sync", last_seq=None))["snapshot"]
    assert [i["id"] for i in snapshot["incidents"]] == [incident["id"]]

    posted = await manager.ok(
        "incident.message", incident_id=incident["id"], text="We are fixing the audio"
    )
    assert posted["messages"] == 3
    resolved = await manager.ok("incident.resolve", incident_id=incident["id"], note="Audio back")
    assert resolved["incident"]["state"] == "resolved" and resolved["incident"]["open_issues"] == 0
    for trainee in trainees:
        await trainee.event(
            "issue.message", lambda d: d["message"]["text"] == "We are fixing the audio"
        )
        told = await trainee.event("issue.updated", lambda d: d["issue"]["state"] == "resolved")
        assert told["data"]["issue"]["resolution_note"] == "Audio back"
    await asyncio.sleep(0.1)
    assert not [e for e in loner.events if e["type"] == "issue.updated"]


async def test_queue_position_and_estimated_wait_kept_current(join):
    manager = await join("manager", "m1")
    first = await join("trainee", "t1")
    second = await join("trainee", "t2")
    third = await join("trainee", "t3")
    a = (await first.ok("issue.raise", category="other"))["issue"]["id"]
    await second.ok("issue.raise", category="no_video")
    raised = await third.ok("issue.raise", category="cannot_join")
    assert raised["queue"]["position"] == 3 and raised["queue"]["estimated_wait_seconds"] is None

    await manager.ok("issue.claim", issue_id=a)  # now the room has a claim time to go on
    await asyncio.sleep(0.2)
    assert third.queue[-1]["position"] == 2
    assert third.queue[-1]["estimated_wait_seconds"] is not None
    assert second.queue[-1]["position"] == 1
    assert (await third.ok("room.sync", last_seq=None))["snapshot"]["queue"][0]["position"] == 2


async def test_unclaimed_too_long_becomes_a_ticket(join):
    await join("manager", "m1")
    sara = await join("trainee", "t1")
    issue_id = (await sara.ok("issue.raise", category="no_audio"))["issue"]["id"]
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated", within=6)
    issue = told["data"]["issue"]
    assert issue["id"] == issue_id and issue["ticket_reason"] == "unclaimed_timeout"
    assert await Ticket.filter(number=issue["ticket_number"], channel="room").exists()


async def test_no_manager_online_becomes_a_ticket(join):
    sara = await join("trainee", "t1")
    await sara.ok("issue.raise", category="connection_drops")
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated", within=4)
    assert told["data"]["issue"]["ticket_reason"] == "no_manager_online"
    assert told["data"]["issue"]["ticket_number"].startswith("SND-")


async def test_a_claimed_issue_waits_while_its_manager_is_online(join):
    manager = await join("manager", "m1")
    sara = await join("trainee", "t1")
    issue_id = (await sara.ok("issue.raise", category="no_audio"))["issue"]["id"]
    await manager.ok("issue.claim", issue_id=issue_id)
    await asyncio.sleep(3)
    assert not [e for e in sara.events if e["data"].get("issue", {}).get("state") == "escalated"]


async def test_session_end_turns_open_issues_into_tickets(join, room):
    manager = await join("manager", "m1")
    sara = await join("trainee", "t1")
    omar = await join("trainee", "t2")
    open_id = (await sara.ok("issue.raise", category="no_audio"))["issue"]["id"]
    done_id = (await omar.ok("issue.raise", category="no_video"))["issue"]["id"]
    await manager.ok("issue.claim", issue_id=open_id)
    await manager.ok("issue.resolve", issue_id=done_id)

    room.scheduled_end = datetime.now(UTC)  # its scheduled end has just passed
    await room.save()
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated", within=4)
    assert told["data"]["issue"]["ticket_reason"] == "session_ended"
    await manager.event("session.changed", lambda d: d["session"]["state"] == "closed")
    assert await Ticket.all().count() == 1  # the resolved one waits for its trainee, no ticket


async def test_manager_closing_the_session_gives_trainees_their_ticket_numbers(join):
    manager = await join("manager", "m1")
    sara = await join("trainee", "t1")
    issue_id = (await sara.ok("issue.raise", category="other", text="mic"))["issue"]["id"]
    closed = await manager.ok("session.close")
    assert [t["issue_id"] for t in closed["tickets"]] == [issue_id]
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated")
    assert told["data"]["issue"]["ticket_number"] == closed["tickets"][0]["ticket_number"]
