"""Every HTTP route of the live room, in one place."""

from aiohttp import web

from classroom_helper.entrypoints import api, consoles, demo, lti, lti_admin
from helpdesk.entrypoints.api import add_operations


def setup_routes(app: web.Application, *, with_demo: bool) -> None:
    app.router.add_get("/rooms/{room_id}/manager", consoles.manager_console, name="manager_console")
    app.router.add_get("/rooms/{room_id}/trainer", consoles.trainer_console, name="trainer_console")
    app.router.add_get("/rooms/{room_id}/{console:manager|trainer}/pass", consoles.staff_pass)
    app.router.add_post(
        "/rooms/{room_id}/{console:manager|trainer}/enter", consoles.enter_with_token
    )
    add_operations(app, api.ROOM_OPERATIONS)
    # LTI 1.3: the tool's endpoints (platforms and their iframes) and the administrator's page
    app.router.add_get("/lti/login", lti.login, name="lti_login")
    app.router.add_post("/lti/login", lti.login)
    app.router.add_post("/lti/launch", lti.launch, name="lti_launch")
    app.router.add_get("/lti/launch", lti.launch_again)
    app.router.add_get("/lti/jwks", lti.jwks, name="lti_jwks")
    app.router.add_get("/lti/register", lti.register, name="lti_register")
    app.router.add_get("/admin/lti", lti_admin.platforms_page, name="lti_admin")
    app.router.add_post("/admin/lti/platforms", lti_admin.register_platform)
    app.router.add_post(
        "/admin/lti/platforms/{platform_id}/{action:approve|disable|settings}",
        lti_admin.change_platform,
    )
    if with_demo:
        app.router.add_get("/demo", demo.demo_index, name="demo")
        app.router.add_get("/demo/rooms/{room_id}/{role}", demo.demo_enter, name="demo_enter")
