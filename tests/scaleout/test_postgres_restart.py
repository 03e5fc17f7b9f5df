"""PostgreSQL restarts mid-session (a private cluster of the test's own): while it is down every
request fails cleanly and nothing is half-written; when it is back, work resumes without
restarting Sanad."""

from __future__ import annotations

import asyncio
import time
import uuid

import aiohttp
import pytest
import socketio

from classroom_helper.adapters.orm import IssueMessageRecord, RoomEventRecord
from helpdesk.adapters.orm.tickets import Ticket
from tests.helpdesk.fixtures import NEW_TICKET
from tests.processes import SanadProcess
from tests.scaleout.institute import Person, in_database, needs_postgres_and_redis, seed, started
from tests.scaleout.private_postgres import PrivatePostgres

pytestmark = [pytest.mark.slow, needs_postgres_and_redis]


@pytest.fixture
def postgres():
    cluster = PrivatePostgres()
    try:
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        cluster.destroy()


async def test_postgres_restart_mid_session(postgres, sanad, tmp_path):
    migrate = SanadProcess("migrate", env={"DATABASE_URL": postgres.url, "VAR_DIR": str(tmp_path)})
    assert await asyncio.to_thread(migrate.process.wait, 60) == 0, migrate.output()
    institute = await seed(postgres.url)
    # sara writes as fast as she can until the database stops: no rate limit in her way
    app = sanad(postgres.url, SCHEDULER="on", ROOM_RATE_LIMIT="1000 per 10 seconds")
    await started(app)
    url = app.base_url
    sara = await Person(institute, "trainee", "sara", [url]).connect()
    manager = await Person(institute, "manager", "omar", [url]).connect()
    huda = Person(institute, "trainee", "huda", [url])  # comes while the database is down
    api = aiohttp.ClientSession(headers=institute.api_headers)
    try:
        issue = (await sara.ok("issue.raise", category="no_audio"))["issue"]
        await manager.ok("issue.claim", issue_id=issue["id"])
        async with api.post(f"{url}/api/v1/tickets", json=NEW_TICKET) as created:
            assert created.status == 201

        # sara keeps writing while PostgreSQL stops under her: each send is acknowledged as
        # stored, or refused with a code that says to try again
        acks: dict[str, dict] = {}

        async def keep_writing():
            for n in range(1000):
                cid = uuid.uuid4().hex
                acks[cid] = await sara.call(
                    "issue.message", cid=cid, issue_id=issue["id"], text=f"m{n}"
                )
                if acks[cid]["ok"] is False:
                    return

        writing = asyncio.create_task(keep_writing())
        await asyncio.sleep(0.3)
        await asyncio.to_thread(postgres.stop)
        await asyncio.wait_for(writing, 30)
        refused = [ack for ack in acks.values() if not ack["ok"]]
        assert [ack["error"] for ack in refused] == ["unavailable"], refused
        assert refused[0]["message"]

        # while it is down
        async with api.get(f"{url}/readyz") as ready:
            assert ready.status == 503
            assert (await ready.json())["problems"]["database"]
        async with api.post(f"{url}/api/v1/tickets", json=NEW_TICKET) as created:
            assert created.status == 503
            assert created.content_type == "application/problem+json"
            assert created.headers["Retry-After"] == "10"
            problem = await created.json()
            assert problem["status"] == 503 and problem["detail"]
        for lang, words in (("ar", "قاعدة بياناته"), ("en", "cannot reach its database")):
            async with api.get(f"{url}/help?lang={lang}", headers={"Accept": "text/html"}) as page:
                assert page.status == 503 and page.content_type == "text/html"
                assert words in await page.text()
        manager_ack = await manager.call("issue.resolve", issue_id=issue["id"], note="تم")
        assert manager_ack["error"] == "unavailable"
        assert sara.sio.connected and manager.sio.connected  # the room's connections stay up
        with pytest.raises(socketio.exceptions.ConnectionError):
            await huda.sio.connect(url, transports=["websocket"], auth={"token": huda.token})
        assert huda.refusals[-1]["data"] == {"code": "unavailable"}  # the widget tries again

        # PostgreSQL is back: Sanad is ready again on its own, and the work goes on
        restarted = time.monotonic()
        await asyncio.to_thread(postgres.start)
        while True:
            async with api.get(f"{url}/readyz") as ready:
                if ready.status == 200:
                    break
            assert time.monotonic() - restarted < 30, "not ready 30 s after PostgreSQL came back"
            await asyncio.sleep(0.1)
        [(cid, _)] = [(cid, ack) for cid, ack in acks.items() if not ack["ok"]]
        retried = await sara.ok("issue.message", cid=cid, issue_id=issue["id"], text="again")
        await huda.connect()  # with the same token
        await manager.ok("issue.resolve", issue_id=issue["id"], note="تم")
        await sara.sees("issue.updated", lambda d: d["issue"]["state"] == "resolved")
        async with api.post(f"{url}/api/v1/tickets", json=NEW_TICKET) as created:
            assert created.status == 201
        # what was stored before the ack was lost is sent again with the retry
        for person in (sara, manager):
            await person.holds_everything_due()

        # nothing half-written: every acknowledged message once, the refused one once retried
        async def stored():
            messages = await IssueMessageRecord.filter(issue_id=issue["id"]).order_by("id")
            seqs = await RoomEventRecord.filter(room_id=institute.room_id).values_list(
                "seq", flat=True
            )
            return [m.id for m in messages], sorted(seqs), await Ticket.all().count()

        message_ids, seqs, tickets = await in_database(postgres.url, stored)
        acknowledged = [ack["data"]["message"]["id"] for ack in acks.values() if ack["ok"]]
        assert message_ids == [*acknowledged, retried["message"]["id"]]
        assert seqs == list(range(1, len(seqs) + 1))
        assert tickets == 2
        for person in (sara, manager, huda):
            await person.leave()
        # an outage is no fault of Sanad's: warnings, no error
        assert " ERROR " not in app.output()
    finally:
        await api.close()
        for person in (sara, manager, huda):
            await person.leave()
        print(app.output())  # shown by pytest when the test fails
