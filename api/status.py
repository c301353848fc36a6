"""The migration's status over HTTP, for dashboards and scripts.

``GET /api/status``: the status picture (:class:`switchover.status.StatusPicture`) as JSON: per
wave its state, days to cutover, reach, readiness and latest announcement's figures; open
problem reports by priority and area, overdue acknowledgements and open major incidents.
The same picture the ``status`` card shows. Behind the API's bearer token (read scope).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.auth import TENANT
from api.openapi import GUARDED, add_fragment, error, json_body
from switchover.services import Services
from switchover.status import StatusPicture, StatusService


def setup(app: web.Application, services: Services) -> None:
    """Add ``GET /api/status``."""
    status = StatusService(
        services.db,
        services.clock,
        services.directory,
        services.conversations,
        services.announcements,
        services.readiness,
        reach=services.reach,
    )

    async def get_status(request: web.Request) -> web.Response:
        # The picture is the served tenant's; api.auth checked the token covers request[TENANT].
        served = services.plan.organisation.tenant_id or await services.tenant.settle()
        if request[TENANT] != served:
            return web.json_response({"error": "this Switchover does not serve that tenant"}, status=404)
        picture = await status.picture(served)
        return web.json_response(text=picture.model_dump_json())

    app.router.add_get("/api/status", get_status)
    add_fragment(app, OPENAPI_PATHS, _schemas())


def _schemas() -> dict[str, Any]:
    """The picture's JSON schema, its parts as components (``#/components/schemas/Status...``)."""
    schema = StatusPicture.model_json_schema(mode="serialization", ref_template="#/components/schemas/Status{model}")
    parts = schema.pop("$defs", {})
    return {**{f"Status{name}": part for name, part in parts.items()}, "StatusPicture": schema}


OPENAPI_PATHS: dict[str, Any] = {
    "/api/status": {
        "get": {
            "summary": "The migration's status: per wave, reach, readiness, announcements and problem reports",
            "responses": {
                **GUARDED,
                "200": json_body("the status picture at this moment", {"$ref": "#/components/schemas/StatusPicture"}),
                "404": error("not the tenant this Switchover serves"),
            },
        }
    },
}
