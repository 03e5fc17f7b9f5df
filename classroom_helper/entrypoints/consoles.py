"""The live consoles of the room manager and the trainer."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from helpdesk.adapters.orm.institute import RoomSession
from helpdesk.entrypoints import keys


async def _room(request: web.Request) -> RoomSession:
    room_id = request.match_info["room_id"]
    # A longer id cannot exist (the model refuses even to look one up).
    room = await RoomSession.get_or_none(room_id=room_id) if len(room_id) <= 100 else None
    if room is None:
        raise web.HTTPNotFound()
    return room


def _page(room: RoomSession, request: web.Request) -> dict:
    # The person's token travels in the URL fragment; the page's script reads it and connects.
    return {"room": room, "tz": request.app[keys.CONFIG].institute_tz.key}


@aiohttp_jinja2.template("consoles/manager.html")
async def manager_console(request: web.Request) -> dict:
    return _page(await _room(request), request)


@aiohttp_jinja2.template("consoles/trainer.html")
async def trainer_console(request: web.Request) -> dict:
    return _page(await _room(request), request)
