import pytest

from helpdesk.services.guidance_seed import seed_guidance
from tests.helpdesk.pages import csrf_of


@pytest.fixture
async def seeded(client):
    """The app with its guidance content and the two demo registrations.

    Its form posts carry the CSRF token of the visitor's session, as a browser's would.
    """
    await seed_guidance(with_demo_profiles=True)
    post = client.post

    async def post_form(path, *, data=None, **options):
        if isinstance(data, dict) and "csrf" not in data:
            page = await client.get("/certificate/check")
            data = {**data, "csrf": csrf_of(await page.text())}
        return await post(path, data=data, **options)

    client.post = post_form
    return client
