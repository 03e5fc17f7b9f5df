"""What /metrics costs: the live room's hooks per event (in one process, and in the multiprocess
mode of `run.py serve --workers N`), and one scrape's database figures over many tickets.

    python -m bench.metrics                    # SQLite, 100,000 tickets, 10,000 connected
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanad_bench python -m bench.metrics
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from types import SimpleNamespace

from prometheus_client import CollectorRegistry, generate_latest
from tortoise import Tortoise

from bench.helpdesk_sweep import add_open_tickets, emptied_desk
from classroom_helper.adapters.orm import PresenceRecord, ProcessHeartbeat
from classroom_helper.entrypoints.room_metrics import RoomMetrics, room_figures
from helpdesk.entrypoints.metrics import _Families, desk_figures

ROUNDS = 200_000


def hooks_per_event() -> dict:
    """µs of CPU the hooks add to one client event, as RoomGateway calls them."""
    multiprocess = "PROMETHEUS_MULTIPROC_DIR" in os.environ
    metrics = RoomMetrics(None if multiprocess else CollectorRegistry())
    raised = SimpleNamespace(type="issue.raised", to_managers=True)
    updated = SimpleNamespace(type="issue.updated", to_managers=True)

    def raise_event() -> None:  # issue.raise: one room event, to the managers and the trainee
        metrics.receiving("issue.raise", time.perf_counter())
        metrics.handed_to_staff(raised)
        metrics.room_event_sent(raised)
        metrics.answered("issue.raise", "ok")

    def other_event() -> None:  # e.g. issue.claim: one room event, no latency observed
        metrics.receiving("issue.claim", time.perf_counter())
        metrics.handed_to_staff(updated)
        metrics.room_event_sent(updated)
        metrics.answered("issue.claim", "ok")

    figures = {"mode": "multiprocess" if multiprocess else "one process"}
    for name, event in (("issue.raise", raise_event), ("other event", other_event)):
        started = time.process_time()
        for _ in range(ROUNDS):
            event()
        figures[f"{name} µs"] = round((time.process_time() - started) / ROUNDS * 1e6, 2)
    return figures


async def scrape(url: str, tickets: int, connected: int) -> dict:
    async with emptied_desk(url) as (_, certs):
        now = datetime.now(UTC)
        await add_open_tickets(tickets, now, lambda i: i % 100 == 0, certs.id)
        await ProcessHeartbeat.create(process="p", seen_at=now)
        await PresenceRecord.bulk_create(
            PresenceRecord(
                sid=f"s{i}", process="p", room_id=f"room-{i % 200}", person_sub=f"t{i}",
                role="manager" if i < 200 else "trainee", seen_at=now,
            )
            for i in range(connected)
        )  # fmt: skip
        await Tortoise.get_connection("default").execute_script("ANALYZE")
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            families = await desk_figures(now) + await room_figures(now)
            body = generate_latest(_Families(families))
            timings.append(time.perf_counter() - started)
        return {
            "database": "postgresql" if url.startswith("postgres") else "sqlite",
            "tickets": tickets,
            "connected": connected,
            "scrape_ms_best": round(1000 * min(timings), 1),
            "scrape_ms_median": round(1000 * sorted(timings)[2], 1),
            "bytes": len(body),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--connected", type=int, default=10_000, help="presence rows")
    parser.add_argument("--hooks-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    print(json.dumps(hooks_per_event(), ensure_ascii=False))
    if args.hooks_only:
        return
    with tempfile.TemporaryDirectory() as shared:  # the same hooks in multiprocess mode
        subprocess.run(
            [sys.executable, "-m", "bench.metrics", "--hooks-only"],
            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": shared},
            check=True,
        )
    url = os.environ.get("DATABASE_URL") or f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
    print(json.dumps(asyncio.run(scrape(url, args.tickets, args.connected))))


if __name__ == "__main__":
    main()
