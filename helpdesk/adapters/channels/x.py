"""X direct messages: the Account Activity webhook's payload, and the client that sends replies."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.adapters.mailer import DeliveryFailed


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class XMessageData(_Open):
    text: str = Field(max_length=20_000)


class XMessageCreate(_Open):
    sender_id: str = Field(pattern=r"^[0-9]{1,30}$")
    target: dict
    message_data: XMessageData


class XDirectMessageEvent(_Open):
    type: str
    id: str = Field(min_length=1, max_length=100)
    created_timestamp: str = ""
    message_create: XMessageCreate | None = None


class XWebhook(_Open):
    for_user_id: str
    direct_message_events: list[XDirectMessageEvent] = []
    users: dict[str, dict] = {}

    def messages(self, own_account: str | None) -> list[dict]:
        """Direct messages people sent us; our own (sent from the account) are skipped."""
        own = own_account or self.for_user_id
        return [
            {"event": event.model_dump(), "user": self.users.get(create.sender_id, {})}
            for event in self.direct_message_events
            if event.type == "message_create"
            and (create := event.message_create) is not None
            and create.sender_id != own
        ]


@dataclass(frozen=True)
class XClient:
    base_url: str  # e.g. https://api.x.com
    access_token: str  # a user-context token of the institute's account
    timeout: float = 15.0

    async def send_direct_message(self, participant_id: str, text: str) -> str:
        """POST /2/dm_conversations/with/{participant_id}/messages; returns the DM event id."""
        url = f"{self.base_url}/2/dm_conversations/with/{participant_id}/messages"
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session,
                session.post(url, json={"text": text}, headers=headers) as response,
            ):
                answer = await response.json(content_type=None)
                if response.status >= 300:
                    raise DeliveryFailed(f"X answered {response.status}: {answer}")
                return answer["data"]["dm_event_id"]
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            raise DeliveryFailed(f"X API: {error!r}") from error
