"""The room session a person is in, as the live room reads it."""

from typing import Any

from classroom_helper.adapters.orm import session_state
from classroom_helper.domain.errors import RoomError
from classroom_helper.services.views import when
from helpdesk.adapters.orm.institute import RoomSession
from helpdesk.domain.institute import RoomState


def session_view(session: RoomSession) -> dict[str, Any]:
    return {
        "room": session.room_id,
        "title": session.title,
        "state": session.state,
        "scheduled_start": when(session.scheduled_start),
        "scheduled_end": when(session.scheduled_end),
        "opened_at": when(session.opened_at),
        "closed_at": when(session.closed_at),
    }


async def room_session(room_id: str, *, lock: bool = False) -> RoomSession:
    query = RoomSession.select_for_update() if lock else RoomSession
    session = await query.get_or_none(room_id=room_id)
    if session is None:
        raise _unknown()
    return session


async def require_open_session(room_id: str) -> None:
    require_open(await session_state(room_id))


def require_open(state: str | None) -> None:
    """Refuse unless the room's session (its state; None: the room is not known) is open."""
    if state is None:
        raise _unknown()
    if state != RoomState.OPEN:
        raise RoomError("The session is not open.", code="session_not_open")


def _unknown() -> RoomError:
    return RoomError("This room is not known to Sanad.", code="room_unknown")
