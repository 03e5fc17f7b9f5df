"""Offline and reconnects: what the trainee sends while disconnected is kept and sent once; after the
reconnect the widget resyncs by sequence number and shows what it missed, once."""

from __future__ import annotations

from classroom_helper.entrypoints.room_audiences import person_room
from helpdesk.entrypoints import keys
from tests.widget.conftest import W, open_panel, widget_ready


async def drop_connection(server, page, sub: str) -> None:
    """Take the browser offline and cut its current Socket.IO connection from the server side."""
    await page.context.set_offline(True)
    sio = server.app[keys.SIO]
    for room_name, members in list(sio.manager.rooms.get("/", {}).items()):
        if room_name and room_name.endswith(person_room("", sub)):
            for sid in list(members):
                await sio.disconnect(sid)
    await page.locator(W + '.status[data-state="reconnecting"]').wait_for(state="attached")


async def test_message_typed_offline_is_sent_once_and_missed_events_are_resynced(
    server, host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona")
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")), reduced_motion=True)
    await open_panel(page)
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    await manager.ok("issue.claim", issue_id=issue["id"])
    await page.get_by_role("dialog").get_by_text("Mona is working on it").wait_for()

    await drop_connection(server, page, "t1")
    assert "Reconnecting" in await page.locator(W + ".status").text_content()
    await page.locator(W + "#sanad-chat").fill("Typed while offline")
    await page.locator(W + "form.chat button[type=submit]").click()
    await page.locator(W + "[data-role=pending-message]").wait_for()
    # Meanwhile the room manager writes: the trainee must get it after the reconnect.
    await manager.ok("issue.message", issue_id=issue["id"], text="Missed while you were away")

    await page.context.set_offline(False)
    await widget_ready(page)
    await page.get_by_role("dialog").get_by_text("Missed while you were away").wait_for()
    await manager.event("issue.message", lambda d: d["message"]["text"] == "Typed while offline")
    await page.locator(W + "[data-role=pending-message]").wait_for(state="detached")
    texts = await page.locator(W + "[data-role=message] .text").all_text_contents()
    assert texts == ["Missed while you were away", "Typed while offline"]
    sent = [
        e
        for e in manager.events
        if e["type"] == "issue.message" and e["data"]["message"]["text"] == "Typed while offline"
    ]
    assert len(sent) == 1
    snapshot = await manager.ok("room.sync", last_seq=None)
    (thread,) = [i["messages"] for i in snapshot["snapshot"]["issues"] if i["id"] == issue["id"]]
    assert [m["text"] for m in thread].count("Typed while offline") == 1


async def test_problem_raised_offline_is_raised_once_when_back(
    server, host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona")
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")), reduced_motion=True)
    await open_panel(page)
    await drop_connection(server, page, "t1")
    await page.locator(W + "#sanad-problem").fill("Raised offline")
    await page.locator(W + "form.raise button[type=submit]").click()
    await page.locator(W + ".pending").first.wait_for()
    await page.context.set_offline(False)
    await widget_ready(page)
    raised = await manager.event("issue.raised")
    assert raised["data"]["issue"]["text"] == "Raised offline"
    await page.locator(W + "[data-role=issue-state]").wait_for()
    assert len([e for e in manager.events if e["type"] == "issue.raised"]) == 1


async def test_a_late_older_version_never_replaces_a_newer_one(
    server, room, host_site, token_for, open_page, join
):
    """Two server processes can deliver a room's events swapped (docs/realtime-protocol.md 3.1)."""
    manager = await join("manager", "m1", "Mona")
    omar = await join("trainee", "t2", "Omar")
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")), reduced_motion=True)
    await open_panel(page)
    await page.locator(W + "form.raise button[type=submit]").click()
    raised = await manager.event("issue.raised")
    await omar.ok("issue.raise", category="other")  # a seq Layla never sees
    others = await manager.event("issue.raised", lambda d: d["issue"]["trainee"]["sub"] == "t2")
    claimed = await manager.ok("issue.claim", issue_id=raised["data"]["issue"]["id"])
    await page.get_by_role("dialog").get_by_text("Mona is working on it").wait_for()
    assert raised["seq"] < others["seq"] < (await manager.event("issue.updated"))["seq"]

    stale = {**raised, "seq": others["seq"], "type": "issue.updated"}  # older than the claim
    await server.app[keys.SIO].emit("room.event", stale, to=person_room(room.room_id, "t1"))
    again = await manager.event("issue.updated")  # the claim, delivered a second time
    await server.app[keys.SIO].emit("room.event", again, to=person_room(room.room_id, "t1"))
    await manager.ok("issue.message", issue_id=claimed["issue"]["id"], text="After the replays")
    await page.get_by_role("dialog").get_by_text("After the replays").wait_for()
    assert await page.locator(W + "[data-role=issue-state]").text_content() == (
        "Mona is working on it"
    )
    assert await page.locator(W + "[data-role=message]").count() == 1
