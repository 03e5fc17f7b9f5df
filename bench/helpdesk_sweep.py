"""One referral-clock sweep over many open tickets: how long it takes, and that it touches only
the due ones. A second sweep right after (nothing due) shows the cost of an idle round.

    python -m bench.helpdesk_sweep                                   # SQLite, 100,000 tickets
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanad_bench python -m bench.helpdesk_sweep
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise
from tortoise.contrib.test import truncate_all_models

from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.adapters.orm.institute import Department
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.config import Config
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category
from helpdesk.services.bus import MessageBus
from helpdesk.services.desk import ensure_settings, load_desk, route_category
from helpdesk.services.referral_clock import sweep_referral_clock
from helpdesk.services.staff import create_staff


@contextlib.asynccontextmanager
async def emptied_desk(url: str) -> AsyncIterator[tuple[Config, Department]]:
    """The benchmark's database migrated and emptied, with a certificates department routed."""
    config = Config.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench", "VAR_DIR": "/tmp"})
    orm = tortoise_config(config)
    context = await database.connect(orm)
    try:
        await database.migrate(orm)
        await truncate_all_models()
        certs = await Department.create(code="certs", name_ar="الشهادات", name_en="Certificates")
        await route_category(Category.CERTIFICATES, certs.id)
        yield config, certs
    finally:
        await context.close_connections()


async def add_open_tickets(
    tickets: int, now: datetime, is_due: Callable[[int], bool], department_id: int
) -> None:
    for start in range(0, tickets, 5000):
        await Ticket.bulk_create(
            [
                _ticket(i, now, is_due(i), department_id)
                for i in range(start, min(tickets, start + 5000))
            ]
        )


async def run(url: str, tickets: int, due: int) -> dict:
    async with emptied_desk(url) as (config, certs):
        await create_staff(
            name="مدير الشهادات", email="certs@example.com", password="bench-password-1",
            role=StaffRole.DEPARTMENT_MANAGER, department=certs,
        )  # fmt: skip
        await ensure_settings(config.institute_tz)
        now = datetime.now(UTC)
        started = time.perf_counter()
        await add_open_tickets(tickets, now, lambda i: i < due, certs.id)
        loaded = time.perf_counter() - started
        # As autovacuum would by now: fresh statistics, so the planner uses the due-time index.
        await Tortoise.get_connection("default").execute_script("ANALYZE")

        await load_desk(now)  # as the app does at start-up (the holidays calendars' import)
        started, cpu = time.perf_counter(), time.process_time()
        first = await sweep_referral_clock(now, bus=MessageBus())
        first_seconds, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        idle = await sweep_referral_clock(now, bus=MessageBus())
        idle_seconds = time.perf_counter() - started
        assert first.escalated == due and first.touched == due, first
        assert idle.touched == 0, idle
        return {
            "database": "postgresql" if url.startswith("postgres") else "sqlite",
            "open_tickets": tickets,
            "due": due,
            "escalated": first.escalated,
            "sweep_seconds": round(first_seconds, 3),
            "per_escalation_ms": round(1000 * first_seconds / max(due, 1), 2),
            "sweep_cpu_seconds": round(first_cpu, 3),  # this process only, not the database's
            "load_average": os.getloadavg()[0],
            "idle_sweep_ms": round(1000 * idle_seconds, 1),
            "load_seconds": round(loaded, 1),
        }


def _ticket(i: int, now: datetime, due: bool, department_id: int) -> Ticket:
    received = now - timedelta(hours=25 if due else 1)
    return Ticket(
        number=f"SND-2026-{i + 1:06d}", kind="complaint", category=Category.CERTIFICATES,
        channel="email", subject=f"ticket {i}", requester_name="bench",
        requester_email="bench@example.com", routed_department_id=department_id,
        tracking_secret="k", received_at=received,
        referral_due_at=received + timedelta(hours=24),
        referral_warn_at=received + timedelta(hours=18),
        referral_clock="warned" if due else "",
        referral_check_at=received + timedelta(hours=24 if due else 18),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
    print(json.dumps(asyncio.run(run(url, args.tickets, args.due))))


if __name__ == "__main__":
    main()
