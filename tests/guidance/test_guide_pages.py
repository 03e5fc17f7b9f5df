"""Registration and certificate guides: Markdown from the database, sanitised, versions kept,
one-click restore, and edits refused to anyone but an administrator."""

import re

import pytest

from helpdesk.adapters.orm.guidance import GuidancePage
from helpdesk.domain.institute import StaffRole


@pytest.mark.parametrize(
    ("path", "lang", "text"),
    [
        ("/guide/registration", "ar", "شروط التسجيل"),
        ("/guide/registration", "en", "Conditions"),
        ("/guide/certificate", "ar", "الاسم الكامل بالعربية"),
        ("/guide/certificate", "en", "Full name in English"),
    ],
)
async def test_guides_are_served_in_both_languages(seeded, path, lang, text):
    response = await seeded.get(f"{path}?lang={lang}")
    assert response.status == 200
    page = await response.text()
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
    assert text in page
    assert "<h1>" in page
    assert 'class="contact-centre' in page  # the status banner is on every public page


async def test_unknown_guide_is_not_found(seeded):
    assert (await seeded.get("/guide/nothing")).status == 404


async def edit(client, body, title="Registering", locale="en", slug="registration"):
    return await client.post(
        f"/admin/guidance/{slug}/{locale}",
        data={"title": title, "body": body},
        allow_redirects=False,
    )


async def test_administrator_edits_and_every_version_is_kept(seeded, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR, name="Admin Huda")
    response = await edit(seeded, "## New conditions\n\nBring **your ID**.")
    assert response.status == 303
    assert response.headers["Location"] == "/admin/guidance/registration/en?saved=2"
    page = await (await seeded.get("/guide/registration?lang=en")).text()
    assert "<h3>New conditions</h3>" in page
    assert "<strong>your ID</strong>" in page
    versions = await GuidancePage.filter(slug="registration", locale="en").order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].edited_by == "Admin Huda"
    assert "Conditions" in versions[0].body  # the first version is untouched
    # the Arabic page is a page of its own
    assert await GuidancePage.filter(slug="registration", locale="ar").count() == 1


async def test_one_click_restore_brings_an_old_version_back_as_the_newest(seeded, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    await edit(seeded, "A mistaken page.")
    history = await (await seeded.get("/admin/guidance/registration/en")).text()
    assert "A mistaken page." in history
    assert re.search(r'name="version" value="1"', history)
    response = await seeded.post(
        "/admin/guidance/registration/en/restore", data={"version": "1"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await seeded.get("/guide/registration?lang=en")).text()
    assert "A mistaken page." not in page
    assert "Conditions" in page
    latest = (
        await GuidancePage.filter(slug="registration", locale="en").order_by("-version").first()
    )
    assert (latest.version, latest.restored_from) == (3, 1)


async def test_markdown_from_the_database_is_sanitised(seeded, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    await edit(seeded, '<script>alert("x")</script>\n\n[x](javascript:alert(1))\n\nok')
    page = await (await seeded.get("/guide/registration?lang=en")).text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript' not in page


@pytest.mark.parametrize(
    "role", [StaffRole.LEVEL1_AGENT, StaffRole.LEVEL2_AGENT, StaffRole.DEPARTMENT_MANAGER]
)
async def test_non_administrators_cannot_edit_or_restore(seeded, log_in_as, role):
    await log_in_as(role)
    assert (await edit(seeded, "Hijacked")).status == 403
    restore = await seeded.post(
        "/admin/guidance/registration/en/restore", data={"version": "1"}, allow_redirects=False
    )
    assert restore.status == 403
    assert (await seeded.get("/admin/guidance/registration/en")).status == 403
    assert await GuidancePage.filter(slug="registration", locale="en").count() == 1
    assert "Hijacked" not in await (await seeded.get("/guide/registration?lang=en")).text()


async def test_anonymous_visitors_are_sent_to_log_in(seeded):
    response = await edit(seeded, "Hijacked")
    assert response.status == 302
    assert response.headers["Location"].startswith("/staff/login")
    assert await GuidancePage.filter(slug="registration", locale="en").count() == 1


async def test_an_empty_page_is_refused_and_nothing_changes(seeded, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    response = await edit(seeded, "   ", title="")
    assert response.status == 422
    text = await response.text()
    assert "لم تُحفظ الصفحة." in text
    assert await GuidancePage.filter(slug="registration", locale="en").count() == 1


async def test_restoring_a_version_that_does_not_exist_is_not_found(seeded, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    response = await seeded.post(
        "/admin/guidance/registration/en/restore", data={"version": "99"}, allow_redirects=False
    )
    assert response.status == 404


async def test_a_form_without_the_sessions_csrf_token_is_refused_and_stores_nothing(
    seeded, log_in_as
):
    await log_in_as(StaffRole.ADMINISTRATOR)
    before = await seeded.get("/guide/registration?lang=en")
    forged = await seeded.request(
        "POST",
        "/admin/guidance/registration/en",
        data={"title": "Forged", "body": "Forged body", "csrf": "not-the-token"},
    )
    assert forged.status == 403
    assert await (await seeded.get("/guide/registration?lang=en")).text() == await before.text()
