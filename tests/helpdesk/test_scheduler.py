"""The scheduler in the running app escalates at the limit and sends the outbox on its own."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category, Status
from helpdesk.entrypoints import scheduler
from tests.helpdesk.fixtures import department, new_ticket


async def test_the_running_app_escalates_and_emails_without_being_asked(
    app_config, serve, smtp_sink, staff_member
):
    config = replace(app_config, scheduler=True, smtp_host="127.0.0.1", smtp_port=smtp_sink.port)
    await serve(config)
    certs = await department(mapped=(Category.CERTIFICATES,))
    manager = await staff_member(StaffRole.DEPARTMENT_MANAGER, department=certs)
    ticket = await new_ticket(now=datetime.now(UTC) - timedelta(hours=25))

    for _ in range(100):
        # Only this ticket's mail: the app may also flush what earlier tests left in the outbox.
        recipients = [m["To"] for m in smtp_sink.messages if ticket.number in m["Subject"]]
        if len(recipients) >= 3:
            break
        await asyncio.sleep(0.1)
    ticket = await Ticket.get(id=ticket.id)
    assert (ticket.status, ticket.department_id) == (Status.REFERRED, certs.id)
    assert sorted(recipients) == sorted(
        ["trainee@example.com", "trainee@example.com", manager.email]
    )  # created + escalated to the trainee, referral to the manager


async def test_a_round_in_progress_finishes_when_the_app_stops():
    """Cut in the middle, a send would be left in doubt, and a database connection busy (which
    held the PostgreSQL pool's closing for its own 10 s limit)."""
    started, finished = asyncio.Event(), []

    async def round_() -> None:
        started.set()
        await asyncio.sleep(0.2)  # the round's own work
        finished.append(True)

    async with scheduler._every("test round", 3600, round_):
        await started.wait()
    assert finished == [True]


async def test_a_round_that_never_ends_is_stopped_after_a_while(monkeypatch):
    monkeypatch.setattr(scheduler, "STOP_WAIT", 0.1)
    started, cancelled = asyncio.Event(), []

    async def round_() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async with scheduler._every("test round", 3600, round_):
        await started.wait()
    assert cancelled == [True]
