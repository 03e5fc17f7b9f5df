"""The 24-hour clock on a frozen clock: warn at 75%, escalate at the limit, each exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta

import pytest

from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category, Level, Status
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from helpdesk.services.referral_clock import sweep_referral_clock
from tests.helpdesk.fixtures import T0, actor, department, new_ticket
from tests.processes import ROOT

pytestmark = pytest.mark.usefixtures("server")


async def actions(ticket) -> list[str]:
    return [e.action for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]


async def test_warns_once_at_75_percent_then_escalates_at_24_hours(staff_member):
    certs = await department(mapped=(Category.CERTIFICATES,))
    manager = await staff_member(StaffRole.DEPARTMENT_MANAGER, department=certs)
    t = await new_ticket(now=T0)

    assert (
        await sweep_referral_clock(T0 + timedelta(hours=17, minutes=59), bus=MessageBus())
    ).touched == 0
    first = await sweep_referral_clock(T0 + timedelta(hours=18), bus=MessageBus())
    assert (first.warned, first.escalated) == (1, 0)
    assert (await sweep_referral_clock(T0 + timedelta(hours=20), bus=MessageBus())).touched == 0
    warning = await Notification.get(ticket_id=t.id, kind="referral_warning")
    assert warning.recipient == manager.email

    at_limit = await sweep_referral_clock(T0 + timedelta(hours=24), bus=MessageBus())
    assert (at_limit.warned, at_limit.escalated) == (0, 1)
    assert (await sweep_referral_clock(T0 + timedelta(hours=30), bus=MessageBus())).touched == 0

    t = await Ticket.get(id=t.id)
    assert (t.status, t.level, t.department_id) == (Status.REFERRED, Level.DEPARTMENT, certs.id)
    assert t.referred_at == T0 + timedelta(hours=24)
    assert await actions(t) == ["opened", "referral_warning", "escalated"]
    kinds = (
        await Notification.filter(ticket_id=t.id).order_by("id").values_list("kind", "recipient")
    )
    assert kinds == [
        ("created", "trainee@example.com"),
        ("referral_warning", manager.email),
        ("escalated", "trainee@example.com"),
        ("referred_to_department", manager.email),
    ]


async def test_a_late_sweep_escalates_without_warning_first():
    await department(mapped=(Category.CERTIFICATES,))
    t = await new_ticket(now=T0)
    result = await sweep_referral_clock(
        T0 + timedelta(days=3), bus=MessageBus()
    )  # the process was down for days
    assert (result.warned, result.escalated) == (0, 1)
    assert await actions(t) == ["opened", "escalated"]


async def test_only_due_tickets_at_level1_are_touched(staff_member):
    certs = await department(mapped=(Category.CERTIFICATES,))
    level1 = actor(await staff_member(StaffRole.LEVEL1_AGENT))
    referred = await new_ticket(now=T0)
    await svc.refer_to_department(
        referred.id, certs.id, level1, now=T0 + timedelta(hours=1), bus=MessageBus()
    )
    resolved = await new_ticket(now=T0)
    await svc.resolve_ticket(
        resolved.id, level1, "تم", now=T0 + timedelta(hours=1), bus=MessageBus()
    )
    fresh = await new_ticket(now=T0 + timedelta(hours=20))
    result = await sweep_referral_clock(T0 + timedelta(hours=25), bus=MessageBus())
    assert (result.warned, result.escalated) == (0, 0)
    for t in (referred, resolved, fresh):
        assert "escalated" not in await actions(t)


async def test_without_a_mapped_department_the_ticket_is_flagged_once_for_level1():
    t = await new_ticket(category=Category.OTHER, now=T0)
    result = await sweep_referral_clock(T0 + timedelta(hours=24), bus=MessageBus())
    assert (result.escalated, result.blocked) == (0, 1)
    assert (await sweep_referral_clock(T0 + timedelta(hours=48), bus=MessageBus())).touched == 0
    t = await Ticket.get(id=t.id)
    assert (t.status, t.referral_clock) == (Status.NEW, "blocked")


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="several processes need PostgreSQL (SQLite mode is one process)",
)
async def test_two_processes_sweeping_at_once_escalate_each_ticket_once(database_url):
    certs = await department(mapped=(Category.CERTIFICATES,))
    count = 600
    await Ticket.bulk_create(
        [
            Ticket(
                number=f"SND-2026-9{i:05d}",
                kind="complaint",
                category=Category.CERTIFICATES,
                channel="email",
                subject="s",
                requester_name="r",
                requester_email="r@example.com",
                routed_department_id=certs.id,
                tracking_secret="k",
                received_at=T0,
                referral_due_at=T0 + timedelta(hours=24),
                referral_warn_at=T0 + timedelta(hours=18),
                referral_check_at=T0 + timedelta(hours=18),
            )
            for i in range(count)
        ]
    )
    now = (T0 + timedelta(hours=25)).isoformat()
    sweepers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.helpdesk.sweeper_process",
            database_url,
            now,
            "10",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for p in sweepers:  # both connected before either sweeps, then both at once
        assert await asyncio.wait_for(p.stdout.readline(), 60) == b"ready\n"
    for p in sweepers:
        p.stdin.write(b"go\n")
    outputs = [json.loads((await p.communicate())[0]) for p in sweepers]
    assert sum(o["escalated"] for o in outputs) == count
    assert all(o["escalated"] > 0 for o in outputs), outputs  # both took part
    escalations = await TicketEvent.filter(action="escalated").count()
    assert escalations == count
    assert await Notification.filter(kind="escalated").count() == count
    assert await Ticket.filter(status=Status.REFERRED).count() == count
