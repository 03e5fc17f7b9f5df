"""The mailer against a real aiosmtpd server, and the SMS adapter against a local HTTP gateway."""

from __future__ import annotations

import aiosmtplib
import pytest
from aiohttp import web

from helpdesk.adapters.mailer import DeliveryFailed, SmtpMailer
from helpdesk.adapters.sms import HttpSmsGateway
from tests.helpdesk.smtp_sink import free_port


async def test_mail_has_plain_text_and_html_parts(smtp_sink, monkeypatch):
    async def no_lookup(_smtp):
        raise AssertionError("aiosmtplib looked up the host's name (socket.getfqdn)")

    monkeypatch.setattr(aiosmtplib.SMTP, "_get_default_local_hostname", no_lookup)
    mailer = SmtpMailer("127.0.0.1", smtp_sink.port, "support@institute.sa")
    message_id = await mailer.send(
        "trainee@example.com", "تذكرتك SND-2026-000001", "نص عادي", "<p>نص <b>HTML</b></p>"
    )
    [received] = smtp_sink.messages
    assert received["Subject"] == "تذكرتك SND-2026-000001"
    assert received["To"] == "trainee@example.com"
    assert received["Message-ID"] == message_id
    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert plain.strip() == "نص عادي"
    assert "<b>HTML</b>" in html
    assert smtp_sink.greetings == ["institute.sa"]  # the sender's domain, no lookup


async def test_mail_to_a_server_that_is_down_fails_clearly():
    mailer = SmtpMailer("127.0.0.1", free_port(), "support@institute.sa", timeout=2)
    with pytest.raises(DeliveryFailed, match=r"SMTP 127\.0\.0\.1"):
        await mailer.send("trainee@example.com", "s", "t", "<p>h</p>")


@pytest.fixture
async def gateway(aiohttp_server):
    """A local HTTP server standing in for the SMS provider; `fail` makes it answer 503."""
    state = {"received": [], "fail": False}

    async def receive(request: web.Request) -> web.Response:
        if state["fail"]:
            return web.Response(status=503, text="busy")
        state["received"].append((request.headers.get("Authorization"), await request.json()))
        return web.json_response({"id": f"m{len(state['received'])}"})

    app = web.Application()
    app.router.add_post("/send", receive)
    server = await aiohttp_server(app)
    state["url"] = str(server.make_url("/send"))
    return state


async def test_sms_goes_to_the_gateway_with_the_token(gateway):
    sms = HttpSmsGateway(gateway["url"], token="secret")
    assert await sms.send("+966500000001", "تم تصعيد تذكرتك") == "m1"
    assert gateway["received"] == [
        ("Bearer secret", {"to": "+966500000001", "text": "تم تصعيد تذكرتك"})
    ]


async def test_sms_refused_or_unreachable_gateway_fails_clearly(gateway):
    gateway["fail"] = True
    with pytest.raises(DeliveryFailed, match="503"):
        await HttpSmsGateway(gateway["url"]).send("+966500000001", "x")
    with pytest.raises(DeliveryFailed):
        await HttpSmsGateway(f"http://127.0.0.1:{free_port()}/send", timeout=2).send("+9665", "x")
