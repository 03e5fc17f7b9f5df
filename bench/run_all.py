"""Run every live-room benchmark and write its tables into docs/capacity.md.

Each server runs in its own process pinned to core 0 (Sanad through `run.py serve` on SQLite, then
on PostgreSQL; the bare python-socketio relay), the load generator in another pinned to core 1.
For each: N rooms × K trainees + 1 manager connect; a room-wide outage (every connection's worth of
raises offered within 10 s); a sweep of offered raise rates; and idle connections held (memory per
connection, also with permessage-deflate offered as browsers do). Then the gates of docs/capacity.md.

    python -m bench.run_all                       # the full run (~25 minutes)
    python -m bench.run_all --quick               # a smoke run (~2 minutes)
    python -m bench.run_all --targets redis2      # 2 processes through Redis (bench/fanout.py)
    python -m bench.run_all --targets helpdesk    # ticket API and referral sweep (bench/helpdesk.py)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "capacity.md"
RESULTS = ROOT / "bench" / "results"
BEGIN, END = "<!-- bench:live-room:begin -->", "<!-- bench:live-room:end -->"
SERVER_CPU, LOADGEN_CPU = 0, 1
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/sanad_bench"


@dataclass
class Target:
    name: str  # "bare", "sqlite", "postgres"
    label: str
    results: list[dict] = field(default_factory=list)
    idle: dict[int, dict] = field(default_factory=dict)
    idle_deflate: dict[int, dict] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server not up after {within}s: {url}")


class Server:
    """One server process, pinned, with its own database; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, target: str, args: argparse.Namespace, workdir: Path):
        self.target, self.args, self.workdir = target, args, workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.secret = ""
        self.gc_stats = str(workdir / "gc.json")

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.update(
            HOST="127.0.0.1",
            PORT=str(self.port),
            VAR_DIR=str(self.workdir),
            LOG_LEVEL="WARNING",
            DATABASE_URL=(
                self.args.postgres_url
                if self.target == "postgres"
                else f"sqlite://{self.workdir}/sanad.sqlite3"
            ),
        )
        env.pop("REDIS_URL", None)
        return env

    def __enter__(self) -> Server:
        log = open(self.workdir / f"{self.target}-server.log", "ab")
        python = sys.executable
        if self.target == "bare":
            self.secret = "bare-relay-" + os.urandom(16).hex()
            command = ["-m", "bench.bare_relay", "--port", str(self.port)]
            command += [f"--secret={self.secret}"]  # a secret may begin with "-"
            health = self.url + "/socket.io/?EIO=4&transport=polling"
        else:
            seed = [python, "-m", "bench.seed", "--rooms", str(self.args.seed_rooms)]
            if self.target == "postgres":
                seed.append("--fresh")
            self.secret = subprocess.run(
                seed, env=self.env(), cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout.strip()
            command = ["run.py", "serve"]
            health = self.url + "/healthz"
        self.process = subprocess.Popen(
            [
                *pinned(SERVER_CPU, self.args),
                python,
                "-m",
                "bench.gcwatch",
                self.gc_stats,
                "--",
                *command,
            ],
            env=self.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until_up(health, self.process)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def pinned(cpu: int, args: argparse.Namespace) -> list[str]:
    """Run on one core; with --nice, ahead of whatever else shares the machine."""
    return ["nice", "-n", str(args.nice), "taskset", "-c", str(cpu)]


def loadgen_command(server: Server, rooms: int, trainees: int, extra: list[str]) -> list[str]:
    """The load generator against `server`, pinned to its own core."""
    command = [
        *pinned(LOADGEN_CPU, server.args),
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        server.url,
        f"--secret={server.secret}",  # a secret may begin with "-"
        "--rooms",
        str(rooms),
        "--trainees",
        str(trainees),
        "--server-pid",
        str(server.process.pid),
        "--gc-stats",
        server.gc_stats,
        *extra,
    ]
    if server.target != "bare":
        command += ["--platform", "demo"]
    return command


def loadgen(server: Server, rooms: int, trainees: int, extra: list[str], timeout: float) -> list:
    command = loadgen_command(server, rooms, trainees, extra)
    print(
        "  $",
        shlex.join(command[command.index(sys.executable) :]).replace(server.secret, "…"),
        flush=True,
    )
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    for report in reports:
        report["loadavg_after"] = os.getloadavg()[0]
        print("   ", json.dumps(report, ensure_ascii=False), flush=True)
    return reports


def run_target(target: Target, args: argparse.Namespace) -> None:
    print(f"== {target.label}", flush=True)
    rates = ",".join(str(r) for r in args.rates)
    per_rate = args.duration + args.warmup + 5 + 2
    with tempfile.TemporaryDirectory(prefix=f"bench-{target.name}-") as tmp:
        if args.rates:
            with Server(target.name, args, Path(tempfile.mkdtemp(dir=tmp))) as server:
                target.results = loadgen(
                    server,
                    args.rooms,
                    args.trainees,
                    [
                        "--rates",
                        rates,
                        "--duration",
                        str(args.duration),
                        "--warmup",
                        str(args.warmup),
                        "--outage",
                        str(args.outage and args.rooms * (args.trainees + 1)),
                        "--outage-seconds",
                        str(args.outage_seconds),
                    ],
                    timeout=900 + per_rate * len(args.rates) + args.outage_seconds + 30,
                )
        for count in args.idle:
            target.idle[count] = idle_run(target, args, Path(tmp), count)
        for count in args.deflate_idle:  # as browsers connect: permessage-deflate offered
            target.idle_deflate[count] = idle_run(target, args, Path(tmp), count, "--deflate")


def idle_run(target: Target, args: argparse.Namespace, tmp: Path, count: int, *extra: str) -> dict:
    """A fresh server; `count` people connect, stay idle for --hold seconds, and leave."""
    with Server(target.name, args, Path(tempfile.mkdtemp(dir=tmp))) as server:
        reports = loadgen(
            server,
            math.ceil(count / (args.trainees + 1)),
            args.trainees,
            ["--hold", str(args.hold), "--connect-rate", str(args.idle_connect_rate), *extra],
            timeout=900,
        )
    return {r["phase"]: r for r in reports}


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    packages = ", ".join(
        f"{p} {version(p)}"
        for p in ("aiohttp", "python-socketio", "python-engineio", "tortoise-orm")
    )
    return (
        f"{model}, {os.cpu_count()} cores, {int(memory) // 1024**2} GB RAM "
        f"(a 10-million-step Python loop: {reference_loop():.2f} s); "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; {packages}"
    )


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python loop: how fast the machine ran plain Python when the
    doc was written. It has taken 0.36 s and 1.6 s within one hour here (2026-11-25); the bare
    relay measured in the same run remains the yardstick of a row."""
    started, total = time.process_time(), 0
    for step in range(10_000_000):
        total += step
    return time.process_time() - started


def ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:.0f}" if value >= 10 else f"{value:.1f}")


def ratio(mine: float | None, bare: float | None) -> str:
    if not mine or not bare:
        return "—"
    return f"×{mine / bare:.2f}" if mine < bare else f"×{mine / bare:.1f}"


def table(targets: list[Target]) -> str:
    bare = next((t for t in targets if t.name == "bare"), None)
    bare_rates = {
        r["offered_per_s"]: r for r in (bare.results if bare else []) if "latency_ms" in r
    }
    lines = [
        "| server | offered raises/s | delivered/s | raise → manager p50 ms | p99 ms | max ms "
        "| p99 vs bare | ack p99 ms | server CPU µs/raise | CPU vs bare | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for target in targets:
        for r in (r for r in target.results if r.get("phase") in ("outage", "rate")):
            floor = bare_rates.get(r["offered_per_s"], {})
            cpu = r["server_cpu_us_per_raise"]
            if r["delivered_per_s"] < r["offered_per_s"] / 10:  # too few raises to divide by
                cpu = None
            lat = r["latency_ms"]
            errors = dict(r["errors"])
            if r["skipped_no_idle_trainee"]:
                errors["not_offered"] = r["skipped_no_idle_trainee"]
            offered = f"{r['offered_per_s']:.0f}"
            if r["phase"] == "outage":
                offered = f"outage: {r['offered']:,} in {r['seconds']:.0f} s"
            lines.append(
                f"| {target.label} | {offered} | {r['delivered_per_s']:.0f} "
                f"| {ms(lat.get('p50'))} | {ms(lat.get('p99'))} | {ms(lat.get('max'))} "
                f"| {'—' if target is bare else ratio(lat.get('p99'), floor.get('latency_ms', {}).get('p99'))} "
                f"| {ms(r['ack_ms'].get('p99'))} | {cpu or '—'} "
                f"| {'—' if target is bare else ratio(cpu, floor.get('server_cpu_us_per_raise'))} "
                f"| {', '.join(f'{k} {v}' for k, v in errors.items()) or '0'} |"
            )
    return "\n".join(lines)


def memory_table(targets: list[Target], args: argparse.Namespace) -> str:
    bare = next((t for t in targets if t.name == "bare"), None)
    lines = [
        "| server | connections | held after "
        f"{args.hold:.0f} s | connect time s | RSS before MB | RSS after MB | KB per connection "
        "| vs bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for target in targets:
        rows = [(count, "", runs) for count, runs in target.idle.items()]
        rows += [(count, " (deflate)", runs) for count, runs in target.idle_deflate.items()]
        first = next((r for r in target.results if r.get("phase") == "connect"), None)
        if first:
            rows.append((first["connections"], "", {"connect": first, "hold": {}}))
        for count, how, runs in sorted(rows, key=lambda row: row[:2]):
            connect, hold = runs.get("connect", {}), runs.get("hold", {})
            per = connect.get("bytes_per_connection")
            floor = (bare.idle_deflate if how else bare.idle) if bare else {}
            base = floor.get(count, {}).get("connect", {}).get("bytes_per_connection")
            lines.append(
                f"| {target.label} | {connect.get('connections', 0):,} of {count:,}{how} "
                f"| {hold.get('still_connected', '—')} | {connect.get('connect_seconds', '—')} "
                f"| {connect.get('rss_before_mb', '—')} | {connect.get('rss_after_mb', '—')} "
                f"| {per / 1024:.1f} | {'—' if target is bare else ratio(per, base)} |"
                if per
                else f"| {target.label} | {count:,} | failed: {connect.get('failures')} | | | | | |"
            )
    return "\n".join(lines)


def delivered_all(r: dict) -> bool:
    return (
        r["latency_ms"].get("n", 0) == r["offered"]
        and not r["errors"]
        and not r["skipped_no_idle_trainee"]
    )


def held(r: dict, p99_ms: float) -> bool:
    return delivered_all(r) and r["latency_ms"]["p99"] <= p99_ms


def gates(targets: list[Target]) -> str:
    """The issue's gates, each with the figure that decides it."""
    bare = next((t for t in targets if t.name == "bare"), None)
    sanads = [t for t in targets if t.name != "bare"]
    lines = []

    def rows(target: Target, phase: str) -> list[dict]:
        return [r for r in target.results if r.get("phase") == phase]

    if bare and rows(bare, "rate"):
        bare_held = [r["offered_per_s"] for r in rows(bare, "rate") if held(r, 100)]
        top = max(bare_held, default=0)
        lines.append(
            f"- Highest offered rate at which the bare relay kept p99 ≤ 100 ms: **{top:.0f}/s**."
        )
        for target in sanads:
            missed = [
                f"{r['offered_per_s']:.0f}/s (p99 {ms(r['latency_ms'].get('p99'))} ms, "
                f"{r['latency_ms'].get('n', 0)} of {r['offered']} delivered)"
                for r in rows(target, "rate")
                if r["offered_per_s"] <= top and not held(r, 100)
            ]
            best = max(
                (r["offered_per_s"] for r in rows(target, "rate") if held(r, 100)), default=0
            )
            verdict = "held" if not missed else "NOT held at " + ", ".join(missed)
            lines.append(
                f"- {target.label}, every rate up to {top:.0f}/s at p99 ≤ 100 ms: **{verdict}** "
                f"(highest rate held: {best:.0f}/s)."
            )
    for target in targets:
        for r in rows(target, "outage"):
            lost = r["offered"] - r["latency_ms"].get("n", 0)
            ok = held(r, 3000)
            lines.append(
                f"- {target.label}, outage ({r['offered']:,} raises offered in "
                f"{r['seconds']:.0f} s): {r['latency_ms'].get('n', 0):,} delivered, {lost} lost, "
                f"p99 {ms(r['latency_ms'].get('p99'))} ms: **{'held' if ok else 'NOT held'}** "
                "(none lost, all delivered, p99 ≤ 3 s)."
            )
    if bare:
        for target in sanads:
            for count, runs in target.idle_deflate.items():
                mine = runs.get("connect", {}).get("bytes_per_connection")
                base = bare.idle.get(count, {}).get("connect", {}).get("bytes_per_connection")
                if mine and base:
                    ok = mine <= base
                    lines.append(
                        f"- {target.label}, memory per idle connection with permessage-deflate "
                        f"offered ({count:,} connections): {mine / 1024:.1f} KB against the bare "
                        f"relay's {base / 1024:.1f} KB without it: **{'held' if ok else 'NOT held'}**."
                    )
    for target in sanads:
        for r in rows(target, "rate"):
            if r["offered_per_s"] >= 1000:
                lines.append(
                    f"- Moonshot, {target.label} at {r['offered_per_s']:.0f}/s: "
                    f"{r['delivered_per_s']:.0f} delivered/s, p99 {ms(r['latency_ms'].get('p99'))} ms "
                    f"({'held' if held(r, 100) else 'not held'})."
                )
    return "\n".join(lines)


def write_section(begin: str, end: str, section: str) -> None:
    """Put `section` between the two markers in docs/capacity.md (at its end the first time)."""
    text = DOC.read_text() if DOC.exists() else "# Capacity\n"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    DOC.write_text(f"{head}{begin}\n\n{section}\n\n{end}{tail}")


def write_doc(targets: list[Target], args: argparse.Namespace, started: datetime) -> None:
    command = "python -m bench.run_all " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    section = "\n\n".join(
        [
            f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command.strip()}` "
            f"on {machine()}. Server pinned to core {SERVER_CPU}, load generator to core "
            f"{LOADGEN_CPU}, both at nice {args.nice}. {args.rooms} rooms × {args.trainees} trainees + 1 room manager each "
            f"({args.rooms * (args.trainees + 1):,} websocket connections); each rate offered for "
            f"{args.warmup:.0f} s unmeasured, then {args.duration:.0f} s measured. Every raise is "
            "followed by the trainee's withdraw (two stored actions per raise on Sanad). "
            f"Load average at the start: {args.loadavg:.1f}.",
            "#### Gates",
            gates(targets),
            "#### Raise → room manager",
            table(targets),
            "#### Connections held and memory per connection",
            memory_table(targets, args),
        ]
    )
    write_section(BEGIN, END, section)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "live-room.json").write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "command": command,
                "machine": machine(),
                "targets": [t.__dict__ for t in targets],
            },
            ensure_ascii=False,
            indent=1,
        )
    )


def parse_args() -> argparse.Namespace:
    from bench import fanout  # here: it imports this module's helpers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--targets", default="bare,sqlite,postgres")
    parser.add_argument("--rates", default="50,100,200,300,400,600,1000")
    parser.add_argument("--duration", type=float, default=12.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--idle", default="6200", help="idle connection counts")
    parser.add_argument(
        "--outage", type=int, default=1, help="0: no outage phase (else every connection raises)"
    )
    parser.add_argument("--outage-seconds", type=float, default=10.0)
    parser.add_argument(
        "--hold", type=float, default=10.0, help="seconds idle connections are held"
    )
    parser.add_argument(
        "--deflate-idle",
        default="6200",
        help="idle counts connected as browsers do (permessage-deflate offered)",
    )
    parser.add_argument("--idle-connect-rate", type=float, default=500.0)
    parser.add_argument("--postgres-url", default=PG_DEFAULT)
    parser.add_argument(
        "--nice", type=int, default=-10, help="scheduling priority of server and load generator"
    )
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the doc alone")
    parser.add_argument(
        "--sweep-tickets", type=int, default=100_000, help="open tickets for the helpdesk sweep"
    )
    fanout.add_options(parser)
    args = fanout.finish(parser.parse_args())
    if args.quick:
        args.rooms, args.rates, args.duration, args.warmup = 20, "100,250", 5.0, 1.0
        args.idle, args.hold, args.deflate_idle, args.outage_seconds = "620", 3.0, "620", 2.0
    args.rates = [float(r) for r in args.rates.split(",") if r]
    args.idle = [int(n) for n in args.idle.split(",") if n]
    args.deflate_idle = [int(n) for n in args.deflate_idle.split(",") if n]
    args.seed_rooms = max([args.rooms, *(math.ceil(n / (args.trainees + 1)) for n in args.idle)])
    args.loadavg = os.getloadavg()[0]
    return args


LABELS = {
    "bare": "bare python-socketio relay",
    "sqlite": "Sanad, SQLite",
    "postgres": "Sanad, PostgreSQL",
}


def main() -> None:
    from bench import fanout, helpdesk  # here: they import this module's helpers

    args = parse_args()
    started = datetime.now(UTC)
    names = args.targets.split(",")
    command = "python -m bench.run_all " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    if "redis2" in names:  # its own runner and table
        names.remove("redis2")
        fanout.run(args, command)
    if "helpdesk" in names:  # likewise
        names.remove("helpdesk")
        helpdesk.run(args, command)
    targets = [Target(name, LABELS[name]) for name in names]
    for target in targets:
        run_target(target, args)
    if targets and not args.no_doc:
        write_doc(targets, args, started)
        print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
