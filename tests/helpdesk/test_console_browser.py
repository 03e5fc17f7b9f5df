"""The helpdesk console in Debian's Chromium: Arabic first, log-in form, live queue, ticket page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import async_playwright, expect

from helpdesk.adapters.orm.desk import SavedReply
from helpdesk.adapters.orm.tickets import TicketEvent
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from tests.conftest import TEST_PASSWORD
from tests.helpdesk.fixtures import new_ticket

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture
async def browser(client):
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless=new"]
        )
        yield chromium
        await chromium.close()


async def test_level1_works_the_live_queue_in_arabic(browser, server, staff_member):
    agent = await staff_member(StaffRole.LEVEL1_AGENT, name="نورة")
    await SavedReply.create(title="استلام", body="استلمنا طلبك وسنعود إليك قريبًا", locale="ar")
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(str(server.make_url("/console/queue")))
    assert "/staff/login" in page.url
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.get_by_label("البريد الإلكتروني").fill(agent.email)
    await page.get_by_label("كلمة المرور").fill(TEST_PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("قائمة المستوى الأول")
    await expect(page.locator("#live-status")).to_have_text("مباشر")

    ticket = await new_ticket(now=datetime.now(UTC), subject=HOSTILE, bus=server.app[keys.BUS])
    row = page.locator("tr", has_text=ticket.number)
    await expect(row).to_be_visible()  # the queue reloaded itself
    await expect(row).to_contain_text(HOSTILE)  # shown as text, never run
    await row.get_by_role("link", name=ticket.number).click()

    await expect(page.get_by_test_id("status")).to_have_text("جديدة")
    await page.get_by_role("button", name="تولَّ التذكرة").click()
    await expect(page.get_by_test_id("status")).to_have_text("مفتوحة لدى المستوى الأول")
    await page.get_by_label("الردود المحفوظة").select_option(label="استلام")
    await expect(page.locator("#reply")).to_have_value("استلمنا طلبك وسنعود إليك قريبًا")
    await page.get_by_role("button", name="أرسل الرد").click()
    await expect(page.locator(".timeline")).to_contain_text("استلمنا طلبك وسنعود إليك قريبًا")
    assert await TicketEvent.filter(ticket_id=ticket.id, action="reply").count() == 1
    assert await page.title() != "pwned"
    assert errors == []
