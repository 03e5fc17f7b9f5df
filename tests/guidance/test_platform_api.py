"""The host platform sends a registration's certificate data and gets the trainee's link back."""

from datetime import UTC, datetime, timedelta

import jwt
from yarl import URL

from helpdesk.adapters.orm.guidance import CertificateProfile
from helpdesk.adapters.orm.institute import HostPlatform

SECRET = "platform-secret-long-enough-for-hs256-keys"


def platform_token(secret=SECRET, platform="academy", audience="sanad:certificates", **late):
    now = datetime.now(UTC) - late.get("age", timedelta(0))
    claims = {"iss": platform, "aud": audience, "iat": now, "exp": now + timedelta(minutes=5)}
    return jwt.encode(claims, secret, algorithm="HS256")


async def put(client, reference, body, token=None):
    return await client.put(
        f"/api/v1/certificate-profiles/{reference}",
        json=body,
        headers={"Authorization": f"Bearer {token or platform_token()}"},
    )


async def test_platform_sends_data_and_the_link_opens_the_readiness_check(seeded):
    client = seeded
    await HostPlatform.create(id="academy", name="Academy", secret=SECRET)
    response = await put(
        client,
        "REG-7",
        {
            "email": "Lina@Example.com",
            "course_title": "Data literacy",
            "full_name_ar": "لينا سعد الدوسري",
            "full_name_en": "لينا Saad",
            "national_id": "1000000008",
            "mobile": "0551234567",
            "attendance_percent": 90,
            "assessments_completed": True,
        },
    )
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["reference"] == "REG-7"
    assert body["ready"] is False
    assert body["missing_or_wrong"] == ["full_name_en"]
    link = body["readiness_url"]
    assert link.startswith("http") and "/certificate/check?token=" in link
    page = await client.get(URL(link).path_qs)
    assert "اسمك بالإنجليزية يحتوي على حروف عربية." in await page.text()
    # later the platform only updates attendance: the rest is kept
    again = await put(client, "REG-7", {"email": "lina@example.com", "attendance_percent": 50})
    assert (await again.json())["missing_or_wrong"] == ["full_name_en", "attendance_percent"]
    profile = await CertificateProfile.get(registration_reference="REG-7")
    assert profile.full_name_ar == "لينا سعد الدوسري"
    assert profile.email == "lina@example.com"


async def test_only_a_known_platform_with_the_right_audience_may_send(client):
    await HostPlatform.create(id="academy", name="Academy", secret=SECRET)
    body = {"email": "x@example.com"}
    for token in (
        "not-a-token",
        platform_token(secret="another-secret-that-is-also-long-enough!"),
        platform_token(platform="stranger"),
        platform_token(audience="sanad:rooms"),
        platform_token(age=timedelta(hours=1)),
    ):
        response = await put(client, "REG-8", body, token)
        assert response.status == 401
        assert response.headers["Content-Type"].startswith("application/problem+json")
    assert not await CertificateProfile.exists(registration_reference="REG-8")


async def test_bad_data_is_refused_field_by_field(client):
    await HostPlatform.create(id="academy", name="Academy", secret=SECRET)
    response = await put(client, "REG-9", {"email": "x@example.com", "attendance_percent": 140})
    assert response.status == 422
    problem = await response.json()
    assert problem["errors"][0]["field"] == "attendance_percent"
    unknown = await put(client, "REG-9", {"email": "x@example.com", "shoe_size": 44})
    assert unknown.status == 422
    assert (await put(client, "bad reference!", {"email": "x@example.com"})).status == 400
    assert not await CertificateProfile.exists(registration_reference="REG-9")
