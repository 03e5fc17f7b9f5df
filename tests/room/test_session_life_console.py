"""Issue 21, finding 5 in Chromium: closing asks with its consequences stated, and a session closed
by mistake opens again from the manager's console while its scheduled time lasts."""

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.browser


async def test_close_says_what_follows_and_the_session_opens_again(
    browser, server, room, token_for
):
    page = await browser.new_page()
    console = str(server.make_url(f"/rooms/{room.room_id}/manager?lang=en"))
    await page.goto(f"{console}#token={token_for('manager', 'm1', 'Mona')}")
    await expect(page.locator("#console-status")).to_have_text("Connected.")
    asked = []

    async def answer(dialog):
        asked.append(dialog.message)
        await dialog.accept()

    page.on("dialog", answer)
    await page.get_by_role("button", name="Close the session").click()
    await expect(page.locator("#session-state")).to_have_text("Session closed")
    assert "every open issue becomes a helpdesk ticket" in asked[0]
    assert "You can open it again until its scheduled end" in asked[0]

    await page.get_by_role("button", name="Open the session").click()
    await expect(page.locator("#session-state")).not_to_have_text("Session closed")
    await expect(page.get_by_role("button", name="Close the session")).to_be_visible()
