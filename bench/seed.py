"""Prepare a benchmark database: migrate, seed the demo institute, open N room sessions.

Prints the demo platform's signing secret (the load generator mints host tokens with it).

    DATABASE_URL=sqlite:///tmp/bench.sqlite3 python -m bench.seed --rooms 200
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise

from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.adapters.orm.institute import Course, HostPlatform, RoomSession
from helpdesk.config import Config
from helpdesk.domain.institute import RoomState
from helpdesk.services.demo import DEMO_PLATFORM, seed_demo_institute


async def seed(config: Config, rooms: int, prefix: str, fresh: bool) -> str:
    orm = tortoise_config(config)
    if fresh and not config.uses_sqlite:
        await _empty_postgres(config.database_url, orm)
    context = await database.connect(orm)
    try:
        await database.migrate(orm)
        await seed_demo_institute()
        course = await Course.get(code="DEMO-101")
        now = datetime.now(UTC)
        have = set(
            await RoomSession.filter(room_id__startswith=prefix).values_list("room_id", flat=True)
        )
        await RoomSession.bulk_create(
            [
                RoomSession(
                    room_id=f"{prefix}{n:04d}",
                    title=f"جلسة قياس الأداء {n}",
                    course=course,
                    scheduled_start=now - timedelta(minutes=5),
                    scheduled_end=now + timedelta(hours=6),
                    state=RoomState.OPEN,
                    opened_at=now - timedelta(minutes=5),
                )
                for n in range(1, rooms + 1)
                if f"{prefix}{n:04d}" not in have
            ]
        )
        return (await HostPlatform.get(id=DEMO_PLATFORM)).secret
    finally:
        await context.close_connections()


async def _empty_postgres(url: str, orm: dict) -> None:
    """Start the PostgreSQL leg from an empty schema (the bench's own database only, made first
    on a machine that has none)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if not await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    context = await database.connect(orm)
    try:
        connection = Tortoise.get_connection("default")
        await connection.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await context.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=400)
    parser.add_argument("--room-prefix", default="bench-room-")
    parser.add_argument("--fresh", action="store_true", help="PostgreSQL: drop everything first")
    args = parser.parse_args()
    print(asyncio.run(seed(Config.from_env(), args.rooms, args.room_prefix, args.fresh)))


if __name__ == "__main__":
    main()
