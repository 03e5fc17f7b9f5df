"""The live consoles of the room manager and the trainer.

Two ways in. A host platform's person brings their token in the URL fragment (the server never
sees it; the page's script reads it). A staff member who logged in and runs this session (or an
administrator) gets a short-lived pass that Sanad mints itself, fetched by the page from
`.../pass` and renewed while the console stays open.
"""

from __future__ import annotations

from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from helpdesk.adapters.orm.institute import RoomSession, Staff
from helpdesk.domain.institute import RoomRole, may_run_room
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.auth import current_staff
from helpdesk.entrypoints.problems import problem

CONSOLES = {"manager": RoomRole.ROOM_MANAGER, "trainer": RoomRole.TRAINER}
# The page asks for this after the fragment carried a host token to someone logged in to the
# helpdesk who does not run this session: the token, not the staff session, decides then.
WITH_HOST_TOKEN = "host-token"


async def _room(request: web.Request) -> RoomSession:
    room_id = request.match_info["room_id"]
    # A longer id cannot exist (the model refuses even to look one up).
    room = await RoomSession.get_or_none(room_id=room_id) if len(room_id) <= 100 else None
    if room is None:
        raise web.HTTPNotFound()
    return room


def _runs(staff: Staff, room: RoomSession, role: RoomRole) -> bool:
    return may_run_room(staff.role, staff.id, role, room.room_manager_ref, room.trainer_ref)


async def _console(request: web.Request, console: str) -> web.Response:
    room, role = await _room(request), CONSOLES[console]
    with_host_token = request.query.get("with") == WITH_HOST_TOKEN
    staff = None if with_host_token else await current_staff(request)
    if staff is not None and not _runs(staff, room, role):
        response = aiohttp_jinja2.render_template(
            "consoles/refused.html", request, {"room": room, "console": console}, status=403
        )
    else:
        path = request.path
        context = {
            "room": room,
            "tz": request.app[keys.CONFIG].institute_tz.key,
            # staff: the page fetches its pass; nobody logged in: a page without a host token
            # sends the visitor to log in, and back here
            "pass_url": f"{path}/pass" if staff else "",
            "login_url": "" if with_host_token else f"/staff/login?next={quote(path)}",
        }
        response = aiohttp_jinja2.render_template(f"consoles/{console}.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def manager_console(request: web.Request) -> web.Response:
    return await _console(request, "manager")


async def trainer_console(request: web.Request) -> web.Response:
    return await _console(request, "trainer")


async def staff_pass(request: web.Request) -> web.Response:
    """GET .../pass: a fresh pass for the logged-in staff member who runs this part of the room.
    Only its own page reads it (same origin); it is never written in a log or a URL."""
    room, role = await _room(request), CONSOLES[request.match_info["console"]]
    staff = await current_staff(request)
    if staff is None:
        return problem(401, "Unauthorized", "Log in as staff first.", code="not_logged_in")
    if not _runs(staff, room, role):
        return problem(403, "Forbidden", "You do not run this room session.", code="not_permitted")
    passes = request.app[keys.ROOM_PASSES]
    token = passes.mint_staff_pass(
        staff.id,
        name=staff.name,
        role=role,
        room_id=room.room_id,
        email=staff.email,
        locale=request["locale"],
    )
    response = web.json_response(
        {"token": token, "expires_in": int(passes.lifetime.total_seconds())}
    )
    response.headers["Cache-Control"] = "no-store"
    return response
