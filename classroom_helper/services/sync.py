"""What a (re)connecting client is given: the events it missed, or a fresh snapshot."""

from datetime import datetime
from typing import Any

from classroom_helper.adapters.orm import IncidentRecord, IssueMessageRecord, RoomIssueRecord
from classroom_helper.domain.people import Person, Role
from classroom_helper.domain.room_issues import OPEN_STATES, IssueCategory
from classroom_helper.services import issues, presence
from classroom_helper.services.questions import room_questions
from classroom_helper.services.room_log import current_seq, missed_events
from classroom_helper.services.rooms import room_session, session_view
from classroom_helper.services.views import incident_view, message_view

# A manager's snapshot carries every open issue and this many of the latest closed ones.
CLOSED_ISSUES_SHOWN = 100


async def sync(person: Person, last_seq: int | None, now: datetime) -> dict[str, Any]:
    seq = await current_seq(person.room)
    if last_seq is not None:
        events = await missed_events(person, last_seq, seq)
        if events is not None:
            return {
                "mode": "events",
                "seq": seq,
                "events": events,
                "presence": await presence.counts(person.room, now),
                "queue": await _my_queue(person, now),
            }
    return {"mode": "snapshot", "seq": seq, "snapshot": await snapshot(person, now)}


async def snapshot(person: Person, now: datetime) -> dict[str, Any]:
    session = await room_session(person.room)
    view: dict[str, Any] = {
        "me": {
            "sub": person.sub,
            "name": person.name,
            "role": person.role,
            "locale": person.locale,
        },
        "session": session_view(session),
        "presence": await presence.counts(person.room, now),
        "issues": [],
        "incidents": [],
        "questions": [],
        "queue": [],
        "categories": [c.value for c in IssueCategory],
    }
    if person.role is Role.ROOM_MANAGER:
        view["issues"] = await _threads(person, await _manager_issues(person.room))
        view["incidents"] = await _open_incidents(person.room)
    else:
        view["questions"] = await room_questions(person)
    if person.role is Role.TRAINEE:
        mine = await RoomIssueRecord.filter(room_id=person.room, trainee_sub=person.sub).order_by(
            "raised_at"
        )
        view["issues"] = await _threads(person, mine)
        view["queue"] = await _my_queue(person, now)
    return view


async def _manager_issues(room_id: str) -> list[RoomIssueRecord]:
    open_ones = await RoomIssueRecord.filter(room_id=room_id, state__in=list(OPEN_STATES))
    closed = (
        await RoomIssueRecord.filter(room_id=room_id)
        .exclude(state__in=list(OPEN_STATES))
        .order_by("-raised_at")
        .limit(CLOSED_ISSUES_SHOWN)
    )
    return sorted([*open_ones, *closed], key=lambda r: (r.raised_at, r.id))


async def _threads(person: Person, rows: list[RoomIssueRecord]) -> list[dict[str, Any]]:
    messages: dict[int, list] = {row.id: [] for row in rows}
    for message in await IssueMessageRecord.filter(issue_id__in=list(messages)).order_by(
        "at", "id"
    ):
        messages[message.issue_id].append(message_view(message))
    return [{**issues.view_for(person, row), "messages": messages[row.id]} for row in rows]


async def _open_incidents(room_id: str) -> list[dict[str, Any]]:
    views = []
    for incident in await IncidentRecord.filter(room_id=room_id, state="open"):
        members = await RoomIssueRecord.filter(incident_id=incident.id)
        views.append(incident_view(incident, members))
    return views


async def _my_queue(person: Person, now: datetime) -> list[dict[str, Any]]:
    if person.role is not Role.TRAINEE:
        return []
    return [
        {k: v for k, v in place.items() if k != "trainee_sub"}
        for place in await issues.room_queue(person.room, now)
        if place["trainee_sub"] == person.sub
    ]
