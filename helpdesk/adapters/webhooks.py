"""Outbound webhooks: a JSON POST signed with HMAC-SHA256 over "<timestamp>.<body>".

Headers: `X-Sanad-Event`, `X-Sanad-Delivery` (stable across retries, for de-duplication) and
`X-Sanad-Signature: t=<unix seconds>,v1=<hex digest>`. The receiver recomputes the digest with the
shared secret and refuses old timestamps, which stops replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

import aiohttp

from helpdesk.adapters.mailer import DeliveryFailed
from helpdesk.domain.secret_check import same_secret


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        expected = signature(secret, int(parts["t"]), body)
    except (KeyError, ValueError):
        return False
    return same_secret(header, expected)


@dataclass(frozen=True)
class WebhookSender:
    timeout: float = 10.0

    async def deliver(
        self, url: str, secret: str, event: str, delivery_id: str, payload: dict, timestamp: int
    ) -> int:
        """POST the event; return the HTTP status, or raise DeliveryFailed to be retried."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Sanad-Event": event,
            "X-Sanad-Delivery": delivery_id,
            "X-Sanad-Signature": signature(secret, timestamp, body),
        }
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session,
                session.post(url, data=body, headers=headers) as response,
            ):
                if response.status >= 300:
                    raise DeliveryFailed(f"webhook {url} answered {response.status}")
                return response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryFailed(f"webhook {url}: {error}") from error
