"""Registering platforms: LTI Dynamic Registration against the test platform, and by hand on the
administrator's page (with their approval, CSRF, and clear messages for bad input)."""

from __future__ import annotations

from urllib.parse import quote

from classroom_helper.adapters.lti_orm import LtiDeployment, LtiPlatform
from helpdesk.adapters.orm.institute import HostPlatform
from helpdesk.domain.institute import StaffRole
from tests.helpdesk.pages import csrf_of
from tests.lti.conftest import Launcher
from tests.lti.platform import LEARNER, Person, link

SARA = Person("u-17", "Sara", [LEARNER])


def registration(lms, token: str, configuration: str | None = None) -> str:
    configuration = configuration or f"{lms.issuer}/.well-known/openid-configuration"
    return f"/lti/register?openid_configuration={quote(configuration)}&registration_token={token}"


async def test_dynamic_registration_waits_for_the_administrators_approval(
    client, server, lms, log_in_as
):
    lms.registration_tokens.add("one-time")
    response = await client.get(registration(lms, "one-time"))
    page = await response.text()
    assert response.status == 200 and "بانتظار اعتماد مسؤول سند" in page
    assert response.headers["Content-Security-Policy"].endswith(
        f"; frame-ancestors 'self' {lms.issuer}"
    )
    platform = await LtiPlatform.get()
    assert (platform.status, platform.dynamic, platform.product) == ("pending", True, "test-lms")
    assert (platform.issuer, platform.jwks_url) == (lms.issuer, f"{lms.issuer}/jwks")
    tool = lms.tools[-1]
    assert platform.client_id == tool.client_id
    assert [d.deployment_id for d in await LtiDeployment.all()] == [tool.deployment_id]
    sanad = str(server.make_url("")).rstrip("/")
    told = tool.configuration
    assert told["initiate_login_uri"] == f"{sanad}/lti/login"
    assert (
        told["redirect_uris"] == [f"{sanad}/lti/launch"] and told["jwks_uri"] == f"{sanad}/lti/jwks"
    )

    launcher = Launcher(client, lms, tool)
    refused = await launcher.start(SARA, link())
    assert refused.status == 403 and 'data-refusal="platform_not_approved"' in await refused.text()

    await log_in_as(StaffRole.ADMINISTRATOR)
    admin_page = await (await client.get("/admin/lti")).text()
    assert "بانتظار اعتمادك" in admin_page and f"{sanad}/lti/register" in admin_page
    approved = await client.post(
        f"/admin/lti/platforms/{platform.id}/approve",
        data={"csrf": csrf_of(admin_page)},
        allow_redirects=False,
    )
    assert approved.status == 303
    assert (await HostPlatform.get(id=f"lti-{platform.id}")).is_active
    assert (await launcher.launch(SARA, link())).status == 200


async def test_failed_dynamic_registrations_register_nothing(client, lms):
    refused = await client.get(registration(lms, "never-issued"))
    assert refused.status == 400 and "رفضت المنصة تسجيل سند." in await refused.text()
    # the configuration must belong to the issuer it names
    lms.registration_tokens.add("t")
    elsewhere = f"http://127.0.0.1:{lms.server.port}/.well-known/openid-configuration"
    mismatch = await client.get(registration(lms, "t", elsewhere))
    assert mismatch.status == 400 and "لا تعود إلى المُصدِر" in await mismatch.text()
    unreachable = await client.get(registration(lms, "t", "http://127.0.0.1:9/none"))
    assert (
        unreachable.status == 400
        and "تعذّر على سند قراءة إعدادات المنصة." in await unreachable.text()
    )
    nothing = await client.get("/lti/register?lang=en")
    assert nothing.status == 400 and "tool registration" in await nothing.text()
    assert await LtiPlatform.all().count() == 0 and await HostPlatform.all().count() == 0
    assert lms.tools == []


FORM = {
    "name": "Moodle of the institute",
    "issuer": "https://moodle.example.org",
    "client_id": "AbC123",
    "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
    "jwks_url": "https://moodle.example.org/mod/lti/certs.php",
    "deployment_ids": "1\n2",
}


async def test_registration_by_hand(client, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    csrf = csrf_of(await (await client.get("/admin/lti")).text())
    bad = await client.post(
        "/admin/lti/platforms", data={**FORM, "jwks_url": "ftp://x", "csrf": csrf}
    )
    assert bad.status == 400
    assert "عنوان مجموعة المفاتيح العامة: ليس عنوان ويب يستطيع سند استخدامه." in await bad.text()
    no_deployment = await client.post(
        "/admin/lti/platforms", data={**FORM, "deployment_ids": " ", "csrf": csrf}
    )
    assert no_deployment.status == 400 and "معرّفات النشر" in await no_deployment.text()
    assert (await client.post("/admin/lti/platforms", data=FORM)).status == 403  # no CSRF token
    made = await client.post(
        "/admin/lti/platforms", data={**FORM, "csrf": csrf}, allow_redirects=False
    )
    assert made.status == 303
    platform = await LtiPlatform.get().prefetch_related("deployments")
    assert platform.status == "approved" and not platform.dynamic
    assert sorted(d.deployment_id for d in platform.deployments) == ["1", "2"]
    again = await client.post("/admin/lti/platforms", data={**FORM, "csrf": csrf})
    assert again.status == 400 and "مسجّلان من قبل" in await again.text()

    saved = await client.post(
        f"/admin/lti/platforms/{platform.id}/settings",
        data={"deployment_ids": "2, 3", "manager_parameter": "room_managers", "csrf": csrf},
        allow_redirects=False,
    )
    assert saved.status == 303
    assert sorted(await LtiDeployment.all().values_list("deployment_id", flat=True)) == ["2", "3"]
    missing = await client.post("/admin/lti/platforms/999/approve", data={"csrf": csrf})
    assert missing.status == 400


async def test_only_administrators(client, log_in_as):
    await log_in_as(StaffRole.LEVEL1_AGENT)
    assert (await client.get("/admin/lti")).status == 403
    assert (await client.post("/admin/lti/platforms", data=FORM)).status == 403


async def test_a_changed_deployment_list_refuses_the_removed_one(launcher, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    platform = await LtiPlatform.get()
    csrf = csrf_of(await (await launcher.client.get("/admin/lti")).text())
    await launcher.client.post(
        f"/admin/lti/platforms/{platform.id}/settings",
        data={"deployment_ids": "another", "csrf": csrf},
    )
    refused = await launcher.launch(SARA, link())
    assert 'data-refusal="unknown_deployment"' in await refused.text()
