"""What people wrote is shown in its own direction, isolated, with bidi controls removed; times in
the institute's time zone, in the consoles' format ("2:49 PM", no leading zero)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from tests.widget.conftest import W
from tests.widget.test_trainee_flows import trainee_page


def institute_time(iso: str) -> str:
    local = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Riyadh"))
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


async def test_user_text_is_isolated_without_bidi_controls_and_times_are_the_institutes(
    host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona\u202e")
    page = await trainee_page(host_site, token_for, open_page)
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    await manager.ok("issue.claim", issue_id=issue["id"])
    sent = await manager.ok("issue.message", issue_id=issue["id"], text="file\u202egnp.exe")
    message = page.locator(W + "[data-role=message]")
    await expect(message.locator(".text")).to_have_text("filegnp.exe")
    await expect(message.locator("bdi.text")).to_have_attribute("dir", "auto")
    who = f"Mona · {institute_time(sent['message']['at'])}"
    await expect(message.locator(".who")).to_have_text(who)
    await expect(page.get_by_text("Mona is working on it")).to_be_visible()
