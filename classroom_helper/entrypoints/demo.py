"""The demo host platform: it mints tokens exactly as a real host platform would (docs/integration.md).

Served only by `run.py demo`; a production institute's host platform mints its own tokens.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from classroom_helper.adapters.host_tokens import mint_host_token
from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
from helpdesk.domain.institute import RoomRole
from helpdesk.services.demo import DEMO_PLATFORM, DEMO_ROOM_MANAGER, DEMO_TRAINEES, DEMO_TRAINER


@aiohttp_jinja2.template("demo/index.html")
async def demo_index(request: web.Request) -> dict:
    rooms = await RoomSession.all().prefetch_related("course").order_by("scheduled_start")
    return {
        "rooms": rooms,
        "trainees": DEMO_TRAINEES,
        "staff_logins": (DEMO_ROOM_MANAGER, DEMO_TRAINER),
    }


async def demo_enter(request: web.Request) -> web.StreamResponse:
    room = await RoomSession.get_or_none(room_id=request.match_info["room_id"])
    platform = await HostPlatform.get_or_none(id=DEMO_PLATFORM)
    try:
        role = RoomRole(request.match_info["role"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if room is None or platform is None:
        raise web.HTTPNotFound()
    person = {
        RoomRole.ROOM_MANAGER: ("demo-manager", room.room_manager_name),
        RoomRole.TRAINER: ("demo-trainer", room.trainer_name),
    }.get(role)
    if person is None:  # a trainee: one of the demo names
        name = request.query.get("name", DEMO_TRAINEES[0])
        if name not in DEMO_TRAINEES:
            raise web.HTTPNotFound()
        person = (f"demo-trainee-{DEMO_TRAINEES.index(name) + 1}", name)
    token = mint_host_token(
        platform.id,
        platform.secret,
        person_ref=person[0],
        name=person[1],
        role=role,
        room_id=room.room_id,
        email=f"{person[0]}@example.org",
        locale=request["locale"],
    )
    if role is RoomRole.TRAINEE:
        return aiohttp_jinja2.render_template(
            "demo/host_page.html", request, {"room": room, "name": person[1], "token": token}
        )
    console = "manager" if role is RoomRole.ROOM_MANAGER else "trainer"
    # The token travels in the fragment: browsers never send it to servers or write it in logs.
    raise web.HTTPSeeOther(f"/rooms/{room.room_id}/{console}#token={token}")
