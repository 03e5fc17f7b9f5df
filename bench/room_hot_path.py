"""The live room's hot path without sockets: CPU per raise + withdraw through the same calls the
Socket.IO handler makes (RoomGateway.act → run_once → the use case → the room's events sent),
with 31 people present per room. A quick check of one change to the services, on a new
database; `bench/run_all.py` remains the measure with real connections.

    DATABASE_URL=sqlite:///tmp/hot-$RANDOM.sqlite3 python -m bench.room_hot_path
    DATABASE_URL=postgres://…/sanad_bench python -m bench.room_hot_path --fresh
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from bench.seed import seed
from classroom_helper.bootstrap import build_app, tortoise_config
from classroom_helper.domain import payloads
from classroom_helper.domain.people import Person, Role
from classroom_helper.entrypoints.socketio import USE_CASES
from classroom_helper.services import presence
from classroom_helper.services.actions import run_once
from helpdesk.adapters import database
from helpdesk.config import Config
from helpdesk.entrypoints import keys

PREFIX = "bench-hot-"


class StatementCount(logging.Handler):
    """Counts the statements tortoise sends (it logs each one at DEBUG)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def main(
    args: argparse.Namespace,
    measuring: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
) -> None:
    """`measuring`: entered around the measured raises (bench/hot_path_sqlite.py records them)."""
    config = Config.from_env()
    await seed(config, args.rooms, PREFIX, fresh=args.fresh)
    context = await database.connect(tortoise_config(config))
    gateway = build_app(config)[keys.ROOM]  # the app's own gateway; no client is connected
    now = datetime.now(UTC)
    trainees = []
    await presence.beat(gateway.process, now)
    for n in range(1, args.rooms + 1):
        room = f"{PREFIX}{n:04d}"
        manager = Person(sub=f"manager-{n}", name="Manager", role=Role.ROOM_MANAGER, room=room)
        await presence.arrive(uuid.uuid4().hex, gateway.process, manager, now)
        for t in range(args.trainees):
            trainee = Person(sub=f"trainee-{n}-{t}", name="Trainee", role=Role.TRAINEE, room=room)
            await presence.arrive(uuid.uuid4().hex, gateway.process, trainee, now)
            trainees.append(trainee)
    # rooms in turn, as a load spread over them would raise
    order = sorted(trainees, key=lambda person: (person.sub.rsplit("-", 1)[1], person.room))
    people = itertools.cycle(order)

    async def act(person: Person, event: str, data: dict) -> dict:
        payload = payloads.parse(event, {"cid": uuid.uuid4().hex, **data})
        moment = datetime.now(UTC)
        outcome = await gateway.act(
            person.room,
            lambda: run_once(
                person,
                event,
                payload.cid,
                moment,
                lambda: USE_CASES[event](person, payload, moment),
            ),
        )
        return outcome.data

    async def raise_and_withdraw() -> None:
        person = next(people)
        raised = await act(person, "issue.raise", {"category": "no_audio", "text": "No sound"})
        await act(person, "issue.withdraw", {"issue_id": raised["issue"]["id"]})

    async def in_turn(count: int) -> None:
        # `--together` trainees at once: their actions share group commits, as under load
        for _ in range(count // args.together):
            await asyncio.gather(*(raise_and_withdraw() for _ in range(args.together)))

    await in_turn(50)  # warm up
    statements = StatementCount()
    tortoise_log = logging.getLogger("tortoise.db_client")
    tortoise_log.addHandler(statements)
    tortoise_log.propagate = False
    tortoise_log.setLevel(logging.DEBUG)
    await raise_and_withdraw()
    tortoise_log.setLevel(logging.WARNING)  # counting costs CPU: not while measuring

    with measuring():
        cpu, main_thread, wall = time.process_time(), time.thread_time(), time.perf_counter()
        await in_turn(args.raises)
        cpu, main_thread = time.process_time() - cpu, time.thread_time() - main_thread
        wall = time.perf_counter() - wall
    print(
        f"{args.raises} raises + withdraws, {args.rooms} rooms: "
        f"CPU {cpu / args.raises * 1e6:.0f} µs per raise (main thread "
        f"{main_thread / args.raises * 1e6:.0f} µs), wall {wall / args.raises * 1e3:.2f} ms, "
        f"{statements.count} SQL statements per raise (load average {os.getloadavg()[0]:.1f})"
    )
    # the queue pushes the last actions started (tasks of their own) end before the database does
    while others := asyncio.all_tasks() - {asyncio.current_task()}:
        await asyncio.wait(others)
    await context.close_connections()


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--raises", type=int, default=1000)
    parser.add_argument("--together", type=int, default=1, help="trainees raising at once")
    parser.add_argument("--fresh", action="store_true", help="PostgreSQL: drop everything first")
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments(__doc__.split("\n\n")[0]).parse_args()))
