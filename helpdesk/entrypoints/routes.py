"""Every HTTP route of the helpdesk, in one place."""

from aiohttp import web

from helpdesk.entrypoints import views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.home, name="home")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_get("/readyz", views.readyz, name="readyz")
    app.router.add_get("/i18n/{locale}.json", views.catalogue, name="catalogue")
    app.router.add_get("/staff/login", views.login_page, name="staff_login")
    app.router.add_post("/staff/login", views.login)
    app.router.add_post("/staff/logout", views.logout, name="staff_logout")
