"""Figures that only feed estimates (the queue's expected wait), read from the database at most
once per `fresh_for` of real time for each room: the queue is worked out for every raise and
withdraw. A process forgets a room's figure when it changes it itself; another process's change
shows within `fresh_for`.

Freshness is the process's own monotonic time, not the caller's `now` (when its action arrived):
under a burst, actions that waited their turn carry older times than the last read, and would
each read again, slowing the room further the longer its backlog."""

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lately(Generic[T]):
    def __init__(self, fresh_for: float, clock: Callable[[], float] = time.monotonic):
        self.fresh_for, self.clock = fresh_for, clock  # seconds
        self._read: dict[str, tuple[float, T]] = {}

    async def get(self, room_id: str, read: Callable[[], Awaitable[T]]) -> T:
        last = self._read.get(room_id)
        if last is None or self.clock() - last[0] >= self.fresh_for:
            last = self.clock(), await read()
            self._read[room_id] = last
        return last[1]

    def forget(self, room_id: str) -> None:
        self._read.pop(room_id, None)
