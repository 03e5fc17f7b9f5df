"""The public web form in Debian's Chromium: Arabic first, a file attached, the ticket number shown."""

import re

import pytest
from playwright.async_api import expect

from helpdesk.adapters.orm.channels import Attachment
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.services.guidance_seed import seed_guidance

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


async def test_a_trainee_sends_a_complaint_with_a_file_in_arabic(browser, server, tmp_path):
    receipt = tmp_path / "إيصال.pdf"
    receipt.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page = await browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    await page.goto(str(server.make_url("/")))
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.get_by_role("link", name="راسل مركز الاتصال").click()
    await page.get_by_role("link", name="شكوى").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("شكوى")
    await page.get_by_label("ما موضوعها؟").select_option("certificates")
    await page.get_by_label("الموضوع").fill("لم تصدر شهادتي")
    await page.get_by_label("التفاصيل").fill(HOSTILE + " أنهيت الدورة قبل أسبوعين.")
    await page.get_by_label("المرفقات (اختياري)").set_input_files(str(receipt))
    await page.get_by_label("اسمك").fill("هدى")
    await page.get_by_label("البريد الإلكتروني").fill("huda@example.org")
    await page.get_by_role("button", name="أرسل").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("شكراً لك، وصلتنا رسالتك")
    ticket = await Ticket.get()
    await expect(page.locator(".ticket-number")).to_have_text(ticket.number)
    await expect(page.locator(".tracking-link")).to_contain_text(f"/track/{ticket.number}?key=")
    assert ticket.description.startswith(HOSTILE)  # stored as written, shown as text
    attachment = await Attachment.get(ticket_id=ticket.id)
    assert attachment.filename == "إيصال.pdf"

    await page.locator(".tracking-link").click()
    await expect(page.get_by_role("link", name="إيصال.pdf")).to_be_visible()
    await expect(page.get_by_text(HOSTILE + " أنهيت الدورة قبل أسبوعين.")).to_be_visible()
    assert "pwned" not in await page.title()
    assert errors == []


async def test_the_form_suggests_articles_while_the_person_types(browser, server):
    """Issue 21, finding 10: as docs/guidance.md promises, from a script file (the pages' CSP
    allows no inline script)."""
    await seed_guidance(with_demo_profiles=True)
    page = await browser.new_page()
    await page.goto(str(server.make_url("/contact/inquiry?lang=en")))
    suggestions = page.locator("#suggestions")
    await expect(suggestions).to_be_hidden()
    await page.get_by_label("Subject").fill("The spelling of my name on the certificate")
    await expect(suggestions).to_be_visible()
    first = suggestions.get_by_role("link").first
    await expect(first).to_have_attribute("href", re.compile(r"/help/articles/certificate-name"))
