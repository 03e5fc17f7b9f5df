"""The live room's fan-out between processes through Redis: a python-socketio client manager
(`socketio.AsyncManager`, extended through its public methods only: `initialize` and `emit`)
that sends every emit to every process through one Redis channel of our own, on our own
connections (docs/deploy.md).

It guards against the field problems of python-socketio's own Redis manager (STACK.md):
- Every emit publishes through redis-py's unbounded connection pool. When handlers publish at
  once (after a pause), the pool opens a connection each and delivery falls to a few hundred
  events per second. Here every emit goes into one bounded outbox that one writer task sends,
  all that is waiting in one pipeline, on one connection, in order.
- A process can stop receiving pub/sub without noticing (python-socketio #1581). Here each process
  publishes a heartbeat on the channel and expects it back through its own subscription; when it
  is overdue the process says so (`problem`, shown by /readyz), and when the subscription has
  heard nothing at all meanwhile (silent, not merely behind), it subscribes again.
- Events published while Redis is down are lost to the other processes (#1411): the outbox keeps
  them (bounded) until Redis answers, and `on_recovered` runs when the fan-out works again; the
  room then tells its clients to sync.

Emits with an ack callback, and disconnects and room changes of sockets, stay in this process:
the room and the consoles use none of them across processes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable

import orjson
import socketio
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

log = logging.getLogger(__name__)

# what the channel carries
EMIT = "emit"  # an emit, handed to this process's clients in its audience
HEARTBEAT = "heartbeat"
ROOM_EVENT = "room_event"  # a stored room event, put in order by each process


class RedisFanout(socketio.AsyncManager):
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
        super().__init__()
        self.channel = channel
        self.process = uuid.uuid4().hex
        self.outbox: deque[bytes] = deque()
        self.outbox_limit, self.batch_limit = outbox_limit, batch_limit
        self.heartbeat_every, self.overdue_after = heartbeat_every, overdue_after
        # Called with `everywhere=True` when messages of this process were lost to the others.
        self.on_recovered: Callable[[bool], Awaitable[None]] | None = None
        # Given the room events of the other processes (its own, it hands out before publishing).
        self.on_room_event: Callable[[dict], Awaitable[None]] | None = None
        # No retry inside redis-py: the writer retries on its own (and knows Redis is down), and a
        # reconnection of the subscription there would hide the gap in what was heard.
        self.publisher = Redis.from_url(url, max_connections=1, **CONNECTIONS)
        self.subscriber = Redis.from_url(url, **CONNECTIONS)
        self.subscription: PubSub | None = None
        self.publishing = True  # the last pipeline went through
        self.redis_error: str | None = None
        self.dropped = 0  # messages given up while Redis was unreachable and the outbox full
        self.queued, self.drained = asyncio.Event(), asyncio.Event()
        # own heartbeat heard / anything heard / subscribed (time.monotonic())
        self.heard_at = self.received_at = self.subscribed_at = time.monotonic()
        self.gap = False  # something may have been missed since the heartbeat was last heard
        self.lost_outgoing = False
        self.tasks: list[asyncio.Task] = []

    def initialize(self) -> None:
        """Start the writer, the listener and the heartbeat (once: the composition root starts
        them at start-up, python-socketio calls this again at the first connection)."""
        super().initialize()
        if self.tasks:
            return
        self.heard_at = self.received_at = time.monotonic()
        self.tasks = [
            self.server.start_background_task(work)
            for work in (self.write, self.listen, self.watch)
        ]

    @property
    def problem(self) -> str | None:
        """Why this process may not be hearing the other processes now, or None."""
        now = time.monotonic()
        if now - self.heard_at <= self.overdue_after:
            return None
        reason = f"own heartbeat not back through Redis for {now - self.heard_at:.0f} s"
        if now - self.received_at <= self.overdue_after:
            reason += " (the subscription hears, but is behind)"
        return f"{reason} ({self.redis_error})" if self.redis_error else reason

    # --- out: one writer, one connection -----------------------------------------------------------

    async def emit(
        self,
        event,
        data,
        namespace=None,
        room=None,
        skip_sid=None,
        callback=None,
        to=None,
        ignore_queue=False,
        **kwargs,
    ):
        """To the audience in every process (this one included, through Redis); with
        `ignore_queue`, or an ack callback, to this process's clients only."""
        if ignore_queue or callback is not None:
            return await super().emit(
                event, data, namespace or "/", room, skip_sid, callback, to, **kwargs
            )
        await self.publish(
            {
                "method": EMIT,
                "event": event,
                "data": list(data) if isinstance(data, tuple) else data,
                "spread": isinstance(data, tuple),
                "namespace": namespace or "/",
                "room": to or room,
                "skip_sid": skip_sid,
            }
        )

    async def publish_room_event(self, message: dict) -> None:
        await self.publish({"method": ROOM_EVENT, **message})

    async def publish(self, data: dict) -> None:
        while len(self.outbox) >= self.outbox_limit and self.publishing:
            self.drained.clear()  # back-pressure: Redis answers, it is only behind
            await self.drained.wait()
        if len(self.outbox) >= self.outbox_limit:
            if not self.dropped:
                log.error("Redis unreachable and %d messages waiting: dropping", len(self.outbox))
            self.dropped += 1
            self.lost_outgoing = True
            return
        message = {**data, "process": self.process}
        try:
            encoded = orjson.dumps(message)
        except TypeError:  # bytes (Socket.IO's binary attachments)
            encoded = orjson.dumps({**message, "binary": True}, default=bytes_as_text)
        self.outbox.append(encoded)
        self.queued.set()

    async def write(self) -> None:
        pause = 0.1
        while True:
            if not self.outbox:
                self.queued.clear()
                await self.queued.wait()
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
                self.gap = self.lost_outgoing = True
                if self.publishing:
                    log.error("cannot publish to Redis, retrying: %r", error)
                self.publishing, self.redis_error = False, f"{type(error).__name__}: {error}"
                self.drained.set()  # emits waiting for room now drop instead of waiting
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
                continue
            if not self.publishing:
                log.warning("publishing to Redis again (%d dropped meanwhile)", self.dropped)
                self.publishing, self.redis_error, self.dropped, pause = True, None, 0, 0.1
            self.drained.set()

    # --- in: the subscription, and whether it still hears ---------------------------------------------

    async def listen(self) -> None:
        """Hand each message of the channel to its receiver. Never ends: a broken subscription
        is made again."""
        pause = 0.1
        while True:
            try:
                await self.subscribe()
                pause = 0.1
                async for message in self.subscription.listen():
                    self.received_at = time.monotonic()
                    if message["type"] == "message":
                        data = orjson.loads(message["data"])
                        await self.receive(with_bytes(data) if data.get("binary") else data)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not self.gap:
                    log.error("Redis subscription broke, subscribing again: %r", error)
                self.redis_error = f"{type(error).__name__}: {error}"
            self.gap = True
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)

    async def receive(self, data: dict) -> None:
        method, own = data.get("method"), data.get("process") == self.process
        try:
            if method == EMIT:
                await self.hand_out(data)
            elif method == HEARTBEAT and own:
                await self.heard()
            elif method == ROOM_EVENT and not own and self.on_room_event is not None:
                await self.on_room_event(data)
        except Exception:  # one message's failure is not the subscription's
            log.exception("handling a %s message from Redis failed", method)

    async def hand_out(self, data: dict) -> None:
        """An emit, to this process's clients in its audience."""
        arguments = data["data"]
        await super().emit(
            data["event"],
            tuple(arguments) if data.get("spread") else arguments,
            data["namespace"],
            room=data["room"],
            skip_sid=data["skip_sid"],
        )

    async def subscribe(self) -> None:
        if self.subscription is not None:
            await self.subscription.aclose()
        self.subscription = self.subscriber.pubsub(ignore_subscribe_messages=True)
        await self.subscription.subscribe(self.channel)
        self.subscribed_at = time.monotonic()
        await self.publish({"method": HEARTBEAT})  # heard soon

    async def heard(self) -> None:
        self.heard_at = time.monotonic()
        if not self.gap:
            return
        log.warning("Redis fan-out works again")
        self.gap, self.redis_error = False, None
        everywhere, self.lost_outgoing = self.lost_outgoing, False
        if self.on_recovered is not None:
            self.server.start_background_task(self.on_recovered, everywhere)

    async def watch(self) -> None:
        """A heartbeat through Redis and back; a subscription gone silent is made again."""
        while True:
            await self.publish({"method": HEARTBEAT})
            await asyncio.sleep(self.heartbeat_every)
            now = time.monotonic()
            # Silent: not even the others' messages come (a subscription that is only behind
            # still hears them, and must not be dropped). A young one has its heartbeat on the way.
            if min(now - self.received_at, now - self.subscribed_at) <= self.overdue_after:
                continue
            if not self.gap:
                log.error("Redis subscription is silent: %s; subscribing again", self.problem)
                self.gap = True
            # Closing the connection ends the listener's read, even on a connection that went
            # silent without closing; the listener then subscribes again.
            if self.subscription is not None and self.subscription.connection is not None:
                await self.subscription.connection.disconnect(nowait=True)

    async def close(self) -> None:
        """Stop the listener and the heartbeat, send what is still waiting (briefly), disconnect."""
        writer = self.tasks[0] if self.tasks else None
        for task in self.tasks:
            if task is not writer:
                task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1):
                while self.outbox and self.publishing:
                    self.drained.clear()
                    await self.drained.wait()
        for task in self.tasks:
            task.cancel()
        # Bounded: a connection's close can wait on a reader forever (redis-py #3941), and a
        # stopping process must not.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await asyncio.gather(*self.tasks, return_exceptions=True)
                if self.subscription is not None:
                    await self.subscription.aclose()
                await self.subscriber.aclose()
                await self.publisher.aclose()


BYTES = "sanad.bytes"  # the key of a dict that stands for bytes (base64) on the channel


def bytes_as_text(value):
    if isinstance(value, bytes | bytearray | memoryview):
        return {BYTES: base64.b64encode(value).decode()}
    raise TypeError(f"{type(value).__name__} cannot go through the fan-out")


def with_bytes(value):
    """A message read from the channel, its bytes back."""
    if isinstance(value, dict):
        if len(value) == 1 and BYTES in value:
            return base64.b64decode(value[BYTES])
        return {key: with_bytes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_bytes(item) for item in value]
    return value


CONNECTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5, "retry": Retry(NoBackoff(), 0)}
