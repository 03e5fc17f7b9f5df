"""The per-person rate limit of the live room: a moving window, in memory for one process, in
Redis (the `limits` library) when several processes share the rooms."""

import time
from collections import deque

from limits import parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter


class PersonRateLimit:
    def __init__(self, rule: str, redis_url: str | None = None):
        self._rule = parse(rule)
        if redis_url:
            self._storage = RedisStorage(
                f"async+{redis_url}", implementation="redispy", key_prefix="sanad-room"
            )
            self._limiter = MovingWindowRateLimiter(self._storage)
        else:
            self._storage = None
            self._window = InMemoryWindow(self._rule.amount, self._rule.get_expiry())

    async def allow(self, room_id: str, person_sub: str) -> bool:
        """Count one event of this person in this room; False once over the limit."""
        if self._storage is None:
            return self._window.hit((room_id, person_sub), time.monotonic())
        return await self._limiter.hit(self._rule, room_id, person_sub)

    async def close(self) -> None:
        if self._storage is not None:
            await self._storage.bridge.storage.aclose()


class InMemoryWindow:
    """The last `amount` hits of each person. limits' own in-memory async storage re-scans every
    key through a thread (asyncio.to_thread per key) after each hit: with 620 people connected it
    took 20% of the server's CPU at 50 raises/s (bench/, docs/performance.md)."""

    def __init__(self, amount: int, seconds: float):
        self.amount, self.seconds = amount, seconds
        self.hits: dict[tuple[str, str], deque[float]] = {}
        self.until_purge = 10_000

    def hit(self, key: tuple[str, str], now: float) -> bool:
        self.until_purge -= 1
        if self.until_purge <= 0:
            self.purge(now)
        hits = self.hits.get(key)
        if hits is None:
            hits = self.hits[key] = deque(maxlen=self.amount)
        if len(hits) == self.amount and now - hits[0] < self.seconds:
            return False
        hits.append(now)
        return True

    def purge(self, now: float) -> None:
        """Forget people whose last hit is older than the window (memory stays bounded)."""
        self.until_purge = 10_000
        stale = [key for key, hits in self.hits.items() if now - hits[-1] >= self.seconds]
        for key in stale:
            del self.hits[key]
