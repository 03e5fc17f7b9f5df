"""Every HTTP route of the helpdesk, in one place."""

from aiohttp import web

from helpdesk.entrypoints import tracking, views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.home, name="home")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_get("/readyz", views.readyz, name="readyz")
    app.router.add_get("/i18n/{locale}.json", views.catalogue, name="catalogue")
    app.router.add_get("/staff/login", views.login_page, name="staff_login")
    app.router.add_post("/staff/login", views.login)
    app.router.add_post("/staff/logout", views.logout, name="staff_logout")
    # The requester's tracking page (number + secret key).
    app.router.add_get("/track", tracking.lookup, name="track_lookup")
    app.router.add_get(r"/track/{number:SND-\d{4}-\d{6,}}", tracking.ticket_page, name="track")
    app.router.add_post(
        r"/track/{number:SND-\d{4}-\d{6,}}/{action:reply|confirm|reopen|rate}", tracking.act
    )
