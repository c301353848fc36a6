"""Announcements over HTTP, for PSA tools, Power Automate and scripts.

``POST /api/announcements``: create (free-form; ``send_at`` omitted = now).
``GET /api/announcements[?status=...]``: list with figures.
``GET /api/announcements/{id}``: one, with its report figures.
``GET /api/announcements/{id}/report.csv``: one row per recipient.
``POST /api/announcements/{id}/cancel`` / ``.../recall``.

Behind the API's bearer token (:mod:`api.auth`). Invalid payloads get 400 naming each bad field.
Ids of calendar announcements contain a slash (``wave-3/one-week``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from api.auth import TENANT
from api.openapi import add_fragment
from switchover.announcements import (
    Announcement,
    AnnouncementError,
    AnnouncementService,
    AnnouncementStatus,
    Audience,
    Button,
    Content,
    Urgency,
)
from switchover.services import Services


class CreateAnnouncement(BaseModel):
    """The body of ``POST /api/announcements``."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    audience: Audience
    body: str = Field(min_length=1, max_length=8000)
    urgency: Urgency = Urgency.NORMAL
    image_url: HttpUrl | None = None
    buttons: list[Button] = Field(default_factory=lambda: [Button(title="Got it", verb="acknowledge")], max_length=6)
    send_at: AwareDatetime | None = None
    created_by: str | None = Field(None, max_length=300)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as ``[{"field": "audience.kind", "message": ...}]``."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
        for e in exc.errors(include_url=False)
    ]


def as_json(a: Announcement, figures: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {
        "id": a.id,
        "kind": a.kind,
        "wave": a.wave_key,
        "calendar_key": a.calendar_key,
        "title": a.title,
        "status": a.status.value,
        "audience": a.audience.model_dump(mode="json"),
        "send_at": a.send_at.isoformat() if a.send_at else None,
        "created_by": a.created_by,
        "created_at": a.created_at.isoformat(),
        "started_at": a.started_at.isoformat() if a.started_at else None,
        "reason": a.reason,
        "content": a.content.model_dump(mode="json", exclude_none=True),
    }
    if figures is not None:
        out["figures"] = figures
    return out


CSV_COLUMNS = (
    "recipient",
    "name",
    "kind",
    "department",
    "office",
    "status",
    "reason",
    "attempts",
    "sent_at",
    "read_at",
    "acknowledged",
)


def setup(app: web.Application, services: Services) -> None:
    """Add the announcement routes and their OpenAPI paths."""

    def error(status: int, message: str, **extra: Any) -> web.Response:
        return web.json_response({"error": message, **extra}, status=status)

    def with_tenant(handler: Any) -> Any:
        """``handler(request, service)`` once the tenant is known; domain errors as 404 / 409."""

        async def run(request: web.Request) -> web.StreamResponse:
            served = await services.tenant.settle()
            if not served:
                return error(409, "no tenant yet: install the app for someone first")
            if request[TENANT] != served:  # the token's tenant (api.auth); announcements are the served tenant's
                return error(404, "this Switchover does not announce to that tenant")
            svc = services.announcements
            try:
                return await handler(request, svc)
            except AnnouncementError as exc:
                status = 404 if str(exc).startswith("no announcement") else 409
                return error(status, str(exc))

        return run

    async def create(request: web.Request, svc: AnnouncementService) -> web.Response:
        try:
            raw = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error(400, "the body is not JSON", fields=[{"field": "(body)", "message": "not JSON"}])
        try:
            body = CreateAnnouncement.model_validate(raw)
        except ValidationError as exc:
            return error(400, "invalid announcement", fields=field_errors(exc))
        if body.audience.kind == "wave":
            unknown = [v for v in body.audience.values if v not in {w.key for w in services.plan.waves}]
            if unknown:
                return error(
                    400, "invalid announcement", fields=[{"field": "audience.values", "message": f"no wave {unknown}"}]
                )
        created = await svc.create(
            title=body.title,
            audience=body.audience,
            content=Content(
                body=body.body, urgency=body.urgency, image_url=body.image_url, buttons=tuple(body.buttons)
            ),
            send_at=body.send_at.astimezone(dt.UTC) if body.send_at else None,
            created_by=body.created_by or "api",
        )
        await svc.run_due()
        services.delivery.wake()
        created = await svc.get(created.id)
        return web.json_response(as_json(created), status=201, headers={"Location": f"/api/announcements/{created.id}"})

    async def listing(request: web.Request, svc: AnnouncementService) -> web.Response:
        statuses = None
        if request.query.get("status"):
            try:
                statuses = [AnnouncementStatus(s) for s in request.query["status"].split(",")]
            except ValueError:
                allowed = ", ".join(s.value for s in AnnouncementStatus)
                return error(400, "invalid query", fields=[{"field": "status", "message": f"one of {allowed}"}])
        items = []
        for a in await svc.list(statuses=statuses):
            figures = None
            if a.status in (AnnouncementStatus.SENT, AnnouncementStatus.RECALLED):
                figures = _figures(await svc.report(a.id))
            items.append(as_json(a, figures))
        return web.json_response({"announcements": items})

    async def get_one(request: web.Request, svc: AnnouncementService) -> web.Response:
        a = await svc.get(request.match_info["id"])
        return web.json_response(as_json(a, _figures(await svc.report(a.id))))

    async def report_csv(request: web.Request, svc: AnnouncementService) -> web.Response:
        report = await svc.report(request.match_info["id"])
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in report.rows:
            writer.writerow({k: _csv_safe(row.get(k, "")) for k in CSV_COLUMNS})
        return web.Response(
            text=buf.getvalue(),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{report.announcement.id.replace("/", "-")}.csv"'},
        )

    async def cancel(request: web.Request, svc: AnnouncementService) -> web.Response:
        return web.json_response(as_json(await svc.cancel(request.match_info["id"])))

    async def recall(request: web.Request, svc: AnnouncementService) -> web.Response:
        deleted = await svc.recall(request.match_info["id"])
        return web.json_response({**as_json(await svc.get(request.match_info["id"])), "deleted": deleted})

    # Suffix routes first: ids may contain a slash.
    app.router.add_get("/api/announcements/{id:.+}/report.csv", with_tenant(report_csv))
    app.router.add_post("/api/announcements/{id:.+}/cancel", with_tenant(cancel))
    app.router.add_post("/api/announcements/{id:.+}/recall", with_tenant(recall))
    app.router.add_get("/api/announcements/{id:.+}", with_tenant(get_one))
    app.router.add_get("/api/announcements", with_tenant(listing))
    app.router.add_post("/api/announcements", with_tenant(create))
    schema = CreateAnnouncement.model_json_schema(ref_template="#/components/schemas/{model}")
    add_fragment(app, OPENAPI_PATHS, {"CreateAnnouncement": schema, **schema.pop("$defs", {})})


def _figures(report: Any) -> dict[str, Any]:
    figures = report.as_dict()
    figures.pop("announcement_id", None)
    figures.pop("status", None)
    return figures


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ is a formula in a spreadsheet: never let a name become one.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, "example": "wave-3/one-week"}
_ERR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/announcements": {
        "get": {
            "summary": "List announcements with their figures",
            "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "announcements"}, "401": _ERR},
        },
        "post": {
            "summary": "Create a free-form announcement (sent now, or at send_at)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateAnnouncement"}}},
            },
            "responses": {"201": {"description": "created"}, "400": _ERR, "401": _ERR},
        },
    },
    "/api/announcements/{id}": {
        "get": {
            "summary": "One announcement with its delivery and acknowledgement figures",
            "parameters": [_ID],
            "responses": {"200": {"description": "the announcement"}, "404": _ERR},
        }
    },
    "/api/announcements/{id}/report.csv": {
        "get": {
            "summary": "Per-recipient report as CSV",
            "parameters": [_ID],
            "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}, "404": _ERR},
        }
    },
    "/api/announcements/{id}/cancel": {
        "post": {
            "summary": "Cancel an announcement that has not gone",
            "parameters": [_ID],
            "responses": {"200": {"description": "cancelled"}, "404": _ERR, "409": _ERR},
        }
    },
    "/api/announcements/{id}/recall": {
        "post": {
            "summary": "Recall (delete) every delivered card",
            "parameters": [_ID],
            "responses": {"200": {"description": "recalled"}, "404": _ERR, "409": _ERR},
        }
    },
}
