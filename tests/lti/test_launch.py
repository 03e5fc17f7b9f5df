"""LTI 1.3 launches over plain HTTP against the test platform: what a valid launch makes, and every
refusal (a clear page in the person's language, logged, nothing created)."""

from __future__ import annotations

import logging
import re
import time

import jwt
import pytest
import socketio
from cryptography.hazmat.primitives.asymmetric import rsa

from classroom_helper.adapters.lti_orm import LtiLogin, LtiPlacement, LtiPlatform, LtiToolKey
from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
from helpdesk.entrypoints import keys
from tests.lti.conftest import Launcher
from tests.lti.platform import (
    CLAIM,
    INSTRUCTOR,
    LEARNER,
    TEACHING_ASSISTANT,
    Person,
    Platform,
    Tool,
    link,
)
from tests.room.conftest import RoomClient

SARA = Person("u-17", "سارة أحمد", [LEARNER], email="sara@example.org", locale="ar")
MONA = Person("u-2", "Mona Ali", [TEACHING_ASSISTANT, INSTRUCTOR], email="mona@example.org")
HUDA = Person("u-3", "د. هدى", [INSTRUCTOR], locale="en-GB")


def token_in(page: str) -> str:
    return re.search(r'data-token="([^"]+)"', page).group(1)


async def test_the_tools_jwks_is_its_public_key_made_once(client):
    first = await (await client.get("/lti/jwks")).json()
    second = await (await client.get("/lti/jwks")).json()
    assert first == second and len(first["keys"]) == 1
    key = first["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert "d" not in key and "p" not in key  # never the private half
    assert await LtiToolKey.all().count() == 1


async def test_a_learners_launch_opens_the_room_with_the_widget(launcher, server, lms):
    response = await launcher.launch(SARA, link())
    page = await response.text()
    assert response.status == 200, page
    room = await RoomSession.get(title="Presentation skills — Live help")
    assert f'data-room="{room.room_id}"' in page and "/static/widget.js" in page
    assert 'lang="ar" dir="rtl"' in page
    csp = response.headers["Content-Security-Policy"]
    assert csp.endswith(f"; frame-ancestors 'self' {lms.issuer}") and "script-src 'self';" in csp
    assert "X-Frame-Options" not in response.headers

    room_pass = await server.app[keys.ROOM_PASSES].verify(token_in(page), room.room_id)
    assert room_pass.role == "trainee" and room_pass.name == "سارة أحمد"
    assert room_pass.email == "sara@example.org" and room_pass.locale == "ar"
    assert room_pass.person_ref.startswith("lti:") and room_pass.person_ref.endswith(":u-17")
    # hours, not the minute of the platform's id_token
    assert room_pass.expires_at.timestamp() > time.time() + 2 * 3600

    # the same placement is the same room; the pass admits on the live room's own admission
    again = await launcher.launch(SARA, link())
    assert token_in(await again.text()) and await RoomSession.all().count() == 1
    sara = await RoomClient(str(server.make_url("")), token_in(await again.text())).connect(
        room=room.room_id
    )
    assert sara.sio.connected
    await sara.disconnect()


async def test_roles_lead_to_their_consoles(launcher):
    trainer = await launcher.launch(HUDA, link())
    page = await trainer.text()
    assert "/static/consoles/trainer.js" in page and "/static/lti/console_pass.js" in page
    assert 'lang="en" dir="ltr"' in page  # the platform's locale, en-GB
    manager = await (await launcher.launch(MONA, link())).text()
    assert "/static/consoles/manager.js" in manager
    # the activity's custom parameter chosen by the administrator lists more room managers
    listed = await launcher.launch(SARA, link(custom={"room_managers": "u-99, sara@example.org"}))
    assert "/static/consoles/manager.js" in await listed.text()


async def test_a_new_room_when_the_placements_session_closed(launcher):
    await launcher.launch(MONA, link())
    first = await RoomSession.get()
    first.state = "closed"
    await first.save()
    await launcher.launch(SARA, link())  # a trainee changes nothing
    assert await RoomSession.all().count() == 1
    await launcher.launch(MONA, link())
    assert await RoomSession.filter(state="scheduled").count() == 1
    placement = await LtiPlacement.get()
    assert placement.generation == 2 and placement.room_id != first.room_id


async def _nothing_made() -> tuple[int, int, int]:
    return (
        await RoomSession.all().count(),
        await LtiPlacement.all().count(),
        await HostPlatform.all().count(),
    )


def forged_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


REFUSALS = {
    # name: (launch arguments, refusal code, Arabic text on the page)
    "bad signature": (
        {"sign": "forged"},
        "bad_signature",
        "تعذّر التحقق من توقيع منصة التعلّم.",
    ),
    "unknown deployment": (
        {CLAIM + "deployment_id": "deployment-x"},
        "unknown_deployment",
        "موضع سند هذا غير مسجّل في سند.",
    ),
    "wrong audience": ({"aud": "another-tool"}, "wrong_audience", "أرسلت منصة التعلّم"),
    "several audiences without azp": (
        {"aud": ["sanad-client-1", "another-tool"]},
        "wrong_audience",
        "أرسلت منصة التعلّم",
    ),
    "expired": (
        {"exp": int(time.time()) - 120, "iat": int(time.time()) - 180},
        "expired",
        "انتهت صلاحية تسجيل الدخول هذا.",
    ),
    "missing role": (
        {CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]},
        "missing_role",
        "دورك في هذا المقرر",
    ),
    "another message type": (
        {CLAIM + "message_type": "LtiDeepLinkingRequest"},
        "wrong_message_type",
        "لا يُفتح سند إلا من رابط في مقرر",
    ),
    "another version": ({CLAIM + "version": "1.1"}, "wrong_version", "LTI"),
    "another issuer": ({"iss": "https://evil.example"}, "unknown_platform", "لا يعرف سند"),
    "no person": ({"sub": None}, "missing_claim", "لم تذكر منصة التعلّم"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_each_refusal_is_a_clear_page_logged_and_makes_nothing(launcher, lms, case, caplog):
    overrides, code, arabic = REFUSALS[case]
    before = await _nothing_made()
    if overrides.get("sign") == "forged":
        key = forged_key()
        response = await launcher.launch(SARA, link(), sign=lambda c: lms.sign(c, key=key))
    else:
        with caplog.at_level(logging.WARNING, logger="sanad.lti"):
            response = await launcher.launch(SARA, link(), **overrides)
    page = await response.text()
    assert response.status == 403, page
    assert f'data-refusal="{code}"' in page and arabic in page
    assert "ما العمل:" in page  # what to tell whom
    assert response.headers["Content-Security-Policy"].endswith("; frame-ancestors *")
    assert "data-token" not in page
    assert await _nothing_made() == before
    if overrides.get("sign") != "forged":
        assert f"lti: refused {code}" in caplog.text


async def test_a_replayed_launch_is_refused(launcher, lms, tool):
    state, nonce = await launcher.log_in(SARA, link())
    id_token = lms.sign(lms.claims(tool, SARA, nonce, link()))
    assert (await launcher.post(id_token, state)).status == 200
    before = await _nothing_made()
    again = await launcher.post(id_token, state)
    assert again.status == 403 and 'data-refusal="replayed"' in await again.text()
    assert await _nothing_made() == before
    assert await LtiLogin.all().count() == 0


async def test_a_state_sanad_did_not_sign_or_another_logins_nonce(launcher, lms, tool):
    state, nonce = await launcher.log_in(SARA, link())
    id_token = lms.sign(lms.claims(tool, SARA, nonce, link()))
    forged_state = jwt.encode(
        {"platform": 1, "nonce": nonce}, "a guessed key, long enough for HS256", algorithm="HS256"
    )
    response = await launcher.post(id_token, forged_state)
    assert response.status == 403 and 'data-refusal="bad_state"' in await response.text()
    other_state, _ = await launcher.log_in(SARA, link())
    response = await launcher.post(id_token, other_state)  # a token made for another log-in
    assert response.status == 403 and 'data-refusal="bad_state"' in await response.text()
    missing = await launcher.post("", "")
    assert missing.status == 400 and 'data-refusal="bad_request"' in await missing.text()
    assert (await launcher.post("not a jwt", state)).status == 400


async def test_refusals_speak_the_persons_language(launcher):
    english = Person("u-9", "Omar", ["Mentor"], locale="en-US")
    response = await launcher.launch(english, link())
    page = await response.text()
    assert 'lang="en" dir="ltr"' in page
    assert "Your role in this course gives no place in the live room." in page


async def test_log_in_refusals(client, lms, tool):
    unknown = await client.get(
        "/lti/login",
        params={"iss": "https://unknown.example", "login_hint": "x",
                "target_link_uri": tool.redirect_uris[0]},
    )  # fmt: skip
    assert unknown.status == 403 and 'data-refusal="unknown_platform"' in await unknown.text()
    elsewhere = await client.post(
        "/lti/login",
        data={"iss": lms.issuer, "login_hint": "x", "target_link_uri": "https://evil.example/"},
        allow_redirects=False,
    )
    assert elsewhere.status == 400  # never an open redirector
    incomplete = await client.get("/lti/login")
    assert incomplete.status == 400 and "غير مكتمل" in await incomplete.text()
    opened = await client.get("/lti/launch")
    assert opened.status == 200 and "افتح سند من مقررك" in await opened.text()
    assert await LtiLogin.all().count() == 0


async def test_a_disabled_platform_is_refused_until_approved_again(launcher, log_in_as):
    from helpdesk.domain.institute import StaffRole
    from tests.helpdesk.pages import csrf_of

    await log_in_as(StaffRole.ADMINISTRATOR)
    platform = await LtiPlatform.get()
    page = await (await launcher.client.get("/admin/lti")).text()
    csrf = csrf_of(page)
    await launcher.client.post(f"/admin/lti/platforms/{platform.id}/disable", data={"csrf": csrf})
    refused = await launcher.start(SARA, link())
    assert refused.status == 403
    assert 'data-refusal="platform_not_approved"' in await refused.text()
    assert not (await HostPlatform.get(id=f"lti-{platform.id}")).is_active
    await launcher.client.post(f"/admin/lti/platforms/{platform.id}/approve", data={"csrf": csrf})
    assert (await launcher.launch(SARA, link())).status == 200


async def test_two_platforms_are_kept_apart(launcher, server, lms, aiohttp_server):
    """The same deployment, course and link ids on another platform are another room, and a
    person of one platform cannot enter the other's room."""
    from datetime import UTC, datetime

    from classroom_helper.services.lti import register_platform

    other = await Platform().start(aiohttp_server)
    other_tool = Tool("sanad-client-1", launcher.tool.login_url, launcher.tool.redirect_uris,
                      "deployment-1")  # fmt: skip
    other.tools.append(other_tool)
    await register_platform(
        name="Other LMS", issuer=other.issuer, client_id=other_tool.client_id,
        auth_login_url=f"{other.issuer}/auth", jwks_url=f"{other.issuer}/jwks",
        deployment_ids="deployment-1", now=datetime.now(UTC),
    )  # fmt: skip
    ours = await launcher.launch(SARA, link())
    theirs = await Launcher(launcher.client, other, other_tool).launch(SARA, link())
    our_room = re.search(r'data-room="([^"]+)"', await ours.text()).group(1)
    their_room = re.search(r'data-room="([^"]+)"', await theirs.text()).group(1)
    assert our_room != their_room and await RoomSession.all().count() == 2
    # the other platform's key cannot sign for ours either
    forged = await launcher.launch(SARA, link(), sign=lambda c: other.sign(c, kid=lms.kid))
    assert 'data-refusal="bad_signature"' in await forged.text()
    intruder = RoomClient(str(server.make_url("")), token_in(await theirs.text()))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await intruder.connect(room=our_room)


async def test_the_platforms_key_set_is_cached_and_fetched_again_when_it_rotates(launcher, lms):
    assert (await launcher.launch(SARA, link())).status == 200
    assert (await launcher.launch(HUDA, link())).status == 200
    assert lms.jwks_requests == 1  # cached between launches
    lms.rotate_key()
    assert (await launcher.launch(SARA, link())).status == 200  # an unknown kid: fetched again
    assert lms.jwks_requests == 2
    # forged kids do not make Sanad fetch the set at every launch: at most once per cooldown
    for _ in range(3):
        forged = await launcher.launch(SARA, link(), sign=lambda c: lms.sign(c, kid="forged"))
        assert 'data-refusal="bad_signature"' in await forged.text()
    assert lms.jwks_requests == 2
