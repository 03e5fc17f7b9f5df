"""Figures that only feed estimates (the queue's expected wait), read from the database at most
once per `fresh_for` for each room: the queue is worked out for every raise and withdraw. A
process forgets a room's figure when it changes it itself; another process's change shows
within `fresh_for`."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


class Lately(Generic[T]):
    def __init__(self, fresh_for: timedelta):
        self.fresh_for = fresh_for
        self._read: dict[str, tuple[datetime, T]] = {}

    async def get(self, room_id: str, now: datetime, read: Callable[[], Awaitable[T]]) -> T:
        last = self._read.get(room_id)
        if last is None or not timedelta(0) <= now - last[0] < self.fresh_for:
            last = now, await read()
            self._read[room_id] = last
        return last[1]

    def forget(self, room_id: str) -> None:
        self._read.pop(room_id, None)
