"""The clients that answer a conversation where it started, WhatsApp and X (either may be off)."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.adapters.channels.whatsapp import GraphClient
from helpdesk.adapters.channels.x import XClient
from helpdesk.config import ChannelsConfig


@dataclass(frozen=True)
class ChannelSenders:
    whatsapp: GraphClient | None = None
    whatsapp_template: tuple[str, str] | None = None  # (name, language)
    x: XClient | None = None


def channel_senders(config: ChannelsConfig) -> ChannelSenders:
    """Built from the channels' configuration: a client for each channel that is switched on."""
    whatsapp = GraphClient.from_config(config)
    x = (
        XClient(config.x_api_base, config.x_access_token)
        if config.x_consumer_secret and config.x_access_token
        else None
    )
    return ChannelSenders(whatsapp, config.whatsapp_template, x)
