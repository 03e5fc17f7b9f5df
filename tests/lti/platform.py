"""A real LTI 1.3 platform for the tests, written from 1EdTech's specifications (LTI Core 1.3,
Security Framework 1.0, LTI Dynamic Registration 1.0) with the same JOSE library as Sanad (PyJWT):
its own RSA key and JWKS, its openid-configuration and registration endpoint, the OIDC
authentication endpoint that answers with a signed id_token form post, and course pages that
place the tool in an iframe. It serves on a real port; its issuer is `http://localhost:<port>`
while Sanad is `http://127.0.0.1:<port>`, so the tool's iframe is a third-party (cross-site) frame.
"""

from __future__ import annotations

import html
import secrets
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = f"{MEMBERSHIP}#Learner"
INSTRUCTOR = f"{MEMBERSHIP}#Instructor"
TEACHING_ASSISTANT = f"{MEMBERSHIP}/Instructor#TeachingAssistant"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


@dataclass
class Person:
    sub: str
    name: str
    roles: list[str]
    email: str = ""
    locale: str = "ar"


@dataclass
class Tool:
    """What the platform knows of a tool: registered dynamically, or given by the test."""

    client_id: str
    login_url: str
    redirect_uris: list[str]
    deployment_id: str
    configuration: dict = field(default_factory=dict)


class Platform:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.registration_tokens: set[str] = set()
        self.tools: list[Tool] = []
        self.login_hints: dict[str, tuple[Person, dict]] = {}
        self.jwks_requests = 0
        self.app = web.Application()
        self.app.router.add_get("/.well-known/openid-configuration", self.openid_configuration)
        self.app.router.add_get("/jwks", self.jwks)
        self.app.router.add_post("/register", self.register)
        self.app.router.add_get("/auth", self.authenticate)
        self.app.router.add_get("/course/{hint}", self.course_page)
        self.app.router.add_get("/admin/tools/new", self.add_tool_page)
        self.issuer = ""

    async def start(self, aiohttp_server) -> Platform:
        self.server = await aiohttp_server(self.app)
        self.issuer = f"http://localhost:{self.server.port}"
        return self

    # --- keys and tokens ----------------------------------------------------------------------

    def public_jwk(self) -> dict:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def claims(self, tool: Tool, person: Person, nonce: str, link: dict, **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": tool.client_id,
            "sub": person.sub,
            "iat": now,
            "exp": now + 60,
            "nonce": nonce,
            "name": person.name,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": tool.deployment_id,
            CLAIM + "target_link_uri": tool.redirect_uris[0],
            CLAIM + "resource_link": {"id": link["link_id"], "title": link["link_title"]},
            CLAIM + "context": {
                "id": link["course_id"],
                "label": link["course_id"],
                "title": link["course_title"],
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            CLAIM + "roles": person.roles,
            CLAIM + "launch_presentation": {"document_target": "iframe", "locale": person.locale},
            CLAIM + "custom": link.get("custom", {}),
        }
        if person.email:
            claims["email"] = person.email
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict, key=None, kid: str | None = None) -> str:
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    # --- the specification's endpoints -------------------------------------------------------

    async def openid_configuration(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/auth",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "registration_endpoint": f"{self.issuer}/register",
                "scopes_supported": ["openid"],
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public", "pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "claims_supported": ["sub", "iss", "name", "email"],
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                    "product_family_code": "test-lms",
                    "version": "1.0",
                    "messages_supported": [{"type": "LtiResourceLinkRequest"}],
                },
            }
        )

    async def jwks(self, request: web.Request) -> web.Response:
        self.jwks_requests += 1
        return web.json_response({"keys": [self.public_jwk()]})

    def rotate_key(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex

    async def register(self, request: web.Request) -> web.Response:
        """LTI Dynamic Registration 1.0, 3.5: the tool posts its configuration."""
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.registration_tokens:
            return web.json_response({"error": "invalid_token"}, status=401)
        self.registration_tokens.discard(bearer)  # used once
        document = await request.json()
        assert document["response_types"] == ["id_token"]
        assert document[TOOL_CONFIGURATION]["messages"][0]["type"] == "LtiResourceLinkRequest"
        tool = Tool(
            client_id=f"client-{uuid.uuid4().hex[:8]}",
            login_url=document["initiate_login_uri"],
            redirect_uris=document["redirect_uris"],
            deployment_id=f"deployment-{len(self.tools) + 1}",
            configuration=document,
        )
        self.tools.append(tool)
        return web.json_response(
            {
                **document,
                "client_id": tool.client_id,
                TOOL_CONFIGURATION: {
                    **document[TOOL_CONFIGURATION],
                    "deployment_id": tool.deployment_id,
                },
            }
        )

    def tool(self, client_id: str) -> Tool:
        return next(t for t in self.tools if t.client_id == client_id)

    async def authenticate(self, request: web.Request) -> web.Response:
        """The OIDC authentication endpoint (Security Framework 1.0, 5.1.1.2-5.1.1.3)."""
        q = request.query
        tool = self.tool(q["client_id"])
        assert q["scope"] == "openid" and q["response_type"] == "id_token"
        assert q["response_mode"] == "form_post" and q["prompt"] == "none"
        assert q["redirect_uri"] in tool.redirect_uris
        person, link = self.login_hints[q["login_hint"]]
        assert q.get("lti_message_hint") == link["link_id"]
        id_token = self.sign(self.claims(tool, person, q["nonce"], link))
        return form_post(q["redirect_uri"], {"id_token": id_token, "state": q["state"]})

    # --- pages of the platform ---------------------------------------------------------------

    def place(self, tool: Tool, person: Person, link: dict) -> str:
        """A course page for that person, with the tool in an iframe: its URL."""
        hint = secrets.token_urlsafe(8)
        self.login_hints[hint] = (person, link)
        return f"{self.issuer}/course/{hint}"

    def login_url(self, tool: Tool, hint: str) -> str:
        link = self.login_hints[hint][1]
        query = {
            "iss": self.issuer,
            "login_hint": hint,
            "target_link_uri": tool.redirect_uris[0],
            "lti_message_hint": link["link_id"],
            "client_id": tool.client_id,
            "lti_deployment_id": tool.deployment_id,
        }
        return f"{tool.login_url}?{urlencode(query)}"

    async def course_page(self, request: web.Request) -> web.Response:
        hint = request.match_info["hint"]
        person, link = self.login_hints[hint]
        tool = self.tools[-1] if "client_id" not in link else self.tool(link["client_id"])
        body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(link["course_title"])}</title>
<style>body{{font:15px system-ui;margin:0}} header{{background:#f98012;color:#fff;padding:10px 16px}}
main{{display:grid;grid-template-columns:220px 1fr;gap:16px;padding:16px}}
nav li{{margin:6px 0}} iframe{{width:100%;height:620px;border:1px solid #ccc}}</style></head>
<body><header>Test LMS · {html.escape(person.name)}</header>
<main><nav><strong>{html.escape(link["course_title"])}</strong><ul>
<li>Live class (BigBlueButton)</li><li><b>{html.escape(link["link_title"])}</b></li></ul></nav>
<section><h1>{html.escape(link["link_title"])}</h1>
<iframe id="tool" title="Sanad" allow="camera; microphone"
 src="{html.escape(self.login_url(tool, hint))}"></iframe></section></main></body></html>"""
        return web.Response(text=body, content_type="text/html")

    async def add_tool_page(self, request: web.Request) -> web.Response:
        """The administrator pastes the tool's registration URL: the platform opens it in an
        iframe with its openid-configuration and a one-time registration token."""
        token = secrets.token_urlsafe(16)
        self.registration_tokens.add(token)
        query = urlencode(
            {
                "openid_configuration": f"{self.issuer}/.well-known/openid-configuration",
                "registration_token": token,
            }
        )
        src = f"{request.query['url']}?{query}"
        body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Add a tool</title></head>
<body><h1>Add an LTI tool</h1><p id="result">Registering…</p>
<iframe id="registration" title="Tool registration" style="width:100%;height:420px" src="{html.escape(src)}"></iframe>
<script>
addEventListener("message", (event) => {{
  if (event.data && event.data.subject === "org.imsglobal.lti.close") {{
    document.getElementById("result").textContent = "Tool added: " + event.origin;
    document.getElementById("registration").remove();
  }}
}});
</script></body></html>"""
        return web.Response(text=body, content_type="text/html")


def form_post(url: str, fields: dict) -> web.Response:
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    body = f"""<!doctype html><html><body><form id="f" method="post" action="{html.escape(url)}">
{inputs}</form><script>document.getElementById("f").submit()</script></body></html>"""
    return web.Response(text=body, content_type="text/html")


def link(course_id="course-7", course_title="Presentation skills", link_id="link-1",
         link_title="Live help", **extra) -> dict:  # fmt: skip
    return {"course_id": course_id, "course_title": course_title, "link_id": link_id,
            "link_title": link_title, **extra}  # fmt: skip
