"""SQLite run on the event loop's own thread: the tortoise engine of the embedded database.

tortoise talks to SQLite through aiosqlite, which sends every call to a thread of its own and
wakes the loop with the answer: ~190 µs of CPU per statement here, ten times what SQLite
itself spends on a statement of the live room (docs/performance.md). On a local file a
statement is done before the hop would be, so this engine gives aiosqlite's connection a
way to run each call at once instead, and leaves tortoise as it is.

What it costs: the loop waits while SQLite works. Commits are therefore not flushed to the
disk one by one (`synchronous=NORMAL`, SQLite's advice for WAL): a committed transaction
survives the process being killed, not the machine losing power; PostgreSQL is the database
for that (docs/deploy.md). Another process holding the write lock makes the loop wait too,
up to `BUSY_TIMEOUT`: run one process on SQLite.
"""

import sqlite3
from functools import partial
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient

BUSY_TIMEOUT = 5.0  # seconds; sqlite3's default


class OnTheLoop(aiosqlite.Connection):
    """aiosqlite's connection, each call run on the calling thread (no worker thread)."""

    def __init__(self, database: str) -> None:
        super().__init__(
            partial(sqlite3.connect, database, isolation_level=None, timeout=BUSY_TIMEOUT),
            iter_chunk_size=64,
        )

    async def _execute(self, fn, *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def __await__(self):
        return self._connect_here().__await__()

    async def _connect_here(self) -> "OnTheLoop":
        if self._connection is None:
            self._connection = self._connector()
        return self

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


class SqliteOnTheLoop(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        kwargs.setdefault("synchronous", "NORMAL")
        super().__init__(file_path, **kwargs)

    async def create_connection(self, with_db: bool) -> None:
        if self._connection:
            return
        self._connection = await OnTheLoop(self.filename)
        self._connection._conn.row_factory = sqlite3.Row
        for pragma, value in self.pragmas.items():
            await self._connection.execute(f"PRAGMA {pragma}={value}")
        await self._post_connect()


client_class = SqliteOnTheLoop
