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
