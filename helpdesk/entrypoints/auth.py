"""Staff sessions: who is logged in, and the check every staff page and route makes."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session, new_session

from helpdesk.adapters.orm.institute import Staff
from helpdesk.domain.institute import StaffRole

SESSION_STAFF = "staff_id"
SESSION_COOKIE = "sanad_session"


async def current_staff(request: web.Request) -> Staff | None:
    if "staff" not in request:
        session = await get_session(request)
        staff_id = session.get(SESSION_STAFF)
        staff = await Staff.get_or_none(id=staff_id, is_active=True) if staff_id else None
        request["staff"] = staff
    return request["staff"]


async def require_staff(request: web.Request, *roles: StaffRole) -> Staff:
    """The logged-in staff member, if their role is one of `roles` (any role when none are given)."""
    staff = await current_staff(request)
    if staff is None:
        raise web.HTTPFound(f"/staff/login?next={request.rel_url.path}")
    if roles and staff.role not in roles:
        raise web.HTTPForbidden()
    return staff


async def log_in(request: web.Request, staff: Staff) -> None:
    session = await new_session(request)  # a fresh session id: no fixation
    session[SESSION_STAFF] = staff.id
    request["staff"] = staff


async def log_out(request: web.Request) -> None:
    session = await get_session(request)
    session.invalidate()
    request["staff"] = None
