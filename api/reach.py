"""Reach per wave over HTTP: whom the bot can message, and why not the others.

``GET /api/waves/{key}/reach``: the wave's counts per reach state and every member with their
state and why (JSON); ``GET /api/waves/{key}/reach.csv``: one row per member. The same figures
as the ``reach wave-2`` card (:class:`switchover.reach.ReachService`). Behind the API's bearer
token (read scope).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from api.auth import TENANT
from api.openapi import GUARDED, add_fragment, error, json_body
from switchover.reach import ReachService, WaveReach
from switchover.reach.model import STATES
from switchover.services import Services

CSV_COLUMNS = ("id", "name", "upn", "department", "state", "detail")


def setup(app: web.Application, services: Services) -> None:
    """Add ``GET /api/waves/{key}/reach`` and its CSV."""

    async def wave_reach(request: web.Request) -> WaveReach | web.Response:
        # Reach is the served tenant's; api.auth checked the token covers request[TENANT].
        served = services.plan.organisation.tenant_id or await services.tenant.settle()
        if request[TENANT] != served:
            return web.json_response({"error": "this Switchover does not serve that tenant"}, status=404)
        reach: ReachService | None = services.reach
        key = request.match_info["key"]
        if reach is None:
            return web.json_response({"error": "reach is not available on this Switchover"}, status=404)
        try:
            return await reach.wave(served, key)
        except KeyError:
            return web.json_response({"error": f"no wave {key!r}"}, status=404)

    async def as_json(request: web.Request) -> web.Response:
        found = await wave_reach(request)
        if isinstance(found, web.Response):
            return found
        return web.json_response(as_dict(found))

    async def as_csv(request: web.Request) -> web.Response:
        found = await wave_reach(request)
        if isinstance(found, web.Response):
            return found
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for p in found.people:
            row = {"id": p.user_id, "name": p.name, "upn": p.upn, "department": p.department}
            row.update(state=p.state.value, detail=p.detail)
            writer.writerow({k: _csv_safe(v) for k, v in row.items()})
        return web.Response(
            text=buf.getvalue(),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="reach-{found.wave_key}.csv"'},
        )

    app.router.add_get("/api/waves/{key}/reach", as_json)
    app.router.add_get("/api/waves/{key}/reach.csv", as_csv)
    add_fragment(app, OPENAPI_PATHS, {"WaveReach": WAVE_REACH})


def as_dict(reach: WaveReach) -> dict[str, Any]:
    """The JSON body: counts per state, every member with their state and why."""
    return {
        "wave": reach.wave_key,
        "title": reach.wave_title,
        "members": reach.members,
        "reachable": reach.reachable,
        "counts": reach.counts,
        "install_from": reach.install_from.isoformat() if reach.install_from else None,
        "people": [
            {
                "id": p.user_id,
                "name": p.name,
                "upn": p.upn,
                "department": p.department,
                "state": p.state.value,
                "detail": p.detail,
            }
            for p in reach.people
        ],
    }


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ is a formula in a spreadsheet: never let a name become one.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


_STATE = {"type": "string", "enum": [s.value for s in STATES]}
WAVE_REACH: dict[str, Any] = {
    "type": "object",
    "properties": {
        "wave": {"type": "string"},
        "title": {"type": "string"},
        "members": {"type": "integer", "description": "enabled members (disabled accounts are listed, not counted)"},
        "reachable": {"type": "integer", "description": "members with a chat with the bot or the app installed"},
        "counts": {"type": "object", "properties": {s.value: {"type": "integer"} for s in STATES}},
        "install_from": {"type": ["string", "null"], "format": "date-time"},
        "people": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "upn": {"type": "string"},
                    "department": {"type": "string"},
                    "state": _STATE,
                    "detail": {"type": "string"},
                },
                "required": ["id", "name", "upn", "department", "state", "detail"],
            },
        },
    },
    "required": ["wave", "title", "members", "reachable", "counts", "install_from", "people"],
}

_KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}, "example": "wave-2"}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/waves/{key}/reach": {
        "get": {
            "summary": "A wave's reach: counts per state and every member's state (chat, installed, blocked, "
            "no Teams, disabled, unknown) and why",
            "parameters": [_KEY],
            "responses": {
                **GUARDED,
                "200": json_body("the wave's reach", {"$ref": "#/components/schemas/WaveReach"}),
                "404": error("no such wave, reach not available, or not the tenant this Switchover serves"),
            },
        }
    },
    "/api/waves/{key}/reach.csv": {
        "get": {
            "summary": "A wave's reach as CSV: one row per member (id, name, upn, department, state, detail)",
            "parameters": [_KEY],
            "responses": {
                **GUARDED,
                "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                "404": error("no such wave, reach not available, or not the tenant this Switchover serves"),
            },
        }
    },
}
