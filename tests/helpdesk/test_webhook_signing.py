import pytest
from aiohttp import web

from helpdesk.adapters.mailer import DeliveryFailed
from helpdesk.adapters.webhooks import WebhookSender, signature, verify_signature


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    # Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac s3cret
    assert signature("s3cret", 1700000000, b"{}") == (
        "t=1700000000,v1=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf"
    )
    header = signature("s3cret", 1700000000, b'{"a":1}')
    assert verify_signature("s3cret", header, b'{"a":1}')
    assert not verify_signature("other", header, b'{"a":1}')
    assert not verify_signature("s3cret", header, b'{"a":2}')
    assert not verify_signature("s3cret", "garbage", b"{}")


async def test_delivery_is_signed_and_failures_raise(aiohttp_server):
    received = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        received.append((dict(request.headers), body))
        return web.Response(status=204 if len(received) == 1 else 500)

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    sender = WebhookSender()
    url = str(server.make_url("/hook"))
    payload = {"event": "ticket.created", "number": "SND-2026-000001", "subject": "شهادة"}
    assert await sender.deliver(url, "k", "ticket.created", "d1", payload, 1700000000) == 204
    headers, body = received[0]
    assert headers["X-Sanad-Event"] == "ticket.created"
    assert headers["X-Sanad-Delivery"] == "d1"
    assert verify_signature("k", headers["X-Sanad-Signature"], body)
    with pytest.raises(DeliveryFailed, match="500"):
        await sender.deliver(url, "k", "ticket.created", "d1", payload, 1700000000)
