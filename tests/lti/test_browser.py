"""LTI 1.3 in Debian's Chromium: the test platform registers Sanad with LTI Dynamic Registration,
Sanad's administrator approves it, then people launch Sanad from the platform's course page, inside
its iframe. The platform is `http://localhost:<port>` and Sanad `http://127.0.0.1:<port>`: the
iframe is cross-site, and everything works without a cookie of Sanad's in it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.async_api import expect

from classroom_helper.adapters.lti_orm import LtiPlatform
from helpdesk.domain.institute import StaffRole
from tests.conftest import TEST_PASSWORD
from tests.lti.platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, Person, link

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
W = "sanad-widget "  # Playwright's CSS locators pierce open shadow roots
SARA = Person("u-17", "سارة أحمد", [LEARNER], email="sara@example.org")
MONA = Person("u-2", "منى علي", [TEACHING_ASSISTANT])
HUDA = Person("u-3", "Dr Huda", [INSTRUCTOR], locale="en")


async def screenshot(page, name: str, **options) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"lti-{name}.png", **options)


async def new_page(browser, errors: list[str]):
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


async def test_registration_approval_and_launches_in_the_platforms_iframe(
    browser, server, lms, staff_member
):
    sanad = str(server.make_url("")).rstrip("/")
    errors: list[str] = []

    # The platform's administrator pastes Sanad's registration URL.
    platform_admin = await new_page(browser, errors)
    await platform_admin.goto(f"{lms.issuer}/admin/tools/new?url={quote(sanad)}/lti/register")
    registration = platform_admin.frame_locator("#registration")
    await expect(registration.locator("[data-registered]")).to_contain_text("بانتظار اعتماد")
    await registration.get_by_role("button", name="أغلق وارجع إلى المنصة").click()
    await expect(platform_admin.locator("#result")).to_have_text(f"Tool added: {sanad}")
    tool = lms.tools[-1]
    assert tool.login_url == f"{sanad}/lti/login"

    # Until Sanad's administrator approves it, the platform's launches are refused.
    refused = await new_page(browser, errors)
    await refused.goto(lms.place(tool, SARA, link()))
    await expect(refused.frame_locator("#tool").locator("[data-refusal]")).to_contain_text(
        "لم تُعتمد بعد"
    )

    # Sanad's administrator approves it.
    admin = await staff_member(StaffRole.ADMINISTRATOR)
    sanad_admin = await new_page(browser, errors)
    await sanad_admin.goto(f"{sanad}/staff/login?next=/admin/lti")
    await sanad_admin.locator("#email").fill(admin.email)
    await sanad_admin.locator("#password").fill(TEST_PASSWORD)
    await sanad_admin.locator("#password").press("Enter")
    pending = sanad_admin.locator("[data-status=pending]")
    await expect(pending).to_contain_text("بانتظار اعتمادك")
    await expect(pending).to_contain_text(lms.issuer)
    await screenshot(sanad_admin, "approval", full_page=True)
    await pending.get_by_role("button", name="اعتمد").click()
    await expect(sanad_admin.locator("[data-status=approved]")).to_contain_text(tool.client_id)
    assert (await LtiPlatform.get()).status == "approved"

    # A teaching assistant launches: the room manager console, in the iframe; they open the session.
    manager = await new_page(browser, errors)
    await manager.goto(lms.place(tool, MONA, link()))
    console = manager.frame_locator("#tool")
    await expect(console.locator("#console-status")).to_have_text("متصل.")
    await console.locator("#open-session").click()
    await expect(console.locator("#session-state")).to_have_text("الجلسة مفتوحة")

    # A learner launches: the room page with the Help widget; a raise reaches the room manager.
    learner = await new_page(browser, errors)
    await learner.goto(lms.place(tool, SARA, link()))
    room = learner.frame_locator("#tool")
    await expect(room.locator("h1")).to_have_text("Presentation skills — Live help")
    await room.locator(W + "button.help").click()
    await room.locator(W + '.status[data-state="online"]').wait_for(state="attached")
    await room.locator(W + "#sanad-category").select_option("no_audio")
    await room.locator(W + "#sanad-problem").fill("لا أسمع المدرّب")
    await room.locator(W + "form.raise button[type=submit]").click()
    await expect(room.locator(W + "[data-role=issue-state]")).to_have_text("بانتظار مدير القاعة")
    card = console.locator("#open-issues [data-issue]")
    await expect(card).to_contain_text("سارة أحمد")
    await expect(card).to_contain_text("لا أسمع المدرّب")
    await screenshot(learner, "learner-in-platform")
    await screenshot(manager, "manager-in-platform")

    # An instructor launches: the trainer console, in the platform's language (English).
    trainer = await new_page(browser, errors)
    await trainer.goto(lms.place(tool, HUDA, link()))
    trainer_console = trainer.frame_locator("#tool")
    await expect(trainer_console.locator("#console-status")).to_have_text("Connected.")
    await expect(trainer_console.locator("h1")).to_have_text("Trainer console")

    # No cookie of Sanad's was needed inside the platform's pages.
    for page in (manager, learner, trainer):
        assert not [c for c in await page.context.cookies(sanad) if c["name"] == "sanad_session"]
    assert errors == []
