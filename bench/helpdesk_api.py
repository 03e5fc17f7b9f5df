"""Ticket create and list throughput through /api/v1 (requests/s, p50, p99), against the bare
stack (aiohttp + tortoise doing only the insert / the select) in the same run.

Each server is its own process (`run.py serve` with SCHEDULER=off, or `--workers N` processes
sharing the port, which needs PostgreSQL and Redis); the load comes from this one. Besides
latency it reports the server's CPU time per request (all its processes, from /proc), the figure
that does not depend on what else the machine runs, and the load average.

    python -m bench.helpdesk_api                                   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanad_bench python -m bench.helpdesk_api
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/0 python -m bench.helpdesk_api --workers 2

Offered rates (open loop: creations sent on schedule, each on its own, whatever the answers), with
the server's processes pinned to one core and this process to the other; PostgreSQL's CPU per
creation is that of the backends serving the server's connections (read from /proc when
PostgreSQL runs on this machine):

    DATABASE_URL=... python -m bench.helpdesk_api --rates 300,400,500,600 --pin
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.config import Config
from helpdesk.services.api_tokens import create_token
from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
TICKET = {
    "kind": "complaint", "category": "certificates", "channel": "web_form",
    "subject": "الشهادة لم تصدر", "description": "أنهيت الدورة ولم تصدر الشهادة",
    "requester": {"name": "سارة", "email": "sara@example.com"},
}  # fmt: skip


async def prepare(url: str) -> str:
    """Migrate, empty the tickets, and make a token; returns the token."""
    config = Config.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench", "VAR_DIR": "/tmp"})
    orm = tortoise_config(config)
    context = await database.connect(orm)
    try:
        await database.migrate(orm)
        from tortoise.contrib.test import truncate_all_models

        await truncate_all_models()
        token, _ = await create_token("bench", ["tickets:read", "tickets:write"])
        return token
    finally:
        await context.close_connections()


def start(command: list[str], env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # answering (the bare stack has no /healthz)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def server_cpu(pid: int) -> float:
    """CPU seconds of the process and of its children (the workers of `--workers N`)."""
    pids = [pid]
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        pids += [int(p) for p in children.read().split()]
    seconds = 0.0
    for each in pids:
        with open(f"/proc/{each}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def cpu_of(pids: list[int]) -> float:
    seconds = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone, or PostgreSQL runs elsewhere
            continue
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


async def backends(url: str) -> list[int]:
    """The PostgreSQL backends connected to the benchmark's database (the server's pool), not
    this query's own."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [row["pid"] for row in rows]
    finally:
        await connection.close()


async def offered(url: str, base: str, headers: dict, rate: int, seconds: float, server: int):
    """Open loop: `rate` creations per second for `seconds`, each sent on schedule in its own
    task; latency from the scheduled time (a late send counts against the server)."""
    latencies: list[float] = []
    errors = 0
    pg = await backends(url) if url.startswith("postgres") else []
    connector = aiohttp.TCPConnector(limit=1000)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(at: float) -> None:
            nonlocal errors
            try:
                async with session.post(base, json=TICKET, headers=headers) as r:
                    await r.read()
                    errors += r.status >= 400
            except aiohttp.ClientError:
                errors += 1
                return
            latencies.append(time.perf_counter() - at)

        total = int(rate * seconds)
        cpu, pg_cpu = server_cpu(server), cpu_of(pg)
        started = time.perf_counter()
        tasks = []
        for n in range(total):
            at = started + n / rate
            if (wait := at - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(one(at)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        cpu, pg_cpu = server_cpu(server) - cpu, cpu_of(pg) - pg_cpu
    latencies.sort()
    done = len(latencies) or 1
    return {
        "offered_per_s": rate,
        "created_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (done - 1))], 1) if latencies else None,
        "server_cpu_us_per_request": round(1e6 * cpu / done),
        "postgres_cpu_us_per_request": round(1e6 * pg_cpu / done) if pg else None,
        "errors": errors,
        "load_average": os.getloadavg()[0],
    }


async def load(
    method: str, url: str, headers: dict, total: int, concurrency: int, server: int = 0
) -> dict:
    latencies: list[float] = []
    errors = 0
    queue = iter(range(total))

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for _ in queue:
            started = time.perf_counter()
            async with session.request(
                method, url, json=TICKET if method == "POST" else None, headers=headers
            ) as r:
                await r.read()
                errors += r.status >= 400
            latencies.append(time.perf_counter() - started)

    async with aiohttp.ClientSession() as session:
        cpu = server_cpu(server) if server else 0.0
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu = server_cpu(server) - cpu if server else 0.0
    latencies.sort()
    return {
        "requests_per_s": round(total / elapsed),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
        "server_cpu_us_per_request": round(1e6 * cpu / total),
        "errors": errors,
        "load_average": os.getloadavg()[0],
    }


def pinned(command: list[str], pin: bool, nice: int = 0) -> list[str]:
    # the server's processes (all workers) on core 0; this process moves to core 1 (main)
    command = ["taskset", "-c", "0", *command] if pin else command
    return ["nice", "-n", str(nice), *command] if nice else command


async def run_rates(
    url: str, rates: list[int], seconds: float, workers: int, pin: bool, nice: int = 0
) -> dict:
    results = {
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "workers": workers,
        "seconds": seconds,
        "pinned": pin,
        "nice": nice,
        "rates": [],
    }
    token = await prepare(url)
    port = free_port()
    env = {"DATABASE_URL": url, "PORT": str(port), "SCHEDULER": "off", "LOG_LEVEL": "ERROR",
           "SECRET_KEY": "bench", "VAR_DIR": tempfile.mkdtemp()}  # fmt: skip
    command = [sys.executable, "run.py", "serve", "--workers", str(workers)]
    sanad = start(pinned(command, pin, nice), env, port)
    try:
        auth = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}/api/v1/tickets"
        await load("POST", base, auth, 320, 16)  # unmeasured: every worker has its connections
        for rate in rates:
            results["rates"].append(await offered(url, base, auth, rate, seconds, sanad.pid))
    finally:
        sanad.terminate()
        sanad.wait(15)
    return results


async def run(url: str, total: int, concurrency: int, workers: int) -> dict:
    results = {
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "workers": workers,
        "requests": total,
        "concurrency": concurrency,
    }
    token = await prepare(url)
    port = free_port()
    env = {"DATABASE_URL": url, "PORT": str(port), "SCHEDULER": "off", "LOG_LEVEL": "ERROR",
           "SECRET_KEY": "bench", "VAR_DIR": tempfile.mkdtemp()}  # fmt: skip
    sanad = start([sys.executable, "run.py", "serve", "--workers", str(workers)], env, port)
    try:
        auth = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}/api/v1/tickets"
        # Unmeasured: every worker has started and made its first connections.
        await load("POST", base, auth, 20 * concurrency, concurrency)
        results["sanad_create"] = await load("POST", base, auth, total, concurrency, sanad.pid)
        results["sanad_list"] = await load(
            "GET", base + "?per_page=25", auth, total, concurrency, sanad.pid
        )
    finally:
        sanad.terminate()
        sanad.wait(15)
    await prepare(url)
    port = free_port()
    bare = start([sys.executable, "-m", "bench.helpdesk_bare", str(port), url], env, port)
    try:
        base = f"http://127.0.0.1:{port}/tickets"
        await load("POST", base, {}, 20 * concurrency, concurrency)
        results["bare_create"] = await load("POST", base, {}, total, concurrency, bare.pid)
        results["bare_list"] = await load("GET", base, {}, total, concurrency, bare.pid)
    finally:
        bare.terminate()
        bare.wait(15)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="Sanad's processes (run.py serve)")
    parser.add_argument("--rates", help="offered creations per second, e.g. 300,400,500,600")
    parser.add_argument("--seconds", type=float, default=10, help="per offered rate")
    parser.add_argument(
        "--pin", action="store_true", help="the server on core 0, the load generator on core 1"
    )
    parser.add_argument(
        "--nice", type=int, default=0, help="niceness of the server and the load generator "
        "(bench/fanout.py runs at -10: the same footing as the other benchmarks on the machine)",
    )  # fmt: skip
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
    if args.pin:
        os.sched_setaffinity(0, {1})
    if args.nice:
        os.nice(args.nice)
    if args.rates:
        rates = [int(r) for r in args.rates.split(",")]
        result = run_rates(url, rates, args.seconds, args.workers, args.pin, args.nice)
    else:
        result = run(url, args.requests, args.concurrency, args.workers)
    print(json.dumps(asyncio.run(result)))


if __name__ == "__main__":
    main()
