"""One sweep of the referral clock in its own process: `python -m tests.helpdesk.sweeper_process
DATABASE_URL NOW BATCH` connects, prints "ready", sweeps when it reads a line on stdin, and prints
what it did as JSON (used to prove each ticket escalates once). The test starts every process
and lets them go together once all are connected: a sweep takes well under a second, so a fixed
start time lost to a slow start-up on a busy machine would let one process do all the work."""

import asyncio
import dataclasses
import json
import sys
from datetime import datetime

from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.config import Config
from helpdesk.services.bus import MessageBus
from helpdesk.services.referral_clock import sweep_referral_clock


async def main(url: str, now: str, batch: str) -> None:
    config = Config.from_env({"DATABASE_URL": url, "SECRET_KEY": "x", "VAR_DIR": "/tmp"})
    context = await database.connect(tortoise_config(config))
    try:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        result = await sweep_referral_clock(
            datetime.fromisoformat(now), batch=int(batch), bus=MessageBus()
        )
        print(json.dumps(dataclasses.asdict(result)))
    finally:
        await context.close_connections()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
