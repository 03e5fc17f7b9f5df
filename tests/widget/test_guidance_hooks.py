"""The widget shows what the guidance endpoints offer (contact-centre hours) when the server has them."""

from __future__ import annotations

import pytest

from tests.widget.conftest import W, open_panel


async def test_contact_centre_notice_says_what_the_endpoint_says(
    client, host_site, token_for, open_page
):
    response = await client.get("/api/v1/contact-centre?lang=en")
    if response.status == 404:
        pytest.skip("this server has no /api/v1/contact-centre (the guidance area is not merged)")
    centre = await response.json()
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")))
    await open_panel(page)
    notice = page.locator(W + "[data-role=contact-centre]")
    await notice.wait_for()
    assert centre["headline"] in await notice.text_content()


async def test_knowledge_base_suggestions_come_before_sending(
    client, host_site, token_for, open_page
):
    response = await client.get("/api/v1/knowledge-base/suggestions?lang=en&q=sound")
    if response.status == 404:
        pytest.skip(
            "this server has no knowledge-base suggestions (the guidance area is not merged)"
        )
    from helpdesk.adapters.orm.guidance import KnowledgeArticle

    await KnowledgeArticle.create(
        slug="no-sound-in-class",
        category="live_sessions",
        title_ar="لا أسمع الصوت في القاعة",
        title_en="No sound in the live class",
        body_ar="تحقق من السماعة ومن إذن الصوت في المتصفح.",
        body_en="Check your headset and the browser's permission to play sound.",
        keywords="audio hear sound headset",
    )
    page = await open_page(host_site.page(token_for("trainee", "t1", "Layla")))
    await open_panel(page)
    await page.locator(W + "#sanad-problem").fill("I cannot hear any sound")
    link = page.locator(W + "[data-role=suggestions] a")
    await link.wait_for()
    assert await link.text_content() == "No sound in the live class"
    assert (await link.get_attribute("href")).endswith("/help/articles/no-sound-in-class?lang=en")
