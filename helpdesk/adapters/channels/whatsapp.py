"""WhatsApp Cloud API: the webhook's payload, and the Graph API client that sends replies."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.adapters.mailer import DeliveryFailed


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")  # Meta adds fields; keep them in the raw message


class WhatsAppMessage(_Open):
    from_: str = Field(alias="from", pattern=r"^[0-9]{6,20}$")
    id: str = Field(min_length=1, max_length=300)
    timestamp: str
    type: str


class WhatsAppValue(_Open):
    messaging_product: str
    metadata: dict = {}
    contacts: list[dict] = []
    messages: list[WhatsAppMessage] = []
    statuses: list[dict] = []  # delivery receipts of what we sent: nothing to take in


class WhatsAppChange(_Open):
    field: str
    value: WhatsAppValue


class WhatsAppEntry(_Open):
    id: str
    changes: list[WhatsAppChange]


class WhatsAppWebhook(_Open):
    object: str = Field(pattern="^whatsapp_business_account$")
    entry: list[WhatsAppEntry]

    def messages(self) -> list[dict]:
        """Each person's message with its sender's contact card, as stored raw."""
        found = []
        for entry in self.entry:
            for change in entry.changes:
                contacts = {c.get("wa_id"): c for c in change.value.contacts}
                for message in change.value.messages:
                    found.append(
                        {
                            "message": message.model_dump(by_alias=True),
                            "contact": contacts.get(message.from_, {}),
                            "metadata": change.value.metadata,
                        }
                    )
        return found


@dataclass(frozen=True)
class GraphClient:
    """Sends messages from the institute's WhatsApp number through the Graph API."""

    base_url: str  # e.g. https://graph.facebook.com/v21.0
    access_token: str
    phone_number_id: str
    timeout: float = 15.0

    async def send_text(self, to: str, body: str) -> str:
        return await self._send(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "text",
                "text": {"preview_url": False, "body": body},
            }
        )

    async def send_template(self, to: str, name: str, language: str, parameters: list[str]) -> str:
        """A pre-approved template: the only thing allowed outside the 24-hour window."""
        return await self._send(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "template",
                "template": {
                    "name": name,
                    "language": {"code": language},
                    "components": [
                        {
                            "type": "body",
                            "parameters": [{"type": "text", "text": p} for p in parameters],
                        }
                    ],
                },
            }
        )

    @classmethod
    def from_config(cls, config) -> GraphClient | None:
        """The client when replies are configured (an access token and a phone number id)."""
        if not (config.whatsapp_access_token and config.whatsapp_phone_number_id):
            return None
        return cls(
            config.whatsapp_api_base, config.whatsapp_access_token, config.whatsapp_phone_number_id
        )

    async def download_media(self, media_id: str, max_bytes: int) -> tuple[str, bytes] | None:
        """(content type, bytes) of a file a person sent; None when it is larger than max_bytes.

        Two steps, as the Cloud API wants: GET /{media-id} gives a short-lived URL, which is then
        fetched with the same token."""
        headers = {"Authorization": f"Bearer {self.access_token}"}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
                async with session.get(f"{self.base_url}/{media_id}") as response:
                    if response.status >= 300:
                        raise DeliveryFailed(f"WhatsApp media {media_id}: {response.status}")
                    info = await response.json(content_type=None)
                if int(info.get("file_size") or 0) > max_bytes:
                    return None
                async with session.get(info["url"]) as response:
                    if response.status >= 300:
                        raise DeliveryFailed(f"WhatsApp media {media_id}: {response.status}")
                    data = await response.content.read(max_bytes + 1)
                    if len(data) > max_bytes:
                        return None
                    return info.get("mime_type", response.content_type), data
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as error:
            raise DeliveryFailed(f"WhatsApp media {media_id}: {error!r}") from error

    async def _send(self, message: dict) -> str:
        """POST /{phone-number-id}/messages; returns the wamid of the sent message."""
        url = f"{self.base_url}/{self.phone_number_id}/messages"
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session,
                session.post(url, json=message, headers=headers) as response,
            ):
                answer = await response.json(content_type=None)
                if response.status >= 300:
                    error = (answer or {}).get("error", {}) if isinstance(answer, dict) else {}
                    raise DeliveryFailed(
                        f"WhatsApp answered {response.status}: {error.get('message', answer)}"
                    )
                return answer["messages"][0]["id"]
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, IndexError) as error:
            raise DeliveryFailed(f"WhatsApp Graph API: {error!r}") from error
