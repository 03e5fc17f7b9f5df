"""Every HTTP route of the live room, in one place."""

from aiohttp import web

from classroom_helper.entrypoints import api, consoles, demo
from helpdesk.entrypoints.api import add_operations


def setup_routes(app: web.Application, *, with_demo: bool) -> None:
    app.router.add_get("/rooms/{room_id}/manager", consoles.manager_console, name="manager_console")
    app.router.add_get("/rooms/{room_id}/trainer", consoles.trainer_console, name="trainer_console")
    app.router.add_get("/rooms/{room_id}/{console:manager|trainer}/pass", consoles.staff_pass)
    app.router.add_post(
        "/rooms/{room_id}/{console:manager|trainer}/enter", consoles.enter_with_token
    )
    add_operations(app, api.ROOM_OPERATIONS)
    if with_demo:
        app.router.add_get("/demo", demo.demo_index, name="demo")
        app.router.add_get("/demo/rooms/{room_id}/{role}", demo.demo_enter, name="demo_enter")
