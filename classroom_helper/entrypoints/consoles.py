"""The live consoles of the room manager and the trainer."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from helpdesk.adapters.orm.institute import RoomSession


async def _room(request: web.Request) -> RoomSession:
    room = await RoomSession.get_or_none(room_id=request.match_info["room_id"])
    if room is None:
        raise web.HTTPNotFound()
    return room


@aiohttp_jinja2.template("consoles/manager.html")
async def manager_console(request: web.Request) -> dict:
    return {"room": await _room(request)}


@aiohttp_jinja2.template("consoles/trainer.html")
async def trainer_console(request: web.Request) -> dict:
    return {"room": await _room(request)}
