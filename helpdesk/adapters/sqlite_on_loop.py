"""SQLite run on the event loop's own thread: the tortoise engine of the embedded database.

tortoise talks to SQLite through aiosqlite, which sends every call to a thread of its own and
wakes the loop with the answer: ~190 µs of CPU per statement here, ten times what SQLite
itself spends on a statement of the live room (docs/performance.md). On a local file a
statement is done before the hop would be, so this engine gives aiosqlite's connection a
way to run each call at once instead, and leaves tortoise as it is.

What it costs: the loop waits while SQLite works. A statement never makes its task wait, so
work of many statements (the room's sweep) would hold the loop until its end: after
`LET_OTHERS_RUN_AFTER` of statements without a pause the task gives way once. Commits are
therefore not flushed to the disk one by one (`synchronous=NORMAL`, SQLite's advice for WAL):
a committed transaction survives the process being killed, not the machine losing power;
PostgreSQL is the database for that (docs/deploy.md). The checkpoints, which do flush, run on
a thread of their own (`Checkpoints`). Another process holding the write lock makes the loop
wait too, up to `BUSY_TIMEOUT`: run one process on SQLite.
"""

import asyncio
import logging
import sqlite3
import threading
import time
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient

BUSY_TIMEOUT = 5.0  # seconds; sqlite3's default
LET_OTHERS_RUN_AFTER = 0.005  # seconds
CHECKPOINT_EVERY = 0.2  # seconds
# The loop's own commits checkpoint only once the log is this long (pages; SQLite's default is
# 1,000): by then the thread has copied nearly all of it, and the log starts again from the top.
LOOP_CHECKPOINT_PAGES = 10_000

log = logging.getLogger(__name__)


@lru_cache(maxsize=64)  # keyed with its zone too: one instant in two zones compares equal
def _stored(moment: datetime, _zone) -> str:
    return moment.isoformat(" ")


# What tortoise's SQLite executor registers (`isoformat(" ")`), remembered: an action stores its
# moment in several statements, and each isoformat costs ~2 µs.
sqlite3.register_adapter(datetime, lambda moment: _stored(moment, moment.tzinfo))


class OnTheLoop(aiosqlite.Connection):
    """aiosqlite's connection, each call run on the calling thread (no worker thread)."""

    def __init__(self, database: str) -> None:
        super().__init__(
            partial(sqlite3.connect, database, isolation_level=None, timeout=BUSY_TIMEOUT),
            iter_chunk_size=64,
        )
        # when the statements since the loop last ran anything else began (None: it just has)
        self._busy_since: float | None = None

    async def _execute(self, fn, *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        busy_since = self._busy_since
        if busy_since is not None and time.perf_counter() - busy_since > LET_OTHERS_RUN_AFTER:
            await asyncio.sleep(0)  # what is ready runs, `_idle` first
        if self._busy_since is None:
            self._busy_since = time.perf_counter()
            asyncio.get_running_loop().call_soon(self._idle)
        return fn(*args, **kwargs)

    def _idle(self) -> None:
        self._busy_since = None

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


class Checkpoints(threading.Thread):
    """Copies the write-ahead log into the database file on a thread of its own. A checkpoint
    syncs both files to the disk: run by the loop's commits (SQLite's default, every 1,000 pages
    of log) it held the loop for milliseconds, ~85 µs per commit on average here."""

    def __init__(self, database: str) -> None:
        super().__init__(name=f"sqlite-checkpoints {database}", daemon=True)
        self.database = database
        self._stopping = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(self.database, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            while not self._stopping.wait(CHECKPOINT_EVERY):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as error:  # the loop's commits still checkpoint, later
                    log.warning("SQLite checkpoint failed: %s", error)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self.join()


class SqliteOnTheLoop(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        kwargs.setdefault("synchronous", "NORMAL")
        kwargs.setdefault("wal_autocheckpoint", LOOP_CHECKPOINT_PAGES)
        # each action of a group commit is a savepoint, whose journal SQLite otherwise keeps in a
        # temporary file: ~25 µs of CPU per action
        kwargs.setdefault("temp_store", "MEMORY")
        super().__init__(file_path, **kwargs)
        self._checkpoints: Checkpoints | None = None

    async def create_connection(self, with_db: bool) -> None:
        if self._connection:
            return
        self._connection = await OnTheLoop(self.filename)
        self._connection._conn.row_factory = sqlite3.Row
        for pragma, value in self.pragmas.items():
            await self._connection.execute(f"PRAGMA {pragma}={value}")
        await self._post_connect()
        if self.filename != ":memory:":
            self._checkpoints = Checkpoints(self.filename)
            self._checkpoints.start()

    async def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
            self._checkpoints = None
        await super().close()


client_class = SqliteOnTheLoop
