"""Every HTTP route of the helpdesk, in one place."""

from aiohttp import web

from helpdesk.entrypoints import console, tracking, views


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
    # The staff console.
    number = r"{number:SND-\d{4}-\d{6,}}"
    app.router.add_get("/console", console.home, name="console")
    app.router.add_get("/console/queue", console.level1_queue, name="console_queue")
    app.router.add_get("/console/department", console.department_queue)
    app.router.add_get("/console/at-risk", console.at_risk)
    app.router.add_get("/console/phone-call", console.phone_call_page)
    app.router.add_post("/console/phone-call", console.log_phone_call)
    app.router.add_post(r"/console/calls/{task_id:\d+}/done", console.call_done)
    app.router.add_get(f"/console/tickets/{number}", console.ticket_page)
    app.router.add_post(f"/console/tickets/{number}/{{action:[a-z]+}}", console.ticket_action)
