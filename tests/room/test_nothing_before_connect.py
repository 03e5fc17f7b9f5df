"""A connection hears nothing of a namespace before that namespace's CONNECT packet, even in a busy
room (docs/realtime-protocol.md, section 1): Socket.IO clients hand such packets to the page before
`connect`, and a client that trusted their `seq` skipped a gap on its next `room.sync`. The room
joins a connection to its audiences only when it asks for `room.sync`, after CONNECT."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import replace

import aiohttp
import pytest

from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from tests.helpdesk.fixtures import new_ticket
from tests.room.raw_client import RawSocket, namespace_of


@pytest.fixture
def app_config(app_config):
    return replace(app_config, room_rate_limit="100000 per second")  # the room is made busy


async def test_a_connection_hears_the_room_only_once_it_asks_for_room_sync(join):
    listening = await join("manager", "m1")
    quiet = await join("manager", "m2", sync=False)
    sara = await join("trainee", "t1")

    raised = (await sara.ok("issue.raise", category="no_audio"))["issue"]
    await listening.event("issue.raised")  # the same emit would have reached `quiet` too
    assert quiet.events == [] and quiet.presence == []

    answer = await quiet.ok("room.sync", last_seq=None)
    assert [i["id"] for i in answer["snapshot"]["issues"]] == [raised["id"]]
    await listening.ok("issue.claim", issue_id=raised["id"])
    claimed = await quiet.event("issue.updated")
    assert claimed["seq"] > answer["seq"]  # heard live from the sync's seq on


async def test_no_room_packet_before_connect_in_a_busy_room(server, join, token_for):
    """Many connections come and go in a room under steady traffic (raises, withdrawals, presence
    pushes); each sees Socket.IO's CONNECT as its first packet, then the room once it syncs."""
    url = str(server.make_url("/"))
    await join("manager", "m1")
    trainees = [await join("trainee", f"t{n}") for n in range(4)]
    heard = await join("manager", "m-counting")
    stop = asyncio.Event()

    async def traffic(trainee) -> None:
        while not stop.is_set():
            issue = (await trainee.ok("issue.raise", category="no_audio"))["issue"]
            await trainee.ok("issue.withdraw", issue_id=issue["id"])
            await asyncio.sleep(0.05)

    busy = [asyncio.create_task(traffic(t)) for t in trainees]
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(30):
                role, sub = ("manager", f"late-m{n}") if n % 2 else ("trainee", f"late-t{n}")
                socket = await RawSocket.open(http, url)
                try:
                    await socket.connect({"token": token_for(role, sub)})
                    first = await socket.next_packet()
                    assert first.startswith("0{"), f"before CONNECT: {first[:80]}"
                    await socket.emit(1, "room.sync", {"last_seq": None})
                    answer = await socket.ack(1)
                    assert answer["ok"], answer
                    # then the room: presence (its own arrival), and for a manager every
                    # event after the seq its sync read (here each one is for the managers)
                    seq = answer["data"]["seq"]
                    while not any(p.startswith('2["room.presence"') for p in socket.packets):
                        await socket.next_packet()
                    while n % 2 and len(after := live_seqs_after(socket.packets, seq)) < 3:
                        await socket.next_packet()
                    if n % 2:
                        assert after == list(range(seq + 1, seq + 1 + len(after))), (seq, after)
                finally:
                    await socket.close()
    finally:
        stop.set()
        for task in busy:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert len(heard.events) >= 60  # the room was busy all along


def live_seqs_after(packets: list[str], seq: int) -> list[int]:
    heard = [json.loads(p[1:])[1]["seq"] for p in packets if p.startswith('2["room.event"')]
    return [n for n in heard if n > seq]


async def test_the_console_namespace_sends_nothing_before_its_connect(server, client, log_in_as):
    await log_in_as(StaffRole.LEVEL1_AGENT)
    cookie = "; ".join(f"{c.key}={c.value}" for c in client.session.cookie_jar)
    url = str(server.make_url("/"))
    stop = asyncio.Event()

    async def tickets() -> None:
        while not stop.is_set():
            await new_ticket(bus=server.app[keys.BUS])
            await asyncio.sleep(0.02)

    busy = asyncio.create_task(tickets())
    try:
        async with aiohttp.ClientSession(headers={"Cookie": cookie}) as http:
            for _ in range(10):
                socket = await RawSocket.open(http, url)
                try:
                    await socket.connect(namespace="/console")
                    first = await socket.next_packet()
                    assert first.startswith("0/console,{"), f"before CONNECT: {first[:80]}"
                    await socket.emit(1, "console.follow", namespace="/console")
                    assert (await socket.ack(1, namespace="/console"))["ok"]
                    while not any(
                        p.startswith('2/console,["ticket_changed"') for p in socket.packets
                    ):
                        await socket.next_packet()
                    assert all(namespace_of(p) == "/console" for p in socket.packets)
                finally:
                    await socket.close()
    finally:
        stop.set()
        await busy
