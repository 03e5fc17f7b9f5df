"""Every trainee flow in a real browser against the real server; the room manager, the trainer and a
second trainee are real python-socketio clients (tests/room/conftest.py)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.widget.conftest import W, open_panel, screenshot


async def trainee_page(host_site, token_for, open_page, *, name="Layla Hassan", lang="en", **kw):
    token = token_for("trainee", "t1", name, locale=lang)
    page = await open_page(host_site.page(token, lang=lang), reduced_motion=True, **kw)
    await open_panel(page)
    return page


async def text_of(page, selector: str) -> str:
    return (await page.locator(W + selector).text_content()).strip()


async def test_technical_problem_from_raise_to_fixed_with_queue_claim_and_chat(
    host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona")
    page = await trainee_page(host_site, token_for, open_page)
    await page.locator(W + "#sanad-category").select_option("no_audio")
    await page.locator(W + "#sanad-problem").fill("I hear nothing since the break")
    summary = page.locator(W + "[data-key=diagnostics]")
    await summary.click()
    listed = await page.locator(W + "[data-diagnostic]").count()
    assert listed > 5 and f"({listed})" in await summary.text_content()
    await page.locator(W + "[data-key=remove-screen]").click()
    await page.locator(W + "[data-diagnostic=screen]").wait_for(state="detached")
    await page.locator(W + "form.raise button[type=submit]").click()

    raised = (await manager.event("issue.raised"))["data"]["issue"]
    assert raised["category"] == "no_audio"
    assert raised["text"] == "I hear nothing since the break"
    diagnostics = raised["diagnostics"]
    assert "screen" not in diagnostics
    assert diagnostics["transport"] == "websocket"
    assert diagnostics["browser"].startswith("Chrome ")
    assert isinstance(diagnostics["rtt_ms"], int) and diagnostics["reconnects"] == 0
    assert set(diagnostics) <= {
        "browser", "os", "language", "network_type", "transport", "rtt_ms", "reconnects",
        "since_load_s", "camera", "microphone",
    }  # fmt: skip

    await page.locator(W + "[data-role=issue-state]").wait_for()
    assert await text_of(page, "[data-role=issue-state]") == "Waiting for the room manager"
    await page.locator(W + "[data-role=queue]").wait_for()
    assert "Place in the queue1" in await text_of(page, "[data-role=queue]")

    await manager.ok("issue.claim", issue_id=raised["id"])
    await page.get_by_role("dialog").get_by_text("Mona is working on it").wait_for()
    assert await page.locator(W + "[data-role=queue]").count() == 0
    await manager.ok(
        "issue.message", issue_id=raised["id"], text="Please re-plug your headset <b>now</b>"
    )
    await (
        page.get_by_role("dialog").get_by_text("Please re-plug your headset <b>now</b>").wait_for()
    )  # shown as text
    await page.locator(W + "#sanad-chat").fill("Done, still nothing")
    await page.locator(W + "form.chat button[type=submit]").click()
    sent = await manager.event(
        "issue.message", lambda d: d["message"]["text"] == "Done, still nothing"
    )
    assert sent["data"]["message"]["author"]["role"] == "trainee"
    await page.locator(W + "[data-role=message]").nth(1).wait_for()
    await screenshot(page, "issue-chat-en")

    await manager.ok("issue.resolve", issue_id=raised["id"], note="Restarted the audio bridge")
    await page.get_by_role("button", name="Still broken").click()
    await manager.event("issue.updated", lambda d: d["issue"]["state"] == "reopened")
    await (
        page.get_by_role("dialog").get_by_text("Reopened: waiting for the room manager").wait_for()
    )
    await manager.ok("issue.resolve", issue_id=raised["id"])
    await page.get_by_role("button", name="Fixed, thank you").click()
    await manager.event("issue.updated", lambda d: d["issue"]["state"] == "confirmed")
    await page.get_by_role("dialog").get_by_text("Fixed. Thank you for confirming.").wait_for()
    assert await page.locator(W + "[data-role=message]").count() == 2  # nothing shown twice

    # Another problem, which the room manager turns into a helpdesk ticket.
    await page.get_by_role("button", name="Report another problem").click()
    await page.locator(W + "#sanad-category").select_option("connection_drops")
    await page.locator(W + "form.raise button[type=submit]").click()
    second = (
        await manager.event("issue.raised", lambda d: d["issue"]["category"] == "connection_drops")
    )["data"]["issue"]
    escalated = (await manager.ok("issue.escalate", issue_id=second["id"]))["issue"]
    await page.locator(W + "[data-role=ticket]").wait_for()
    assert escalated["ticket_number"] in await text_of(page, "[data-role=ticket]")
    assert "The room manager passed it to the support desk." in await text_of(
        page, "[data-role=ticket]"
    )


async def test_withdrawing_and_the_one_open_issue_rule(host_site, token_for, open_page, join):
    manager = await join("manager", "m1", "Mona")
    page = await trainee_page(host_site, token_for, open_page)
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    await page.get_by_role("button", name="Withdraw my problem").click()
    await manager.event("issue.updated", lambda d: d["issue"]["state"] == "withdrawn")
    await page.get_by_role("dialog").get_by_text("You withdrew this problem.").wait_for()
    assert issue["category"] == "no_audio"


async def test_content_questions_ask_anonymously_upvote_answers_and_dismissal(
    host_site, token_for, open_page, join
):
    trainer = await join("trainer", "tr1", "د. علي")
    omar = await join("trainee", "t2", "عمر")
    page = await trainee_page(host_site, token_for, open_page, name="سارة", lang="ar")
    await page.get_by_role("tab", name="سؤال للمدرّب").click()
    await page.locator(W + "#sanad-question").fill("ما الفرق بين العرض والتقديم؟")
    await page.locator(W + "#sanad-hide-name").check()
    await page.locator(W + "form.ask button[type=submit]").click()
    mine = (await trainer.event("question.asked"))["data"]["question"]
    assert mine["name_hidden"] is True and mine["text"] == "ما الفرق بين العرض والتقديم؟"

    other = (await omar.ok("question.ask", text="هل تتوفر الشرائح بعد الجلسة؟"))["question"]
    theirs = page.locator(W + f"[data-question='{other['id']}']")
    await theirs.wait_for()
    own = page.locator(W + f"[data-question='{mine['id']}']")
    assert await own.locator("button.upvote").is_disabled()  # one's own question
    await theirs.locator("button.upvote").click()
    upvoted = await trainer.event("question.updated", lambda d: d["question"]["upvotes"] == 1)
    assert upvoted["data"]["question"]["id"] == other["id"]
    await page.wait_for_function(
        """id => document.querySelector('sanad-widget').shadowRoot
             .querySelector(`[data-question="${id}"] button.upvote`).getAttribute('aria-pressed') === 'true'""",
        arg=other["id"],
    )
    assert await theirs.locator("button.upvote").is_disabled()  # no second upvote
    # Omar sees Sara's question without her name.
    omar_view = await omar.event("question.asked", lambda d: d["question"]["id"] == mine["id"])
    assert omar_view["data"]["question"]["asker"]["name"] is None

    await trainer.ok("question.answer", question_id=mine["id"], text="العرض يُرى والتقديم يُقال.")
    await own.locator("[data-role=answer]").wait_for()
    assert "العرض يُرى والتقديم يُقال." in await own.locator("[data-role=answer]").text_content()
    await trainer.ok("question.dismiss", question_id=other["id"], reason="أُجيب عنه في الشريحة ٣")
    # the others see that it was dismissed; the reason is for its asker alone (issue 21, finding 8)
    await expect(theirs.locator("[data-role=state]")).to_have_text("لم يُجب عنه")
    await expect(theirs.locator(".reason")).to_have_count(0)
    told = await omar.event("question.updated", lambda d: d["question"]["dismiss_reason"])
    assert told["data"]["question"]["dismiss_reason"] == "أُجيب عنه في الشريحة ٣"
    await screenshot(page, "questions-ar")


async def test_private_answer_reaches_only_the_asker(host_site, token_for, open_page, join):
    trainer = await join("trainer", "tr1", "Dr. Ali")
    omar = await join("trainee", "t2", "Omar")
    page = await trainee_page(host_site, token_for, open_page)
    await page.get_by_role("tab", name="Question to the trainer").click()
    await page.locator(W + "#sanad-question").fill("Can I get the recording?")
    await page.locator(W + "form.ask button[type=submit]").click()
    asked = (await trainer.event("question.asked"))["data"]["question"]
    await trainer.ok(
        "question.answer", question_id=asked["id"], text="Yes, by email.", audience="asker"
    )
    await page.get_by_role("dialog").get_by_text("Yes, by email.").wait_for()
    seen_by_omar = await omar.event(
        "question.updated", lambda d: d["question"]["id"] == asked["id"]
    )
    assert seen_by_omar["data"]["question"]["answer"] is None


async def test_before_the_session_opens_the_widget_says_so_and_shows_the_refusal(
    room, host_site, token_for, open_page, join
):
    from helpdesk.domain.institute import RoomState

    room.state, room.opened_at = RoomState.SCHEDULED, None
    await room.save()
    page = await trainee_page(host_site, token_for, open_page)
    dialog = page.get_by_role("dialog")
    await dialog.get_by_text("The session has not started yet.", exact=False).wait_for()
    await page.locator(W + "form.raise button[type=submit]").click()
    alert = page.locator(W + "[role=alert]")
    await alert.wait_for()
    assert await alert.text_content() == "The session is not open."  # the server's words
    assert await page.locator(W + "form.raise").is_visible()  # nothing lost: try again later
    manager = await join("manager", "m1", "Mona")
    await manager.ok("session.open")
    await dialog.get_by_text("The session has not started yet.", exact=False).wait_for(
        state="detached"
    )
    await page.locator(W + "form.raise button[type=submit]").click()
    await manager.event("issue.raised")
    await alert.wait_for(state="detached")


async def test_with_the_room_manager_console_in_a_second_browser_context(
    room, host_site, token_for, open_page
):
    console_token = token_for("manager", "m1", "Mona", locale="en")
    console = await open_page(
        f"{host_site.sanad}/rooms/{room.room_id}/manager?lang=en#token={console_token}",
        widget=False,
    )
    await console.get_by_text("No open issues.").wait_for()
    page = await trainee_page(host_site, token_for, open_page)
    await page.locator(W + "#sanad-problem").fill("Frozen video")
    await page.locator(W + "#sanad-category").select_option("no_video")
    await page.locator(W + "form.raise button[type=submit]").click()

    card = console.locator("article.issue", has_text="Frozen video")
    await card.get_by_role("button", name="Claim").click()
    await page.get_by_role("dialog").get_by_text("Mona is working on it").wait_for()
    await card.get_by_role("textbox", name="Message to Layla Hassan").fill(
        "Reload the player, please"
    )
    await card.get_by_role("button", name="Send", exact=True).click()
    await page.get_by_role("dialog").get_by_text("Reload the player, please").wait_for()
    await page.locator(W + "#sanad-chat").fill("It works now")
    await page.locator(W + "form.chat button[type=submit]").click()
    await card.get_by_text("It works now").wait_for()
    await card.get_by_role("button", name="Resolve").click()
    await page.get_by_role("button", name="Fixed, thank you").click()
    await page.get_by_role("dialog").get_by_text("Fixed. Thank you for confirming.").wait_for()
    await console.locator("article.issue.state-confirmed", has_text="Frozen video").wait_for(
        state="attached"  # among the closed issues, folded away
    )
