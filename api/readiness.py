"""Readiness and reach over HTTP, for dashboards and scripts.

``GET /api/readiness[?wave=<key>]``: MFA registration per wave and department, each row naming its
wave by key (``wave_key``) and by title (``wave``, for display).
``POST /api/install`` with ``{"wave": "<key>"}`` or ``{"users": ["upn", ...]}``: install
the Teams app for those people through Graph; answers who could not be reached and why
(404 when the directory is not Graph or ``TEAMS_APP_CATALOG_ID`` is unset).

Behind the API's bearer token (:mod:`api.auth`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api.auth import TENANT
from api.body import read_model
from api.openapi import GUARDED, add_fragment, error, json_body
from switchover.membership import members_by_wave
from switchover.services import Services


class Install(BaseModel):
    """The body of ``POST /api/install``: a wave, or people by UPN (or both)."""

    model_config = ConfigDict(extra="forbid")

    wave: str | None = Field(None, max_length=200, description="a wave key of the plan")
    users: list[str] = Field(default_factory=list, max_length=5000, description="UPNs or Entra object ids")


def setup(app: web.Application, services: Services) -> None:
    """Add ``GET /api/readiness`` and ``POST /api/install``."""
    directory = services.directory

    async def served_only(request: web.Request) -> web.Response | None:
        # Readiness and installs are the served tenant's; api.auth checked the token covers request[TENANT].
        served = services.plan.organisation.tenant_id or await services.tenant.settle()
        if request[TENANT] != served:
            return web.json_response({"error": "this Switchover does not serve that tenant"}, status=404)
        return None

    async def readiness(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        wave = request.query.get("wave")
        if wave is not None and wave not in {w.key for w in services.plan.waves}:
            return web.json_response({"error": f"no wave {wave!r}"}, status=404)
        report = await services.readiness.report(wave)
        body = report.as_dict()
        status = getattr(directory, "status", None)
        body["directory"] = status() if callable(status) else {"ok": True, "source": "roster"}
        return web.json_response(body)

    async def install(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        installer = services.installer
        if installer is None:
            return web.json_response(
                {"error": "app installation needs the Graph directory and TEAMS_APP_CATALOG_ID"}, status=404
            )
        body = await read_model(request, Install)
        if isinstance(body, web.Response):
            return body
        if not (body.wave or body.users):
            return web.json_response({"error": "give 'wave' (a wave key) or 'users' (UPNs)"}, status=400)
        users = []
        if body.wave:
            if body.wave not in {w.key for w in services.plan.waves}:
                return web.json_response({"error": f"no wave {body.wave!r}"}, status=404)
            users = members_by_wave(services.plan, await directory.all_users())[body.wave]
        unknown = []
        for upn in body.users:
            user = await directory.get(upn)
            if user is None:
                unknown.append(upn)
            else:
                users.append(user)
        done = await installer.install_all(users)
        if services.reach is not None and services.reach.queue is not None:
            await services.reach.queue.store_results(request[TENANT], done.results)  # reach knows them
        report = done.as_dict()
        report["unreachable"].extend(
            {"id": None, "upn": upn, "outcome": "not_found", "status": None, "reason": "not in the directory"}
            for upn in unknown
        )
        return web.json_response(report)

    app.router.add_get("/api/readiness", readiness)
    app.router.add_post("/api/install", install)
    schema = Install.model_json_schema()
    add_fragment(app, OPENAPI_PATHS, {"Install": schema, "ReadinessRow": READINESS_ROW})


_OBJECT: dict[str, Any] = {"type": "object"}
_PEOPLE: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "upn": {"type": "string"}, "name": {"type": "string"}},
        "required": ["id", "upn", "name"],
    },
}
# One wave and department (or, for ``total``, every wave and department). A row is the wave's by its
# plan key (``wave_key``: two waves may be named alike, and a renamed wave keeps its key); ``wave``
# is its title as shown.
READINESS_ROW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "wave_key": {
            "type": ["string", "null"],
            "description": "the plan's wave key (null in the total)",
            "example": "wave-2",
        },
        "wave": {"type": "string", "description": "the wave's title, for display", "example": "Wave 2"},
        "department": {"type": "string"},
        "total": {"type": "integer"},
        "mfa_registered": {"type": "integer"},
        "mfa_unknown": {"type": "integer"},
        "mfa_registered_percent": {"type": "number"},
        "not_registered": _PEOPLE,
        "devices_compliant": {"type": "integer"},
        "devices_unknown": {"type": "integer"},
        "devices_compliant_percent": {"type": "number"},
        "not_compliant": _PEOPLE,
    },
    "required": [
        "wave_key",
        "wave",
        "department",
        "total",
        "mfa_registered",
        "mfa_unknown",
        "mfa_registered_percent",
        "not_registered",
    ],
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/readiness": {
        "get": {
            "summary": "MFA registration per wave and department, and the directory's state",
            "parameters": [{"name": "wave", "in": "query", "schema": {"type": "string"}, "example": "wave-2"}],
            "responses": {
                **GUARDED,
                "200": json_body(
                    "readiness",
                    {
                        "type": "object",
                        "properties": {
                            "available": {"type": "boolean"},
                            "checked_at": {"type": ["string", "null"], "format": "date-time"},
                            "total": {"$ref": "#/components/schemas/ReadinessRow"},
                            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/ReadinessRow"}},
                            "directory": _OBJECT,
                        },
                        "required": ["available", "total", "rows", "directory"],
                    },
                ),
                "404": error("no such wave, or not the tenant this Switchover serves"),
            },
        }
    },
    "/api/install": {
        "post": {
            "summary": "Install the Teams app for a wave or for people, through Graph",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Install"}}},
            },
            "responses": {
                **GUARDED,
                "200": json_body(
                    "how many were installed, and who could not be reached and why",
                    {
                        "type": "object",
                        "properties": {"counts": _OBJECT, "unreachable": {"type": "array", "items": _OBJECT}},
                        "required": ["counts", "unreachable"],
                    },
                ),
                "400": error("not JSON, or neither a wave nor users"),
                "404": error("no such wave, or installation not set up (Graph directory and TEAMS_APP_CATALOG_ID)"),
            },
        }
    },
}
