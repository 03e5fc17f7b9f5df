"""The screens of docs/screens.md, made in Chromium against the real server and written to
docs/screens/. Regenerate them all with one command:

    SANAD_SCREENS=1 .venv/bin/python -m pytest tests/screens.py

(skipped unless SANAD_SCREENS is set: the suite itself does not rewrite the docs)."""

# ruff: noqa: F811 (fixtures imported from the widget tests are used by name)
from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import expect

from helpdesk.domain.institute import StaffRole
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from helpdesk.services.guidance_seed import seed_guidance
from tests.conftest import TEST_PASSWORD
from tests.helpdesk.fixtures import actor, department, new_ticket
from tests.widget.conftest import (  # noqa: F401 (fixtures)
    W,
    browser,
    host_site,
    join,
    open_panel,
    platform,
    room,
    token_for,
)

pytestmark = pytest.mark.skipif(
    not os.environ.get("SANAD_SCREENS"), reason="SANAD_SCREENS=1 makes the docs' screenshots"
)
SCREENS = Path(__file__).resolve().parents[1] / "docs" / "screens"
VIEWPORT = {"width": 1000, "height": 720}
LANGS = ["ar", "en"]


async def shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENS / f"{name}.png")


async def new_page(browser):
    context = await browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    return context, await context.new_page()


@pytest.mark.parametrize("lang", LANGS)
async def test_trainee_widget(browser, host_site, token_for, join, lang):
    manager = await join("manager", "m1", "منى" if lang == "ar" else "Mona")
    trainer = await join("trainer", "tr1", "د. علي" if lang == "ar" else "Dr. Ali")
    omar = await join("trainee", "t2", "عمر" if lang == "ar" else "Omar")
    name = "سارة" if lang == "ar" else "Sara"
    context, page = await new_page(browser)
    await page.goto(host_site.page(token_for("trainee", "t1", name, locale=lang), lang=lang))
    await open_panel(page)
    words = {
        "ar": ("لا أسمع المدرّب منذ الاستراحة", "جرّبي إعادة تحميل الصفحة", "هل الشرائح متاحة؟"),
        "en": (
            "I hear nothing since the break",
            "Try reloading the page",
            "Are the slides shared?",
        ),
    }[lang]
    await page.locator(W + "#sanad-problem").fill(words[0])
    await page.locator(W + "form.raise button[type=submit]").click()
    issue = (await manager.event("issue.raised"))["data"]["issue"]
    await manager.ok("issue.claim", issue_id=issue["id"])
    await manager.ok("issue.message", issue_id=issue["id"], text=words[1])
    await page.locator(W + "[data-role=message]").wait_for()
    await shoot(page, f"widget-technical-{lang}")
    asked = (await omar.ok("question.ask", text=words[2]))["question"]
    await trainer.ok("question.answer", question_id=asked["id"], text=words[1])
    await page.locator(W + "[role=tab] >> nth=1").click()
    await page.locator(W + "[data-role=answer]").wait_for()
    await shoot(page, f"widget-questions-{lang}")
    await context.close()


@pytest.mark.parametrize("lang", LANGS)
async def test_room_consoles(browser, server, room, join, token_for, lang):
    sara = await join("trainee", "t1", "سارة" if lang == "ar" else "Sara")
    omar = await join("trainee", "t2", "عمر" if lang == "ar" else "Omar")
    texts = {
        "ar": ("الصوت يتقطع منذ الاستراحة", "هل تُرسل الشرائح بعد الجلسة؟", "متى موعد الاختبار؟"),
        "en": (
            "The sound breaks up since the break",
            "Will the slides be sent?",
            "When is the test?",
        ),
    }[lang]
    issue = (await sara.ok("issue.raise", category="no_audio", text=texts[0]))["issue"]
    await omar.ok("issue.raise", category="no_video")
    await sara.ok("question.ask", text=texts[1])
    await omar.ok("question.ask", text=texts[2], hide_name=True)
    query = "?lang=en" if lang == "en" else ""
    context, page = await new_page(browser)
    for role, sub, who in (("manager", "m1", "Mona"), ("trainer", "tr1", "Ali")):
        url = str(server.make_url(f"/rooms/{room.room_id}/{role}{query}"))
        await page.goto(f"{url}#token={token_for(role, sub, who)}")
        await expect(page.locator("#console-status")).to_have_text(
            "متصل." if lang == "ar" else "Connected."
        )
        if role == "manager":
            card = page.locator(f"[data-issue='{issue['id']}']")
            await card.locator("button").first.click()  # claim
            await expect(card.locator(".state")).not_to_have_text("")
            await sara.event("issue.updated", lambda d: d["issue"]["state"] == "claimed")
        else:
            await expect(page.locator("#open-questions [data-question]")).to_have_count(2)
        await shoot(page, f"console-{role}-{lang}")
    await context.close()


async def log_in(browser, server, member, lang: str, path: str):
    context, page = await new_page(browser)
    await page.goto(str(server.make_url(f"/staff/login?lang={lang}&next={path}")))
    await page.locator("input[type=email], input[name=email]").first.fill(member.email)
    await page.locator("input[type=password]").fill(TEST_PASSWORD)
    await page.keyboard.press("Enter")
    await page.locator("h1").wait_for()
    return context, page


@pytest.mark.parametrize("lang", LANGS)
async def test_helpdesk_and_pages(browser, server, staff_member, lang):
    await seed_guidance(with_demo_profiles=True)
    certs = await department("certs")
    level1 = await staff_member(StaffRole.LEVEL1_AGENT, name="نورة" if lang == "ar" else "Noura")
    level2 = await staff_member(
        StaffRole.LEVEL2_AGENT, name="هدى" if lang == "ar" else "Huda", department=certs
    )
    now = datetime.now(UTC)
    subject = "لم تصلني الشهادة" if lang == "ar" else "My certificate has not arrived"
    ticket = await new_ticket(now=now, locale=lang, subject=subject)
    await new_ticket(
        now=now,
        locale=lang,
        subject="أين جدول الدورة؟" if lang == "ar" else "Where is the course timetable?",
    )
    referred = await new_ticket(now=now, locale=lang, subject=subject)
    bus = MessageBus()
    await svc.take_ticket(referred.id, actor(level1), bus=bus, now=now)
    await svc.refer_to_department(referred.id, certs.id, actor(level1), bus=bus, now=now)
    base = str(server.make_url("")).rstrip("/")

    context, page = await new_page(browser)
    for name, path in (
        ("home", "/"),
        ("help", "/help"),
        ("guide", "/guide/certificate"),
        ("web-form", "/contact/complaint"),
        ("tracking", f"/track/{ticket.number}?key={ticket.tracking_secret}"),
    ):
        sep = "&" if "?" in path else "?"
        await page.goto(f"{base}{path}{sep}lang={lang}")
        await page.locator("h1").first.wait_for()
        await shoot(page, f"page-{name}-{lang}")
    await context.close()

    context, page = await log_in(browser, server, level1, lang, "/console/queue")
    await expect(page.locator("tr", has_text=ticket.number)).to_be_visible()
    await shoot(page, f"level1-queue-{lang}")
    await page.goto(f"{base}/console/tickets/{ticket.number}?lang={lang}")
    await page.locator("h1").wait_for()
    await shoot(page, f"level1-ticket-{lang}")
    await context.close()

    context, page = await log_in(browser, server, level2, lang, "/console/department")
    await expect(page.locator("tr", has_text=referred.number)).to_be_visible()
    await shoot(page, f"level2-queue-{lang}")
    await page.goto(f"{base}/console/tickets/{referred.number}?lang={lang}")
    await page.locator("h1").wait_for()
    await shoot(page, f"level2-ticket-{lang}")
    await context.close()
