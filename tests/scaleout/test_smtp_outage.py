"""The SMTP server is down for a while under two processes that both run the outbox worker: tickets
keep being made, the outbox holds their email, and each one leaves once when SMTP is back."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from helpdesk.adapters.orm.desk import Notification
from helpdesk.domain.notifications import retry_delay
from tests.helpdesk.smtp_sink import SmtpSink
from tests.scaleout.institute import in_database, needs_postgres_and_redis, started

pytestmark = [pytest.mark.slow, needs_postgres_and_redis]


def new_ticket(n: int) -> dict:
    return {
        "kind": "complaint",
        "category": "certificates",
        "channel": "email",
        "subject": f"الشهادة {n}",
        "description": "أنهيت الدورة قبل شهر",
        "requester": {"name": f"متدرب {n}", "email": f"trainee{n}@example.org", "locale": "ar"},
    }


def emails():
    async def query() -> list[tuple[str, str, int]]:
        rows = await Notification.filter(medium="email").order_by("id")
        return [(row.recipient, row.state, row.attempts) for row in rows]

    return query


async def test_smtp_down_for_a_while(institute, sanad, database_url):
    smtp = SmtpSink()  # its port is chosen; nothing listens there yet
    mail = {"SCHEDULER": "on", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)}
    processes = [sanad(database_url, **mail), sanad(database_url, **mail)]
    await started(*processes)
    api = aiohttp.ClientSession(headers=institute.api_headers)
    numbers = []
    try:
        for n in range(10):  # people keep writing in, to either process
            url = processes[n % 2].base_url
            async with api.post(f"{url}/api/v1/tickets", json=new_ticket(n)) as created:
                assert created.status == 201, await created.text()
                numbers.append((await created.json())["number"])

        # each has been tried and failed; the outbox holds all ten
        deadline = time.monotonic() + 60
        while any(attempts == 0 for _, _, attempts in await in_database(database_url, emails())):
            assert time.monotonic() < deadline, await in_database(database_url, emails())
            await asyncio.sleep(0.5)
        held = await in_database(database_url, emails())
        assert [(to, state) for to, state, _ in held] == [
            (f"trainee{n}@example.org", "pending") for n in range(10)
        ]
        async with api.get(f"{processes[0].base_url}/api/v1/tickets/{numbers[0]}/timeline") as r:
            failed = [e for e in await r.json() if e["action"] == "notification_failed"]
        assert failed and all("SMTP" in e["body"] for e in failed)

        # SMTP comes back on the same port: the next round of either process sends each once
        smtp.start()
        longest_wait = max(retry_delay(attempts) for _, _, attempts in held)
        deadline = time.monotonic() + longest_wait.total_seconds() + 30
        while len(smtp.messages) < 10:
            assert time.monotonic() < deadline, f"{len(smtp.messages)} sent"
            await asyncio.sleep(0.5)
        await asyncio.sleep(5)  # two more rounds of both workers: nothing leaves twice
        assert sorted(m["To"] for m in smtp.messages) == sorted(
            f"trainee{n}@example.org" for n in range(10)
        )
        told = [number for m in smtp.messages for number in numbers if number in m["Subject"]]
        assert sorted(told) == sorted(numbers)
        assert all(state == "sent" for _, state, _ in await in_database(database_url, emails()))
        async with api.get(f"{processes[1].base_url}/api/v1/tickets/{numbers[0]}/timeline") as r:
            attempts = [e["action"] for e in await r.json() if e["action"].startswith("notif")]
        assert attempts == ["notification_failed"] * len(failed) + ["notification_sent"]
    finally:
        await api.close()
        smtp.stop()
    for process in processes:
        assert " ERROR " not in process.output()
