"""The foundation as a user meets it: pages, health, languages, staff log-in, errors."""

from helpdesk.domain.institute import StaffRole


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).status == 200
    response = await client.get("/readyz")
    assert response.status == 200
    assert (await response.json())["status"] == "ready"


async def test_home_page_is_arabic_first_and_switches_to_english(client):
    page = await (await client.get("/")).text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "سند" in page
    english = await client.get("/?lang=en")
    assert '<html lang="en" dir="ltr">' in await english.text()
    # The choice is remembered.
    assert '<html lang="en" dir="ltr">' in await (await client.get("/")).text()


async def test_every_response_carries_a_request_id(client):
    response = await client.get("/healthz", headers={"X-Request-Id": "abc123"})
    assert response.headers["X-Request-Id"] == "abc123"
    assert len((await client.get("/healthz")).headers["X-Request-Id"]) == 16


async def test_unknown_page_is_a_translated_page_and_unknown_api_is_problem_json(client):
    page = await client.get("/no/such/page")
    assert page.status == 404
    assert "الصفحة غير موجودة" in await page.text()
    api = await client.get("/api/v1/no-such-thing")
    assert api.status == 404
    assert api.headers["Content-Type"].startswith("application/problem+json")
    assert (await api.json())["status"] == 404


async def test_staff_log_in_and_out(client, log_in_as):
    staff = await log_in_as(StaffRole.LEVEL1_AGENT, name="Noura")
    assert "Noura" in await (await client.get("/")).text()
    await client.post("/staff/logout", allow_redirects=False)
    assert "Noura" not in await (await client.get("/")).text()
    assert staff.password_hash.startswith("$argon2")


async def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, staff_member):
    from tests.conftest import login_csrf

    staff = await staff_member(StaffRole.LEVEL1_AGENT)
    csrf = await login_csrf(client)
    wrong = await client.post(
        "/staff/login", data={"email": staff.email, "password": "nope", "csrf": csrf}
    )
    unknown = await client.post(
        "/staff/login", data={"email": "x@y.z", "password": "nope", "csrf": csrf}
    )
    assert wrong.status == unknown.status == 401
    assert "غير صحيحة" in await wrong.text()


async def test_log_in_never_redirects_off_site(client, staff_member):
    from tests.conftest import TEST_PASSWORD, login_csrf

    staff = await staff_member(StaffRole.LEVEL1_AGENT)
    response = await client.post(
        "/staff/login",
        data={
            "email": staff.email,
            "password": TEST_PASSWORD,
            "next": "//evil.example/",
            "csrf": await login_csrf(client),
        },
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/"


async def test_catalogue_for_browsers(client):
    arabic = await (await client.get("/i18n/ar.json")).json()
    assert arabic["Log in"] == "دخول"
    assert (await client.get("/i18n/fr.json")).status == 404


async def test_readiness_is_503_with_the_reason_when_redis_is_unreachable(
    app_config, aiohttp_client
):
    from dataclasses import replace

    from classroom_helper.bootstrap import build_app
    from tests.processes import free_port

    config = replace(app_config, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    client = await aiohttp_client(build_app(config))
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["problems"] == {"redis": "ConnectionError"}
    assert (await client.get("/healthz")).status == 200
