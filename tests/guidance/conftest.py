import pytest

from helpdesk.services.guidance_seed import seed_guidance


@pytest.fixture
async def seeded(client):
    """The app with its guidance content and the two demo registrations."""
    await seed_guidance(with_demo_profiles=True)
    return client
