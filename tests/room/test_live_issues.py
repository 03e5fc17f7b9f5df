"""Technical issues end to end, with real python-socketio clients against the real server."""

import pytest

from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.events import TicketChanged
from helpdesk.entrypoints import keys

DIAGNOSTICS = {"user_agent": "Firefox 140", "online": True, "rtt_ms": 80, "audio_inputs": 0}


async def test_raise_seen_claim_chat_resolve_confirm(join):
    manager = await join("manager", "m1", "منى")
    sara = await join("trainee", "t1", "سارة")
    omar = await join("trainee", "t2", "عمر")

    raised = await sara.ok(
        "issue.raise", category="no_audio", text="لا أسمع المدرب", diagnostics=DIAGNOSTICS
    )
    issue = raised["issue"]
    assert raised["existing"] is False
    assert issue["state"] == "raised" and issue["text"] == "لا أسمع المدرب"
    # first in the queue; no claim yet in this room to estimate the wait from
    assert raised["queue"] == {
        "issue_id": issue["id"],
        "position": 1,
        "estimated_wait_seconds": None,
    }

    seen = await manager.event("issue.raised")
    assert seen["data"]["issue"]["id"] == issue["id"]
    assert seen["data"]["issue"]["diagnostics"] == DIAGNOSTICS
    assert seen["data"]["issue"]["trainee"]["email"] == "t1@example.org"
    assert seen["seq"] >= 1

    claimed = await manager.ok("issue.claim", issue_id=issue["id"])
    assert claimed["issue"]["claimed_by"] == {"name": "منى"}
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "claimed")
    assert told["data"]["issue"]["claimed_by"] == {"name": "منى"}
    assert told["data"]["issue"]["trainee"]["email"] is None  # contact details are for staff

    await manager.ok("issue.message", issue_id=issue["id"], text="جرّبي إعادة تحميل الصفحة")
    message = await sara.event("issue.message")
    assert message["data"]["message"]["text"] == "جرّبي إعادة تحميل الصفحة"
    await sara.ok("issue.message", issue_id=issue["id"], text="<b>نجح</b>")
    reply = await manager.event(
        "issue.message", lambda d: d["message"]["author"]["role"] == "trainee"
    )
    assert reply["data"]["message"]["text"] == "<b>نجح</b>"  # stored as written; pages escape it

    resolved = await manager.ok("issue.resolve", issue_id=issue["id"], note="unmuted")
    assert resolved["issue"]["state"] == "resolved"
    await sara.event("issue.updated", lambda d: d["issue"]["state"] == "resolved")
    confirmed = await sara.ok("issue.confirm", issue_id=issue["id"])
    assert confirmed["issue"]["state"] == "confirmed"

    # nobody else's business: the other trainee heard nothing of it
    assert not [e for e in omar.events if e["type"].startswith("issue.")]
    seqs = [e["seq"] for e in manager.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


async def test_one_open_issue_per_trainee_and_still_broken(join):
    await join("manager", "m1")
    sara = await join("trainee", "t1")
    first = await sara.ok("issue.raise", category="no_video")
    again = await sara.ok("issue.raise", category="other", text="another one")
    assert again["existing"] is True and again["issue"]["id"] == first["issue"]["id"]


async def test_still_broken_reopens_and_withdraw_closes(join):
    manager = await join("manager", "m1", "Mona")
    sara = await join("trainee", "t1")
    issue_id = (await sara.ok("issue.raise", category="no_video"))["issue"]["id"]
    await manager.ok("issue.resolve", issue_id=issue_id, note="")
    reopened = await sara.ok("issue.reopen", issue_id=issue_id, text="still no video")
    assert reopened["issue"]["state"] == "reopened"
    assert reopened["issue"]["claimed_by"] == {"name": "Mona"}
    await manager.event("issue.message", lambda d: d["message"]["text"] == "still no video")
    withdrawn = await sara.ok("issue.withdraw", issue_id=issue_id)
    assert withdrawn["issue"]["state"] == "withdrawn"
    await sara.refused("issue.claim", "not_permitted", issue_id=issue_id)
    await manager.refused("issue.claim", "invalid_state", issue_id=issue_id)


async def test_escalate_makes_a_helpdesk_ticket_with_the_thread(join, room):
    manager = await join("manager", "m1", "Mona")
    sara = await join("trainee", "t1", "Sara", phone="+966500000001")
    issue_id = (
        await sara.ok(
            "issue.raise",
            category="cannot_join",
            text="login loops",
            diagnostics={"browser": "Edge"},
        )
    )["issue"]["id"]
    await manager.ok("issue.claim", issue_id=issue_id)
    await sara.ok("issue.message", issue_id=issue_id, text="it says session expired")
    escalated = await manager.ok("issue.escalate", issue_id=issue_id, note="needs the LMS team")
    number = escalated["issue"]["ticket_number"]
    assert escalated["issue"]["state"] == "escalated" and number.startswith("SND-")
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated")
    assert told["data"]["issue"]["ticket_number"] == number

    ticket = await Ticket.get(number=number)
    assert ticket.channel == "room" and ticket.kind == "technical_issue"
    assert ticket.requester_ref == "t1" and ticket.requester_email == "t1@example.org"
    assert ticket.requester_phone == "+966500000001"
    assert ticket.room_session_id == room.id and ticket.course_id == room.course_id
    assert ticket.description == "login loops"
    room_lines = await TicketEvent.filter(ticket=ticket, action="room_message").values_list(
        "body", flat=True
    )
    assert room_lines == ["login loops", "it says session expired", "needs the LMS team"]
    diagnostics = await TicketEvent.get(ticket=ticket, action="room_diagnostics")
    assert '"browser": "Edge"' in diagnostics.body and not diagnostics.is_public
    assert await TicketEvent.filter(ticket=ticket, action="opened").count() == 1


@pytest.mark.parametrize("role", ["trainee", "trainer"])
async def test_only_managers_claim(join, role):
    await join("manager", "m1")
    sara = await join("trainee", "t1")
    other = await join(role, "x9")
    issue_id = (await sara.ok("issue.raise", category="no_audio"))["issue"]["id"]
    await other.refused("issue.claim", "not_permitted", issue_id=issue_id)


async def test_the_trainee_hears_in_the_room_when_the_helpdesk_moves_the_ticket(join, server):
    manager = await join("manager", "m1")
    sara = await join("trainee", "t1")
    issue_id = (await sara.ok("issue.raise", category="no_video"))["issue"]["id"]
    number = (await manager.ok("issue.escalate", issue_id=issue_id))["issue"]["ticket_number"]
    ticket = await Ticket.get(number=number)
    bus = server.app[keys.BUS]
    for status in ("in_progress", "in_progress", "resolved"):  # told once per status
        await bus.publish(TicketChanged(ticket.id, number, "status", status, 2, None, None))
    await bus.publish(TicketChanged(0, "SND-2000-999999", "status", "resolved", 1, None, None))
    await sara.event("issue.ticket", lambda d: d["status"] == "resolved")
    news = [e["data"] for e in sara.events if e["type"] == "issue.ticket"]
    assert news == [
        {"issue_id": issue_id, "ticket_number": number, "status": "in_progress"},
        {"issue_id": issue_id, "ticket_number": number, "status": "resolved"},
    ]
    await manager.event("issue.ticket", lambda d: d["status"] == "resolved")
