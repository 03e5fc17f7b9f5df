"""A per-address rate limit (the `limits` library): in memory for one process, in Redis for several."""

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter


class AddressRateLimit:
    def __init__(self, rule: str, redis_url: str | None = None, prefix: str = "sanad-intake"):
        self._rule = parse(rule)
        self._storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix=prefix)
            if redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def allow(self, purpose: str, address: str) -> bool:
        """Count one use by this address; False once it is over the limit."""
        return await self._limiter.hit(self._rule, purpose, address)

    async def close(self) -> None:
        if isinstance(self._storage, RedisStorage):
            await self._storage.bridge.storage.aclose()
