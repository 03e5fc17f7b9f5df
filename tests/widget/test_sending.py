"""Sending is calm: the text stays (read-only) and the button busy until the server answers; Enter
pressed twice sends one message; the box is emptied only after the acknowledgement; on a refusal the
text stays with the server's words."""

from __future__ import annotations

from playwright.async_api import expect

from tests.widget.conftest import W
from tests.widget.test_trainee_flows import trainee_page


async def stored_messages(manager, issue_id: int) -> list[str]:
    snapshot = await manager.ok("room.sync", last_seq=None)
    (thread,) = [i["messages"] for i in snapshot["snapshot"]["issues"] if i["id"] == issue_id]
    return [m["text"] for m in thread]


async def raised(host_site, token_for, open_page, join):
    """A trainee's page with an issue raised: its room manager, the page, the issue, the chat box."""
    manager = await join("manager", "m1", "Mona")
    page = await trainee_page(host_site, token_for, open_page)
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    return manager, page, issue, page.locator(W + "#sanad-chat")


async def test_enter_pressed_twice_sends_one_message_and_the_box_empties_after_the_ack(
    host_site, token_for, open_page, join
):
    manager, page, issue, chat = await raised(host_site, token_for, open_page, join)
    await chat.fill("Still no sound")
    await chat.press("Enter")
    await chat.press("Enter")
    await page.locator(W + "[data-role=message]").wait_for()
    await expect(chat).to_have_value("")
    await expect(chat).to_have_js_property("readOnly", False)
    button = page.locator(W + "form.chat button[type=submit]")
    await expect(button).to_have_text("Send")
    await expect(button).to_have_attribute("aria-disabled", "false")
    await expect(page.locator(W + "[data-role=message]")).to_have_count(1)
    assert await stored_messages(manager, issue["id"]) == ["Still no sound"]

    # Shift+Enter is a new line, not a send.
    await chat.fill("line one")
    await chat.press("Shift+Enter")
    await chat.press_sequentially("line two")
    await expect(chat).to_have_value("line one\nline two")
    # The send button pressed twice by keyboard: one message too.
    await button.focus()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Enter")
    await expect(chat).to_have_value("")
    await expect(page.locator(W + "[data-role=message]")).to_have_count(2)
    assert await stored_messages(manager, issue["id"]) == ["Still no sound", "line one\nline two"]


async def test_a_refused_message_stays_in_the_box_with_the_reason(
    host_site, token_for, open_page, join
):
    manager, page, issue, chat = await raised(host_site, token_for, open_page, join)
    await chat.fill("\x07")  # only a control character: nothing left to store, refused
    await chat.press("Enter")
    await expect(page.locator(W + ".notice.error[role=alert]")).to_contain_text(
        "The request was not understood."
    )
    await expect(chat).to_have_value("\x07")
    await expect(chat).to_have_js_property("readOnly", False)
    assert await stored_messages(manager, issue["id"]) == []


async def test_a_question_is_sent_once_and_the_box_empties_after_the_ack(
    host_site, token_for, open_page, join
):
    trainer = await join("trainer", "tr1", "Dr. Ali")
    page = await trainee_page(host_site, token_for, open_page)
    await page.get_by_role("tab", name="Question to the trainer").click()
    box = page.locator(W + "#sanad-question")
    await box.fill("Is there homework?")
    button = page.locator(W + "form.ask button[type=submit]")
    await button.focus()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Enter")
    await page.locator(W + "[data-role=question]").wait_for()
    await expect(box).to_have_value("")
    await expect(button).to_have_text("Send to the trainer")
    snapshot = await trainer.ok("room.sync", last_seq=None)
    assert [q["text"] for q in snapshot["snapshot"]["questions"]] == ["Is there homework?"]
