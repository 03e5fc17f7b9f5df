"""Raise → room manager across 2 processes through Redis: trainees connect to process A, room
managers to process B (with --crossed, every other room the other way round, so that both
processes do the rooms' work), every `issue.raised` crosses Redis. Writes its table into
docs/capacity.md between its own markers.

Two pairs, each on a private redis-server (its client count is then ours alone, sampled with
`INFO clients` during the run) and its own channel:
- the bare python-socketio relay with python-socketio's AsyncRedisManager (the stock fan-out),
- Sanad (`run.py serve` ×2) on PostgreSQL, with its Redis fan-out; for it also the work Redis
  (commands) and PostgreSQL (transactions, rows written) do per raise, counted from the moment
  everyone is connected to the end of the sweep, divided by the issues stored meanwhile.

    python -m bench.run_all --targets redis2                      # as part of the suite
    python -m bench.fanout --rooms 50 --trainees 20 --bare-rates 500,1000,2000 --sanad-rates 50,100
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.run_all import (
    DOC,
    PG_DEFAULT,
    RESULTS,
    ROOT,
    free_port,
    machine,
    ms,
    wait_until_up,
    write_section,
)

BEGIN, END = "<!-- bench:redis2:begin -->", "<!-- bench:redis2:end -->"
A_CPU, B_CPU, LOADGEN_CPU = 0, 1, 1  # two cores: one per server; the generator beside B


@dataclass
class Pair:
    name: str  # "bare-stock", "sanad"
    label: str
    results: list[dict] = field(default_factory=list)
    redis_clients_max: int = 0
    publish_retries: int = 0  # "Cannot publish to redis... retrying" lines in the servers' logs
    per_raise: dict = field(default_factory=dict)  # Redis and PostgreSQL work per stored raise


LABELS = {
    "bare-stock": "bare relay ×2, python-socketio AsyncRedisManager",
    "sanad": "Sanad ×2 (PostgreSQL), its Redis fan-out",
}


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--maxclients", "20000"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while self.clients() is None:
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)

    def clients(self) -> int | None:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), "INFO", "clients"], capture_output=True, text=True
        )
        for line in done.stdout.splitlines():
            if line.startswith("connected_clients:"):
                return int(line.split(":")[1]) - 1  # not redis-cli itself
        return None

    def commands(self) -> int:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), "INFO", "commandstats"],
            capture_output=True,
            text=True,
        )
        return sum(
            int(line.split("calls=")[1].split(",")[0])
            for line in done.stdout.splitlines()
            if line.startswith("cmdstat_") and not line.startswith("cmdstat_info")
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def database_work(url: str) -> dict[str, int]:
    """Transactions and rows written in the benchmark's database, and the issues stored."""
    query = (
        "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted,"
        " (SELECT count(*) FROM room_issue)"
        " FROM pg_stat_database WHERE datname = current_database()"
    )
    done = subprocess.run(["psql", url, "-AtXc", query], capture_output=True, text=True, check=True)
    commits, rows, issues = (int(v) for v in done.stdout.strip().split("|"))
    return {"commits": commits, "rows": rows, "issues": issues}


class Sampler(threading.Thread):
    """The highest Redis client count seen while the load runs."""

    def __init__(self, redis: PrivateRedis):
        super().__init__(daemon=True)
        self.redis, self.highest, self.done = redis, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.highest = max(self.highest, self.redis.clients() or 0)


def start_server(pair: Pair, name: str, cpu: int, env: dict, workdir: Path, args) -> tuple:
    port = free_port()
    log = workdir / f"{pair.name}-{name}.log"
    if pair.name.startswith("bare"):
        command = [
            *("-m", "bench.bare_relay", "--port", str(port), f"--secret={env['SECRET']}"),
            *("--redis", env["REDIS_URL"], "--channel", env["SOCKETIO_CHANNEL"]),
        ]
        health = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling"
    else:
        command = ["run.py", "serve"]
        health = f"http://127.0.0.1:{port}/healthz"
    process = subprocess.Popen(
        [*pinned(cpu, args), sys.executable, *command],
        env={**env, "PORT": str(port), "SCHEDULER": "on" if name == "a" else "off"},
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    wait_until_up(health, process)
    return process, f"http://127.0.0.1:{port}", log


def pinned(cpu: int, args) -> list[str]:
    return ["nice", "-n", str(args.nice), "taskset", "-c", str(cpu)]


def run_pair(pair: Pair, args, rates: list[float]) -> None:
    print(f"== {pair.label}", flush=True)
    redis = PrivateRedis()
    processes = []
    with tempfile.TemporaryDirectory(prefix=f"bench-{pair.name}-") as tmp:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "VAR_DIR": tmp,
            "DATABASE_URL": args.postgres_url,
            "REDIS_URL": redis.url,
            "SOCKETIO_CHANNEL": f"bench-{pair.name}-{os.urandom(4).hex()}",
            "SECRET": "bare-relay-" + os.urandom(16).hex(),
        }
        try:
            if pair.name == "sanad":
                seed = [sys.executable, "-m", "bench.seed", "--rooms", str(args.rooms), "--fresh"]
                env["SECRET"] = subprocess.run(
                    seed, env=env, cwd=ROOT, check=True, capture_output=True, text=True
                ).stdout.strip()
            a = start_server(pair, "a", A_CPU, env, Path(tmp), args)
            b = start_server(pair, "b", B_CPU, env, Path(tmp), args)
            processes = [a[0], b[0]]
            sampler = Sampler(redis)
            sampler.start()
            counted = {}

            def count(at: str) -> None:
                if pair.name == "sanad":
                    counted[at] = {"redis": redis.commands(), **database_work(args.postgres_url)}

            pair.results = loadgen(pair, args, rates, env["SECRET"], a, b, count)
            count("end")
            if "connected" in counted:
                begin, end = counted["connected"], counted["end"]
                raises = max(1, end["issues"] - begin["issues"])
                pair.per_raise = {
                    "raises": raises,
                    **{
                        k: round((end[k] - begin[k]) / raises, 1)
                        for k in ("redis", "commits", "rows")
                    },
                }
            sampler.done.set()
            pair.redis_clients_max = sampler.highest
            pair.publish_retries = sum(
                log.read_text(errors="replace").count("Cannot publish to redis")
                for log in (a[2], b[2])
            )
            print(
                f"    redis clients max {pair.redis_clients_max}, "
                f"publish retries logged {pair.publish_retries}",
                flush=True,
            )
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            redis.stop()


def loadgen(pair: Pair, args, rates: list[float], secret: str, a: tuple, b: tuple, count) -> list:
    """Run the load generator; `count("connected")` once everyone is connected."""
    command = [
        *pinned(LOADGEN_CPU, args),
        sys.executable,
        *("-m", "bench.loadgen", "--url", a[1], "--manager-url", b[1], f"--secret={secret}"),
        *("--rooms", str(args.rooms), "--trainees", str(args.trainees)),
        *("--server-pid", str(a[0].pid), "--manager-server-pid", str(b[0].pid)),
        *("--rates", ",".join(f"{r:g}" for r in rates)),
        *("--duration", str(args.duration), "--warmup", str(args.warmup)),
        *(["--crossed"] if args.crossed else []),
    ]
    if pair.name == "sanad":
        command += ["--platform", "demo"]
    print("  $", shlex.join(command[command.index(sys.executable) :]).replace(secret, "…"))
    per_rate = args.duration + args.warmup + 5 + 2
    reports = []
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        timer = threading.Timer(900 + per_rate * len(rates), process.kill)
        timer.start()
        for line in process.stdout:
            if not line.startswith("{"):
                continue
            report = json.loads(line)
            if report.get("phase") == "connect":
                count("connected")
            report["loadavg_after"] = round(os.getloadavg()[0], 1)
            print("   ", json.dumps(report, ensure_ascii=False), flush=True)
            reports.append(report)
        timer.cancel()
        if process.wait() != 0:
            print(process.stderr.read()[-2000:], file=sys.stderr)
    return reports


def table(pairs: list[Pair]) -> str:
    lines = [
        "| fan-out | offered raises/s | delivered/s | raise → manager p50 ms | p99 ms | max ms "
        "| server CPU µs/raise (A+B) | Redis clients (max) | load avg after | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for pair in pairs:
        for r in (r for r in pair.results if r.get("phase") == "rate"):
            lat, errors = r["latency_ms"], dict(r["errors"])
            if r["skipped_no_idle_trainee"]:
                errors["not_offered"] = r["skipped_no_idle_trainee"]
            cpu = r["server_cpu_us_per_raise"]
            if r["delivered_per_s"] < r["offered_per_s"] / 10:
                cpu = None
            lines.append(
                f"| {pair.label} | {r['offered_per_s']:.0f} | {r['delivered_per_s']:.0f} "
                f"| {ms(lat.get('p50'))} | {ms(lat.get('p99'))} | {ms(lat.get('max'))} "
                f"| {cpu or '—'} | {pair.redis_clients_max} | {r['loadavg_after']} "
                f"| {', '.join(f'{k} {v}' for k, v in errors.items()) or '0'} |"
            )
    return "\n".join(lines)


def write_doc(pairs: list[Pair], args, started: datetime, command: str) -> None:
    retries = "; ".join(
        f"{p.label}: {p.publish_retries}" for p in pairs if p.name.startswith("bare")
    )
    roles_a = (
        "the trainees of every other room and the other rooms' managers (`--crossed`)"
        if args.crossed
        else "the trainees"
    )
    section = "\n\n".join(
        [
            f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}` on {machine()}. "
            f"Process A ({roles_a}) pinned to core {A_CPU}, process B (the "
            f"other way round) to core {B_CPU} with the load generator, all at nice {args.nice}; "
            "a private redis-server. "
            f"{args.rooms} rooms × {args.trainees} trainees + 1 room manager each "
            f"({args.rooms * (args.trainees + 1):,} connections); each rate offered "
            f"{args.warmup:.0f} s unmeasured, then {args.duration:.0f} s measured. Load average "
            f"at the start: {args.loadavg:.1f}. "
            f'"Cannot publish to redis... retrying" lines logged: {retries or "—"}.',
            table(pairs),
            *(
                f"{p.label}, per stored raise (counted over {p.per_raise['raises']:,} raises "
                f"from the moment everyone was connected): {p.per_raise['redis']} Redis commands, "
                f"{p.per_raise['commits']} PostgreSQL transactions, {p.per_raise['rows']} rows "
                "written (raise + withdraw and everything the processes did meanwhile)."
                for p in pairs
                if p.per_raise
            ),
        ]
    )
    write_section(BEGIN, END, section)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "redis2.json").write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "command": command,
                "pairs": [p.__dict__ for p in pairs],
            },
            ensure_ascii=False,
            indent=1,
        )
    )


def run(args, command: str) -> None:
    started = datetime.now(UTC)
    pairs = [Pair(name, LABELS[name]) for name in args.pairs]
    for pair in pairs:
        rates = args.sanad_rates if pair.name == "sanad" else args.bare_rates
        with contextlib.suppress(subprocess.TimeoutExpired):
            run_pair(pair, args, rates)
    if not args.no_doc:
        write_doc(pairs, args, started, command)
        print(f"wrote {DOC.relative_to(ROOT)}")


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pairs", default="bare-stock,sanad")
    parser.add_argument("--bare-rates", default="100,200,400")
    parser.add_argument("--sanad-rates", default="100,200,400")
    parser.add_argument(
        "--crossed",
        action="store_true",
        help="every other room's trainees on process B and its manager on A (bench/loadgen.py)",
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_options(parser)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--trainees", type=int, default=20)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--postgres-url", default=PG_DEFAULT)
    parser.add_argument("--nice", type=int, default=-10)
    parser.add_argument("--no-doc", action="store_true")
    return finish(parser.parse_args())


def finish(args: argparse.Namespace) -> argparse.Namespace:
    args.pairs = [p for p in args.pairs.split(",") if p]
    args.bare_rates = [float(r) for r in args.bare_rates.split(",") if r]
    args.sanad_rates = [float(r) for r in args.sanad_rates.split(",") if r]
    args.loadavg = os.getloadavg()[0]
    return args


if __name__ == "__main__":
    run(parse_args(), "python -m bench.fanout " + shlex.join(sys.argv[1:]))
