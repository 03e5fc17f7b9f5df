"""Rate limits over a moving window: in memory for one process, in Redis (the `limits` library)
when several processes share the work. One per use: a person's live-room events, web-form
sendings per address, failed certificate look-ups per address. The live room's is always in
memory: a person's events all come through their connection, which one process holds (a second
tab on another process is counted there).

While Redis does not answer, each process counts on its own (a looser limit, never a live room
that refuses every event because Redis is down: the database, not Redis, holds what matters)."""

from __future__ import annotations

import logging
import time

from limits import parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

log = logging.getLogger(__name__)


class RateLimit:
    def __init__(self, rule: str, redis_url: str | None, prefix: str):
        self._rule, self._prefix = parse(rule), prefix
        self._window = InMemoryWindow(self._rule.amount, self._rule.get_expiry())
        self._storage = None
        self._redis_answers = True
        if redis_url:
            self._storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                key_prefix=prefix,
                wrap_exceptions=True,
            )
            self._limiter = MovingWindowRateLimiter(self._storage)

    async def hit(self, *key: str) -> bool:
        """Count one use under this key; False (and not counted) once over the limit."""
        return await self._ask("hit", key)

    async def test(self, *key: str) -> bool:
        """Whether one more use would be allowed, without counting it."""
        return await self._ask("test", key)

    async def _ask(self, question: str, key: tuple[str, ...]) -> bool:
        """`hit` or `test`, in Redis when there is one and it answers, else in this process."""
        if self._storage is not None:
            try:
                return self._answered(await getattr(self._limiter, question)(self._rule, *key))
            except StorageError as error:
                self._unanswered(error)
        return getattr(self._window, question)(key, time.monotonic())

    def _answered(self, allowed: bool) -> bool:
        if not self._redis_answers:
            log.warning("rate limit %s: counting in Redis again", self._prefix)
            self._redis_answers = True
        return allowed

    def _unanswered(self, error: StorageError) -> None:
        if self._redis_answers:
            log.error(
                "rate limit %s: Redis does not answer (%r), counting in this process",
                self._prefix,
                error.storage_error,
            )
            self._redis_answers = False

    async def close(self) -> None:
        if self._storage is not None:
            await self._storage.bridge.storage.aclose()


class InMemoryWindow:
    """The hits of each key within the last `seconds`, at most `amount` of them. limits' own
    in-memory async storage re-scans every key through a thread (asyncio.to_thread per key) after
    each hit: with 620 people connected it took 20% of the server's CPU at 50 raises/s (bench/,
    bench/JOURNAL.md). A list holding only the hits still in the window, not a deque of
    `amount`: most people send one or two events a minute, and a deque reserves 64 slots
    (~0.6 KB per person connected)."""

    def __init__(self, amount: int, seconds: float):
        self.amount, self.seconds = amount, seconds
        self.hits: dict[tuple[str, ...], list[float]] = {}
        self.purged_at = float("-inf")

    def test(self, key: tuple[str, ...], now: float) -> bool:
        hits = self.hits.get(key)
        return hits is None or len(hits) < self.amount or now - hits[0] >= self.seconds

    def hit(self, key: tuple[str, ...], now: float) -> bool:
        if now - self.purged_at >= self.seconds:
            self.purge(now)
        hits = self.hits.get(key)
        if hits is None:
            self.hits[key] = [now]
            return True
        while hits and now - hits[0] >= self.seconds:  # left the window: never counted again
            del hits[0]
        if len(hits) >= self.amount:
            return False
        hits.append(now)
        return True

    def purge(self, now: float) -> None:
        """Forget keys whose last hit has left the window, at most once per window: a person
        connected and quiet holds nothing. A new dict: a dict never shrinks as keys are deleted."""
        self.purged_at = now
        self.hits = {key: hits for key, hits in self.hits.items() if now - hits[-1] < self.seconds}
