"""The room session's life: scheduled → open (the room manager, or the host platform) → closed
(the manager, the host platform, or its scheduled end passing). Closing turns every open issue
into a ticket. A session closed before its scheduled end may open again until that end."""

from datetime import datetime

from classroom_helper.domain.errors import InvalidTransition, RoomError
from classroom_helper.domain.people import Action, Person, require
from classroom_helper.services.issues import tickets_at_session_end
from classroom_helper.services.room_log import EVERYONE, Outcome, record
from classroom_helper.services.rooms import room_session, session_view
from helpdesk.adapters.orm.institute import Course, RoomSession
from helpdesk.domain.institute import RoomState


async def schedule_session(
    person: Person, title: str, start: datetime, end: datetime, course_code: str | None
) -> dict:
    """The host platform creates (or reschedules) the session of its room before the class."""
    require(person, Action.OPEN_SESSION)
    course = None
    if course_code:
        course = await Course.get_or_none(code=course_code)
        if course is None:
            raise RoomError(f"No course {course_code!r}.", code="course_unknown")
    session, created = await RoomSession.get_or_create(
        room_id=person.room,
        defaults={"title": title, "scheduled_start": start, "scheduled_end": end, "course": course},
    )
    if not created:
        if session.state == RoomState.CLOSED:
            raise InvalidTransition("This session is closed; it cannot be rescheduled.")
        session.title, session.scheduled_start, session.scheduled_end = title, start, end
        if course is not None:
            session.course = course
        await session.save()
    return {"session": session_view(session), "created": created}


async def open_session(person: Person | None, room_id: str, now: datetime) -> Outcome:
    """A manager opens the room (person), or the host platform does (person None)."""
    if person is not None:
        require(person, Action.OPEN_SESSION, room=room_id)
    session = await room_session(room_id, lock=True)
    if session.state == RoomState.OPEN:
        return Outcome({"session": session_view(session)})
    if session.state == RoomState.CLOSED:
        # closed by mistake: it opens again while its scheduled time lasts; its tickets stay
        if now >= session.scheduled_end:
            raise InvalidTransition("This session's scheduled time is over; it cannot open again.")
        session.closed_at = None
    session.state, session.opened_at = RoomState.OPEN, session.opened_at or now
    await session.save(update_fields=["state", "opened_at", "closed_at"])
    view = session_view(session)
    event = await record(room_id, "session.changed", {"session": view}, EVERYONE, now)
    return Outcome({"session": view}, [event])


async def close_session(person: Person | None, room_id: str, now: datetime) -> Outcome:
    """Close the room; open issues become tickets (the trainees are told their numbers)."""
    if person is not None:
        require(person, Action.CLOSE_SESSION, room=room_id)
    session = await room_session(room_id, lock=True)
    if session.state == RoomState.CLOSED:
        return Outcome({"session": session_view(session), "tickets": []})
    tickets = await tickets_at_session_end(room_id, now)
    session.state, session.closed_at = RoomState.CLOSED, now
    await session.save(update_fields=["state", "closed_at"])
    view = session_view(session)
    events = [e for t in tickets for e in t.events]
    events.append(await record(room_id, "session.changed", {"session": view}, EVERYONE, now))
    return Outcome(
        {"session": view, "tickets": [t.data for t in tickets]},
        events,
        queue_moved=True,
        published=[p for t in tickets for p in t.published],
    )


async def sessions_past_their_end(now: datetime) -> list[str]:
    """Open sessions whose scheduled end has passed: they close on their own (`close_session`)."""
    return await RoomSession.filter(state=RoomState.OPEN, scheduled_end__lte=now).values_list(
        "room_id", flat=True
    )
