"""The guidance pages in real Chromium: each page in Arabic and English, on a desktop and a phone
screen; direction, main content, no sideways scrolling, WCAG AA contrast of the main texts, and
the readiness check used end to end with JavaScript switched off. Screenshots are saved under
test-artifacts/guidance/ for people to look at."""

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from helpdesk.adapters.orm.guidance import CertificateProfile
from helpdesk.domain.institute import StaffRole

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "guidance"
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = {
    "registration": ("/guide/registration", {"ar": "شروط التسجيل", "en": "Conditions"}),
    "certificate": ("/guide/certificate", {"ar": "البيانات المطلوبة", "en": "The data we need"}),
    "check": ("/certificate/check", {"ar": "رقم التسجيل", "en": "Registration reference"}),
    "help": ("/help", {"ar": "الشهادات", "en": "Certificates"}),
    "search": ("/help?q=كلمه+السر", {"ar": "نسيت كلمة المرور", "en": "I forgot my password"}),
    "article": (
        "/help/articles/microphone-not-working",
        {"ar": "هل كانت هذه المقالة مفيدة؟", "en": "Was this helpful?"},
    ),
}
# The texts people must be able to read: banner, headings, body, links, buttons, messages.
CONTRAST_SELECTORS = (
    ".contact-centre-headline",
    ".contact-centre-detail",
    "main h1",
    "main p",
    "main li",
    "main a",
    "main button",
    "main label",
    ".site-header a",
    ".verdict",
    ".field-problem",
    ".checklist .state",
)

CONTRAST_SCRIPT = """
(selectors) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      if (!el.offsetParent || !el.textContent.trim()) continue;
      found.push({selector, text: el.textContent.trim().slice(0, 40),
                  color: parse(getComputedStyle(el).color).slice(0, 3), background: background(el)});
    }
  }
  return found;
}
"""


def contrast(foreground, background):
    def luminance(rgb):
        channels = []
        for value in rgb:
            c = value / 255
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
async def chromium():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless=new"]
        )
        yield browser
        await browser.close()


async def check_page(browser, url, lang, screen, expected, shot, scheme="light", context=None):
    own_context = context is None
    if own_context:
        context = await browser.new_context(
            viewport=SCREENS[screen], locale=lang, color_scheme=scheme
        )
    page = await context.new_page()
    separator = "&" if "?" in url else "?"
    response = await page.goto(f"{url}{separator}lang={lang}")
    assert response.status == 200, url
    html = page.locator("html")
    assert await html.get_attribute("lang") == lang
    assert await html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert await page.locator("main h1").first.is_visible()
    assert expected in await page.locator("main").inner_text()
    if not url.split("?")[0].split("/", 3)[-1].startswith("admin"):
        assert await page.locator(".contact-centre").is_visible()
    sideways = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0, f"{url} scrolls sideways by {sideways}px on a {screen}"
    texts = await page.evaluate(CONTRAST_SCRIPT, list(CONTRAST_SELECTORS))
    assert len(texts) >= 8, f"{url}: too few texts found to judge the contrast"
    for item in texts:
        ratio = contrast(item["color"], item["background"])
        assert ratio >= 4.5, f"{url} [{lang}] {item['selector']} {item['text']!r}: {ratio:.2f}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if scheme == "light" else f"-{scheme}"
    await page.screenshot(
        path=str(ARTIFACTS / f"{shot}-{lang}-{screen}{suffix}.png"), full_page=True
    )
    await page.close()
    if own_context:
        await context.close()


async def all_pages():
    token = (await CertificateProfile.get(registration_reference="REG-2026-0002")).access_token
    status = ("/certificate/check?token=" + token, {"ar": "صحّح بياناتك", "en": "Correct your data"})
    return {**PAGES, "status": status}


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_every_guidance_page_in_both_languages_and_screens(seeded, server, chromium, lang):
    base = str(server.make_url("/")).rstrip("/")
    for name, (path, expected) in (await all_pages()).items():
        for screen in SCREENS:
            await check_page(chromium, base + path, lang, screen, expected[lang], name)


async def test_arabic_pages_in_dark_mode_keep_their_contrast(seeded, server, chromium):
    base = str(server.make_url("/")).rstrip("/")
    for name, (path, expected) in (await all_pages()).items():
        await check_page(chromium, base + path, "ar", "phone", expected["ar"], name, "dark")


async def test_readiness_check_works_without_javascript(seeded, server, chromium):
    context = await chromium.new_context(
        java_script_enabled=False, viewport=SCREENS["phone"], locale="ar"
    )
    page = await context.new_page()
    await page.goto(str(server.make_url("/certificate/check?lang=ar")))
    await page.get_by_label("رقم التسجيل").fill("REG-2026-0002")
    await page.get_by_label("البريد الإلكتروني المستخدم في التسجيل").fill("omar@example.com")
    await page.get_by_role("button", name="افحص بياناتي").click()
    assert "غير جاهزة بعد" in await page.locator(".verdict").inner_text()
    await page.get_by_label("الاسم الكامل بالعربية كما في هويتك").fill("عمر خالد عبدالرحمن الحربي")
    await page.get_by_label("الاسم الكامل بالإنجليزية كما في جواز سفرك").fill(
        "Omar Khalid Abdulrahman Alharbi"
    )
    await page.get_by_label("رقم الهوية الوطنية أو الإقامة").fill("2000000006")
    await page.get_by_label("رقم الجوال").fill("0551234567")
    await page.get_by_role("button", name="احفظ التصحيحات").click()
    assert "جاهزة: بياناتك مكتملة" in await page.locator(".verdict").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "status-ready-ar-phone.png"), full_page=True)
    await context.close()
    profile = await CertificateProfile.get(registration_reference="REG-2026-0002")
    assert profile.full_name_en == "Omar Khalid Abdulrahman Alharbi"


async def test_search_and_vote_without_javascript(seeded, server, chromium):
    context = await chromium.new_context(java_script_enabled=False, locale="ar")
    page = await context.new_page()
    await page.goto(str(server.make_url("/help?lang=ar")))
    await page.get_by_label("صف مشكلتك أو سؤالك").fill("الشهاده")
    await page.get_by_role("button", name="بحث").click()
    await page.get_by_role("link", name="متى تصدر شهادتي؟").click()
    await page.get_by_role("button", name="نعم").click()
    assert "شكرًا على إجابتك." in await page.locator("main").inner_text()
    assert "مفيدة: 1" in await page.locator("main").inner_text()
    await context.close()


ADMIN_PAGES = {
    "admin-guidance": ("/admin/guidance", {"ar": "صفحات الإرشاد", "en": "Guidance pages"}),
    "admin-page": ("/admin/guidance/registration/ar", {"ar": "النسخ", "en": "Versions"}),
    "admin-rules": (
        "/admin/certificate-rules",
        {"ar": "قواعد جاهزية الشهادة", "en": "Certificate readiness rules"},
    ),
    "admin-articles": ("/admin/help", {"ar": "مقالة جديدة", "en": "New article"}),
    "admin-article": ("/admin/help/articles/new", {"ar": "احفظ المقالة", "en": "Save article"}),
}


@pytest.mark.parametrize("lang", ["ar", "en"])
async def test_administrator_pages_in_both_languages(seeded, server, chromium, staff_member, lang):
    from tests.conftest import TEST_PASSWORD

    admin = await staff_member(StaffRole.ADMINISTRATOR)
    base = str(server.make_url("/")).rstrip("/")
    context = await chromium.new_context(viewport=SCREENS["desktop"], locale=lang)
    page = await context.new_page()
    await page.goto(f"{base}/staff/login?next=/admin/guidance")
    await page.locator("#email").fill(admin.email)
    await page.locator("#password").fill(TEST_PASSWORD)
    await page.locator("form button[type=submit]").click()
    await page.wait_for_url(f"{base}/admin/guidance")
    await page.close()
    for name, (path, expected) in ADMIN_PAGES.items():
        await check_page(
            chromium, base + path, lang, "desktop", expected[lang], name, context=context
        )
    await context.close()
