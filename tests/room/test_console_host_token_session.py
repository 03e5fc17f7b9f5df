"""Issue 21, finding 2: a console opened with a host token (`#token=`, as the demo links and
docs/integration.md do) survives a reload and the language switch for the token's lifetime, and no
longer; the token is kept for that room and console alone."""

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.browser


async def test_a_console_opened_with_a_token_survives_reload_and_language_until_it_expires(
    browser, server, room, token_for
):
    console = str(server.make_url(f"/rooms/{room.room_id}/manager"))
    tabs = await browser.new_context()  # one browser's cookies for its tabs
    page = await tabs.new_page()
    token = token_for("manager", "m1", "منى", lifetime=timedelta(seconds=30))
    await page.goto(f"{console}#token={token}")
    await expect(page.locator("#console-status")).to_have_text("متصل.")

    await page.reload()
    await expect(page.locator("#console-status")).to_have_text("متصل.")
    assert page.url == console

    await page.get_by_role("link", name="English").click()
    await expect(page.locator("#console-status")).to_have_text("Connected.")
    await expect(page.locator("html")).to_have_attribute("lang", "en")

    # the trainer's console of the same room, and the same console of another room, stay closed
    other = await tabs.new_page()
    await other.goto(str(server.make_url(f"/rooms/{room.room_id}/trainer")))
    await expect(other).to_have_url(re.compile(r"/staff/login\?next="))

    # once the token has expired, the console asks for a log-in instead
    await expect(page).to_have_url(re.compile(r"/staff/login\?next="), timeout=60_000)
    await page.goto(console)
    await expect(page).to_have_url(re.compile(r"/staff/login\?next="))


async def test_the_exchange_refuses_a_wrong_token_or_a_missing_form_token(client, room, token_for):
    path = f"/rooms/{room.room_id}/manager/enter"
    page = await (await client.get(f"/rooms/{room.room_id}/manager")).text()
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    good = token_for("manager", "m1", "منى")
    forged = await client.post(path, json={"token": good})
    assert forged.status == 403
    headers = {"X-CSRF-Token": csrf}
    for body, status in (
        ({"token": "not-a-token"}, 401),
        ({"token": token_for("trainer", "x1", "خالد")}, 403),
        ({"nothing": 1}, 400),
        ("[]", 400),
    ):
        response = await client.post(path, json=body, headers=headers)
        assert response.status == status, await response.text()
        assert response.content_type == "application/problem+json"
    assert (await client.get(f"/rooms/{room.room_id}/manager/pass")).status == 401
    entered = await client.post(path, json={"token": good}, headers=headers)
    assert entered.status == 200
    answer = await (await client.get(f"/rooms/{room.room_id}/manager/pass")).json()
    assert answer["token"] == good and 0 < answer["expires_in"] <= 2 * 3600
    assert (await client.get(f"/rooms/{room.room_id}/trainer/pass")).status == 401
