"""Load generator for the live room: N rooms × K trainees + 1 room manager each, over real
Socket.IO websocket connections, offering raises at a fixed rate and timing raise → room manager.

It speaks Socket.IO 5 / Engine.IO 4 over aiohttp websockets itself (connect, events, acks, pings):
python-socketio's client costs several times more CPU per message, and the load generator shares
the machine with the server; it must never be the slower side. Every trainee cycles
raise → (ack) → withdraw → (ack), so it may raise again (one open issue per trainee per room).

Prints one JSON object per phase on stdout. Drives Sanad and the bare relay alike (bench/bare_relay.py).

    python -m bench.loadgen --url http://127.0.0.1:8080 --secret S --rooms 200 --trainees 30 \
        --rates 250,1000 --duration 15 --server-pid 1234 --cpu 1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import random
import resource
import sys
import time
from collections import Counter, deque
from datetime import timedelta

import aiohttp

from classroom_helper.adapters.host_tokens import mint_host_token
from helpdesk.domain.institute import RoomRole

CATEGORIES = (
    "no_audio",
    "no_video",
    "no_shared_screen",
    "connection_drops",
    "cannot_join",
    "other",
)
DIAGNOSTICS = {"browser": "Chromium 156", "os": "Windows 11", "rtt_ms": 84, "packet_loss": 0.02}
ACK_TIMEOUT = 10.0


def room_id(prefix: str, number: int) -> str:
    return f"{prefix}{number:04d}"


class Connection:
    """One person's Socket.IO connection: connect, emit with ack, answer pings, hand events over."""

    __slots__ = ("acks", "connected", "gen", "ids", "key", "reader", "role", "room", "token", "ws")

    def __init__(self, gen: LoadGenerator, role: str, room: str, sub: str, token: str):
        self.gen, self.role, self.room, self.token = gen, role, room, token
        self.key = (room, sub)
        self.acks: dict[int, object] = {}
        self.ids = itertools.count(1)
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.connected = False
        self.reader: asyncio.Task | None = None

    async def connect(self, session: aiohttp.ClientSession, ws_url: str) -> None:
        self.ws = await session.ws_connect(
            ws_url, autoping=True, max_msg_size=0, compress=self.gen.args.deflate
        )
        opening = await self.ws.receive_str(timeout=10)
        if not opening.startswith("0"):
            raise ConnectionError(f"engine.io open expected, got {opening[:40]!r}")
        await self.ws.send_str("40" + json.dumps({"token": self.token, "room": self.room}))
        while True:  # the server may emit (presence) before it confirms the connection
            packet = await self.ws.receive_str(timeout=10)
            if packet.startswith("40"):
                break
            if packet.startswith("44"):
                raise ConnectionError(f"refused: {packet[2:200]}")
            await self.handle(packet)
        self.connected = True
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        ws = self.ws
        try:
            async for message in ws:
                if message.type is aiohttp.WSMsgType.TEXT:
                    await self.handle(message.data)
        finally:
            if self.connected:
                self.connected = False
                self.gen.dropped += 1

    async def handle(self, packet: str) -> None:
        if packet == "2":
            await self.ws.send_str("3")
        elif packet.startswith("43"):
            bracket = packet.index("[")
            callback = self.acks.pop(int(packet[2:bracket]), None)
            if callback is not None:
                callback(json.loads(packet[bracket:])[0])
        elif packet.startswith("42"):
            self.gen.received += 1
            if self.role == "manager":
                self.gen.manager_event(self, packet)
        elif packet.startswith("41"):
            await self.ws.close()

    async def emit(self, event: str, data: dict, on_ack) -> None:
        ack_id = next(self.ids)
        self.acks[ack_id] = on_ack
        await self.ws.send_str(f"42{ack_id}" + json.dumps([event, data], separators=(",", ":")))

    async def call(self, event: str, data: dict) -> dict:
        answer = asyncio.get_running_loop().create_future()
        await self.emit(event, data, answer.set_result)
        return await asyncio.wait_for(answer, ACK_TIMEOUT)

    async def close(self) -> None:
        self.connected = False
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


class Trainee:
    """A trainee's cycle: idle → raise sent → raise acked and seen by the manager → withdrawn → idle."""

    __slots__ = ("conn", "delivered", "issue_id", "measured", "sent_at", "withdrawn")

    def __init__(self, conn: Connection):
        self.conn = conn
        self.sent_at = 0.0
        self.measured = False
        self.delivered = self.withdrawn = True
        self.issue_id = None


class LoadGenerator:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.ws_url, self.managers_ws_url = (
            url.rstrip("/").replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
            for url in (args.url, args.manager_url or args.url)
        )
        self.crossed_rooms = set(self.rooms()[1::2] if args.crossed else [])
        self.run = os.urandom(3).hex()
        self.cids = itertools.count(1)
        self.managers: list[Connection] = []
        self.trainees: dict[tuple[str, str], Trainee] = {}
        self.idle: deque[Trainee] = deque()
        self.received = self.dropped = 0
        self.sending: set[asyncio.Future] = set()
        self.reset()

    def reset(self) -> None:
        self.latencies: list[float] = []  # raise sent → manager received issue.raised (s)
        self.ack_latencies: list[float] = []  # raise sent → ack (stored) (s)
        self.errors: Counter[str] = Counter()
        self.offered = self.skipped = self.acked = 0
        self.measuring = False

    def cid(self) -> str:
        return f"b{self.run}{next(self.cids):010d}"

    # --- connecting ---------------------------------------------------------------------------

    def people(self) -> list[tuple[str, str, str]]:
        """(role, room, sub): every room's manager first, then the trainees."""
        rooms = self.rooms()
        managers = [("manager", room, f"m-{room}") for room in rooms]
        trainees = [
            ("trainee", room, f"t{k:03d}-{room}")
            for k in range(1, self.args.trainees + 1)
            for room in rooms
        ]
        return managers + trainees

    def rooms(self) -> list[str]:
        return [room_id(self.args.room_prefix, n) for n in range(1, self.args.rooms + 1)]

    def url_for(self, role: str, room: str) -> str:
        """Trainees on --url and managers on --manager-url; with --crossed, every other room the
        other way round: each raise still crosses from one process to the other, and both
        processes do the rooms' work, as behind a proxy that spreads the connections."""
        trainees, managers = self.ws_url, self.managers_ws_url
        if room in self.crossed_rooms:
            trainees, managers = managers, trainees
        return managers if role == "manager" else trainees

    def token(self, role: str, room: str, sub: str) -> str:
        return mint_host_token(
            self.args.platform,
            self.args.secret,
            person_ref=sub,
            name=f"{'مدير' if role == 'manager' else 'متدرب'} {sub}",
            role=RoomRole(role),
            room_id=room,
            email=f"{sub}@bench.example",
            lifetime=timedelta(hours=3),
        )

    async def connect_all(self, session: aiohttp.ClientSession) -> dict:
        people = self.people()
        tokens = [self.token(*person) for person in people]
        started = time.perf_counter()
        gate = asyncio.Semaphore(self.args.connect_concurrency)
        failures: Counter[str] = Counter()

        async def join(person: tuple[str, str, str], token: str) -> None:
            role, room, sub = person
            conn = Connection(self, role, room, sub, token)
            async with gate:
                try:
                    await conn.connect(session, self.url_for(role, room))
                    sync = await conn.call("room.sync", {"last_seq": None})
                    if not sync.get("ok"):
                        raise ConnectionError(f"room.sync refused: {sync.get('error')}")
                except (OSError, ConnectionError, TimeoutError, aiohttp.ClientError) as error:
                    failures[type(error).__name__ + ": " + str(error)[:80]] += 1
                    await conn.close()
                    return
            if role == "manager":
                self.managers.append(conn)
            else:
                trainee = Trainee(conn)
                self.trainees[conn.key] = trainee
                self.idle.append(trainee)

        # paced: at most connect_rate new connections per second
        tasks = []
        for index, (person, token) in enumerate(zip(people, tokens, strict=True)):
            delay = started + index / self.args.connect_rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(join(person, token)))
        await asyncio.gather(*tasks)
        took = time.perf_counter() - started
        random.shuffle(self.idle)
        return {
            "connections": len(self.managers) + len(self.trainees),
            "wanted": len(people),
            "connect_seconds": round(took, 1),
            "failures": dict(failures),
        }

    # --- the raise cycle --------------------------------------------------------------------------

    async def raise_issue(self, trainee: Trainee) -> None:
        trainee.delivered = trainee.withdrawn = False
        trainee.issue_id = None
        trainee.measured = self.measuring
        trainee.sent_at = time.perf_counter()
        payload = {
            "cid": self.cid(),
            "category": random.choice(CATEGORIES),
            "text": "الصوت انقطع منذ دقيقة / the audio stopped a minute ago",
            "diagnostics": DIAGNOSTICS,
        }
        await trainee.conn.emit("issue.raise", payload, lambda ack: self.raised(trainee, ack))

    def raised(self, trainee: Trainee, ack: dict) -> None:
        if trainee.measured:
            self.ack_latencies.append(time.perf_counter() - trainee.sent_at)
        if not ack.get("ok"):
            if trainee.measured:
                self.errors["raise:" + str(ack.get("error"))] += 1
            trainee.delivered = trainee.withdrawn = True
            self.idle.append(trainee)
            return
        self.acked += trainee.measured
        data = ack["data"]
        if data.get("existing"):
            self.errors["raise:existing"] += 1
        trainee.issue_id = data["issue"]["id"]
        sending = asyncio.ensure_future(
            trainee.conn.emit(
                "issue.withdraw",
                {"cid": self.cid(), "issue_id": trainee.issue_id},
                lambda ack: self.withdrew(trainee, ack),
            )
        )
        self.sending.add(sending)
        sending.add_done_callback(self.sending.discard)

    def withdrew(self, trainee: Trainee, ack: dict) -> None:
        if not ack.get("ok") and trainee.measured:
            self.errors["withdraw:" + str(ack.get("error"))] += 1
        trainee.withdrawn = True
        if trainee.delivered:
            self.idle.append(trainee)

    def manager_event(self, manager: Connection, packet: str) -> None:
        if '"issue.raised"' not in packet:
            return
        name, event = json.loads(packet[2:])[:2]
        if name != "room.event" or event.get("type") != "issue.raised":
            return
        sub = event["data"]["issue"]["trainee"]["sub"]
        trainee = self.trainees.get((manager.room, sub))
        if trainee is None or trainee.delivered:
            return
        trainee.delivered = True
        if trainee.measured:
            self.latencies.append(time.perf_counter() - trainee.sent_at)
        if trainee.withdrawn:
            self.idle.append(trainee)

    async def offer(self, rate: float, seconds: float) -> None:
        """Open loop: send raises on schedule, whatever the server's answers."""
        started = time.perf_counter()
        sent = 0
        while (elapsed := time.perf_counter() - started) < seconds:
            due = int(elapsed * rate) - sent
            for _ in range(due):
                sent += 1
                if self.measuring:
                    self.offered += 1
                if self.idle:
                    await self.raise_issue(self.idle.popleft())
                elif self.measuring:
                    self.skipped += 1
            await asyncio.sleep(0.002)

    async def step(
        self, rate: float, warmup: float, duration: float, drain: float, phase: str = "rate"
    ) -> dict:
        """Offer `rate` raises/s for `warmup` s unmeasured, then `duration` s measured; wait up
        to `drain` s for the last answers."""
        args = self.args
        self.reset()
        gc.collect()
        gc.freeze()
        gc.disable()  # the measurer must not pause; the run is short and bounded
        await self.offer(rate, warmup)
        self.measuring = True
        cpu0, own0, t0 = servers_cpu(args), os.times(), time.perf_counter()
        gc0, wall0 = read_gc(args.gc_stats), time.time()
        await self.offer(rate, duration)
        window = time.perf_counter() - t0
        cpu1, own1 = servers_cpu(args), os.times()
        await asyncio.sleep(0.6)  # the server's GC record is written twice a second
        gc_report = gc_delta(gc0, read_gc(args.gc_stats), wall0, time.time())
        self.measuring = False
        for _ in range(int(drain / 0.05)):  # wait for stragglers, bounded
            if len(self.idle) == len(self.trainees):
                break
            await asyncio.sleep(0.05)
        gc.enable()
        gc.unfreeze()
        measured = [t for t in self.trainees.values() if t.measured]
        missing = sum(1 for t in measured if not t.delivered)
        if missing:
            self.errors["not_delivered"] += missing
        no_ack = sum(1 for t in measured if t.issue_id is None and not t.withdrawn)
        if no_ack:
            self.errors["no_ack"] += no_ack
        for trainee in measured:  # a stuck trainee (lost event or ack) raises no more
            trainee.measured = False
        return {
            "phase": phase,
            "offered_per_s": rate,
            "seconds": round(window, 2),
            "offered": self.offered,
            "skipped_no_idle_trainee": self.skipped,
            "acked_per_s": round(self.acked / window, 1),
            "delivered_per_s": round(len(self.latencies) / window, 1),
            "latency_ms": percentiles(self.latencies),
            "ack_ms": percentiles(self.ack_latencies),
            "errors": dict(self.errors),
            "dropped_connections": self.dropped,
            "server_cpu_s": round(cpu1 - cpu0, 2) if cpu0 is not None else None,
            "server_cpu_us_per_raise": (
                round((cpu1 - cpu0) / max(1, len(self.latencies)) * 1e6)
                if cpu0 is not None
                else None
            ),
            "server_gc": gc_report,
            "loadgen_cpu_s": round((own1.user + own1.system) - (own0.user + own0.system), 2),
        }


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    values = sorted(values)

    def at(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 2)

    return {"n": len(values), "p50": at(0.50), "p99": at(0.99), "max": at(1.0)}


def read_gc(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        with open(path) as stats:
            return json.load(stats)
    except (OSError, ValueError):
        return None


def gc_delta(before: dict | None, after: dict | None, start: float, end: float) -> dict | None:
    """The server's collections during the window (bench/gcwatch.py): counts, CPU ms, worst full."""
    if not before or not after:
        return None
    full = [cpu for when, cpu in after["full"] if start <= when <= end]
    return {
        "collections": [
            b - a for a, b in zip(before["collections"], after["collections"], strict=True)
        ],
        "cpu_ms": [round(b - a, 1) for a, b in zip(before["cpu_ms"], after["cpu_ms"], strict=True)],
        "full_max_ms": max(full, default=0.0),
        "threshold": after["threshold"],
        "frozen": after["frozen"],
    }


def server_rss(pid: int | None) -> int | None:
    if not pid:
        return None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


def server_cpu(pid: int | None) -> float | None:
    if not pid:
        return None
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def servers_cpu(args: argparse.Namespace) -> float | None:
    """The server's CPU seconds; with --manager-url, both servers'."""
    if not args.manager_server_pid:
        return server_cpu(args.server_pid)
    return server_cpu(args.server_pid) + server_cpu(args.manager_server_pid)


async def main(args: argparse.Namespace) -> None:
    gen = LoadGenerator(args)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        rss0 = server_rss(args.server_pid)
        connected = await gen.connect_all(session)
        await asyncio.sleep(args.settle)
        rss1 = server_rss(args.server_pid)
        report = {"phase": "connect", **connected}
        if rss0 is not None:
            report.update(
                rss_before_mb=round(rss0 / 2**20, 1),
                rss_after_mb=round(rss1 / 2**20, 1),
                bytes_per_connection=round((rss1 - rss0) / max(1, connected["connections"])),
            )
        emit(report)
        if args.hold:
            await asyncio.sleep(args.hold)
            emit(
                {
                    "phase": "hold",
                    "seconds": args.hold,
                    "still_connected": sum(
                        c.connected
                        for c in [*gen.managers, *(t.conn for t in gen.trainees.values())]
                    ),
                    "rss_mb": round((server_rss(args.server_pid) or 0) / 2**20, 1),
                }
            )
        if args.outage:  # a platform-wide outage: every room raises at once
            rate = args.outage / args.outage_seconds
            emit(await gen.step(rate, 0, args.outage_seconds, args.outage_drain, "outage"))
            await asyncio.sleep(args.pause)
        for rate in args.rates:
            emit(await gen.step(rate, args.warmup, args.duration, args.drain))
            await asyncio.sleep(args.pause)
        everyone = [*gen.managers, *(t.conn for t in gen.trainees.values())]
        for batch in range(0, len(everyone), 500):
            await asyncio.gather(*(c.close() for c in everyone[batch : batch + 500]))


def emit(report: dict) -> None:
    print(json.dumps(report, ensure_ascii=False), flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--platform", default="demo", help="host platform id (token issuer)")
    parser.add_argument("--secret", required=True, help="the platform's signing secret")
    parser.add_argument("--room-prefix", default="bench-room-")
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--trainees", type=int, default=30, help="trainees per room")
    parser.add_argument(
        "--rates", default="", help="offered raises per second, comma separated (none: idle only)"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds per rate")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds per rate")
    parser.add_argument("--drain", type=float, default=5.0, help="wait for stragglers (s)")
    parser.add_argument("--pause", type=float, default=2.0, help="rest between rates (s)")
    parser.add_argument("--hold", type=float, default=0.0, help="hold idle connections (s)")
    parser.add_argument(
        "--outage", type=int, default=0, help="raises offered at once first (a room-wide outage)"
    )
    parser.add_argument("--outage-seconds", type=float, default=10.0, help="...within this long")
    parser.add_argument(
        "--outage-drain", type=float, default=30.0, help="wait this long for the outage's answers"
    )
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--connect-rate", type=float, default=400.0, help="connections per second")
    parser.add_argument("--connect-concurrency", type=int, default=64)
    parser.add_argument("--server-pid", type=int, default=0, help="for RSS and CPU (/proc)")
    parser.add_argument(
        "--manager-url", default=None, help="room managers connect here (another process)"
    )
    parser.add_argument("--manager-server-pid", type=int, default=0, help="its pid, for CPU")
    parser.add_argument(
        "--crossed",
        action="store_true",
        help="with --manager-url: every other room's trainees there and its manager on --url",
    )
    parser.add_argument(
        "--deflate",
        action="store_const",
        const=15,
        default=0,
        help="offer permessage-deflate, as browsers do",
    )
    parser.add_argument("--gc-stats", default=None, help="the server's bench/gcwatch.py file")
    parser.add_argument("--cpu", type=int, default=None, help="pin the load generator to a core")
    args = parser.parse_args(argv)
    args.rates = [float(r) for r in args.rates.split(",") if r.strip()]
    limit = (args.duration + args.warmup + args.drain + args.pause) * max(1, len(args.rates))
    limit += args.outage_seconds + args.outage_drain if args.outage else 0
    if args.duration <= 0 or args.outage_seconds <= 0 or limit > 3600:
        parser.error("runs are bounded: keep (duration + warmup + drain + pause) × rates ≤ 1 hour")
    return args


def raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.cpu is not None:
        os.sched_setaffinity(0, {arguments.cpu})
    raise_file_limit(arguments.rooms * (arguments.trainees + 1) + 1000)
    if not all(
        url.startswith(("http://127.0.0.1", "http://localhost"))
        for url in (arguments.url, arguments.manager_url or arguments.url)
    ):
        sys.exit("loadgen: benchmarks only send traffic to 127.0.0.1")
    asyncio.run(main(arguments))
