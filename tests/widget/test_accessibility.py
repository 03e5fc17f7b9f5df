"""Keyboard-only use, focus in and back out, the live region and the notices, WCAG AA contrast in the
light and dark themes."""

from __future__ import annotations

import pytest

from tests.widget.conftest import W, axe_findings, open_panel, screenshot, widget_ready

FOCUSED = """() => { const a = document.activeElement; const inner = a?.shadowRoot?.activeElement;
  return inner ? (inner.dataset.key || inner.id || inner.className || inner.tagName) : a?.tagName }"""

# Every visible text of the widget against its effective background: ≥ 4.5:1 (≥ 3:1 for large text).
CONTRAST = """() => {
  const root = document.querySelector('sanad-widget').shadowRoot;
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b) };
  const background = el => { for (let e = el; e; e = e.parentElement || e.getRootNode().host) {
      const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c } return [255, 255, 255] };
  const failures = [];
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility() || el.closest('.sr-only')) continue;
    const s = getComputedStyle(el);
    const [a, b] = [lum(rgb(s.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${el.textContent.trim().slice(0, 30)}: ${ratio.toFixed(2)}`);
  }
  return failures }"""


async def focused(page) -> str:
    return await page.evaluate(FOCUSED)


async def test_keyboard_only_raise_with_focus_into_the_panel_and_back(
    host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona")
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")), reduced_motion=True)
    await page.keyboard.press("Tab")
    assert await focused(page) == "help"
    outline = await page.locator(W + "button.help").evaluate(
        "b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth"
    )
    assert outline == "solid 3px"  # visible focus
    await page.keyboard.press("Enter")
    await page.locator(W + "[role=dialog]").wait_for()
    await widget_ready(page)
    assert await focused(page) == "sanad-title"
    for expected in ("ghost", "language", "ghost close", "sanad-tab-technical"):
        await page.keyboard.press("Tab")
        assert await focused(page) == expected
    await page.keyboard.press("ArrowRight")
    assert await focused(page) == "sanad-tab-questions"
    assert await page.locator(W + "#sanad-questions").is_visible()
    await page.keyboard.press("ArrowLeft")
    assert await focused(page) == "sanad-tab-technical"
    await page.keyboard.press("Tab")
    assert await focused(page) == "category"
    await page.keyboard.press("ArrowDown")  # the next category: no video
    await page.keyboard.press("Tab")
    assert await focused(page) == "problem"
    await page.keyboard.type("Keyboard only")
    await page.keyboard.press("Tab")
    assert await focused(page) == "diagnostics"  # one line, opened on demand
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    assert await focused(page) == "remove-browser"
    await page.keyboard.press("Enter")  # remove the browser line; focus stays on the list
    assert await focused(page) == "remove-os"
    while await focused(page) != "primary":
        await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    assert issue["category"] == "no_video" and issue["text"] == "Keyboard only"
    assert "browser" not in issue["diagnostics"] and "os" in issue["diagnostics"]
    await page.keyboard.press("Escape")
    assert await page.locator(W + "[role=dialog]").is_hidden()
    assert await focused(page) == "help"
    assert await page.locator(W + "button.help").get_attribute("aria-expanded") == "false"


async def test_news_while_closed_badge_title_count_live_region_and_manager_offline(
    host_site, token_for, open_page, join
):
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla"), title="My class"))
    await open_panel(page)
    offline = page.locator(W + "[data-role=manager-offline]")
    await offline.wait_for()
    manager = await join("manager", "m1", "Mona")
    await offline.wait_for(state="detached")
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    await page.keyboard.press("Escape")

    await manager.ok("issue.message", issue_id=issue["id"], text="Are you there?")
    badge = page.locator(W + ".badge")
    await badge.wait_for()
    assert await badge.text_content() == "1"
    assert await page.title() == "(1) My class"
    assert await page.locator(W + "button.help").get_attribute("aria-label") == "Help: 1 new"
    live = page.locator(W + "[aria-live=polite]")
    assert await live.text_content() == "New message from Mona: Are you there?"
    await manager.ok("issue.claim", issue_id=issue["id"])
    await page.wait_for_function("document.title === '(2) My class'")

    await page.locator(W + "button.help").click()
    await badge.wait_for(state="hidden")
    assert await page.title() == "My class"
    await manager.disconnect()
    await offline.wait_for()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
async def test_contrast_is_wcag_aa_in_both_themes(host_site, token_for, open_page, join, dark):
    manager = await join("manager", "m1", "Mona")
    trainer = await join("trainer", "tr1", "Dr. Ali")
    page = await open_page(
        host_site.page(token_for("trainee", "t1", "Layla")), dark=dark, reduced_motion=True
    )
    await open_panel(page)
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    await manager.ok("issue.claim", issue_id=issue["id"])
    await manager.ok("issue.message", issue_id=issue["id"], text="Checking your audio now")
    await page.locator(W + "[data-role=message]").wait_for()
    theme = "dark" if dark else "light"
    assert await page.evaluate(CONTRAST) == []
    await screenshot(page, f"issue-{theme}-en")
    await page.get_by_role("tab", name="Question to the trainer").click()
    await page.locator(W + "#sanad-question").fill("Is there homework?")
    await page.locator(W + "form.ask button[type=submit]").click()
    asked = (await trainer.event("question.asked"))["data"]["question"]
    await trainer.ok("question.answer", question_id=asked["id"], text="Yes, chapter 2.")
    await page.locator(W + "[data-role=answer]").wait_for()
    assert await page.evaluate(CONTRAST) == []
    await page.locator(W + "button[data-key=language]").click()
    assert await page.evaluate(CONTRAST) == []
    await screenshot(page, f"questions-{theme}-ar")
    await page.get_by_role("tab", name="مشكلة تقنية").click()
    assert await page.evaluate(CONTRAST) == []
    await screenshot(page, f"issue-{theme}-ar")


@pytest.mark.parametrize("reduced", [True, False], ids=["reduced-motion", "motion"])
async def test_the_panel_moves_only_when_motion_is_welcome(
    host_site, token_for, open_page, reduced
):
    page = await open_page(
        host_site.page(token_for("trainee", "t1", "Layla")), reduced_motion=reduced
    )
    await open_panel(page)
    animation = await page.locator(W + "[role=dialog]").evaluate(
        "p => getComputedStyle(p).animationName"
    )
    assert animation == ("none" if reduced else "rise")


async def test_the_sound_choice_is_a_toggle_that_is_remembered(host_site, token_for, open_page):
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")))
    await open_panel(page)
    sound = page.get_by_role("button", name="Sound")
    assert await sound.get_attribute("aria-pressed") == "false"  # off unless the trainee wants it
    await sound.click()
    assert await sound.get_attribute("aria-pressed") == "true"
    await page.reload()
    await open_panel(page)
    assert await page.get_by_role("button", name="Sound").get_attribute("aria-pressed") == "true"


async def test_axe_finds_nothing_serious_in_the_widget_in_both_tabs_and_languages(
    host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona")
    trainer = await join("trainer", "tr1", "Dr. Ali")
    omar = await join("trainee", "t2", "Omar")
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")), reduced_motion=True)
    await open_panel(page)
    await omar.ok("question.ask", text="Will the slides be sent?")
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    await manager.ok("issue.claim", issue_id=issue["id"])
    await manager.ok("issue.message", issue_id=issue["id"], text="Checking your audio now")
    await page.locator(W + "[data-role=message]").wait_for()
    for language, other in (("en", "ar"), ("ar", "en")):
        assert await axe_findings(page, "sanad-widget") == [], (language, "technical")
        await page.locator(W + "[role=tab] >> nth=1").click()
        await page.locator(W + "[data-role=question]").wait_for()
        assert await axe_findings(page, "sanad-widget") == [], (language, "questions")
        await page.locator(W + "[role=tab] >> nth=0").click()
        await page.locator(W + "button[data-key=language]").click()
        await page.locator(W + f".frame[lang={other}]").wait_for(state="attached")
    del trainer


async def test_the_widget_buttons_are_named_by_what_they_show(
    host_site, token_for, open_page, join
):
    omar = await join("trainee", "t2", "Omar")
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")))
    await open_panel(page)
    await omar.ok("question.ask", text="Will the slides be sent?")
    # Speech input: "click English", "click 0" reach the buttons (axe: label-content-name-mismatch).
    await page.get_by_role("button", name="العربية", exact=True).wait_for()
    await page.get_by_role("tab", name="Question to the trainer").click()
    upvote = page.get_by_role("button", name="Support this question, trainees so far: 0")
    await upvote.click()
    await page.get_by_role("button", name="Support this question, trainees so far: 1").wait_for()
    # One landmark of each kind: the panel's header is not a second banner of the host page.
    assert await page.locator(W + "header, footer, nav, main, aside").count() == 0


async def test_a_remembered_sound_waits_for_the_trainees_first_gesture(
    host_site, token_for, open_page, join
):
    manager = await join("manager", "m1", "Mona")
    same_trainee = await join("trainee", "t1", "Layla")  # another tab of hers raised a problem
    issue = (await same_trainee.ok("issue.raise", category="no_audio"))["issue"]
    page = await open_page(
        host_site.page(token_for("trainee", "t1", "Layla")),
        init_script="localStorage.setItem('sanad.widget.sound', 'on');"
        "window.audioContexts = []; const Real = window.AudioContext;"
        "window.AudioContext = class extends Real { constructor(...a) { super(...a);"
        " audioContexts.push(navigator.userActivation.hasBeenActive) } };",
    )
    await widget_ready(page)
    await manager.ok("issue.message", issue_id=issue["id"], text="Are you there?")
    await page.locator(W + ".badge").wait_for()  # the news arrived, the page untouched: silent
    assert await page.evaluate("audioContexts") == []
    await page.locator(W + "button.help").click()
    await page.keyboard.press("Escape")
    await manager.ok("issue.message", issue_id=issue["id"], text="Still there?")
    await page.get_by_text("New message from Mona: Still there?").wait_for(state="attached")
    await page.wait_for_function("audioContexts.length === 1")
    assert await page.evaluate("audioContexts") == [True]
