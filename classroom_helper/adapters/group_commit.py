"""Group commit on SQLite: the room's actions that arrive together share one transaction.

An action is stored on the next turn of the loop, together with every other that arrived in the
same turn or while the group before was being stored: one BEGIN and one COMMIT for the group.
An action that arrives alone is stored alone, one turn of the loop later.

Each action still opens its own transaction, which inside the group's is a savepoint: an action
that fails is undone alone. Nothing is acknowledged before the group's commit, and if that commit
fails every action of the group fails with it (their clients send them again).

Not for PostgreSQL: there actions run side by side on a pool of connections."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.transactions import in_transaction

from classroom_helper.adapters.orm import in_a_transaction

Action = Callable[[], Awaitable[Any]]


class GroupCommit:
    def __init__(self) -> None:
        self._waiting: list[tuple[Action, asyncio.Future]] = []
        # the task storing a group, or about to on the next turn (None: nothing to store)
        self._storing: asyncio.Task | None = None

    async def run(self, action: Action) -> Any:
        """Run the action and return what it returned once it is committed. The action opens its
        own transaction: what it writes outside one would stay even if it failed."""
        if in_a_transaction():
            # in the caller's transaction, which holds the connection: the group would wait for it
            return await action()
        stored = asyncio.get_running_loop().create_future()
        self._waiting.append((action, stored))
        if self._storing is None:
            self._storing = asyncio.create_task(self._store_the_waiting())
        return await stored

    async def _store_the_waiting(self) -> None:
        """Store the actions waiting now, in their turn: a task's first step runs on the next turn
        of the loop, so the actions that arrived in this one are stored together."""
        group, self._waiting = self._waiting, []
        try:
            if len(group) == 1:
                outcomes = [await _outcome(group[0][0])]
            else:
                outcomes = await _together([action for action, _ in group])
            for (_, stored), (result, error) in zip(group, outcomes, strict=True):
                if stored.done():  # its caller has gone
                    continue
                if error is None:
                    stored.set_result(result)
                else:
                    stored.set_exception(error)
        finally:
            for _, stored in group:  # cancelled (the app is stopping): no caller waits for ever
                stored.cancel()
            self._storing = (
                asyncio.create_task(self._store_the_waiting()) if self._waiting else None
            )


async def _outcome(action: Action) -> tuple[Any, BaseException | None]:
    try:
        return await action(), None
    except Exception as error:
        return None, error


async def _together(actions: list[Action]) -> list[tuple[Any, BaseException | None]]:
    try:
        async with in_transaction():
            return [await _outcome(action) for action in actions]
    except Exception as error:  # the commit failed: none of them is stored
        return [(None, error)] * len(actions)
