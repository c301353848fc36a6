"""The OpenAPI document at ``/api/openapi.json``, assembled from per-feature fragments.

Each API module calls :func:`add_fragment` from its ``setup`` with its own
``paths`` (and ``schemas``); the first call adds the route. The document is
served without a token, so tools can discover the API; every operation in it
says it needs the bearer token, the scheme :mod:`api.auth` checks.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.auth import SECURITY_SCHEMES

PATH = "/api/openapi.json"
FRAGMENTS = web.AppKey("openapi_fragments", list)

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Switchover API",
        "version": "1",
        "description": "Automation API of the Switchover Teams bot (announcements, problem reports, readiness).",
    },
    "components": {
        "securitySchemes": SECURITY_SCHEMES,
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "fields": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                        },
                    },
                },
                "required": ["error"],
            }
        },
    },
    "security": [{name: []} for name in SECURITY_SCHEMES],
}


def error(description: str) -> dict[str, Any]:
    """A documented error answer: JSON ``{"error": ...}`` (the ``Error`` schema)."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def json_body(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A documented JSON answer with its schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


GUARDED: dict[str, Any] = {
    "400": error("the token covers several tenants and the request names none (?tenant=)"),
    "401": error("no or wrong bearer token"),
    "403": error("the token does not cover that tenant, or only reads"),
    "413": error("the body is over SWITCHOVER_MAX_BODY_BYTES"),
    "408": error("the body did not arrive within SWITCHOVER_BODY_TIMEOUT_SECONDS"),
}
"""What every guarded operation may answer, whatever it does (:mod:`api.auth`, :mod:`bot.body`'s limits).

First in each operation's ``responses``, so the operation's own description of a status wins."""


def add_fragment(app: web.Application, paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    """Add a feature's paths (and component schemas) to the served document."""
    if FRAGMENTS not in app:
        app[FRAGMENTS] = []
        app.router.add_get(PATH, _serve)
    app[FRAGMENTS].append((paths, schemas or {}))


def document(app: web.Application) -> dict[str, Any]:
    """The whole OpenAPI document from every fragment added so far."""
    doc: dict[str, Any] = {
        **BASE,
        "paths": {},
        "components": {**BASE["components"], "schemas": dict(BASE["components"]["schemas"])},
    }
    for paths, schemas in app.get(FRAGMENTS, []):
        for path, operations in paths.items():
            doc["paths"].setdefault(path, {}).update(operations)
        doc["components"]["schemas"].update(schemas)
    return doc


async def _serve(request: web.Request) -> web.Response:
    return web.json_response(document(request.app))
