"""Behind the reverse proxy, the per-address limits count each client, not the proxy."""

from dataclasses import replace
from ipaddress import ip_network

import pytest

from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.config import Config, ConfigError
from tests.channels.test_web_form import form_data, open_form


async def send_form(client, forwarded_for: str) -> int:
    _, tokens = await open_form(client)
    response = await client.post(
        "/contact/complaint", data=form_data(tokens), headers={"X-Forwarded-For": forwarded_for}
    )
    return response.status


async def test_a_trusted_proxy_names_the_client(app_config, serve, aiohttp_client):
    channels = replace(app_config.channels, web_form_rate_limit="1/hour")
    config = replace(app_config, channels=channels, trusted_proxies=(ip_network("127.0.0.1"),))
    client = await aiohttp_client(await serve(config))
    first, again = await send_form(client, "203.0.113.7"), await send_form(client, "203.0.113.7")
    other = await send_form(client, "198.51.100.20, 203.0.113.9")  # the right-most untrusted
    assert (first, again, other) == (200, 429, 200)
    assert await Ticket.all().count() == 2


async def test_an_untrusted_peer_cannot_choose_its_address(app_config, serve, aiohttp_client):
    channels = replace(app_config.channels, web_form_rate_limit="1/hour")
    config = replace(app_config, channels=channels, trusted_proxies=(ip_network("10.0.0.0/8"),))
    client = await aiohttp_client(await serve(config))
    assert [await send_form(client, address) for address in ("203.0.113.7", "203.0.113.8")] == [
        200,
        429,
    ]
    assert await Ticket.all().count() == 1


def test_proxies_are_addresses_or_networks():
    config = Config.from_env({"TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8, ::1", "SECRET_KEY": "x"})
    assert [str(n) for n in config.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert Config.from_env({"SECRET_KEY": "x"}).trusted_proxies == ()
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Config.from_env({"TRUSTED_PROXIES": "nginx", "SECRET_KEY": "x"})
