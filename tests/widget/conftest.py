"""Browser fixtures: Debian's Chromium through Playwright, the real Sanad server, and host pages served
from another origin (as a learning platform would), some of them hostile to the widget."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import async_playwright, expect

from tests.room.conftest import RoomClient, join, platform, room, token_for  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# axe-core from the widget's pinned devDependencies (`cd widget && npm ci`).
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
W = "sanad-widget "  # Playwright's CSS locators pierce open shadow roots

# Assertions wait for a state; on a busy shared machine a state may take longer than the default 5 s.
expect.set_options(timeout=20_000)

# A host page that tries hard to break embedded widgets.
HOSTILE_CSS = """
* { all: unset !important; font-size: 40px !important; color: #f0f !important;
    line-height: 3 !important; letter-spacing: 4px !important; direction: rtl !important; }
html, body, div, p, h1 { display: block !important; }
button, [role=dialog], sanad-widget, body > * { display: none !important; visibility: hidden !important;
    position: static !important; z-index: -1 !important; opacity: 0 !important; transform: scale(0) !important; }
.video { position: fixed !important; inset: 0 !important; z-index: 2147483646 !important;
    background: #000 !important; display: block !important; visibility: visible !important;
    opacity: 1 !important; transform: none !important; }
"""


def host_page(
    sanad: str,
    token: str,
    *,
    lang: str = "en",
    css: str = "",
    extra: str = "",
    title: str = "Class",
) -> str:
    direction = "rtl" if lang == "ar" else "ltr"
    style = '<link rel="stylesheet" href="style.css">' if css else ""
    return f"""<!doctype html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8"><title>{title}</title>{style}</head>
<body><h1>{title}</h1><div class="video">video</div>{extra}
<script src="{sanad}/static/widget.js" data-token="{html.escape(token)}" async></script>
</body></html>"""


@pytest.fixture
async def host_site(aiohttp_server, server):
    """Another origin that serves host pages: `url = host_site.page(token, lang=..., css=..., csp=...)`."""
    pages: dict[str, tuple[str, str | None, str]] = {}

    async def page(request: web.Request) -> web.Response:
        body, csp, _ = pages[request.match_info["name"]]
        response = web.Response(text=body, content_type="text/html")
        if csp:
            response.headers["Content-Security-Policy"] = csp
        return response

    async def stylesheet(request: web.Request) -> web.Response:
        return web.Response(text=pages[request.match_info["name"]][2], content_type="text/css")

    app = web.Application()
    app.router.add_get("/{name}/", page)
    app.router.add_get("/{name}/style.css", stylesheet)
    site = await aiohttp_server(app)
    sanad = str(server.make_url("")).rstrip("/")

    class HostSite:
        origin = str(site.make_url("")).rstrip("/")

        def page(
            self, token: str = "", *, csp: str | None = None, body: str | None = None, **kw
        ) -> str:
            name = f"p{len(pages)}"
            pages[name] = (body or host_page(sanad, token, **kw), csp, kw.get("css", ""))
            return f"{self.origin}/{name}/"

    HostSite.sanad = sanad
    return HostSite()


@pytest.fixture
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"]
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def open_page(browser, client):
    """`page = await open_page(url, dark=...)`: a fresh context; page errors fail the test.

    Depends on `client` so that its pages close before the HTTP client closes the server, which would
    otherwise wait for their sockets."""
    contexts = []
    errors: list[str] = []

    async def open_(
        url: str,
        *,
        dark: bool = False,
        reduced_motion: bool = False,
        widget: bool = True,
        init_script: str = "",
        **options,
    ):
        context = await browser.new_context(
            viewport={"width": 1100, "height": 800},
            color_scheme="dark" if dark else "light",
            reduced_motion="reduce" if reduced_motion else "no-preference",
            **options,
        )
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        if init_script:
            await page.add_init_script(init_script)
        await page.goto(url)
        if widget:
            await page.locator("sanad-widget button.help").wait_for()
        return page

    yield open_
    for context in contexts:
        await context.close()
    assert not errors, errors


async def widget_ready(page) -> None:
    """The panel code has loaded and the room connection is up."""
    await page.locator('sanad-widget .status[data-state="online"]').wait_for(state="attached")


async def open_panel(page) -> None:
    await page.locator("sanad-widget button.help").click()
    await page.locator("sanad-widget [role=dialog]").wait_for()
    await widget_ready(page)


async def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"widget-{name}.png"
    await page.screenshot(path=path)
    return path


async def axe_findings(page, include: str | None = None) -> list[str]:
    """axe-core's serious and critical findings on the page (or inside `include`), one line each.

    Evaluated rather than added as a script tag, so that a page's Content-Security-Policy does not
    stop it."""
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    results = await page.evaluate(
        """include => axe.run(include ? { include: [include] } : document, {
              resultTypes: ["violations"],
              // experimental in axe, and exactly what speech-input users trip on
              rules: { "label-content-name-mismatch": { enabled: true } } })""",
        include,
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary'][:160]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]
