"""The database: tortoise-orm set-up, the schema check at start-up, migrations."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext, set_global_context
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as apply_migrations
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.recorder import MigrationRecorder

log = logging.getLogger(__name__)

# SQLite's settings, as PRAGMAs through tortoise's connection credentials (journal_mode=WAL and
# foreign_keys=ON are tortoise's defaults): a writer waits for another's lock instead of failing
# at once, and in WAL mode a commit survives the process being killed without a sync to the disk
# of its own (SQLite's advice for WAL; PostgreSQL is the database for surviving a power loss).
SQLITE_PRAGMAS = {"journal_mode": "WAL", "busy_timeout": 5000, "synchronous": "NORMAL"}

# The helpdesk's own tortoise apps; the composition root adds the room's.
HELPDESK_APPS = {
    "helpdesk": {
        "models": [
            "helpdesk.adapters.orm.institute",
            "helpdesk.adapters.orm.tickets",
            "helpdesk.adapters.orm.desk",
        ],
        "migrations": "helpdesk.migrations.helpdesk",
    },
    "guidance": {
        "models": ["helpdesk.adapters.orm.guidance"],
        "migrations": "helpdesk.migrations.guidance",
    },
}


class DatabaseError(RuntimeError):
    """The database cannot be used as it is; the message says what to do."""


@dataclass(frozen=True)
class SchemaState:
    missing: list[str]  # on disk, not applied: run `migrate`
    unknown: list[str]  # applied, not on disk: the database is newer than this code

    @property
    def current(self) -> bool:
        return not self.missing and not self.unknown


def tortoise_config(database_url: str, apps: dict, timezone: str = "UTC") -> dict:
    connection = expand_db_url(database_url)
    if database_url.startswith("sqlite://"):
        Path(connection["credentials"]["file_path"]).parent.mkdir(parents=True, exist_ok=True)
        connection["credentials"] = {**SQLITE_PRAGMAS, **connection["credentials"]}
    elif connection["engine"].endswith("asyncpg"):
        connection["credentials"].setdefault("reset", _keep_session)
    return {
        "connections": {"default": connection},
        "apps": {label: {**app, "default_connection": "default"} for label, app in apps.items()},
        "use_tz": True,
        "timezone": timezone,
    }


async def _keep_session(connection) -> None:
    """asyncpg's pool resets every connection it takes back (advisory locks, cursors, LISTEN,
    session settings: one more round trip after each statement outside a transaction). Sanad
    keeps no session state on a connection; an open transaction is still rolled back by the pool
    before this is called."""


async def connect(config: dict) -> TortoiseContext:
    """Open the connections; the returned context closes them (see STACK.md on leaks)."""
    context = await Tortoise.init(config=config)
    # for every task, not only this one's (aiohttp runs each request in a task of its own)
    set_global_context(context)
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as error:
        await context.close_connections()
        raise DatabaseError(f"cannot reach the database: {_reason(error)}") from None
    return context


async def schema_state(config: dict) -> SchemaState:
    connection = Tortoise.get_connection("default")
    executor = MigrationExecutor(connection, config["apps"])
    executor.loader.load_disk()
    on_disk = {(key.app_label, key.name) for key in executor.loader.disk_migrations}
    applied = {
        (key.app_label, key.name)
        for key in await MigrationRecorder(connection).applied_migrations()
    }
    return SchemaState(
        missing=sorted(f"{app}.{name}" for app, name in on_disk - applied),
        unknown=sorted(f"{app}.{name}" for app, name in applied - on_disk if app in config["apps"]),
    )


async def require_current_schema(config: dict) -> None:
    state = await schema_state(config)
    if state.unknown:
        raise DatabaseError(
            "the database schema is newer than this version of Sanad "
            f"(unknown migrations: {', '.join(state.unknown)}); run the newer version or restore a backup"
        )
    if state.missing:
        raise DatabaseError(
            f"the database schema is not up to date ({len(state.missing)} migrations to apply); "
            "run: python run.py migrate"
        )


async def migrate(config: dict, target: str | None = None) -> list[str]:
    """Apply every pending migration (or up to `target`, "app.name"); returns the names applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    try:
        await apply_migrations(config=config, target=target, progress=progress)
    except Exception as error:
        raise DatabaseError(
            f"migration failed after {applied or 'none'}: {_reason(error)}"
        ) from error
    return applied


# What a database that is down, restarting or out of reach raises, through tortoise or not: the
# server's "shutting down" / "starting up", a connection it cut, no server listening at all.
_OUTAGES = (
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    # A pooled connection that received the server's "terminating connection" while idle is
    # left waiting for an answer that never comes; the next use says "another operation is in
    # progress" (seen on every restart, tests/scaleout/test_postgres_restart.py). The pool then
    # drops that connection.
    asyncpg.InternalClientError,
    ConnectionRefusedError,
    ConnectionResetError,
)


def unavailable(error: BaseException) -> bool:
    """The database is out of reach for now (work resumes when it is back), not a fault of the
    request: the error or one it came from is an outage."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, _OUTAGES):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error):
            return True  # cut by the server while in use
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _reason(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


ID_MAX = 2**31 - 1  # the id columns are 32-bit integers


def row_id(raw: str) -> int | None:
    """A row id read from a URL: None unless it is digits within the id columns' range."""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= ID_MAX else None
