"""The widget inside host pages it does not control: hostile CSS, a strict CSP, RTL, an iframe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import expect

from tests.widget.conftest import HOSTILE_CSS, W, open_panel, screenshot, widget_ready

STRICT_CSP = (
    "default-src 'none'; style-src 'self'; script-src {sanad}; "
    "connect-src {sanad} {ws}; img-src 'self'; frame-src 'self'"
)


def strict_csp(sanad: str) -> str:
    return STRICT_CSP.format(sanad=sanad, ws=sanad.replace("http://", "ws://"))


async def button_box(page) -> dict:
    return await page.locator("sanad-widget button.help").bounding_box()


async def test_hostile_css_and_strict_csp_do_not_break_the_widget(host_site, token_for, open_page):
    url = host_site.page(
        token_for("trainee", "t1", "Layla Hassan"), css=HOSTILE_CSS, csp=strict_csp(host_site.sanad)
    )
    page = await open_page(
        url,
        init_script="window.violations = []; document.addEventListener("
        "'securitypolicyviolation', e => violations.push(e.violatedDirective + ' ' + e.blockedURI))",
    )
    help_button = page.locator("sanad-widget button.help")
    await help_button.wait_for(state="visible")
    box = await button_box(page)
    # Bottom right (LTR widget), on top of the host's fixed full-screen "video", normal size.
    assert box["x"] + box["width"] > 1100 - 40 and box["y"] + box["height"] > 800 - 40
    assert 30 <= box["height"] <= 70
    style = await help_button.evaluate(
        "b => { const s = getComputedStyle(b); return [s.fontSize, s.color, s.letterSpacing] }"
    )
    assert style == ["16px", "rgb(255, 255, 255)", "normal"]
    on_top = await page.evaluate(
        """() => { const r = document.querySelector('sanad-widget').shadowRoot
                    .querySelector('button.help').getBoundingClientRect();
                   return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).tagName }"""
    )
    assert on_top == "SANAD-WIDGET"
    await open_panel(page)  # the panel's code and the Socket.IO connection work under the CSP
    assert await page.locator("sanad-widget [role=dialog]").is_visible()
    assert await page.locator("sanad-widget .status").text_content() == "Connected"
    await screenshot(page, "hostile-host-en")
    assert await page.evaluate("violations") == []
    # What the widget adds to the host page: one element and the documented `Sanad` API.
    added = await page.evaluate(
        """() => [[...document.body.children].filter(e => !e.matches('h1, .video, script'))
                    .map(e => e.tagName), 'SanadWidgetApp' in window, typeof Sanad.setToken]"""
    )
    assert added == [["SANAD-WIDGET"], False, "function"]


async def test_rtl_host_gets_an_arabic_mirrored_widget(host_site, token_for, open_page):
    page = await open_page(host_site.page(token_for("trainee", "t1", "سارة"), lang="ar"))
    box = await button_box(page)
    assert box["x"] < 40  # bottom left: the inline end of an RTL page
    await open_panel(page)
    frame = page.locator("sanad-widget .frame")
    assert await frame.get_attribute("dir") == "rtl"
    assert await frame.get_attribute("lang") == "ar"
    assert await page.locator("sanad-widget h2").text_content() == "مساعدة"
    panel = await page.locator("sanad-widget [role=dialog]").bounding_box()
    assert panel["x"] < 40


async def test_token_locale_wins_over_the_host_page_and_the_trainee_can_switch(
    host_site, token_for, open_page
):
    page = await open_page(
        host_site.page(token_for("trainee", "t1", "Omar", locale="en"), lang="ar")
    )
    await open_panel(page)
    assert await page.locator("sanad-widget h2").text_content() == "Help"
    await page.locator("sanad-widget button[data-key=language]").click()
    assert await page.locator("sanad-widget h2").text_content() == "مساعدة"
    assert await page.locator("sanad-widget .frame").get_attribute("dir") == "rtl"
    assert await page.locator("sanad-widget button.help .label").text_content() == "مساعدة"
    # The choice is remembered for the next page of this host.
    await page.reload()
    await page.locator("sanad-widget button.help").wait_for()
    assert await page.locator("sanad-widget button.help .label").text_content() == "مساعدة"


async def test_widget_works_inside_an_iframe_host(host_site, token_for, open_page):
    inner = host_site.page(token_for("trainee", "t1", "Layla"), title="Inner")
    outer = host_site.page(
        body=f'<!doctype html><html lang="en"><body><h1>LMS</h1>'
        f'<iframe src="{inner}" width="900" height="700" title="class"></iframe></body></html>'
    )
    page = await open_page(outer, widget=False)
    frame = page.frame_locator("iframe")
    await frame.locator("sanad-widget button.help").click()
    await frame.locator('sanad-widget .status[data-state="online"]').wait_for(state="attached")
    assert await frame.locator("sanad-widget [role=dialog]").is_visible()


async def test_refused_token_can_be_replaced_without_reload(host_site, token_for, open_page):
    expired = token_for("trainee", "t1", "Layla", lifetime=timedelta(seconds=-60))
    page = await open_page(
        host_site.page(expired),
        init_script="window.refusals = [];"
        "addEventListener('sanad:token-refused', e => refusals.push(e.detail.code))",
    )
    await page.locator("sanad-widget button.help").click()
    await page.locator('sanad-widget .status[data-state="refused"]').wait_for(state="attached")
    assert await page.evaluate("refusals") == ["token_expired"]
    await page.evaluate("token => Sanad.setToken(token)", token_for("trainee", "t1", "Layla"))
    await widget_ready(page)
    assert await page.locator("sanad-widget .status").text_content() == "Connected"


# Host pages that do to their own html or body what moves, clips or covers `position: fixed` content.
TALL = "html, body { margin: 0 } body { min-height: 5000px }"
HOSTS_THAT_MOVE_FIXED_CONTENT = {
    "transform": f"{TALL} body {{ transform: translateX(0) }}",
    "filter": f"{TALL} body {{ filter: saturate(1.2) }}",
    "perspective": f"{TALL} body {{ perspective: 400px }}",
    "contain": f"{TALL} body {{ contain: paint }}",
    "will-change": f"{TALL} body {{ will-change: transform }}",
    "html-transform": "html { transform: scale(0.5) translate(-100%, -100%) } body { margin: 0 }",
    "zoom": "html { zoom: 3 }",
    "overflow-hidden": "html, body { overflow: hidden; margin: 0 } "
    "body { height: 200px; width: 200px; transform: scale(1) }",
    "overlay": ".overlay { position: fixed; inset: 0; z-index: 2147483647; background: #000 }",
}


@pytest.mark.parametrize("case", HOSTS_THAT_MOVE_FIXED_CONTENT)
async def test_the_widget_stays_in_the_viewport_whatever_the_host_does(
    case, host_site, token_for, open_page
):
    css = HOSTS_THAT_MOVE_FIXED_CONTENT[case]
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla Hassan"), css=css))
    if case == "overlay":  # the host's overlay comes after the widget, at the highest z-index
        await page.evaluate(
            "() => document.body.append(Object.assign(document.createElement('div'),"
            " {className: 'overlay'}))"
        )
    viewport = page.viewport_size

    async def usable(locator) -> None:
        await expect(locator).to_be_visible()
        box = await locator.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["y"] >= 0, (case, box)
        assert box["x"] + box["width"] <= viewport["width"], (case, box)
        assert box["y"] + box["height"] <= viewport["height"], (case, box)
        # Playwright clicks only what receives the pointer there: covered or clipped fails.
        await locator.click(trial=True, timeout=20_000)

    await usable(page.locator(W + "button.help"))
    await open_panel(page)
    panel = page.locator(W + "[role=dialog]")
    await usable(panel)
    for part in (
        "h2",
        ".status",
        "button.close",
        "button[data-key=language]",
        "[role=tab] >> nth=1",
    ):
        await usable(panel.locator(part))
    await panel.locator("[role=tab] >> nth=1").click()
    await expect(panel.locator("[role=tab] >> nth=1")).to_have_attribute("aria-selected", "true")
    await panel.locator("button[data-key=language]").click()
    await expect(panel.locator("h2")).to_have_text("مساعدة")
    await usable(panel.locator("button.close"))
    await panel.locator("button.close").click()
    await expect(panel).to_be_hidden()
    await screenshot(page, f"host-{case}")
