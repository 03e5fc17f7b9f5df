"""The per-person rate limit of the live room (the `limits` library): in memory for one process,
in Redis when several processes share the rooms."""

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter


class PersonRateLimit:
    def __init__(self, rule: str, redis_url: str | None = None):
        self._rule = parse(rule)
        self._storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="sanad-room")
            if redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def allow(self, room_id: str, person_sub: str) -> bool:
        """Count one event of this person in this room; False once over the limit."""
        return await self._limiter.hit(self._rule, room_id, person_sub)

    async def close(self) -> None:
        if isinstance(self._storage, RedisStorage):
            await self._storage.bridge.storage.aclose()
