"""Group commit on SQLite: actions that arrive together share one transaction; each
is still undone alone when it fails, and each caller gets its own result once it is committed."""

import asyncio

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from classroom_helper.adapters.group_commit import GroupCommit
from classroom_helper.adapters.orm import in_a_transaction
from helpdesk.adapters import database
from helpdesk.adapters.database import HELPDESK_APPS, tortoise_config


@pytest.fixture
async def notes(tmp_path):
    config = tortoise_config(f"sqlite://{tmp_path}/group.sqlite3", HELPDESK_APPS)
    context = await database.connect(config)
    connection = Tortoise.get_connection("default")
    await connection.execute_script("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
    yield connection
    await context.close_connections()


def writes(connection, text: str, fail: bool = False, seen: list | None = None):
    """An action as the room's use cases are: its own transaction around its writes."""

    async def action() -> str:
        if seen is not None:  # in a transaction before its own begins: the group's
            seen.append(in_a_transaction())
        async with in_transaction() as transaction:
            await transaction.execute_insert("INSERT INTO note (text) VALUES (?)", [text])
            if fail:
                raise ValueError(f"{text} refused")
        return text

    return action


async def stored(connection) -> list[str]:
    return [row["text"] for row in await connection.execute_query_dict("SELECT text FROM note")]


async def holding(group: GroupCommit, then=None) -> tuple[asyncio.Event, asyncio.Task]:
    """A first action that keeps the group busy until the event is set (the others arrive
    meanwhile), then runs `then` if given; and the task awaiting it."""
    release = asyncio.Event()

    async def first() -> str:
        await release.wait()
        return await then() if then else "first"

    running = asyncio.create_task(group.run(first))
    await asyncio.sleep(0)
    return release, running


async def test_an_action_alone_runs_in_its_own_transaction(notes):
    group, seen = GroupCommit(), []
    assert await group.run(writes(notes, "alone", seen=seen)) == "alone"
    assert seen == [False]
    assert await stored(notes) == ["alone"]


async def test_actions_that_arrive_in_the_same_turn_are_stored_together(notes):
    group, seen = GroupCommit(), []
    results = await asyncio.gather(
        *(group.run(writes(notes, text, seen=seen)) for text in ("a", "b", "c"))
    )
    assert results == ["a", "b", "c"]
    assert seen == [True, True, True]
    assert sorted(await stored(notes)) == ["a", "b", "c"]


async def test_actions_that_wait_together_are_stored_together_and_fail_alone(notes):
    group, seen = GroupCommit(), []
    release, running = await holding(group, then=writes(notes, "first"))
    waiting = [
        asyncio.create_task(group.run(writes(notes, text, fail=text == "b", seen=seen)))
        for text in ("a", "b", "c")
    ]
    await asyncio.sleep(0)
    release.set()

    assert await running == "first"
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert results[0] == "a" and results[2] == "c"
    assert isinstance(results[1], ValueError)  # its own error, to its own caller
    assert seen == [True, True, True]  # the three ran inside one transaction: the group's
    assert sorted(await stored(notes)) == ["a", "c", "first"]  # b undone alone


async def test_a_caller_that_has_gone_leaves_the_others_stored(notes):
    group = GroupCommit()
    release, running = await holding(group)
    gone = asyncio.create_task(group.run(writes(notes, "gone")))
    kept = asyncio.create_task(group.run(writes(notes, "kept")))
    await asyncio.sleep(0)
    gone.cancel()
    release.set()

    assert await running == "first"
    assert await kept == "kept"
    with pytest.raises(asyncio.CancelledError):
        await gone
    # Its caller went before hearing the answer, as when a connection drops: the action itself
    # was stored, and a retry with its client id is answered from what was stored.
    assert sorted(await stored(notes)) == ["gone", "kept"]


async def test_an_action_called_inside_a_transaction_runs_in_it_even_while_a_group_waits(notes):
    group = GroupCommit()
    release, running = await holding(group)
    async with in_transaction():  # holds the connection: queued, the action would wait for ever
        assert await asyncio.wait_for(group.run(writes(notes, "inside")), 5) == "inside"
    release.set()
    assert await running == "first"
    assert await stored(notes) == ["inside"]
