"""Rate limits over a moving window: in memory for one process, in Redis (the `limits` library)
when several processes share the work. One per use: a person's live-room events, web-form
sendings per address, failed certificate look-ups per address."""

from __future__ import annotations

import time
from collections import deque

from limits import parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter


class RateLimit:
    def __init__(self, rule: str, redis_url: str | None, prefix: str):
        self._rule = parse(rule)
        if redis_url:
            self._storage = RedisStorage(
                f"async+{redis_url}", implementation="redispy", key_prefix=prefix
            )
            self._limiter = MovingWindowRateLimiter(self._storage)
        else:
            self._storage = None
            self._window = InMemoryWindow(self._rule.amount, self._rule.get_expiry())

    async def hit(self, *key: str) -> bool:
        """Count one use under this key; False (and not counted) once over the limit."""
        if self._storage is None:
            return self._window.hit(key, time.monotonic())
        return await self._limiter.hit(self._rule, *key)

    async def test(self, *key: str) -> bool:
        """Whether one more use would be allowed, without counting it."""
        if self._storage is None:
            return self._window.test(key, time.monotonic())
        return await self._limiter.test(self._rule, *key)

    async def close(self) -> None:
        if self._storage is not None:
            await self._storage.bridge.storage.aclose()


class InMemoryWindow:
    """The last `amount` hits of each key. limits' own in-memory async storage re-scans every
    key through a thread (asyncio.to_thread per key) after each hit: with 620 people connected it
    took 20% of the server's CPU at 50 raises/s (bench/, docs/performance.md)."""

    def __init__(self, amount: int, seconds: float):
        self.amount, self.seconds = amount, seconds
        self.hits: dict[tuple[str, ...], deque[float]] = {}
        self.until_purge = 10_000

    def test(self, key: tuple[str, ...], now: float) -> bool:
        hits = self.hits.get(key)
        return hits is None or len(hits) < self.amount or now - hits[0] >= self.seconds

    def hit(self, key: tuple[str, ...], now: float) -> bool:
        self.until_purge -= 1
        if self.until_purge <= 0:
            self.purge(now)
        if not self.test(key, now):
            return False
        self.hits.setdefault(key, deque(maxlen=self.amount)).append(now)
        return True

    def purge(self, now: float) -> None:
        """Forget keys whose last hit is older than the window (memory stays bounded)."""
        self.until_purge = 10_000
        stale = [key for key, hits in self.hits.items() if now - hits[-1] >= self.seconds]
        for key in stale:
            del self.hits[key]
