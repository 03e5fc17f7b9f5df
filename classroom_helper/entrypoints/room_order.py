"""Room events reach this process's clients in each room's `seq` order, none missing.

Each process sends its own events in order (one use case at a time per room), but two processes
commit a room's events a moment apart and publish them in any order, so the fan-out can bring
seq 7 before seq 6; and a process may die between its commit and its publish. An event that comes
early is held until the ones before it arrive; if they have not come within `wait`, they are read
from the room's log, where every committed event is."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Message = dict[str, Any]  # {"room": room id, "seq": n, ...}: what the fan-out carries


@dataclass(slots=True)
class _Room:
    next: int  # the seq this process's clients hear next
    held: dict[int, Message] = field(default_factory=dict)
    releasing: bool = False
    filler: asyncio.Task | None = None


class InOrder:
    def __init__(
        self,
        hand_out: Callable[[Message], Awaitable[None]],
        read_log: Callable[[str, int, int], Awaitable[list[Message]]],
        wait: float = 0.3,
    ):
        self.hand_out = hand_out  # to this process's clients
        self.read_log = read_log  # (room, after, before): the stored events between, in order
        self.wait = wait
        self.rooms: dict[str, _Room] = {}

    def follows(self, room_id: str) -> bool:
        return room_id in self.rooms

    def follow(self, room_id: str, last_seq: int) -> None:
        """From the room's first client in this process on: it syncs from the database after
        `last_seq` was read, so later events are the ones to hand out."""
        self.rooms.setdefault(room_id, _Room(next=last_seq + 1))

    async def arrived(self, message: Message) -> None:
        room = self.rooms.get(message["room"])
        if room is None or message["seq"] < room.next:
            return  # no client here yet (they sync on joining), or already handed out
        room.held[message["seq"]] = message
        await self._release(room)
        if room.held and room.filler is None:
            room.filler = asyncio.create_task(self._fill_gap(message["room"], room))

    async def _release(self, room: _Room) -> None:
        if room.releasing:  # the loop already running hands this one out too, in its turn
            return
        room.releasing = True
        try:
            while room.next in room.held:
                message = room.held.pop(room.next)
                room.next += 1
                await self.hand_out(message)
        finally:
            room.releasing = False

    async def _fill_gap(self, room_id: str, room: _Room) -> None:
        try:
            while room.held:
                await asyncio.sleep(self.wait)
                if not room.held or min(room.held) == room.next:
                    continue
                before = min(room.held)
                try:
                    missing = await self.read_log(room_id, room.next - 1, before)
                except Exception:
                    log.exception(
                        "room %s: cannot read the events missing before %d", room_id, before
                    )
                    continue
                log.warning(
                    "room %s: events %d-%d did not come through the fan-out; read from the log",
                    room_id,
                    room.next,
                    before - 1,
                )
                for message in missing:
                    if message["seq"] >= room.next:
                        room.held.setdefault(message["seq"], message)
                if room.next not in room.held:  # not stored either: nothing will come
                    room.next = before
                await self._release(room)
        finally:
            room.filler = None
