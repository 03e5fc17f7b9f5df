"""A wrong secret is a wrong secret (issue 20): non-ASCII, over-long, empty or badly encoded values
in every secret the server compares get the answer any wrong value gets, never a 500."""

from __future__ import annotations

from dataclasses import replace

import pytest
from yarl import URL

from helpdesk.domain.secret_check import same_secret
from tests.helpdesk.fixtures import new_ticket
from tests.helpdesk.pages import csrf_of

# What a stranger sends instead of the right value. The %-escapes go into URLs as they are
# (the first is not UTF-8: a lone surrogate once decoded, the second is "é").
WRONG = ["é", "%ED%A0%80", "%C3%A9", "x" * 4000, "", "\u00ff" * 3]
REFUSED = {401, 403, 404}


def test_same_secret_compares_any_text_as_bytes():
    assert same_secret("clé", "clé") and same_secret("abc", "abc")
    for presented in ["é", "\ud800", "", None, 12, "x" * 5000, "ab"]:
        assert not same_secret(presented, "abc")
    assert not same_secret("abc", "") and not same_secret("abc", None)


def url(path: str, name: str, value: str, **query: str) -> URL:
    """The path with `name=value` in its query: %-escapes as they are, other text encoded."""
    if "%" in value:
        rest = "".join(f"&{k}={v}" for k, v in query.items())
        return URL(f"{path}?{name}={value}{rest}", encoded=True)
    return URL(path).with_query({name: value, **query})


@pytest.fixture
async def channels_server(serve_with, app_config):
    return await serve_with(
        whatsapp_app_secret="wa-app-secret",
        whatsapp_verify_token="wa-verify-token",
        x_consumer_secret="x-consumer-secret",
    )


@pytest.fixture
async def strangers(channels_server, aiohttp_client):
    return await aiohttp_client(channels_server)


async def test_the_tracking_key(strangers):
    ticket = await new_ticket()
    csrf = csrf_of(
        await (await strangers.get(f"/track/{ticket.number}?key={ticket.tracking_secret}")).text()
    )
    for value in WRONG:
        for path in (f"/track/{ticket.number}", "/attachments/1"):
            assert (await strangers.get(url(path, "key", value))).status in REFUSED, (path, value)
        lookup = await strangers.get(url("/track", "key", value, number=ticket.number))
        assert lookup.status in {200, 404}  # the lookup form, or on to the page that refuses
        posted = await strangers.post(
            f"/track/{ticket.number}/reply", data={"csrf": csrf, "key": value, "body": "hello"}
        )
        assert posted.status in REFUSED, value


async def test_the_csrf_tokens_of_the_staff_login_and_the_web_form(strangers):
    for value in WRONG:
        await csrf_refused(strangers, value)


async def csrf_refused(strangers, value: str) -> None:
    await strangers.get("/staff/login")
    login = await strangers.post(
        "/staff/login", data={"csrf": value, "email": "a@example.org", "password": "x" * 12}
    )
    assert login.status in REFUSED
    await strangers.get("/contact/complaint")
    form = await strangers.post(
        "/contact/complaint", data={"csrf": value, "name": "n", "subject": "s", "description": "d"}
    )
    assert form.status in REFUSED


async def test_the_channel_webhooks(strangers):
    for value in WRONG:
        await webhooks_refuse(strangers, value)


async def webhooks_refuse(strangers, value: str) -> None:
    body = b'{"object": "whatsapp_business_account", "entry": []}'
    whatsapp = await strangers.post(
        "/channels/whatsapp/webhook",
        data=body,
        headers={"X-Hub-Signature-256": "sha256=" + value, "Content-Type": "application/json"},
    )
    assert whatsapp.status in REFUSED
    x = await strangers.post(
        "/channels/x/webhook",
        data=b"{}",
        headers={"X-Twitter-Webhooks-Signature": value, "Content-Type": "application/json"},
    )
    assert x.status in REFUSED
    verify = url(
        "/channels/whatsapp/webhook", "hub.verify_token", value,
        **{"hub.mode": "subscribe", "hub.challenge": "1"},
    )  # fmt: skip
    assert (await strangers.get(verify)).status in REFUSED
    crc = await strangers.get(url("/channels/x/webhook", "crc_token", value))
    assert crc.status in {200, 400}  # a challenge to sign, not a secret: answered, never a 500


async def test_bearer_tokens_of_the_api_the_room_api_and_the_certificate_api(strangers):
    for value in WRONG:
        await bearers_refused(strangers, value)


async def bearers_refused(strangers, value: str) -> None:
    headers = {"Authorization": "Bearer " + value}
    assert (await strangers.get("/api/v1/tickets", headers=headers)).status == 401
    assert (
        await strangers.get("/api/v1/tickets", headers={"Authorization": "Bearer snd_" + value})
    ).status == 401
    room = await strangers.get("/api/v1/rooms/room-1/questions.csv", headers=headers)
    assert room.status in REFUSED
    certificate = await strangers.put(
        "/api/v1/certificate-profiles/REF-1", json={"email": "a@example.org"}, headers=headers
    )
    assert certificate.status in REFUSED


async def test_the_metrics_token(serve, app_config, aiohttp_client):
    client = await aiohttp_client(await serve(replace(app_config, metrics_token="m" * 32)))
    for value in WRONG:
        response = await client.get("/metrics", headers={"Authorization": "Bearer " + value})
        assert response.status == 401, value
