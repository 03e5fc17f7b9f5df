"""The room's sweep is a scheduled job of its own (helpdesk/entrypoints/scheduler.py `Job`): it runs
in every process, also where the helpdesk's scheduler is off (SCHEDULER=off), since it keeps the
process's presence heartbeat as well as making the tickets that are due."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from classroom_helper.domain.room_issues import TicketReason, TicketRules
from classroom_helper.services import issues
from helpdesk.entrypoints import keys


@pytest.fixture
def app_config(app_config):
    return replace(app_config, scheduler=False, room_no_manager_grace=timedelta(seconds=0.5))


async def test_the_room_sweep_runs_where_the_helpdesk_scheduler_is_off(join):
    sara = await join("trainee", "t1")
    await sara.ok("issue.raise", category="connection_drops")
    told = await sara.event("issue.updated", lambda d: d["issue"]["state"] == "escalated", within=4)
    assert told["data"]["issue"]["ticket_reason"] == "no_manager_online"


async def test_managers_of_the_sweeping_process_count_as_online_whatever_its_heartbeat_row(
    server, join
):
    """Under a burst a process stores its heartbeat late; judged by that row alone, its own
    managers looked gone and every open issue became a ticket a minute into the burst."""
    await join("manager", "m1")
    sara = await join("trainee", "t1")
    await sara.ok("issue.raise", category="connection_drops")
    later = datetime.now(UTC) + timedelta(minutes=5)  # every heartbeat row is stale by then
    rules = TicketRules(unclaimed_limit=timedelta(minutes=10), no_manager_grace=timedelta(0))
    this_process = server.app[keys.ROOM].process

    assert await issues.tickets_due(rules, later, this_process) == []
    due = await issues.tickets_due(rules, later, "another-process")
    assert [reason for _, _, reason in due] == [TicketReason.NO_MANAGER_ONLINE]
