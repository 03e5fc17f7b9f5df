"""Every HTTP route of the live room, in one place."""

from aiohttp import web

from classroom_helper.entrypoints import api, consoles, demo


def setup_routes(app: web.Application, *, with_demo: bool) -> None:
    app.router.add_get("/rooms/{room_id}/manager", consoles.manager_console, name="manager_console")
    app.router.add_get("/rooms/{room_id}/trainer", consoles.trainer_console, name="trainer_console")
    app.router.add_put("/api/v1/rooms/{room_id}", api.schedule_session, name="room")
    app.router.add_post("/api/v1/rooms/{room_id}/session", api.change_session, name="room_session")
    app.router.add_get(
        "/api/v1/rooms/{room_id}/questions.csv", api.questions_csv, name="room_questions_csv"
    )
    if with_demo:
        app.router.add_get("/demo", demo.demo_index, name="demo")
        app.router.add_get("/demo/rooms/{room_id}/{role}", demo.demo_enter, name="demo_enter")
