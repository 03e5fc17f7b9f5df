"""The live room's SQL (adapters/orm.py) reads and writes what tortoise's own queries would, on
SQLite and on PostgreSQL: the same values, of the same Python types."""

import uuid
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from classroom_helper.adapters.orm import (
    RoomEventRecord,
    RoomIssueRecord,
    insert,
    issue_to_change,
    recent_claims,
    session_and_issues,
)
from classroom_helper.domain.room_issues import OPEN_STATES
from classroom_helper.services.room_log import TO_MANAGERS, record
from helpdesk.adapters.orm.institute import RoomSession


def values(row) -> dict:
    return {name: getattr(row, name) for name in row._meta.fields_db_projection}


async def test_rows_read_and_written_with_sql_are_the_orms(server):
    room = f"room-{uuid.uuid4().hex[:10]}"
    # a class on now, its issue raised now: nothing for the room's sweeper to make a ticket of
    now = datetime.now(UTC)
    assert await session_and_issues(room, OPEN_STATES) == (None, [])
    await RoomSession.create(
        room_id=room,
        title="Class",
        scheduled_start=now,
        scheduled_end=now + timedelta(hours=2),
        state="open",
    )
    assert await session_and_issues(room, OPEN_STATES) == ("open", [])

    new = RoomIssueRecord(
        room_id=room,
        trainee_sub="t1",
        trainee_name="سارة",
        category="no_audio",
        diagnostics={"rtt_ms": 84, "browser": "Chromium"},
        state="raised",
        raised_at=now,
    )
    async with in_transaction():
        stored = await insert(new)
    assert stored.id and values(stored) == values(await RoomIssueRecord.get(id=stored.id))

    state, (read,) = await session_and_issues(room, OPEN_STATES)
    assert state == "open" and values(read) == values(stored)
    assert read.raised_at == now and read.diagnostics["rtt_ms"] == 84

    async with in_transaction():
        changing = await issue_to_change(stored.id)
        changing.state, changing.claimed_at = "claimed", now + timedelta(seconds=40)
        await changing.save(update_fields=["state", "claimed_at"])
        event = await record(room, "issue.updated", {"n": 1}, TO_MANAGERS, now)
    assert values(await RoomIssueRecord.get(id=stored.id)) == values(changing)
    assert values(await RoomEventRecord.get(id=event.id)) == values(event)
    assert event.seq == 1 and event.to_managers is True and event.trainee_data is None
    assert await recent_claims(room, 10) == [(now, now + timedelta(seconds=40))]
    assert await issue_to_change(stored.id + 1000) is None
