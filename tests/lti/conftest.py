"""LTI fixtures: the test platform (tests/lti/platform.py) on its own port, Sanad registered with it
by hand, and the log-in + launch a browser would make, done with the HTTP client."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from yarl import URL

from classroom_helper.services.lti import register_platform
from tests.lti.platform import Person, Platform, Tool


@pytest.fixture
async def lms(server, aiohttp_server) -> Platform:
    return await Platform().start(aiohttp_server)


@pytest.fixture
async def tool(server, lms) -> Tool:
    """Sanad registered with the test platform by hand, on both sides."""
    sanad = str(server.make_url("")).rstrip("/")
    registered = Tool(
        client_id="sanad-client-1",
        login_url=f"{sanad}/lti/login",
        redirect_uris=[f"{sanad}/lti/launch"],
        deployment_id="deployment-1",
    )
    lms.tools.append(registered)
    await register_platform(
        name="Test LMS",
        issuer=lms.issuer,
        client_id=registered.client_id,
        auth_login_url=f"{lms.issuer}/auth",
        jwks_url=f"{lms.issuer}/jwks",
        deployment_ids=registered.deployment_id,
        manager_parameter="room_managers",
        now=datetime.now(UTC),
    )
    return registered


class Launcher:
    """The browser's part of a launch, with the test client: log-in initiation, then the form
    post of an id_token the test platform signed (or the test forged)."""

    def __init__(self, client, lms: Platform, tool: Tool):
        self.client, self.lms, self.tool = client, lms, tool

    async def start(self, person: Person, link: dict):
        """Sanad's answer to the platform's log-in initiation (GET)."""
        hint = urlsplit(self.lms.place(self.tool, person, link)).path.rsplit("/", 1)[1]
        url = URL(self.lms.login_url(self.tool, hint))
        return await self.client.get(url.path_qs, allow_redirects=False)

    async def log_in(self, person: Person, link: dict) -> tuple[str, str]:
        """(state, nonce) that Sanad sent to the platform's authentication endpoint."""
        response = await self.start(person, link)
        assert response.status == 302, await response.text()
        sent = parse_qs(urlsplit(response.headers["Location"]).query)
        return sent["state"][0], sent["nonce"][0]

    async def launch(self, person: Person, link: dict, *, sign=None, **overrides):
        state, nonce = await self.log_in(person, link)
        claims = self.lms.claims(self.tool, person, nonce, link, **overrides)
        id_token = (sign or self.lms.sign)(claims)
        return await self.post(id_token, state)

    async def post(self, id_token: str, state: str):
        return await self.client.post("/lti/launch", data={"id_token": id_token, "state": state})


@pytest.fixture
def launcher(client, lms, tool) -> Launcher:
    return Launcher(client, lms, tool)
