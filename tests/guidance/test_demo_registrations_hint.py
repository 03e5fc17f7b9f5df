"""Issue 21, finding 9: in demo mode the readiness check says which demo registrations to try, and
they work; outside the demo it says nothing of them."""

from dataclasses import replace

from helpdesk.services.guidance_seed import DEMO_PROFILES, seed_guidance
from tests.helpdesk.pages import csrf_of


async def test_the_demo_readiness_check_names_registrations_that_work(
    serve, app_config, aiohttp_client
):
    client = await aiohttp_client(await serve(replace(app_config, demo=True)))
    await seed_guidance(with_demo_profiles=True)
    page = await (await client.get("/certificate/check?lang=en")).text()
    assert "In this demo, try these registrations" in page
    for profile in DEMO_PROFILES:
        assert profile["reference"] in page and profile["email"] in page
        form = await (await client.get("/certificate/check?lang=en")).text()
        found = await client.post(
            "/certificate/check?lang=en",
            data={
                "csrf": csrf_of(form),
                "reference": profile["reference"],
                "email": profile["email"],
            },
        )
        assert found.status == 200, await found.text()


async def test_outside_the_demo_no_registration_is_named(client):
    await seed_guidance(with_demo_profiles=True)
    page = await (await client.get("/certificate/check?lang=en")).text()
    assert "REG-2026-0002" not in page and "try these registrations" not in page
