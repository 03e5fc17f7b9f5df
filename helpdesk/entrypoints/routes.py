"""Every HTTP route of the helpdesk, in one place."""

from aiohttp import web

from helpdesk.domain.tickets import TICKET_NUMBER_PATTERN
from helpdesk.entrypoints import (
    admin,
    api,
    channels,
    console,
    guidance,
    metrics,
    openapi,
    tracking,
    views,
)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.home, name="home")
    app.router.add_get("/favicon.ico", views.favicon, name="favicon")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_get("/readyz", views.readyz, name="readyz")
    app.router.add_get("/metrics", metrics.metrics, name="metrics")
    app.router.add_get("/i18n/{locale}.json", views.catalogue, name="catalogue")
    app.router.add_get("/staff/login", views.login_page, name="staff_login")
    app.router.add_post("/staff/login", views.login)
    app.router.add_post("/staff/logout", views.logout, name="staff_logout")
    # guidance: guides, certificate readiness, knowledge base, contact-centre status
    app.router.add_get("/guide/{slug}", guidance.guide_page, name="guide")
    app.router.add_get("/certificate/check", guidance.certificate_check_form, name="certificate")
    app.router.add_post("/certificate/check", guidance.certificate_check)
    app.router.add_post("/certificate/correct", guidance.certificate_correct)
    app.router.add_get("/help", guidance.help_index, name="help")
    app.router.add_get("/help/articles/{slug}", guidance.help_article, name="help_article")
    app.router.add_post("/help/articles/{slug}/vote", guidance.help_vote)
    app.router.add_get("/admin/guidance", guidance.admin_index, name="admin_guidance")
    app.router.add_get("/admin/guidance/{slug}/{locale}", guidance.admin_page)
    app.router.add_post("/admin/guidance/{slug}/{locale}", guidance.admin_page_save)
    app.router.add_post("/admin/guidance/{slug}/{locale}/restore", guidance.admin_page_restore)
    app.router.add_get("/admin/certificate-rules", guidance.admin_rules, name="admin_rules")
    app.router.add_post("/admin/certificate-rules", guidance.admin_rule_save)
    app.router.add_get("/admin/help", guidance.admin_articles, name="admin_help")
    app.router.add_get("/admin/help/articles/new", guidance.admin_article)
    app.router.add_get("/admin/help/articles/{article_id}", guidance.admin_article)
    app.router.add_post("/admin/help/articles", guidance.admin_article_save)
    # The requester's tracking page (number + secret key).
    app.router.add_get("/track", tracking.lookup, name="track_lookup")
    app.router.add_get(
        "/track/{number:" + TICKET_NUMBER_PATTERN + "}", tracking.ticket_page, name="track"
    )
    app.router.add_post(
        "/track/{number:" + TICKET_NUMBER_PATTERN + "}/{action:reply|confirm|reopen|rate}",
        tracking.act,
    )
    # The staff console.
    number = "{number:" + TICKET_NUMBER_PATTERN + "}"
    app.router.add_get("/console", console.home, name="console")
    app.router.add_get("/console/queue", console.level1_queue, name="console_queue")
    app.router.add_get("/console/department", console.department_queue)
    app.router.add_get("/console/at-risk", console.at_risk)
    app.router.add_get("/console/phone-call", console.phone_call_page)
    app.router.add_post("/console/phone-call", console.log_phone_call)
    app.router.add_post(r"/console/calls/{task_id:\d+}/done", console.call_done)
    app.router.add_post(
        r"/console/notifications/{notification_id:\d+}/send-again", console.send_again
    )
    app.router.add_get(f"/console/tickets/{number}", console.ticket_page)
    app.router.add_post(f"/console/tickets/{number}/{{action:[a-z]+}}", console.ticket_action)
    # The JSON API and its OpenAPI 3.1 document.
    api.add_operations(app, api.OPERATIONS)
    app.router.add_get("/api/openapi.json", openapi.openapi_json, name="openapi")
    app.router.add_get("/api/docs", openapi.docs_page, name="api_docs")
    # The administrator's pages.
    app.router.add_get("/admin", admin.overview, name="admin")
    app.router.add_post("/admin/{what:[a-z-]+}", admin.act)
    app.router.add_get("/admin/reports", admin.report_page, name="reports")
    app.router.add_get("/admin/reports.csv", admin.report_csv)
    # Intake channels (issue 5).
    app.router.add_get("/contact", channels.contact_choose, name="contact")
    app.router.add_get("/contact/{kind}", channels.contact_form, name="contact_form")
    app.router.add_post("/contact/{kind}", channels.contact_send)
    app.router.add_get("/attachments/{id}", channels.attachment, name="attachment")
    app.router.add_get("/channels/whatsapp/webhook", channels.whatsapp_verify)
    app.router.add_post("/channels/whatsapp/webhook", channels.whatsapp_webhook)
    app.router.add_get("/channels/x/webhook", channels.x_crc)
    app.router.add_post("/channels/x/webhook", channels.x_webhook)
    app.router.add_get("/console/calls", channels.calls_page, name="calls")
    app.router.add_post("/console/calls", channels.log_call)
    app.router.add_post("/console/callbacks", channels.promise_callback)
    app.router.add_post(r"/console/callbacks/{task_id:\d+}/done", channels.callback_done)
    app.router.add_get("/console/inbound", channels.inbound_page, name="inbound")
    app.router.add_post(r"/console/inbound/{id:\d+}/try-again", channels.inbound_try_again)
