"""The message bus: the helpdesk publishes domain events; other parts (the live room) subscribe.

Handlers run after the change is committed. A failing handler is logged and does not undo the change.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)
Handler = Callable[[Any], Awaitable[None]]


class MessageBus:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type, handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    async def publish(self, event: object) -> None:
        for handler in self._handlers[type(event)]:
            try:
                await handler(event)
            except Exception:
                log.exception("handler %s failed on %s", handler.__qualname__, type(event).__name__)


class AfterCommit(MessageBus):
    """The bus a use case hands to the services it calls inside its own transaction: what they
    publish waits here (`held`) and reaches the real bus once that transaction is committed (the
    bus's handlers run after the commit)."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[object] = []

    async def publish(self, event: object) -> None:
        self.held.append(event)

    async def release_to(self, bus: MessageBus) -> None:
        held, self.held = self.held, []
        for event in held:
            await bus.publish(event)
