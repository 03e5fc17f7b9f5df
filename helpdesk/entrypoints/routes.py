"""Every HTTP route of the helpdesk, in one place."""

from aiohttp import web

from helpdesk.entrypoints import channels, views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.home, name="home")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_get("/readyz", views.readyz, name="readyz")
    app.router.add_get("/i18n/{locale}.json", views.catalogue, name="catalogue")
    app.router.add_get("/staff/login", views.login_page, name="staff_login")
    app.router.add_post("/staff/login", views.login)
    app.router.add_post("/staff/logout", views.logout, name="staff_logout")
    # Intake channels (issue 5).
    app.router.add_get("/contact", channels.contact_choose, name="contact")
    app.router.add_get("/contact/{kind}", channels.contact_form, name="contact_form")
    app.router.add_post("/contact/{kind}", channels.contact_send)
    app.router.add_get("/attachments/{id}", channels.attachment, name="attachment")
    app.router.add_get("/channels/whatsapp/webhook", channels.whatsapp_verify)
    app.router.add_post("/channels/whatsapp/webhook", channels.whatsapp_webhook)
    app.router.add_get("/channels/x/webhook", channels.x_crc)
    app.router.add_post("/channels/x/webhook", channels.x_webhook)
