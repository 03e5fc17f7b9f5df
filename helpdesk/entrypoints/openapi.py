"""The OpenAPI 3.1 document, made from the API's own list of operations and pydantic models."""

from __future__ import annotations

import typing

import aiohttp_jinja2
from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from helpdesk.entrypoints import api, keys
from helpdesk.entrypoints.auth import SESSION_COOKIE
from helpdesk.services.api_tokens import SCOPES

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Bad Request: the body is not JSON",
    "401": "Unauthorized: no valid bearer token",
    "403": "Forbidden: the token lacks the scope, or the staff member the right",
    "404": "Not Found",
    "409": "Conflict: the ticket's state does not allow this action",
    "422": "Unprocessable Entity: the input is not valid",
}


def _model_of(response: object) -> tuple[type[BaseModel] | None, bool]:
    if typing.get_origin(response) is list:
        return typing.get_args(response)[0], True
    return (
        (response, False) if isinstance(response, type) and response is not str else (None, False)
    )


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict]:
    schema = schemas[model.__name__]
    parameters = []
    for name, prop in schema["properties"].items():
        # A query string has no null: an absent parameter is the null.
        variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
        value = {k: v for k, v in prop.items() if k not in ("anyOf", "default", "title")}
        value.update(variants[0] if len(variants) == 1 else {"anyOf": variants})
        if prop.get("default") is not None:
            value["default"] = prop["default"]
        parameters.append({"name": name, "in": "query", "required": False, "schema": value})
    return parameters


def build_document(operations: list[api.Operation]) -> dict:
    responses = {api.Problem} | {_model_of(op.response)[0] for op in operations} - {None}
    inputs = {m for op in operations for m in (op.body, op.query) if m is not None}
    _, top = models_json_schema(
        [(m, "serialization") for m in responses] + [(m, "validation") for m in inputs],
        ref_template=REF,
    )
    schemas = top["$defs"]
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    paths: dict[str, dict] = {}
    for op in operations:
        model, many = _model_of(op.response)
        ref = {"$ref": REF.format(model=model.__name__)} if model else {"type": "string"}
        ok = {op.media_type: {"schema": {"type": "array", "items": ref} if many else ref}}
        errors = op.errors
        if errors is None:  # the ticket API's problems; 400 only where a body is read
            errors = {c: t for c, t in ERRORS.items() if c != "400" or op.body is not None}
        operation = {
            "operationId": op.handler.__name__,
            "summary": op.summary,
            "security": [{op.security.value: [op.scope] if op.scope else []}]
            if op.security
            else [],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": schema}
                for name, schema in op.path_params.items()
            ]
            + (_query_parameters(op.query, schemas) if op.query else []),
            "responses": {
                **{
                    str(status): {"description": "OK", "content": ok}
                    for status in (op.status, *op.also_ok)
                },
                **{
                    code: {"description": text, "content": problem} for code, text in errors.items()
                },
            },
        }
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
                },
            }
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sanad helpdesk API",
            "version": "1.0.0",
            "description": "Tickets on the two-level path of the institute's complaints policy, "
            "the guidance the pages and the widget read, and the live room's host API.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token. Scopes: "
                    + "; ".join(f"{k}: {v}" for k, v in SCOPES.items()),
                },
                "staffSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": "A staff member logged in at /staff/login.",
                },
                "hostPlatform": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A JWT (HS256) signed with a registered host platform's secret, "
                    "iss = the platform's id. Certificate profiles: aud sanad:certificates. "
                    "Rooms: the person's token for that room (a manager's to change the session, "
                    "a trainer's for the questions).",
                },
            },
        },
    }


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(build_document(request.app[keys.API_OPERATIONS]))


@aiohttp_jinja2.template("api/docs.html")
async def docs_page(request: web.Request) -> dict:
    return {"document": build_document(request.app[keys.API_OPERATIONS]), "scopes": SCOPES}
