"""Waiting for a live-room event in a test client's record of what the server sent."""

from __future__ import annotations

import asyncio


async def first_event(events: list[dict], type_: str, where, within: float) -> dict | None:
    """The first `room.event` of that type matching `where` in `events` (filled as they arrive),
    or None when none came within `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        for event in events:
            if event["type"] == type_ and where(event["data"]):
                return event
        if asyncio.get_running_loop().time() > deadline:
            return None
        await asyncio.sleep(0.02)
