"""The live room's fan-out between processes through Redis: python-socketio's Redis manager,
publishing through one connection and watching its own subscription (docs/deploy.md).

Two field problems of the stock manager, measured or known (docs/performance.md, STACK.md):
- Every emit publishes through redis-py's unbounded connection pool. When handlers publish at
  once (after a pause), the pool opens a connection each (~9,800 seen here) and delivery falls to a
  few hundred events per second. Here every emit goes into one bounded outbox that one writer task
  sends, all that is waiting in one pipeline, on one connection, in order.
- A process can stop receiving pub/sub without noticing (python-socketio #1581). Here each process
  publishes a heartbeat on the channel and expects it back through its own subscription; when it
  is overdue the process says so (`problem`, shown by /readyz), and when the subscription has
  heard nothing at all meanwhile (silent, not merely behind), it subscribes again.
Events published while Redis is down are lost to the other processes (#1411): `on_recovered`
runs when the fan-out works again, and the room then tells its clients to sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

import socketio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from classroom_helper.adapters.socketio_wire import DirectSend

log = logging.getLogger(__name__)

# pub/sub message methods of our own, beside python-socketio's
HEARTBEAT = "sanad.heartbeat"
ROOM_EVENT = "sanad.room_event"  # a stored room event, put in order by each process


class RedisFanout(socketio.AsyncRedisManager, DirectSend):
    name = "sanad-redis"

    def __init__(
        self,
        url: str,
        channel: str,
        *,
        outbox_limit: int = 20_000,
        batch_limit: int = 1_000,
        heartbeat_every: float = 1.0,
        overdue_after: float = 5.0,
    ):
        super().__init__(url, channel=channel)
        self.outbox: deque[str] = deque()
        self.outbox_limit, self.batch_limit = outbox_limit, batch_limit
        self.heartbeat_every, self.overdue_after = heartbeat_every, overdue_after
        # Called with `everywhere=True` when messages of this process were lost to the others.
        self.on_recovered: Callable[[bool], Awaitable[None]] | None = None
        # Given the room events of the other processes (its own, it hands out before publishing).
        self.on_room_event: Callable[[dict], Awaitable[None]] | None = None
        # No retry inside redis-py: the writer retries on its own (and knows Redis is down), and a
        # reconnection of the subscription there would hide the gap in what was heard.
        self.publisher = Redis.from_url(url, max_connections=1, **_CONNECTIONS)
        self.subscriber = Redis.from_url(url, **_CONNECTIONS)
        self.publishing = True  # the last pipeline went through
        self.redis_error: str | None = None
        self.dropped = 0  # messages given up while Redis was unreachable and the outbox full
        self._queued, self._drained = asyncio.Event(), asyncio.Event()
        # own heartbeat heard / anything heard / subscribed (time.monotonic())
        self._heard_at = self._received_at = self._subscribed_at = time.monotonic()
        self._gap = False  # something may have been missed since the heartbeat was last heard
        self._lost_outgoing = False
        self._writer: asyncio.Task | None = None
        self._watcher: asyncio.Task | None = None

    def initialize(self) -> None:
        super().initialize()  # starts python-socketio's listener (self.thread) on our _listen
        self._heard_at = self._received_at = time.monotonic()
        self._writer = self.server.start_background_task(self._write)
        self._watcher = self.server.start_background_task(self._watch)

    @property
    def problem(self) -> str | None:
        """Why this process may not be hearing the other processes now, or None."""
        now = time.monotonic()
        if now - self._heard_at <= self.overdue_after:
            return None
        reason = f"own heartbeat not back through Redis for {now - self._heard_at:.0f} s"
        if now - self._received_at <= self.overdue_after:
            reason += " (the subscription hears, but is behind)"
        return f"{reason} ({self.redis_error})" if self.redis_error else reason

    # --- out: one writer, one connection -----------------------------------------------------------

    async def publish_room_event(self, message: dict) -> None:
        await self._publish({"method": ROOM_EVENT, "host_id": self.host_id, **message})

    async def _publish(self, data: dict) -> None:
        while len(self.outbox) >= self.outbox_limit and self.publishing:
            self._drained.clear()  # back-pressure: Redis answers, it is only behind
            await self._drained.wait()
        if len(self.outbox) >= self.outbox_limit:
            if not self.dropped:
                log.error("Redis unreachable and %d messages waiting: dropping", len(self.outbox))
            self.dropped += 1
            self._lost_outgoing = True
            return
        self.outbox.append(self.json.dumps(data))
        self._queued.set()

    async def _write(self) -> None:
        pause = 0.1
        while True:
            if not self.outbox:
                self._queued.clear()
                await self._queued.wait()
            batch = [self.outbox.popleft() for _ in range(min(len(self.outbox), self.batch_limit))]
            try:
                async with self.publisher.pipeline(transaction=False) as pipe:
                    for message in batch:
                        pipe.publish(self.channel, message)
                    await pipe.execute()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Kept in order for when Redis answers again (a resent one is harmless: clients
                # apply each seq once, and the derived events are current values).
                self.outbox.extendleft(reversed(batch))
                self._gap = self._lost_outgoing = True
                if self.publishing:
                    log.error("cannot publish to Redis, retrying: %r", error)
                self.publishing, self.redis_error = False, f"{type(error).__name__}: {error}"
                self._drained.set()  # emits waiting for room now drop instead of waiting
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
                continue
            if not self.publishing:
                log.warning("publishing to Redis again (%d dropped meanwhile)", self.dropped)
                self.publishing, self.redis_error, self.dropped, pause = True, None, 0, 0.1
            self._drained.set()

    # --- in: the subscription, and whether it still hears ---------------------------------------------

    async def _listen(self):
        """What python-socketio's listener handles: every message of the channel but heartbeats.
        Never ends: a broken subscription is made again."""
        pause = 0.1
        while True:
            try:
                await self._subscribe()
                pause = 0.1
                async for message in self.pubsub.listen():
                    self._received_at = time.monotonic()
                    if message["type"] != "message":
                        continue
                    data = self.json.loads(message["data"])
                    if data.get("method") == HEARTBEAT:
                        if data.get("host_id") == self.host_id:
                            await self._heard()
                        continue
                    if data.get("method") == ROOM_EVENT:
                        if data.get("host_id") != self.host_id and self.on_room_event:
                            await self.on_room_event(data)
                        continue
                    yield data
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not self._gap:
                    log.error("Redis subscription broke, subscribing again: %r", error)
                self.redis_error = f"{type(error).__name__}: {error}"
            self._gap = True
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)

    async def _subscribe(self) -> None:
        if self.pubsub is not None:
            await self.pubsub.aclose()
        self.pubsub = self.subscriber.pubsub(ignore_subscribe_messages=True)
        await self.pubsub.subscribe(self.channel)
        self._subscribed_at = time.monotonic()
        await self._publish({"method": HEARTBEAT, "host_id": self.host_id})  # heard soon

    async def _heard(self) -> None:
        self._heard_at = time.monotonic()
        if not self._gap:
            return
        log.warning("Redis fan-out works again")
        self._gap, self.redis_error = False, None
        everywhere, self._lost_outgoing = self._lost_outgoing, False
        if self.on_recovered is not None:
            self.server.start_background_task(self.on_recovered, everywhere)

    async def _watch(self) -> None:
        """A heartbeat through Redis and back; a subscription gone silent is made again."""
        while True:
            await self._publish({"method": HEARTBEAT, "host_id": self.host_id})
            await asyncio.sleep(self.heartbeat_every)
            now = time.monotonic()
            # Silent: not even the others' messages come (a subscription that is only behind
            # still hears them, and must not be dropped). A young one has its heartbeat on the way.
            if min(now - self._received_at, now - self._subscribed_at) <= self.overdue_after:
                continue
            if not self._gap:
                log.error("Redis subscription is silent: %s; subscribing again", self.problem)
                self._gap = True
            # Closing the connection ends the listener's read, even on a connection that went
            # silent without closing; the listener then subscribes again.
            if self.pubsub is not None and self.pubsub.connection is not None:
                await self.pubsub.connection.disconnect(nowait=True)

    async def close(self) -> None:
        """Stop the listener and the heartbeat, send what is still waiting (briefly), disconnect."""
        listener = getattr(self, "thread", None)
        tasks = [task for task in (listener, self._watcher, self._writer) if task is not None]
        for task in (listener, self._watcher):
            if task is not None:
                task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1):
                while self.outbox and self.publishing:
                    self._drained.clear()
                    await self._drained.wait()
        for task in tasks:
            task.cancel()
        # Bounded: a connection's close can wait on a reader forever (redis-py #3941), and a
        # stopping process must not.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await asyncio.gather(*tasks, return_exceptions=True)
                if self.pubsub is not None:
                    await self.pubsub.aclose()
                await self.subscriber.aclose()
                await self.publisher.aclose()


_CONNECTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5, "retry": Retry(NoBackoff(), 0)}
