"""The live consoles of the room manager and the trainer.

Two ways in. A host platform's person brings their token in the URL fragment (the server never
sees it in a request line or a log; the page's script reads it and hands it over once, in a POST to
`.../enter`, which keeps it in the encrypted session cookie for that room and console alone, until
it expires: a reload or the language switch then finds it again through `.../pass`). A staff member
who logged in and runs this session (or an administrator) gets a short-lived pass that Sanad mints
itself, fetched by the page from `.../pass` and renewed while the console stays open.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from classroom_helper.adapters.host_tokens import RoomPass, TokenRefused
from helpdesk.adapters.orm.institute import RoomSession, Staff
from helpdesk.domain.institute import RoomRole, may_run_room
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.auth import current_staff
from helpdesk.entrypoints.csrf import SESSION_KEY as CSRF_SESSION_KEY
from helpdesk.entrypoints.problems import problem

CONSOLES = {"manager": RoomRole.ROOM_MANAGER, "trainer": RoomRole.TRAINER}
# The page asks for this after the fragment carried a host token to someone logged in to the
# helpdesk who does not run this session: the token, not the staff session, decides then.
WITH_HOST_TOKEN = "host-token"
# The session's host tokens, by "<room>/<console>"; a few, so the cookie stays small.
ENTRIES = "room_entries"
MOST_ENTRIES = 4


async def _room(request: web.Request) -> RoomSession:
    room_id = request.match_info["room_id"]
    # A longer id cannot exist (the model refuses even to look one up).
    room = await RoomSession.get_or_none(room_id=room_id) if len(room_id) <= 100 else None
    if room is None:
        raise web.HTTPNotFound()
    return room


def _runs(staff: Staff, room: RoomSession, role: RoomRole) -> bool:
    return may_run_room(staff.role, staff.id, role, room.room_manager_ref, room.trainer_ref)


async def _entry(request: web.Request, room: RoomSession, console: str) -> RoomPass | None:
    """The host token this browser handed over for this room's console, while it is valid."""
    session = await get_session(request)
    entries = session.get(ENTRIES) or {}
    token = entries.get(f"{room.room_id}/{console}")
    if not token:
        return None
    try:
        room_pass = await request.app[keys.ROOM_PASSES].verify(token, room.room_id)
    except TokenRefused:
        room_pass = None
    if room_pass is None or room_pass.role != CONSOLES[console]:
        session[ENTRIES] = {k: v for k, v in entries.items() if v != token}
        return None
    return room_pass


async def _console(request: web.Request, console: str) -> web.Response:
    room, role = await _room(request), CONSOLES[console]
    with_host_token = request.query.get("with") == WITH_HOST_TOKEN
    staff = None if with_host_token else await current_staff(request)
    if (staff is None or not _runs(staff, room, role)) and await _entry(request, room, console):
        staff, with_host_token = None, True
        pass_url = f"{request.path}/pass"
    else:
        pass_url = f"{request.path}/pass" if staff else ""
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
            "pass_url": pass_url,
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
    console = request.match_info["console"]
    room, role = await _room(request), CONSOLES[console]
    staff = await current_staff(request)
    if staff is None or not _runs(staff, room, role):
        entry = await _entry(request, room, console)
        if entry is not None:
            session = await get_session(request)
            token = session[ENTRIES][f"{room.room_id}/{console}"]
            left = (entry.expires_at - datetime.now(UTC)).total_seconds()
            response = web.json_response({"token": token, "expires_in": max(1, int(left))})
            response.headers["Cache-Control"] = "no-store"
            return response
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


async def enter_with_token(request: web.Request) -> web.Response:
    """POST .../enter {"token": host token}, with the page's X-CSRF-Token: keep the token in this
    browser's session for this room's console until it expires, and no longer."""
    console = request.match_info["console"]
    room, role = await _room(request), CONSOLES[console]
    session = await get_session(request)
    expected = str(session.get(CSRF_SESSION_KEY) or "")
    given = request.headers.get("X-CSRF-Token", "")
    if not expected or not hmac.compare_digest(expected, given):
        return problem(403, "Forbidden", "Reload the page and try again.", code="csrf")
    try:
        body = await request.json()
    except ValueError:
        body = None
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token or len(token) > 4096:
        return problem(400, "Bad Request", 'Send {"token": "..."}.', code="token_missing")
    try:
        room_pass = await request.app[keys.ROOM_PASSES].verify(token, room.room_id)
    except TokenRefused as refused:
        return problem(401, "Unauthorized", "The token admits no one here.", code=refused.code)
    if room_pass.role != role:
        return problem(403, "Forbidden", "The token is for another console.", code="not_permitted")
    entries = {
        k: v for k, v in (session.get(ENTRIES) or {}).items() if k != f"{room.room_id}/{console}"
    }
    entries[f"{room.room_id}/{console}"] = token
    session[ENTRIES] = dict(list(entries.items())[-MOST_ENTRIES:])
    left = (room_pass.expires_at - datetime.now(UTC)).total_seconds()
    return web.json_response(
        {"expires_in": max(1, int(left))}, headers={"Cache-Control": "no-store"}
    )
