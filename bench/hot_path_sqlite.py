"""What SQLite itself spends on the live room's hot path: every call made to sqlite3 (by
aiosqlite's thread) during `bench/room_hot_path.py`'s measured raises + withdraws is recorded,
then replayed through sqlite3 alone (no tortoise, no aiosqlite, no asyncio, no room) on a copy of
the database as it was before them, their log then checkpointed into the file. The floor of
storing: what any code writing the same rows with the same statements pays.

    python -m bench.hot_path_sqlite          # 200 rooms, 2,000 raises + withdraws, 4 at once
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import tempfile
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

from tortoise import connections

from bench import room_hot_path


class Recording(sqlite3.Connection):
    """A connection that notes its calls while `recording`."""

    recording = False
    calls: list[tuple[str, tuple]] = []

    def execute(self, sql, parameters=()):
        if Recording.recording:
            Recording.calls.append((sql, tuple(parameters)))
        return super().execute(sql, parameters)

    def commit(self):
        if Recording.recording:
            Recording.calls.append(("COMMIT", ()))
        return super().commit()


def replay(database: Path, pragmas: dict) -> float:
    """CPU seconds of the recorded calls run on `database`, and the checkpoint of their log."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.row_factory = sqlite3.Row  # as the server's
    for pragma, value in pragmas.items():
        connection.execute(f"PRAGMA {pragma}={value}")
    started = time.process_time()
    for sql, parameters in Recording.calls:
        if sql == "COMMIT":
            connection.commit()
        else:
            connection.execute(sql, parameters).fetchall()
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    spent = time.process_time() - started
    connection.close()
    return spent


def main() -> None:
    parser = room_hot_path.arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--replays", type=int, default=3)
    parser.set_defaults(rooms=200, raises=2000, together=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        database, before = Path(scratch) / "hot.sqlite3", Path(scratch) / "before.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite://{database}"
        os.environ.pop("REDIS_URL", None)
        connect = sqlite3.connect
        sqlite3.connect = lambda *a, **k: connect(*a, **{"factory": Recording, **k})
        pragmas: dict = {}

        @contextlib.contextmanager
        def measuring():
            pragmas.update(connections.get("default").pragmas)
            with closing(connect(database)) as source, closing(connect(before)) as copy:
                source.backup(copy)  # what is committed now
            Recording.recording = True
            yield
            Recording.recording = False

        asyncio.run(room_hot_path.main(args, measuring))
        sqlite3.connect = connect
        kinds = Counter(sql.split()[0] for sql, _ in Recording.calls)
        print(
            "sqlite3 calls per raise + withdraw: "
            + ", ".join(f"{kind} {count / args.raises:.2f}" for kind, count in kinds.items())
        )
        for n in range(args.replays):
            copy = Path(scratch) / f"replay-{n}.sqlite3"
            with closing(connect(before)) as source, closing(connect(copy)) as target:
                source.backup(target)
            spent = replay(copy, pragmas)
            print(f"replay {n + 1}: {spent / args.raises * 1e6:.0f} µs of CPU per raise + withdraw")


if __name__ == "__main__":
    main()
