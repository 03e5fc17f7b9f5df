"""SMS through a configurable HTTP gateway: POST {"to", "text"} as JSON with a bearer token.

Most SMS providers accept this shape directly or through a small relay; the gateway URL and token
come from configuration. A 2xx answer means the gateway accepted the message.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from helpdesk.adapters.mailer import DeliveryFailed

# The gateway says the number or the text is wrong: the same message would be refused again.
REFUSED_FOR_GOOD = frozenset({400, 404, 410, 413, 422})


@dataclass(frozen=True)
class HttpSmsGateway:
    url: str
    token: str | None = None
    timeout: float = 15.0

    async def send(self, to: str, text: str) -> str:
        """Send and return the gateway's message id (empty when it gives none)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self.url, json={"to": to, "text": text}, headers=headers) as response,
            ):
                body = await response.text()
                if response.status >= 300:
                    raise DeliveryFailed(
                        f"SMS gateway answered {response.status}: {body[:200]}",
                        permanent=response.status in REFUSED_FOR_GOOD,
                    )
                if response.content_type == "application/json":
                    return str((await response.json()).get("id", ""))
                return ""
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise DeliveryFailed(f"SMS gateway {self.url}: {error}") from error
