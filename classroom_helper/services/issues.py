"""Technical issues: raise, claim, chat, resolve, confirm, reopen, withdraw, turn into a ticket,
re-route to the trainer; and room-wide incidents. Call each use case through `run_once` (client
actions) or on its own (the sweeper): it expects to run inside one transaction."""

from dataclasses import fields
from datetime import datetime, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from classroom_helper.adapters.orm import (
    IncidentRecord,
    IssueMessageRecord,
    RoomIssueRecord,
    incident_members,
    incident_of,
    insert,
    issue_to_change,
    issues_in_states,
    recent_claims,
    session_and_issues,
    update,
)
from classroom_helper.domain import payloads
from classroom_helper.domain.errors import InvalidTransition, NotPermitted, RoomError
from classroom_helper.domain.incidents import INCIDENT_WINDOW, group_for
from classroom_helper.domain.people import Action, Person, Role, require
from classroom_helper.domain.queue import RECENT_CLAIMS, estimated_wait, queue_order
from classroom_helper.domain.room_issues import (
    OPEN_STATES,
    IssueCategory,
    IssueState,
    RoomIssue,
    TicketReason,
    TicketRules,
    automatic_ticket_reason,
)
from classroom_helper.services import presence
from classroom_helper.services.lately import Lately
from classroom_helper.services.room_log import (
    TO_MANAGERS,
    Outcome,
    issue_audience,
    record,
)
from classroom_helper.services.rooms import require_open, require_open_session
from classroom_helper.services.views import incident_view, issue_view, message_view
from helpdesk.adapters.orm.institute import RoomSession
from helpdesk.domain.tickets import Category, Channel, Requester, TicketKind
from helpdesk.i18n import Catalogues
from helpdesk.services.bus import AfterCommit
from helpdesk.services.room_history import RoomLine, record_room_history
from helpdesk.services.tickets import open_ticket

_SHARED = [f.name for f in fields(RoomIssue) if f.name != "room"]

CATEGORY_NAMES = {
    IssueCategory.NO_AUDIO: "No audio",
    IssueCategory.NO_VIDEO: "No video",
    IssueCategory.NO_SHARED_SCREEN: "Cannot see the shared screen",
    IssueCategory.CONNECTION_DROPS: "Connection keeps dropping",
    IssueCategory.CANNOT_JOIN: "Cannot log in or reach the session",
    IssueCategory.OTHER: "Other",
}


@cache
def _words(locale: str):
    """The room's words in the trainee's language, for the subject of the ticket made for them."""
    return Catalogues([Path(__file__).resolve().parent.parent / "locale"]).translator(locale)


def as_issue(row: RoomIssueRecord) -> RoomIssue:
    values = {name: getattr(row, name) for name in _SHARED}
    values["category"] = IssueCategory(row.category)
    values["state"] = IssueState(row.state)
    values["ticket_reason"] = TicketReason(row.ticket_reason) if row.ticket_reason else None
    return RoomIssue(room=row.room_id, **values)


async def keep(issue: RoomIssue, row: RoomIssueRecord) -> None:
    """Store what the domain changed (only that: a withdraw writes two columns, not twenty)."""
    changed = [name for name in _SHARED if getattr(row, name) != getattr(issue, name)]
    for name in changed:
        setattr(row, name, getattr(issue, name))
    if changed:
        await update(row, changed)
    if "claimed_at" in changed:
        _claim_waits.forget(row.room_id)


async def issue_changed(row: RoomIssueRecord, now: datetime, kind="issue.updated") -> Any:
    return await record(
        row.room_id,
        kind,
        {"issue": issue_view(row, for_manager=True)},
        issue_audience(row.trainee_sub),
        now,
        trainee_data={"issue": issue_view(row, for_manager=False)},
    )


async def load(person: Person, issue_id: int) -> RoomIssueRecord:
    row = await issue_to_change(issue_id)
    if row is None:
        raise RoomError("No such issue.", code="not_found")
    if row.room_id != person.room:
        raise NotPermitted("This issue belongs to another room.", code="wrong_room")
    return row


def view_for(person: Person, row: RoomIssueRecord) -> dict[str, Any]:
    return issue_view(row, for_manager=person.role is Role.ROOM_MANAGER)


# --- the trainee ------------------------------------------------------------------------------


async def raise_issue(person: Person, event: payloads.RaiseIssue, now: datetime) -> Outcome:
    require(person, Action.RAISE_ISSUE)
    # The room's open issues, read once: the trainee's own, the partners of an incident, the queue.
    session_state, open_rows = await session_and_issues(person.room, OPEN_STATES)
    open_one = next((r for r in open_rows if r.trainee_sub == person.sub), None)
    if open_one is not None:  # one open issue per trainee per room: return it
        return Outcome(
            {
                "issue": view_for(person, open_one),
                "existing": True,
                "queue": await queue_of(open_one, open_rows, now),
            }
        )
    require_open(session_state)
    row = RoomIssueRecord(
        room_id=person.room,
        trainee_sub=person.sub,
        trainee_name=person.name,
        trainee_email=person.email,
        trainee_phone=person.phone,
        trainee_locale=person.locale,
        category=event.category,
        text=event.text,
        diagnostics=event.diagnostics,
        state=IssueState.RAISED,
        raised_at=now,
    )
    # An issue that joins an incident is stored in it: its first event tells both.
    incident, events = await _incident_for(row, open_rows, now)
    row.incident_id = incident.id if incident else None
    await insert(row)
    events.append(await issue_changed(row, now, "issue.raised"))
    if incident:
        events.append(await _incident_changed(incident, now))
    data = {
        "issue": view_for(person, row),
        "existing": False,
        "queue": await queue_of(row, [*open_rows, row], now),
    }
    # A new issue joins the end of the queue: no one else's place moves; the ack tells its own.
    return Outcome(data, events)


async def _incident_for(
    row: RoomIssueRecord, open_rows: list[RoomIssueRecord], now: datetime
) -> tuple[IncidentRecord | None, list]:
    """The incident of its room a new issue joins, when others raised the same lately (a new
    one, its first partners moved into it), with the events of the partners it moved."""
    recent = [
        r for r in open_rows if r.category == row.category and r.raised_at >= now - INCIDENT_WINDOW
    ]
    if not recent:
        return None, []
    grouping = group_for(as_issue(row), [as_issue(r) for r in recent], INCIDENT_WINDOW)
    if grouping is None:
        return None, []
    if grouping.incident_id is not None:
        return await incident_of(grouping.incident_id), []
    incident = await IncidentRecord.create(
        room_id=row.room_id, category=row.category, opened_at=now
    )
    events = []
    for partner in [r for r in recent if r.id in grouping.partners]:
        partner.incident_id = incident.id
        await update(partner, ["incident_id"])
        events.append(await issue_changed(partner, now))
    return incident, events


async def _incident_changed(incident: IncidentRecord, now: datetime):
    members = await incident_members(incident.id)
    return await record(
        incident.room_id,
        "incident.updated",
        {"incident": incident_view(incident, members)},
        TO_MANAGERS,
        now,
    )


async def confirm_issue(person: Person, event: payloads.OnIssue, now: datetime) -> Outcome:
    return await _transition(person, event.issue_id, now, Action.CONFIRM_ISSUE, "confirm")


async def withdraw_issue(person: Person, event: payloads.OnIssue, now: datetime) -> Outcome:
    return await _transition(person, event.issue_id, now, Action.WITHDRAW_ISSUE, "withdraw")


async def reopen_issue(person: Person, event: payloads.ReopenIssue, now: datetime) -> Outcome:
    require(person, Action.REOPEN_ISSUE)
    row = await load(person, event.issue_id)
    issue = as_issue(row)
    issue.reopen(person, now)  # the owner's, and resolved: checked before anything else
    await require_open_session(person.room)  # after the class, "still broken" goes to the helpdesk
    others_open = await RoomIssueRecord.filter(
        room_id=person.room, trainee_sub=person.sub, state__in=list(OPEN_STATES)
    ).exclude(id=row.id)
    if others_open:
        raise RoomError("You already have an open issue in this room.", code="open_issue_exists")
    await keep(issue, row)
    events = [await issue_changed(row, now)]
    if event.text:
        events.append(await _post(row, person, event.text, now))
    return Outcome({"issue": view_for(person, row)}, events)  # back with its manager, not queued


# --- the room manager ---------------------------------------------------------------------------


async def claim_issue(person: Person, event: payloads.OnIssue, now: datetime) -> Outcome:
    return await _transition(person, event.issue_id, now, Action.CLAIM_ISSUE, "claim")


async def resolve_issue(person: Person, event: payloads.ResolveIssue, now: datetime) -> Outcome:
    require(person, Action.RESOLVE_ISSUE)
    row = await load(person, event.issue_id)
    issue = as_issue(row)
    was_waiting = issue.is_unclaimed
    issue.resolve(person, event.note, now)
    await keep(issue, row)
    events = [await issue_changed(row, now)]
    return Outcome({"issue": view_for(person, row)}, events, queue_moved=was_waiting)


async def _transition(
    person: Person, issue_id: int, now: datetime, action: Action, verb: str
) -> Outcome:
    require(person, action)
    row = await load(person, issue_id)
    issue = as_issue(row)
    before = issue.state
    getattr(issue, verb)(person, now)
    if issue.state is before:  # e.g. claiming twice: nothing to tell anyone
        return Outcome({"issue": view_for(person, row)})
    await keep(issue, row)
    events = [await issue_changed(row, now)]
    return Outcome(
        {"issue": view_for(person, row)}, events, queue_moved=before is IssueState.RAISED
    )


async def message_issue(person: Person, event: payloads.IssueMessage, now: datetime) -> Outcome:
    require(person, Action.MESSAGE_ISSUE)
    row = await load(person, event.issue_id)
    as_issue(row).check_may_write(person)
    event_row = await _post(row, person, event.text, now)
    return Outcome({"message": event_row.data["message"]}, [event_row])


async def _post(row: RoomIssueRecord, person: Person, text: str, now: datetime):
    message = await IssueMessageRecord.create(
        issue_id=row.id,
        author_sub=person.sub,
        author_name=person.name,
        author_role=person.role,
        text=text,
        at=now,
    )
    return await record(
        row.room_id,
        "issue.message",
        {"issue_id": row.id, "message": message_view(message)},
        issue_audience(row.trainee_sub),
        now,
    )


async def escalate_issue(person: Person, event: payloads.ResolveIssue, now: datetime) -> Outcome:
    require(person, Action.ESCALATE_ISSUE)
    row = await load(person, event.issue_id)
    if event.note:
        await _post(row, person, event.note, now)
    outcome = await _make_ticket(row, TicketReason.MANAGER, now, person)
    outcome.data = {"issue": view_for(person, row)}
    return outcome


async def _make_ticket(
    row: RoomIssueRecord, reason: TicketReason, now: datetime, by: Person | None = None
) -> Outcome:
    """Turn an open issue into a helpdesk ticket carrying its thread, diagnostics, room, course
    and the trainee's contact."""
    issue = as_issue(row)
    if not issue.is_open:
        raise InvalidTransition(f"The issue is {issue.state}; it can no longer become a ticket.")
    session = await RoomSession.get_or_none(room_id=row.room_id)
    thread = await IssueMessageRecord.filter(issue_id=row.id).order_by("at", "id")
    locale = row.trainee_locale or "ar"
    category = _words(locale).gettext(CATEGORY_NAMES[issue.category])
    bus = AfterCommit()  # the ticket's news, told once the room's transaction is committed
    ticket = await open_ticket(
        kind=TicketKind.TECHNICAL_ISSUE,
        category=Category.LOGIN_AND_ACCOUNTS
        if issue.category is IssueCategory.CANNOT_JOIN
        else Category.LIVE_SESSION_ATTENDANCE,
        channel=Channel.ROOM,
        requester=Requester(
            name=row.trainee_name,
            email=row.trainee_email or "",
            phone=row.trainee_phone or "",
            ref=row.trainee_sub,
            locale=locale,
        ),
        subject=f"{category}: {row.text[:120]}" if row.text.strip() else category,
        description=row.text,
        room_session_id=session.id if session else None,
        course_id=session.course_id if session else None,
        actor=f"room:{by.sub}" if by else "system",
        actor_name=by.name if by else "",
        now=now,
        bus=bus,
    )
    # the conversation and the diagnostics as data: each page renders them for its reader
    await record_room_history(
        ticket,
        [
            RoomLine(row.raised_at, row.trainee_name, "trainee", row.text),
            *(RoomLine(m.at, m.author_name, m.author_role, m.text) for m in thread),
        ],
        row.diagnostics or {},
        str(reason),
        row.raised_at,
        now,
    )
    was_waiting = issue.is_unclaimed
    issue.escalate(ticket.number, reason, now)
    await keep(issue, row)
    return Outcome(
        {"issue_id": row.id, "ticket_number": ticket.number},
        [await issue_changed(row, now)],
        queue_moved=was_waiting,
        published=bus.held,
    )


async def resolve_incident(
    person: Person, event: payloads.ResolveIncident, now: datetime
) -> Outcome:
    require(person, Action.RESOLVE_INCIDENT)
    incident = await _incident(person, event.incident_id)
    events = []
    for row in await RoomIssueRecord.filter(incident_id=incident.id, state__in=list(OPEN_STATES)):
        issue = as_issue(row)
        issue.resolve(person, event.note, now)
        await keep(issue, row)
        events.append(await issue_changed(row, now))
    incident.state, incident.resolved_at = "resolved", now
    await incident.save()
    events.append(await _incident_changed(incident, now))
    return Outcome({"incident": events[-1].data["incident"]}, events, queue_moved=True)


async def message_incident(
    person: Person, event: payloads.IncidentMessage, now: datetime
) -> Outcome:
    require(person, Action.MESSAGE_INCIDENT)
    incident = await _incident(person, event.incident_id)
    rows = await RoomIssueRecord.filter(
        incident_id=incident.id, state__in=list(OPEN_STATES | {IssueState.RESOLVED})
    )
    events = [await _post(row, person, event.text, now) for row in rows]
    members = await incident_members(incident.id)
    return Outcome({"incident": incident_view(incident, members), "messages": len(events)}, events)


async def _incident(person: Person, incident_id: int) -> IncidentRecord:
    incident = await IncidentRecord.get_or_none(id=incident_id)
    if incident is None:
        raise RoomError("No such incident.", code="not_found")
    if incident.room_id != person.room:
        raise NotPermitted("This incident belongs to another room.", code="wrong_room")
    return incident


# --- the queue and the automatic tickets ---------------------------------------------------------


async def queue_of(
    row: RoomIssueRecord, open_rows: list[RoomIssueRecord], now: datetime
) -> dict[str, Any] | None:
    """The issue's place in the queue, as its trainee is told it (None once claimed), from the
    room's open issues."""
    waiting = [r for r in open_rows if r.state == IssueState.RAISED]
    for place in await _queue(row.room_id, waiting, now):
        if place.pop("trainee_sub") and place["issue_id"] == row.id:
            return place
    return None


async def room_queue(room_id: str, now: datetime) -> list[dict[str, Any]]:
    """Every waiting issue of the room with its position and estimated wait."""
    waiting = await issues_in_states(room_id, [IssueState.RAISED])
    return await _queue(room_id, waiting, now)


async def _queue(
    room_id: str, waiting_rows: list[RoomIssueRecord], now: datetime
) -> list[dict[str, Any]]:
    if not waiting_rows:
        return []
    waits = await _claim_waits.get(room_id, partial(_read_claim_waits, room_id))
    # with no claim to go on there is no estimate: no need to count the managers
    managers = await presence.managers_online(room_id, now) if waits else 0
    result = []
    for position, issue in enumerate(queue_order(as_issue(r) for r in waiting_rows), 1):
        wait = estimated_wait(position, waits, managers)
        result.append(
            {
                "issue_id": issue.id,
                "trainee_sub": issue.trainee_sub,
                "position": position,
                "estimated_wait_seconds": round(wait.total_seconds()) if wait else None,
            }
        )
    return result


# How long the room's last claims took: the queue's estimates (forgotten here at each claim).
_claim_waits: Lately[list[timedelta]] = Lately(fresh_for=1.0)


async def _read_claim_waits(room_id: str) -> list[timedelta]:
    claimed = await recent_claims(room_id, RECENT_CLAIMS)
    return [claimed_at - raised_at for raised_at, claimed_at in reversed(claimed)]


async def tickets_due(
    rules: TicketRules, now: datetime, process: str
) -> list[tuple[str, int, TicketReason]]:
    """Open issues due to become tickets on their own (unclaimed too long, or no manager online),
    as (room, issue id, reason), judged by `process`; `ticket_on_its_own` makes each one."""
    # Only issues old enough to be due are read: in a busy institute nearly every open issue is
    # minutes old at most, and reading them all room by room cost ~1 ms per room every sweep.
    candidates = await RoomIssueRecord.filter(
        state__in=list(OPEN_STATES), raised_at__lte=now - rules.youngest_due
    )
    by_room: dict[str, list[RoomIssueRecord]] = {}
    for row in candidates:
        by_room.setdefault(row.room_id, []).append(row)
    due = []
    for room_id, rows in by_room.items():
        absent = await presence.no_manager_since(room_id, now, process)
        for row in rows:
            reason = automatic_ticket_reason(as_issue(row), now, rules, absent)
            if reason is not None:
                due.append((room_id, row.id, reason))
    return due


async def ticket_on_its_own(issue_id: int, reason: TicketReason, now: datetime) -> Outcome:
    """Under the row's lock, so that two processes sweeping at once make one ticket."""
    async with in_transaction():
        row = await RoomIssueRecord.select_for_update().get(id=issue_id)
        if row.state not in OPEN_STATES:
            return Outcome({})
        return await _make_ticket(row, reason, now)


# What a trainee is told about the ticket their issue became (the rest is the helpdesk's business).
TICKET_NEWS = frozenset({"referred", "in_progress", "resolved", "verified", "closed"})


async def room_of_ticket(number: str) -> str | None:
    return (
        await RoomIssueRecord.filter(ticket_number=number).first().values_list("room_id", flat=True)
    )


async def ticket_news(number: str, status: str, now: datetime) -> Outcome:
    """The helpdesk moved a ticket made from a room issue: its trainee (and the room's managers)
    hear of it once per status."""
    async with in_transaction():
        row = await RoomIssueRecord.select_for_update().get_or_none(ticket_number=number)
        if row is None or status not in TICKET_NEWS or row.ticket_status == status:
            return Outcome({})
        row.ticket_status = status
        await row.save(update_fields=["ticket_status"])
        news = {"issue_id": row.id, "ticket_number": number, "status": status}
        return Outcome(
            news,
            [await record(row.room_id, "issue.ticket", news, issue_audience(row.trainee_sub), now)],
        )


async def tickets_at_session_end(room_id: str, now: datetime) -> list[Outcome]:
    """Inside the closing transaction: every open issue of the room becomes a ticket."""
    rows = await RoomIssueRecord.select_for_update().filter(
        room_id=room_id, state__in=list(OPEN_STATES)
    )
    return [await _make_ticket(row, TicketReason.SESSION_ENDED, now) for row in rows]


async def open_issues_by_state() -> dict[IssueState, int]:
    """Technical issues still open in every room, by state (for /metrics)."""
    counted = dict.fromkeys(sorted(OPEN_STATES), 0)
    rows = RoomIssueRecord.filter(state__in=list(OPEN_STATES)).annotate(n=Count("id"))
    for state, n in await rows.group_by("state").values_list("state", "n"):
        counted[IssueState(state)] = n
    return counted
