"""Every HTTP route of the helpdesk, in one place."""

from aiohttp import web

from helpdesk.entrypoints import guidance, views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.home, name="home")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_get("/readyz", views.readyz, name="readyz")
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
    app.router.add_get("/api/v1/contact-centre", guidance.contact_centre_json)
    app.router.add_get("/api/v1/knowledge-base/suggestions", guidance.suggestions_json)
    app.router.add_get("/api/v1/certificate-readiness", guidance.certificate_readiness_json)
    app.router.add_put("/api/v1/certificate-profiles/{reference}", guidance.certificate_profile_put)
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
