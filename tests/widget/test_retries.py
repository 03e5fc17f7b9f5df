"""A refusal that passes (rate_limited, internal_error) keeps the action; it is sent again, once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.widget.conftest import W, open_panel


@pytest.fixture
def app_config(app_config):
    """A tight rate limit for the test below (every event counts, room.sync included)."""
    return replace(app_config, room_rate_limit="4 per 4 seconds")


async def test_a_rate_limited_message_is_kept_and_sent_once_later(
    host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona")
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")), reduced_motion=True)
    await open_panel(page)  # room.sync: 1
    await page.locator(W + "form.raise button[type=submit]").click()  # 2
    await manager.event("issue.raised")
    for text in ("one", "two", "three"):  # 3, 4, then refused: rate_limited
        await page.locator(W + "#sanad-chat").fill(text)
        await page.locator(W + "form.chat button[type=submit]").click()
    await manager.event("issue.message", lambda d: d["message"]["text"] == "two")
    await page.locator(W + "[data-role=pending-message]").wait_for()  # kept, not dropped
    await manager.event("issue.message", lambda d: d["message"]["text"] == "three", within=15)
    await page.locator(W + "[data-role=pending-message]").wait_for(state="detached")
    texts = await page.locator(W + "[data-role=message] .text").all_text_contents()
    assert texts == ["one", "two", "three"]
    sent = [e["data"]["message"]["text"] for e in manager.events if e["type"] == "issue.message"]
    assert sent == ["one", "two", "three"]
