"""Benchmark of the live room's hot path: a trainee raises a technical issue → the room's managers
receive it. Not a test: it prints a table for docs/performance.md.

One server process pinned to core 0 (`run.py serve`, or the bare python-socketio relay), this load
generator pinned to core 1. N rooms × K trainees + 1 manager each connect over websockets (a small
hand-written Socket.IO client, so that the generator stays cheaper than the server). At each offered
rate, trainees raise issues round-robin; the text carries the send time; each manager notes when
`issue.raised` arrives. Each trainee withdraws its issue once acknowledged (one open issue per
trainee per room), so the real server stores two events per raise.

    python bench/room_bench.py --server real --db sqlite --rooms 200 --trainees 30 \
        --rates 100,250,500,1000 --duration 15
    python bench/room_bench.py --server bare ...
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanad_bench python bench/room_bench.py --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classroom_helper.adapters.host_tokens import mint_host_token  # noqa: E402
from helpdesk.domain.institute import RoomRole  # noqa: E402


class Wire:
    """A minimal Socket.IO 5 / Engine.IO 4 client over one websocket."""

    def __init__(self, http: aiohttp.ClientSession, url: str, token: str, on_event=None):
        self.http, self.url, self.token, self.on_event = http, url, token, on_event
        self.pending: dict[int, asyncio.Future] = {}
        self.ids = itertools.count(1)
        self.busy = False

    async def connect(self) -> None:
        self.ws = await self.http.ws_connect(
            f"{self.url}/socket.io/?EIO=4&transport=websocket", autoping=False, compress=0
        )
        opening = await self.ws.receive_str()
        assert opening.startswith("0"), opening
        await self.ws.send_str("40" + json.dumps({"token": self.token}))
        answer = await self.ws.receive_str()
        while answer.startswith("42"):  # an event sent with the admission
            answer = await self.ws.receive_str()
        assert answer.startswith("40"), answer
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for message in self.ws:
            data = message.data
            if data == "2":
                await self.ws.send_str("3")
            elif data.startswith("43"):
                start = data.index("[")
                future = self.pending.pop(int(data[2:start]), None)
                if future is not None and not future.done():
                    future.set_result(json.loads(data[start:])[0])
            elif data.startswith("42") and self.on_event is not None:
                self.on_event(data)

    async def call(self, event: str, payload: dict) -> dict:
        ack_id = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.pending[ack_id] = future
        await self.ws.send_str(f"42{ack_id}" + json.dumps([event, payload]))
        return await asyncio.wait_for(future, 30)


class Load:
    def __init__(self, url: str, platform: str, secret: str, rooms: list[str], trainees: int):
        self.url, self.platform, self.secret = url, platform, secret
        self.rooms, self.trainees_per_room = rooms, trainees
        self.latencies: list[float] = []
        self.acks: list[float] = []
        self.failures = 0

    def token(self, role: str, sub: str, room: str) -> str:
        return mint_host_token(
            self.platform, self.secret, person_ref=sub, name=sub, role=RoomRole(role), room_id=room
        )

    def on_manager_event(self, data: str) -> None:
        if '"issue.raised"' not in data:
            return
        event = json.loads(data[2:])[1]
        text = event["data"]["issue"]["text"]
        if text.startswith("t:"):
            self.latencies.append((time.perf_counter_ns() - int(text[2:])) / 1e6)

    async def connect_all(self, http: aiohttp.ClientSession) -> None:
        self.managers = [
            Wire(http, self.url, self.token("manager", f"m-{room}", room), self.on_manager_event)
            for room in self.rooms
        ]
        self.trainees = [
            Wire(http, self.url, self.token("trainee", f"t{k}-{room}", room))
            for k in range(self.trainees_per_room)
            for room in self.rooms
        ]
        gate = asyncio.Semaphore(50)

        async def connect(wire: Wire) -> None:
            async with gate:
                await wire.connect()

        await asyncio.gather(*(connect(w) for w in self.managers))
        await asyncio.gather(*(connect(w) for w in self.trainees))

    async def raise_and_withdraw(self, trainee: Wire) -> None:
        trainee.busy = True
        try:
            sent = time.perf_counter_ns()
            payload = {"cid": uuid.uuid4().hex, "category": "no_audio", "text": f"t:{sent}"}
            ack = await trainee.call("issue.raise", payload)
            self.acks.append((time.perf_counter_ns() - sent) / 1e6)
            if not ack.get("ok"):
                self.failures += 1
                return
            issue_id = ack["data"]["issue"]["id"]
            await trainee.call("issue.withdraw", {"cid": uuid.uuid4().hex, "issue_id": issue_id})
        except (TimeoutError, ConnectionError):
            self.failures += 1
        finally:
            trainee.busy = False

    async def offer(self, rate: float, duration: float) -> dict:
        self.latencies, self.acks, self.failures = [], [], 0
        loop = asyncio.get_running_loop()
        cycle = itertools.cycle(self.trainees)
        tasks, sent, skipped = set(), 0, 0
        start = loop.time()
        for n in itertools.count():
            target = start + n / rate
            if target - start >= duration:
                break
            delay = target - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            trainee = next(cycle)
            if trainee.busy:  # still waiting for its previous raise: the server is behind
                skipped += 1
                continue
            task = asyncio.create_task(self.raise_and_withdraw(trainee))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
        achieved = sent / (loop.time() - start)
        await asyncio.wait(tasks, timeout=30) if tasks else None
        await asyncio.sleep(1)
        return summary(rate, achieved, sent, skipped, self.failures, self.latencies, self.acks)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def summary(rate, achieved, sent, skipped, failures, latencies, acks) -> dict:
    return {
        "offered/s": rate,
        "sent/s": round(achieved),
        "sent": sent,
        "skipped": skipped,
        "failed": failures,
        "received": len(latencies),
        "p50 ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99 ms": round(percentile(latencies, 0.99), 1),
        "max ms": round(max(latencies), 1) if latencies else None,
        "ack p99 ms": round(percentile(acks, 0.99), 1),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def seed(database_url: str, rooms: int) -> tuple[str, list[str]]:
    from tortoise.contrib.test import truncate_all_models

    from classroom_helper.bootstrap import tortoise_config
    from helpdesk.adapters import database
    from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
    from helpdesk.config import Config

    orm = tortoise_config(Config.from_env({"DATABASE_URL": database_url, "SECRET_KEY": "x"}))
    context = await database.connect(orm)
    try:
        await database.migrate(orm)
        await truncate_all_models()
        secret = secrets.token_urlsafe(32)
        await HostPlatform.create(id="bench", name="Benchmark", secret=secret)
        now = datetime.now(UTC)
        names = [f"bench-{i}" for i in range(rooms)]
        await RoomSession.bulk_create(
            [
                RoomSession(
                    room_id=name,
                    title=name,
                    scheduled_start=now,
                    scheduled_end=now + timedelta(hours=6),
                    state="open",
                    opened_at=now,
                )
                for name in names
            ]
        )
        return secret, names
    finally:
        await context.close_connections()


async def wait_until_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(400):
            try:
                async with http.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the server did not start")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["real", "bare"], default="real")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--rates", default="100,250,500,1000")
    parser.add_argument("--duration", type=float, default=15)
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="sanad-bench-"))
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    if args.server == "real":
        database_url = (
            os.environ["DATABASE_URL"]
            if args.db == "postgres"
            else f"sqlite://{work}/bench.sqlite3"
        )
        secret, rooms = await seed(database_url, args.rooms)
        env |= {
            "DATABASE_URL": database_url,
            "PORT": str(port),
            "SECRET_KEY": "bench",
            "VAR_DIR": str(work),
            "LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "run.py", "serve"]
    else:
        secret, rooms = secrets.token_urlsafe(32), [f"bench-{i}" for i in range(args.rooms)]
        command = [sys.executable, "bench/room_bare_relay.py", str(port)]
    server = await asyncio.create_subprocess_exec("taskset", "-c", "0", *command, cwd=ROOT, env=env)
    os.sched_setaffinity(0, {1})
    try:
        await wait_until_up(f"{url}/socket.io/?EIO=4&transport=polling")
        await asyncio.sleep(1)
        idle = rss_kb(server.pid)
        load = Load(url, "bench", secret, rooms, args.trainees)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            began = time.perf_counter()
            await load.connect_all(http)
            connections = len(load.managers) + len(load.trainees)
            # The generator is the measuring instrument: its own collector pauses must not count.
            gc.collect()
            gc.freeze()
            gc.disable()
            await asyncio.sleep(2)
            per_connection = (rss_kb(server.pid) - idle) / connections
            print(
                f"\n{args.server} server, {args.db if args.server == 'real' else 'no database'}:"
                f" {connections} connections in {time.perf_counter() - began:.1f} s,"
                f" idle RSS {idle / 1024:.0f} MB, {per_connection:.1f} KB per connection"
            )
            rows = []
            for rate in [float(r) for r in args.rates.split(",")]:
                row = await load.offer(rate, args.duration)
                rows.append(row)
                print(json.dumps(row), flush=True)
            print_table(rows)
    finally:
        server.terminate()
        await server.wait()


def print_table(rows: list[dict]) -> None:
    header = list(rows[0])
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(row[h]) for h in header) + " |")


if __name__ == "__main__":
    asyncio.run(main())
