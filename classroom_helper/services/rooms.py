"""The room session a person is in, as the live room reads it."""

from typing import Any

from classroom_helper.adapters.host_tokens import SANAD_ISSUER
from classroom_helper.adapters.orm import session_state
from classroom_helper.domain.errors import RoomError
from classroom_helper.services.views import when
from helpdesk.adapters.orm.institute import RoomSession
from helpdesk.domain.institute import RoomState
from helpdesk.i18n import N_

WRONG_PLATFORM = "token_wrong_platform"
# What the person reads when refused so (the Socket.IO refusal and the HTTP problem say it).
WRONG_PLATFORM_REASON = N_("Your room pass comes from another learning platform than this room's.")


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


async def room_session(
    room_id: str, platform: str | None = None, *, lock: bool = False
) -> RoomSession:
    """The room's session; with `platform` (the token's issuer), only if the room is that
    platform's."""
    query = RoomSession.select_for_update() if lock else RoomSession
    session = await query.get_or_none(room_id=room_id)
    if session is None:
        raise _unknown()
    if platform is not None:
        require_platform(session.platform, platform)
    return session


async def require_room_of(room_id: str, platform: str) -> None:
    """Refuse a token of another platform in a room that exists; a room not made yet is free
    (its platform schedules it)."""
    owner = await RoomSession.filter(room_id=room_id).first().values_list("platform", flat=True)
    if owner is not None:
        require_platform(owner, platform)


async def claim_room(room_id: str, platform: str) -> None:
    """The platform that scheduled a room owns it (Sanad's own passes claim nothing)."""
    if platform != SANAD_ISSUER:
        await RoomSession.filter(room_id=room_id, platform="").update(platform=platform)


def require_platform(owner: str, platform: str) -> None:
    """A room belongs to the platform that created it: another platform's tokens are refused.
    Sanad's own staff passes go everywhere; a room with no owner (older, or Sanad's) takes any."""
    if owner and platform not in (owner, SANAD_ISSUER):
        raise RoomError("This room belongs to another learning platform.", code=WRONG_PLATFORM)


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
