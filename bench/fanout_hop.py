"""The fan-out alone: one process's emits → Redis → another process's listener, no websockets.

Process A emits `room.event` to a room at a fixed rate, each emit in its own task as concurrent
Socket.IO handlers do; process B (a child) counts what its manager hears and when. Both with
python-socketio's AsyncRedisManager (`stock`) or Sanad's RedisFanout (`sanad`). Reports per rate:
heard/s, emit → heard p50/p99 (the two clocks are one machine's monotonic clock), CPU µs per
event of A and of B, and the highest Redis client count.

    python -m bench.fanout_hop --redis redis://127.0.0.1:6399/0 --fanout sanad --rates 1000,5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time

import socketio
from redis.asyncio import Redis

PAYLOAD = {"seq": 1, "type": "issue.raised", "at": "2026-11-24T09:00:00+00:00", "data": {}}


def manager(kind: str, url: str, channel: str) -> socketio.AsyncRedisManager:
    if kind == "sanad":
        from classroom_helper.adapters.fanout import RedisFanout

        return RedisFanout(url, channel)
    return socketio.AsyncRedisManager(url, channel=channel)


async def listener(args: argparse.Namespace) -> None:
    """Process B: report every emit heard as (sent monotonic, heard monotonic), in batches."""
    sio = socketio.AsyncServer(
        async_mode="aiohttp", client_manager=manager(args.fanout, args.redis, args.channel)
    )
    heard: list[tuple[float, float]] = []

    async def hear(message: dict) -> None:
        data = message["data"]
        heard.append(((data[0] if isinstance(data, list) else data)["sent"], time.monotonic()))

    if args.fanout == "sanad":
        sio.manager.hand_out = hear  # each emit heard, instead of handed to clients
    else:
        sio.manager._handle_emit = hear  # stock python-socketio's (a bench may peek)
        sio.manager_initialized = True
    sio.manager.initialize()
    print("ready", flush=True)
    while True:
        await asyncio.sleep(0.5)
        report = {"heard": heard, "cpu": time.process_time(), "at": time.monotonic()}
        print(json.dumps(report), flush=True)
        heard = []


async def emitter(args: argparse.Namespace) -> None:
    child = subprocess.Popen(  # noqa: ASYNC220 (once, before the loop has work)
        [
            sys.executable,
            "-m",
            "bench.fanout_hop",
            *sys.argv[1:],
            "--listen",
            "--channel",
            args.channel,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "ready"
    reader = asyncio.get_running_loop()
    sio = socketio.AsyncServer(
        async_mode="aiohttp", client_manager=manager(args.fanout, args.redis, args.channel)
    )
    sio.manager_initialized = True
    sio.manager.initialize()
    await asyncio.sleep(1)
    redis = Redis.from_url(args.redis)
    for rate in args.rates:
        await asyncio.to_thread(drain, child, time.monotonic())
        b_cpu0, a_cpu0 = last_cpu(child), time.process_time()
        highest, tasks, sent, started = 0, set(), 0, time.monotonic()
        next_sample = started
        while (elapsed := time.monotonic() - started) < args.duration:
            for _ in range(int(elapsed * rate) - sent):
                sent += 1
                task = asyncio.ensure_future(
                    sio.emit("room.event", {**PAYLOAD, "sent": time.monotonic()}, to="r:managers")
                )
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if time.monotonic() >= next_sample:
                next_sample += 0.25
                highest = max(highest, (await redis.info("clients"))["connected_clients"] - 1)
            await asyncio.sleep(0.005)
        await asyncio.sleep(2)  # stragglers
        a_cpu = time.process_time() - a_cpu0
        lines = await reader.run_in_executor(None, drain, child, time.monotonic())
        heard = [h for line in lines for h in line["heard"]]
        b_cpu = lines[-1]["cpu"] - b_cpu0 if lines else 0
        waits = sorted(heard_at - sent_at for sent_at, heard_at in heard)
        print(
            json.dumps(
                {
                    "fanout": args.fanout,
                    "offered_per_s": rate,
                    "sent": sent,
                    "heard": len(heard),
                    "heard_per_s": round(len(heard) / args.duration),
                    "p50_ms": round(waits[len(waits) // 2] * 1000, 1) if waits else None,
                    "p99_ms": round(waits[int(len(waits) * 0.99)] * 1000, 1) if waits else None,
                    "a_cpu_us_per_event": round(a_cpu / max(1, sent) * 1e6),
                    "b_cpu_us_per_event": round(b_cpu / max(1, len(heard)) * 1e6),
                    "redis_clients_max": highest,
                    "loadavg": round(os.getloadavg()[0], 1),
                }
            ),
            flush=True,
        )
    child.terminate()
    os._exit(0)  # the stock manager's pool and listener do not close cleanly (STACK.md)


_LAST_CPU: dict[int, float] = {}


def drain(child: subprocess.Popen, since: float) -> list[dict]:
    """What the listener reported, up to its first report after `since` with nothing new."""
    lines = []
    while True:
        line = json.loads(child.stdout.readline())
        _LAST_CPU[child.pid] = line["cpu"]
        lines.append(line)
        if not line["heard"] and line["at"] > since:
            return lines


def last_cpu(child: subprocess.Popen) -> float:
    return _LAST_CPU.get(child.pid, 0.0)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", required=True)
    parser.add_argument("--channel", default=f"bench-hop-{os.getpid()}")
    parser.add_argument("--fanout", choices=("stock", "sanad"), default="sanad")
    parser.add_argument("--rates", default="1000,2000,5000")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--listen", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.rates = [float(r) for r in args.rates.split(",") if r]
    return args


if __name__ == "__main__":
    arguments = parse_args()
    asyncio.run(listener(arguments) if arguments.listen else emitter(arguments))
