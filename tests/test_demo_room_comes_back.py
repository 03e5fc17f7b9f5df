"""Issue 21, finding 5: `run.py demo` gives a newcomer a fresh demo room when the old one was closed."""

from datetime import UTC, datetime

from helpdesk.adapters.orm.institute import RoomSession
from helpdesk.domain.institute import RoomState
from helpdesk.services.demo import DEMO_ROOM, seed_demo_institute


async def test_a_closed_demo_room_is_brought_back_by_the_next_demo_start(server):
    await seed_demo_institute()
    room = await RoomSession.get(room_id=DEMO_ROOM)
    room.state, room.closed_at = RoomState.CLOSED, datetime.now(UTC)
    await room.save()
    await seed_demo_institute()
    room = await RoomSession.get(room_id=DEMO_ROOM)
    assert room.state == RoomState.SCHEDULED and room.closed_at is None
    assert room.scheduled_start <= datetime.now(UTC) < room.scheduled_end
