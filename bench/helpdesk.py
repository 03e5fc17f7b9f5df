"""The helpdesk's benchmarks in `python -m bench.run_all --targets helpdesk`: ticket create and list
through /api/v1 against the bare stack (bench/helpdesk_api.py) and one referral sweep over 100,000
open tickets (bench/helpdesk_sweep.py), on SQLite and on PostgreSQL, each in its own process.
Writes its table into docs/capacity.md between its own markers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from bench.run_all import ROOT, machine, write_section

BEGIN, END = "<!-- bench:helpdesk:begin -->", "<!-- bench:helpdesk:end -->"
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def measure(module: str, database_url: str | None, *options: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", module, *options], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{module} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args, command: str) -> None:
    started = datetime.now(UTC)
    runs = [
        (
            measure("bench.helpdesk_api", url),
            measure("bench.helpdesk_sweep", url, "--tickets", str(args.sweep_tickets)),
        )
        for url in (None, args.postgres_url)
    ]
    rows = [
        "| database | request | Sanad req/s | p50 ms | p99 ms | server CPU µs/request "
        "| bare stack req/s | bare p99 ms | bare CPU µs/request | load avg |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for api, _ in runs:
        for request in ("create", "list"):
            sanad, bare = api[f"sanad_{request}"], api[f"bare_{request}"]
            rows.append(
                f"| {DATABASES[api['database']]} | {request} | {sanad['requests_per_s']} "
                f"| {sanad['p50_ms']} | {sanad['p99_ms']} | {sanad['server_cpu_us_per_request']} "
                f"| {bare['requests_per_s']} | {bare['p99_ms']} "
                f"| {bare['server_cpu_us_per_request']} | {sanad['load_average']:.1f} |"
            )
    rows += [
        "",
        "| database | open tickets | due | sweep s | CPU s (this process) | idle sweep ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {DATABASES[sweep['database']]} | {sweep['open_tickets']:,} | {sweep['due']:,} "
            f"| {sweep['sweep_seconds']} | {sweep['sweep_cpu_seconds']} | {sweep['idle_sweep_ms']} |"
            for _, sweep in runs
        ),
    ]
    section = (
        f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}` on {machine()}: "
        "2,000 requests 16 at a time after an unmeasured warm-up, one `run.py serve` process; "
        "the sweep touched exactly the due tickets (asserted).\n\n" + "\n".join(rows)
    )
    if args.no_doc:
        print(section)
    else:
        write_section(BEGIN, END, section)
