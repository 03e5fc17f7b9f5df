"""The two live consoles in Debian's Chromium: Arabic first, live, keyboard-usable, escaped."""

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture
async def browser(client):
    # closed before the HTTP client closes the server (which would wait for the pages' sockets)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless=new"]
        )
        yield chromium
        await chromium.close()


async def open_console(browser, server, room, role, token):
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(str(server.make_url(f"/rooms/{room.room_id}/{role}")) + f"#token={token}")
    await expect(page.locator("#console-status")).to_have_text("متصل.")
    return page, errors


async def test_manager_console_live_in_arabic(browser, server, room, join, token_for):
    sara = await join("trainee", "t1", "سارة")
    page, errors = await open_console(
        browser, server, room, "manager", token_for("manager", "m1", "منى")
    )
    assert await page.get_attribute("html", "dir") == "rtl"
    assert "#token" not in page.url  # the token leaves the address bar
    await expect(page.locator("#presence")).to_contain_text("المتصلون الآن")

    issue = (
        await sara.ok(
            "issue.raise", category="no_audio", text=HOSTILE, diagnostics={"browser": "Firefox"}
        )
    )["issue"]
    card = page.locator(f"[data-issue='{issue['id']}']")
    await expect(card).to_contain_text("لا يوجد صوت — سارة")
    await expect(card.locator(".issue-text")).to_have_text(HOSTILE)  # shown as text, never run
    await expect(page).to_have_title("(1) لوحة مدير القاعة · سند")

    # keyboard only: focus the claim button and press Enter
    await card.get_by_role("button", name="تولَّ البلاغ").focus()
    await page.keyboard.press("Enter")
    await sara.event("issue.updated", lambda d: d["issue"]["state"] == "claimed")
    await expect(card).to_contain_text("يتولاه منى")
    await expect(page).to_have_title("لوحة مدير القاعة · سند")

    await card.get_by_label("رسالة إلى سارة").fill("أعيدي تشغيل المتصفح")
    await page.keyboard.press("Enter")
    message = await sara.event("issue.message")
    assert message["data"]["message"]["text"] == "أعيدي تشغيل المتصفح"
    await sara.ok("issue.message", issue_id=issue["id"], text="شكرًا")
    await expect(card.locator(".thread")).to_contain_text("شكرًا")

    await card.get_by_role("button", name="تم الحل").click()
    await sara.event("issue.updated", lambda d: d["issue"]["state"] == "resolved")

    mute = page.locator("#mute")
    await mute.click()
    await expect(mute).to_have_attribute("aria-pressed", "true")
    assert errors == []


async def test_trainer_console_answers_and_exports(browser, server, room, join, token_for):
    sara = await join("trainee", "t1", "سارة")
    omar = await join("trainee", "t2", "عمر")
    page, errors = await open_console(
        browser, server, room, "trainer", token_for("trainer", "c1", "د. هدى")
    )
    first = (await sara.ok("question.ask", text="ما الفرق بين let و const؟"))["question"]
    popular = (await omar.ok("question.ask", text="هل الشرائح متاحة؟", hide_name=True))["question"]
    await sara.ok("question.upvote", question_id=popular["id"])

    cards = page.locator("#open-questions [data-question]")
    await expect(cards).to_have_count(2)
    await expect(cards.first).to_contain_text("هل الشرائح متاحة؟")  # most-wanted first
    await expect(cards.first).to_contain_text("الاسم مخفي عن المتدربين")
    await expect(page).to_have_title("(2) لوحة المدرب · سند")

    card = page.locator(f"[data-question='{first['id']}']")
    await card.get_by_label("الإجابة", exact=True).fill("let تقبل إعادة الإسناد")
    await card.get_by_label("السائل فقط").check()
    await card.get_by_role("button", name="أرسل الإجابة").click()
    private = await sara.event("question.private_answer")
    assert private["data"]["answer"] == "let تقبل إعادة الإسناد"
    await expect(page).to_have_title("(1) لوحة المدرب · سند")

    other = page.locator(f"[data-question='{popular['id']}']")
    await other.get_by_label("السبب (يراه السائل)").fill("سترسل بعد الجلسة")
    await other.get_by_role("button", name="استبعد").click()
    told = await omar.event("question.updated", lambda d: d["question"]["state"] == "dismissed")
    assert told["data"]["question"]["dismiss_reason"] == "سترسل بعد الجلسة"

    async with page.expect_download() as download_info:
        await page.locator("#export-all").click()
    download = await download_info.value
    content = Path(await download.path()).read_bytes()  # noqa: ASYNC240 (a test, a small file)
    assert content.startswith(b"\xef\xbb\xbf") and "هل الشرائح متاحة؟".encode() in content
    assert errors == []


async def test_consoles_in_english(browser, server, room, token_for):
    page = await browser.new_page()
    await page.goto(
        str(server.make_url(f"/rooms/{room.room_id}/manager?lang=en"))
        + f"#token={token_for('manager', 'm1')}"
    )
    await expect(page.locator("#console-status")).to_have_text("Connected.")
    assert await page.get_attribute("html", "dir") == "ltr"
    await expect(page.locator("#session-state")).to_have_text("Session open")
