"""One sweep of the referral clock in its own process: `python -m tests.helpdesk.sweeper_process
DATABASE_URL NOW BATCH START_AT` prints what it did as JSON (used to prove each ticket escalates
once). The processes connect first and start sweeping together at START_AT (unix time)."""

import asyncio
import dataclasses
import json
import sys
import time
from datetime import datetime

from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.config import Config
from helpdesk.services.referral_clock import sweep_referral_clock


async def main(url: str, now: str, batch: str, start_at: str) -> None:
    config = Config.from_env({"DATABASE_URL": url, "SECRET_KEY": "x", "VAR_DIR": "/tmp"})
    context = await database.connect(tortoise_config(config))
    try:
        await asyncio.sleep(max(0.0, float(start_at) - time.time()))
        result = await sweep_referral_clock(datetime.fromisoformat(now), batch=int(batch))
        print(json.dumps(dataclasses.asdict(result)))
    finally:
        await context.close_connections()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
