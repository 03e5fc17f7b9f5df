"""Issue 21, finding 12: Sanad's own pages send a Content-Security-Policy without inline scripts,
nosniff, a Referrer-Policy and frame-ancestors 'none' (a per-route choice for pages that other sites
may frame); a favicon; and the pages still work under that policy in Chromium."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from aiohttp import web
from playwright.async_api import expect

from helpdesk.entrypoints.middleware import framable_by, security_headers
from helpdesk.services.demo import DEMO_ROOM, DEMO_TRAINEES, seed_demo_institute


def script_src(csp: str) -> str:
    return re.search(r"script-src ([^;]+)", csp).group(1)


async def test_pages_send_the_security_headers_and_a_favicon(client):
    for path in ("/", "/help", "/staff/login", "/track", "/no-such-page", "/console"):
        response = await client.get(path, allow_redirects=False)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in script_src(csp) and "'self'" in script_src(csp), path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"], path
    icon = await client.get("/favicon.ico")
    assert icon.status == 200 and (await icon.read())[:4] == b"\x00\x00\x01\x00"
    assert '<link rel="icon" href="/favicon.ico"' in await (await client.get("/help")).text()
    script = await client.get("/static/consoles/console.js")
    assert script.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_route_may_be_framed_by_the_sites_it_names(aiohttp_client):
    async def launch(request):
        page = web.Response(text="<p>launched</p>", content_type="text/html")
        return framable_by(page, "https://lms.example")

    async def staff(request):
        return web.Response(text="<p>staff</p>", content_type="text/html")

    app = web.Application(middlewares=[security_headers])
    app.router.add_get("/launch", launch)
    app.router.add_get("/staff", staff)
    client = await aiohttp_client(app)
    framed = (await client.get("/launch")).headers
    assert "frame-ancestors https://lms.example" in framed["Content-Security-Policy"]
    assert "X-Frame-Options" not in framed
    closed = (await client.get("/staff")).headers
    assert "frame-ancestors 'none'" in closed["Content-Security-Policy"]
    assert closed["X-Frame-Options"] == "DENY"


@pytest.mark.browser
async def test_the_pages_and_the_demo_widget_work_under_the_policy(serve, app_config, browser):
    server = await serve(replace(app_config, demo=True))
    await seed_demo_institute()
    page = await browser.new_page()
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    for path in ("/", "/help", "/staff/login", "/contact"):
        await page.goto(str(server.make_url(path)))
        await expect(page.locator("main")).to_be_visible()
    await page.goto(
        str(server.make_url(f"/demo/rooms/{DEMO_ROOM}/trainee?name={DEMO_TRAINEES[0]}"))
    )
    await page.locator("sanad-widget button.help").click()
    await page.locator("sanad-widget [role=dialog]").wait_for()
    assert refused == []
