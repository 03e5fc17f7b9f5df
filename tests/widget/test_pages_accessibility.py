"""axe-core over every page a person meets, in Arabic and English: the home page, the guidance
pages, the web form, the tracking page, the staff log-in, the helpdesk console's queue and ticket
page, the administrator's overview and the two live consoles. Serious or critical findings fail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk.domain.institute import StaffRole
from helpdesk.services.guidance_seed import seed_guidance
from tests.conftest import TEST_PASSWORD
from tests.helpdesk.fixtures import new_ticket
from tests.widget.conftest import axe_findings

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/help",
    "/help?q=كلمه+السر",
    "/help/articles/microphone-not-working",
    "/guide/registration",
    "/guide/certificate",
    "/certificate/check",
    "/contact",
    "/contact/complaint",
    "/staff/login",
]


async def log_in(browser, server, role_member, lang: str):
    context = await browser.new_context(viewport={"width": 1100, "height": 800})
    page = await context.new_page()
    await page.goto(str(server.make_url(f"/staff/login?lang={lang}&next=/console")))
    await page.locator("input[type=email], input[name=email]").first.fill(role_member.email)
    await page.locator("input[type=password]").fill(TEST_PASSWORD)
    await page.keyboard.press("Enter")
    # the log-in page has an h1 too: wait for its redirect, or the next goto cuts it off
    await page.wait_for_url(lambda url: "/staff/login" not in url)
    await page.locator("h1").wait_for()
    return page


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_axe_finds_nothing_serious_on_any_page(
    browser, server, room, token_for, join, staff_member, lang
):
    await seed_guidance(with_demo_profiles=True)
    sara = await join("trainee", "t1", "سارة")  # the consoles show a card each
    await sara.ok("issue.raise", category="no_audio", text="لا أسمع شيئًا")
    await sara.ok("question.ask", text="هل الشرائح متاحة؟")
    ticket = await new_ticket(now=datetime.now(UTC), locale=lang)
    agent = await staff_member(StaffRole.LEVEL1_AGENT, name="نورة")
    admin = await staff_member(StaffRole.ADMINISTRATOR, name="Admin")
    base = str(server.make_url("")).rstrip("/")
    findings: dict[str, list[str]] = {}

    async def check(page, path: str, ready: str = "h1") -> None:
        sep = "&" if "?" in path else "?"
        await page.goto(f"{base}{path}{sep}lang={lang}" if "#" not in path else base + path)
        await page.locator(ready).first.wait_for()
        found = await axe_findings(page)
        if found:
            findings[path] = found

    context = await browser.new_context(viewport={"width": 1100, "height": 800})
    page = await context.new_page()
    for path in PUBLIC:
        await check(page, path)
    await check(page, f"/track/{ticket.number}?key={ticket.tracking_secret}")
    for role, sub in (("manager", "m1"), ("trainer", "tr1")):
        query = "" if lang == "ar" else "?lang=en"
        await check(
            page,
            f"/rooms/{room.room_id}/{role}{query}#token={token_for(role, sub, 'منى')}",
            "[data-issue], [data-question]",
        )
    await context.close()

    staff = await log_in(browser, server, agent, lang)
    await check(staff, "/console/queue")
    await check(staff, f"/console/tickets/{ticket.number}")
    admin_page = await log_in(browser, server, admin, lang)
    await check(admin_page, "/admin", "main h2")  # the overview has no h1 (moderate in axe)
    for open_page in (staff, admin_page):  # the server stops only when their sockets are closed
        await open_page.context.close()
    assert findings == {}
