"""/metrics: the real app, real Socket.IO clients, tickets through the API, an outbox failing
against a closed SMTP port; each answer parsed with prometheus_client's own text parser."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import urllib.request
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from classroom_helper.adapters.host_tokens import mint_host_token
from classroom_helper.adapters.orm import PresenceRecord, RoomEventRecord
from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.config import Config
from helpdesk.domain.institute import RoomRole
from helpdesk.domain.notifications import MAX_ATTEMPTS
from helpdesk.domain.tickets import Category, Level, Status
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.scheduler import senders_from
from helpdesk.services import delivery, queues
from helpdesk.services.api_tokens import create_token
from helpdesk.services.messages import MessageWriter
from helpdesk.services.referral_clock import sweep_referral_clock
from tests.helpdesk.fixtures import department, new_ticket
from tests.processes import SanadProcess, free_port, seed_open_room
from tests.room.conftest import RoomClient

TOKEN = "metrics-token-for-the-tests"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}
NEW_TICKET = {
    "kind": "complaint",
    "category": "certificates",
    "subject": "الشهادة لم تصدر",
    "requester": {"name": "سارة", "email": "sara@example.com"},
}


@pytest.fixture
def metrics_config(app_config):
    # SMTP at a port where nothing listens: every email attempt fails.
    return replace(app_config, metrics_token=TOKEN, smtp_host="127.0.0.1", smtp_port=free_port())


@pytest.fixture
async def server(serve, metrics_config):
    return await serve(metrics_config)


def parse(text: str) -> dict[str, dict[tuple, float]]:
    """sample name → {sorted label pairs → value}"""
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


async def scrape(client) -> dict[str, dict[tuple, float]]:
    response = await client.get("/metrics", headers=SCRAPE)
    assert response.status == 200, await response.text()
    return parse(await response.text())


def by(samples: dict[tuple, float], *labels: str) -> dict:
    """{label value (or a tuple of them) → value}, e.g. by(found["sanad_tickets"], "level", "status")"""
    keyed = {}
    for pairs, value in samples.items():
        values = tuple(dict(pairs)[label] for label in labels)
        keyed[values[0] if len(labels) == 1 else values] = value
    return keyed


async def test_only_the_metrics_token_reads_it(client):
    wrong = (
        {},
        {"Authorization": "Bearer wrong-token-of-some-length"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
    )
    for headers in wrong:
        refused = await client.get("/metrics", headers=headers)
        assert refused.status == 401
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert refused.content_type == "application/problem+json"
    answered = await client.get("/metrics", headers=SCRAPE)
    assert answered.status == 200
    assert answered.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE sanad_tickets gauge" in await answered.text()
    openmetrics = await client.get(
        "/metrics", headers={**SCRAPE, "Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert openmetrics.headers["Content-Type"].startswith("application/openmetrics-text")
    assert (await openmetrics.text()).endswith("# EOF\n")


async def test_without_a_metrics_token_there_is_no_metrics_page(serve, app_config, aiohttp_client):
    client = await aiohttp_client(await serve(app_config))
    assert app_config.metrics_token is None
    assert (await client.get("/metrics", headers=SCRAPE)).status == 404


async def test_the_live_room_counts_people_events_and_the_raise_latency(client, join):
    manager = await join("manager", "m1")
    trainer = await join("trainer", "tr1")
    sara, omar, lina = [await join("trainee", sub) for sub in ("t1", "t2", "t3")]

    first = await sara.ok("issue.raise", category="no_audio")
    assert (await sara.ok("issue.raise", category="other"))["existing"] is True  # nothing new
    await omar.ok("issue.raise", category="no_video")
    await manager.ok("issue.claim", issue_id=first["issue"]["id"])
    await lina.ok("question.ask", text="ما الفرق بين المتوسط والوسيط؟")
    await omar.refused("issue.claim", "not_permitted", issue_id=first["issue"]["id"])
    await lina.refused("made.up", "unknown_event")
    await manager.event("issue.raised", lambda d: d["issue"]["trainee"]["name"] == "t2")
    await trainer.event("question.asked")

    found = await scrape(client)
    assert by(found["sanad_room_people_connected"], "role") == {
        "manager": 1,
        "trainer": 1,
        "trainee": 3,
    }
    assert by(found["sanad_room_issues_open"], "state") == {
        "raised": 1,
        "claimed": 1,
        "reopened": 0,
    }
    assert found["sanad_room_questions_open"] == {(): 1}
    assert by(found["sanad_room_events_received_total"], "event", "outcome") == {
        ("issue.raise", "ok"): 3,
        ("issue.claim", "ok"): 1,
        ("question.ask", "ok"): 1,
        ("issue.claim", "not_permitted"): 1,
        ("other", "unknown_event"): 1,
        ("room.sync", "ok"): 5,  # each client's first, on joining
    }
    # every stored room event was handed to Socket.IO once
    stored = Counter(await RoomEventRecord.all().values_list("type", flat=True))
    assert by(found["sanad_room_events_sent_total"], "type") == stored
    assert stored["issue.raised"] == 2
    # two raises reached the managers' room (the repeated one was answered with the open issue)
    assert found["sanad_room_raise_to_managers_seconds_count"] == {(): 2}
    buckets = by(found["sanad_room_raise_to_managers_seconds_bucket"], "le")
    assert buckets["+Inf"] == 2
    assert list(buckets.values()) == sorted(buckets.values())  # cumulative
    assert 0 < found["sanad_room_raise_to_managers_seconds_sum"][()] < 10

    await sara.disconnect()
    for _ in range(100):  # the room tells its people when someone leaves
        if manager.presence and manager.presence[-1]["trainees"] == 2:
            break
        await asyncio.sleep(0.02)
    people = by((await scrape(client))["sanad_room_people_connected"], "role")
    assert people == {"manager": 1, "trainer": 1, "trainee": 2}


async def test_tickets_by_level_and_status_and_the_24_hour_limit(client):
    certs = await department("certs", mapped=(Category.CERTIFICATES,))
    token, _ = await create_token("metrics test", ["tickets:read", "tickets:write"])
    auth = {"Authorization": f"Bearer {token}"}
    numbers = []
    for _ in range(2):
        created = await client.post("/api/v1/tickets", json=NEW_TICKET, headers=auth)
        assert created.status == 201
        numbers.append((await created.json())["number"])
    referred = await client.post(
        f"/api/v1/tickets/{numbers[0]}/actions/refer",
        json={"department_id": certs.id},
        headers=auth,
    )
    assert referred.status == 200
    now = datetime.now(UTC)
    await new_ticket(email="", now=now - timedelta(hours=20))  # past the 18-hour warning
    await new_ticket(email="", now=now - timedelta(hours=25))  # past the limit, not yet swept

    found = await scrape(client)
    expected = {(str(level.value), status.value): 0 for level in Level for status in Status}
    expected["1", "new"] = 3
    expected["2", "referred"] = 1
    assert by(found["sanad_tickets"], "level", "status") == expected
    assert found["sanad_tickets_at_risk"] == {(): 1}
    assert found["sanad_tickets_past_limit"] == {(): 1}
    assert found["sanad_tickets_referred_late"] == {(): 0}
    waiting, late = await queues.at_risk(None, datetime.now(UTC))  # the manager's view agrees
    assert (len(waiting), len(late)) == (2, 0)
    for time_left in ("at_risk", "overdue"):  # and so does the API's filter
        listed = await client.get(f"/api/v1/tickets?time_left={time_left}", headers=auth)
        assert (await listed.json())["total"] == 1

    await sweep_referral_clock(datetime.now(UTC))  # escalates the one past the limit
    found = await scrape(client)
    expected["1", "new"], expected["2", "referred"] = 2, 2
    assert by(found["sanad_tickets"], "level", "status") == expected
    assert found["sanad_tickets_at_risk"] == {(): 1}
    assert found["sanad_tickets_past_limit"] == {(): 0}
    assert found["sanad_tickets_referred_late"] == {(): 1}
    waiting, late = await queues.at_risk(None, datetime.now(UTC))
    assert (len(waiting), len(late)) == (1, 1)


async def test_outbox_backlog_retries_and_failures_against_a_closed_smtp_port(client, server):
    config = server.app[keys.CONFIG]
    senders = senders_from(config, MessageWriter(server.app[keys.CATALOGUES], config.base_url))
    token, _ = await create_token("metrics test", ["tickets:write"])
    auth = {"Authorization": f"Bearer {token}"}

    async def open_ticket(**requester) -> None:
        ticket = {**NEW_TICKET, "requester": {"name": "سارة", **requester}}
        assert (await client.post("/api/v1/tickets", json=ticket, headers=auth)).status == 201

    await open_ticket(email="first@example.com")
    at = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):  # every attempt refused by the closed port, then given up
        at += timedelta(hours=2)
        assert (await delivery.deliver_due(at, senders)).failed == 1
    await open_ticket(email="second@example.com")
    await open_ticket(phone="+966500000000", contact_preference="phone")  # no SMS gateway
    done = await delivery.deliver_due(datetime.now(UTC), senders)
    assert (done.failed, done.call_tasks) == (1, 1)
    await open_ticket(email="third@example.com")

    found = await scrape(client)
    zero = dict.fromkeys(("email", "sms", "call_task", "webhook", "whatsapp", "x"), 0)
    assert by(found["sanad_outbox_backlog"], "medium") == {**zero, "email": 2, "call_task": 1}
    assert by(found["sanad_outbox_retrying"], "medium") == {**zero, "email": 1}
    assert by(found["sanad_outbox_failed"], "medium") == {**zero, "email": 1}
    assert 0 < found["sanad_outbox_oldest_pending_seconds"][()] < 60


needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="several processes need PostgreSQL and Redis (the CI's second leg)",
)


@pytest.mark.slow
@needs_postgres
async def test_several_workers_on_one_port_answer_the_same_whichever_is_scraped(
    database_url, tmp_path
):
    secret, room_id = await seed_open_room(database_url, "Metrics across workers")
    sanad = SanadProcess(
        "serve",
        "--workers",
        "2",
        env={
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ["REDIS_URL"],
            "VAR_DIR": str(tmp_path),
            "METRICS_TOKEN": TOKEN,
            "LOG_LEVEL": "WARNING",
        },
    )
    people: list[RoomClient] = []

    async def join(role: str, sub: str) -> RoomClient:
        token = mint_host_token(
            "lms", secret, person_ref=sub, name=sub, role=RoomRole(role), room_id=room_id
        )
        people.append(await RoomClient(sanad.base_url, token).connect())
        return people[-1]

    try:
        sanad.wait_until_ready()
        workers = _children(sanad.process.pid)
        metrics_dir = _environ(workers[0])["PROMETHEUS_MULTIPROC_DIR"]
        assert _environ(workers[1])["PROMETHEUS_MULTIPROC_DIR"] == metrics_dir
        await join("manager", "m1")
        trainees = [await join("trainee", f"t{n}") for n in range(4)]

        def present():
            return PresenceRecord.all().distinct().values_list("process", flat=True)

        while len(await _read(database_url, present)) < 2:  # the kernel spreads connections
            assert len(trainees) < 40, "every connection reached the same worker"
            trainees.append(await join("trainee", f"t{len(trainees)}"))
        for trainee in trainees:
            await trainee.ok("issue.raise", category="no_audio")
        raised = len(trainees)
        stored = Counter(
            await _read(database_url, lambda: RoomEventRecord.all().values_list("type", flat=True))
        )
        assert stored["issue.raised"] == raised

        for _ in range(8):  # each scrape a new connection: it may reach either worker
            found = parse(await asyncio.to_thread(_scrape, sanad.base_url))
            events = by(found["sanad_room_events_received_total"], "event", "outcome")
            # and each person's first room.sync, on joining
            assert events == {("issue.raise", "ok"): raised, ("room.sync", "ok"): len(people)}
            assert found["sanad_room_raise_to_managers_seconds_count"] == {(): raised}
            assert by(found["sanad_room_events_sent_total"], "type") == stored
            connected = by(found["sanad_room_people_connected"], "role")
            assert connected == {"manager": 1, "trainer": 0, "trainee": raised}

        os.kill(workers[0], signal.SIGKILL)  # its replacement starts at zero; its counts stay
        for _ in range(100):  # the supervisor starts another
            if sorted(_children(sanad.process.pid)) not in ([workers[1]], sorted(workers)):
                break
            await asyncio.sleep(0.2)
        sanad.wait_until_ready()
        found = parse(await asyncio.to_thread(_scrape, sanad.base_url))
        events = by(found["sanad_room_events_received_total"], "event", "outcome")
        assert events == {("issue.raise", "ok"): raised, ("room.sync", "ok"): len(people)}
    finally:
        for person in people:
            await person.disconnect()
        assert sanad.stop() == 0
    # the supervisor cleans up after itself
    assert not await asyncio.to_thread(os.path.isdir, metrics_dir)


async def _read(database_url: str, query):
    """What the workers stored, read on a connection of the test's own."""
    orm = tortoise_config(Config.from_env({"DATABASE_URL": database_url, "SECRET_KEY": "x"}))
    context = await database.connect(orm)
    try:
        return await query()
    finally:
        await context.close_connections()


def _scrape(base_url: str) -> str:
    request = urllib.request.Request(base_url + "/metrics", headers=SCRAPE)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def _children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def _environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)
