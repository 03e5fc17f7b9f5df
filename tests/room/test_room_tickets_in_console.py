"""One event path: a ticket made from a live room reaches the Level 1 console live, through the
console's own socket, exactly as a ticket from any other channel does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import socketio

from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from tests.helpdesk.fixtures import new_ticket


async def level1_console(server, client, log_in_as) -> tuple[socketio.AsyncClient, asyncio.Queue]:
    await log_in_as(StaffRole.LEVEL1_AGENT)
    cookie = "; ".join(f"{c.key}={c.value}" for c in client.session.cookie_jar)
    console, heard = socketio.AsyncClient(reconnection=False), asyncio.Queue()
    console.on("ticket_changed", heard.put, namespace="/console")
    await console.connect(
        str(server.make_url("/")),
        namespaces=["/console"],
        transports=["websocket"],
        headers={"Cookie": cookie},
    )
    assert await console.call("console.follow", namespace="/console", timeout=5) == {"ok": True}
    return console, heard


async def test_a_ticket_made_in_a_room_shows_live_in_the_level1_console(
    server, client, log_in_as, join
):
    console, heard = await level1_console(server, client, log_in_as)
    try:
        manager, sara = await join("manager", "m1"), await join("trainee", "t1")
        issue = (await sara.ok("issue.raise", category="no_audio", text="لا صوت"))["issue"]
        await manager.ok("issue.escalate", issue_id=issue["id"], note="Needs the helpdesk")
        escalated = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated")
        from_room = await asyncio.wait_for(heard.get(), 5)
        assert from_room["number"] == escalated["data"]["issue"]["ticket_number"]
        assert from_room["action"] == "opened"

        web = await new_ticket(now=datetime.now(UTC), bus=server.app[keys.BUS])
        from_web = await asyncio.wait_for(heard.get(), 5)
        assert from_web["number"] == web.number
        assert from_room.keys() == from_web.keys()
        assert (from_room["action"], from_room["status"], from_room["level"]) == (
            from_web["action"],
            from_web["status"],
            from_web["level"],
        )
    finally:
        await console.disconnect()
