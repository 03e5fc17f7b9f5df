"""Issue 21, finding 1: a ticket made in a live room reads, for each reader, as what happened, not
as a dump: the conversation with names, local times and roles in words, one message a line, the
diagnostics as a staff-only panel, the subject in the trainee's language."""

from __future__ import annotations

import html as markup
import re

import pytest
from playwright.async_api import expect

from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import StaffRole


async def _escalated(join, *, locale: str) -> Ticket:
    manager = await join("manager", "m1", "منى")
    sara = await join("trainee", "t1", "سارة", locale=locale)
    issue_id = (
        await sara.ok(
            "issue.raise",
            category="no_audio",
            text="لا أسمع المدرب\nمنذ بداية الجلسة 2",
            diagnostics={"browser": "Edge", "microphone": "denied"},
        )
    )["issue"]["id"]
    await manager.ok("issue.claim", issue_id=issue_id)
    await sara.ok("issue.message", issue_id=issue_id, text="جربت متصفحا آخر")
    escalated = await manager.ok("issue.escalate", issue_id=issue_id, note="needs the LMS team")
    return await Ticket.get(number=escalated["issue"]["ticket_number"])


def _text(html: str) -> str:
    return markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def test_the_trainees_tracking_page_reads_as_a_conversation(join, client):
    ticket = await _escalated(join, locale="ar")
    assert ticket.subject.startswith("لا يوجد صوت: لا أسمع المدرب")
    html = await (await client.get(f"/track/{ticket.number}?key={ticket.tracking_secret}")).text()
    words = _text(html)
    assert "Diagnostics" not in html and "Edge" not in html and "browser" not in html
    assert "ticket because" not in html and "(manager)" not in html
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", words)  # no ISO timestamps as text
    assert "المحادثة في القاعة المباشرة" in words
    assert "منى (مدير القاعة)" in words and "سارة (المتدرب/ة)" in words
    # one message a line, its line break kept
    assert '<p class="message" dir="auto">لا أسمع المدرب\nمنذ بداية الجلسة 2</p>' in html
    assert '<p class="message" dir="auto">جربت متصفحا آخر</p>' in html
    assert "حوّل مدير القاعة المشكلة إلى فريق الدعم." in words


async def test_staff_see_the_diagnostics_in_a_labelled_panel(join, client, log_in_as):
    ticket = await _escalated(join, locale="en")
    assert ticket.subject.startswith("No audio: ")
    await log_in_as(StaffRole.LEVEL1_AGENT)
    html = await (await client.get(f"/console/tickets/{ticket.number}?lang=en")).text()
    words = _text(html)
    assert "Diagnostics from the trainee's browser" in words
    assert "Browser Edge" in words and "Microphone permission blocked" in words
    assert '{"browser"' not in html and "ticket because" not in html
    assert "The room manager passed the issue to the support team." in words
    assert "needs the LMS team" in words and "(room manager)" in words


@pytest.mark.browser
async def test_in_chromium_the_conversation_keeps_its_line_breaks(join, server, browser):
    ticket = await _escalated(join, locale="ar")
    page = await browser.new_page()
    await page.goto(str(server.make_url(f"/track/{ticket.number}?key={ticket.tracking_secret}")))
    first = page.locator(".room-conversation .message").first
    await expect(first).to_be_visible()
    assert await first.inner_text() == "لا أسمع المدرب\nمنذ بداية الجلسة 2"
    lines = page.locator(".room-conversation li.room-line")
    await expect(lines).to_have_count(3)  # the raise, the trainee's message, the manager's note
    await expect(page.get_by_text("Edge")).to_have_count(0)
