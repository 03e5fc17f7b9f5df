"""The room's sweep is a scheduled job of its own (helpdesk/entrypoints/scheduler.py `Job`): it runs
in every process, also where the helpdesk's scheduler is off (SCHEDULER=off), since it keeps the
process's presence heartbeat as well as making the tickets that are due."""

from dataclasses import replace
from datetime import timedelta

import pytest


@pytest.fixture
def app_config(app_config):
    return replace(app_config, scheduler=False, room_no_manager_grace=timedelta(seconds=0.5))


async def test_the_room_sweep_runs_where_the_helpdesk_scheduler_is_off(join):
    sara = await join("trainee", "t1")
    await sara.ok("issue.raise", category="connection_drops")
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated", within=4)
    assert told["data"]["issue"]["ticket_reason"] == "no_manager_online"
