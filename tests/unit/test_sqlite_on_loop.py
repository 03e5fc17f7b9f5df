"""The embedded SQLite engine runs statements on the event loop's thread: tortoise works on it as on
aiosqlite, only the checkpoints run on a thread of their own, and long work lets the rest of the
loop run."""

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

from tortoise import Tortoise

from helpdesk.adapters import sqlite_on_loop
from helpdesk.adapters.database import HELPDESK_APPS, tortoise_config


async def _connected(tmp_path):
    config = tortoise_config(f"sqlite://{tmp_path}/on-loop.sqlite3", HELPDESK_APPS)
    context = await Tortoise.init(config=config, _enable_global_fallback=True)
    connection = Tortoise.get_connection("default")
    await connection.execute_script("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
    return context, connection


async def test_statements_and_transactions_run_on_the_loop_thread(tmp_path):
    context, connection = await _connected(tmp_path)
    try:
        assert isinstance(connection, sqlite_on_loop.SqliteOnTheLoop)
        threads = threading.active_count()
        await connection.execute_insert("INSERT INTO note (text) VALUES (?)", ["kept"])
        try:
            async with connection._in_transaction() as transaction:
                await transaction.execute_insert("INSERT INTO note (text) VALUES (?)", ["undone"])
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        rows = await connection.execute_query_dict("SELECT text FROM note")
        assert rows == [{"text": "kept"}]
        assert threading.active_count() == threads  # no worker thread was started
        settings = await connection.execute_query_dict("PRAGMA synchronous")
        assert settings == [{"synchronous": 1}]  # NORMAL
    finally:
        await context.close_connections()


async def test_long_work_lets_the_loop_run_other_tasks(tmp_path):
    context, connection = await _connected(tmp_path)
    gaps: list[float] = []

    async def ticker(stop: asyncio.Event) -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    try:
        stop = asyncio.Event()
        ticking = asyncio.create_task(ticker(stop))
        await asyncio.sleep(0)
        started = time.perf_counter()
        while time.perf_counter() - started < 1.0:  # many statements, no other await
            await connection.execute_insert("INSERT INTO note (text) VALUES (?)", ["x" * 100])
        stop.set()
        await ticking
        # without giving way, the ticker would wait the whole second once; with it, about
        # 5 ms at a time (the bound leaves room for a busy machine)
        assert max(gaps) < 0.5, max(gaps)
        assert len(gaps) > 50
    finally:
        await context.close_connections()


async def test_checkpoints_run_on_a_thread_of_their_own(tmp_path):
    """The loop's commits leave the log to the checkpoint thread: they would checkpoint only once
    it is `LOOP_CHECKPOINT_PAGES` long."""
    context, connection = await _connected(tmp_path)
    database = tmp_path / "on-loop.sqlite3"
    try:
        settings = await connection.execute_query_dict("PRAGMA wal_autocheckpoint")
        assert settings == [{"wal_autocheckpoint": sqlite_on_loop.LOOP_CHECKPOINT_PAGES}]
        size = database.stat().st_size
        for _ in range(300):  # 300 commits, a few hundred pages of log
            await connection.execute_insert("INSERT INTO note (text) VALUES (?)", ["x" * 1000])
        for _ in range(50):
            if database.stat().st_size > size:
                break
            await asyncio.sleep(0.1)
        assert database.stat().st_size > size  # copied from the log into the database file
        checkpoints = connection._checkpoints
        assert checkpoints.is_alive()
    finally:
        await context.close_connections()
    assert not checkpoints.is_alive()  # stopped with the connection


async def test_moments_are_stored_as_tortoise_stores_them_each_in_its_own_zone(tmp_path):
    """The remembered formatting keeps each zone: one instant in two zones compares equal."""
    context, connection = await _connected(tmp_path)
    try:
        utc = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
        riyadh = utc.astimezone(timezone(timedelta(hours=3)))
        for moment in (utc, riyadh, utc.replace(tzinfo=None)):
            rows = await connection.execute_query_dict("SELECT ? AS stored", [moment])
            assert rows == [{"stored": moment.isoformat(" ")}]
    finally:
        await context.close_connections()
