"""Problem reports over HTTP, for PSA tools, dashboards and spreadsheets.

``GET /api/problems``: reports, newest first, filtered by ``status``, ``area``,
``priority``, ``wave``, ``since`` / ``until`` (ISO 8601, aware) and ``limit``
(at most 1000). ``GET /api/problems/{ref}`` (``PR-00042`` or ``42``): one report
with its timeline. ``GET /api/problems.csv``: the same filters as CSV.

The tenant is the ``tenant`` query parameter, for a tenant the token covers, else
the token's own tenant (:mod:`api.auth` settles it; :func:`switchover.access.api_tenant`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from api.auth import TENANT
from api.openapi import GUARDED, add_fragment, error, json_body
from switchover.plan.model import Plan
from switchover.problems.model import ProblemError, ProblemReport, ReportStatus, parse_reference
from switchover.services import Services

MAX_LIMIT = 1000


class _BadRequest(Exception):
    pass


def setup(app: web.Application, services: Services) -> None:
    """Add the problem-report routes."""
    desk = services.problems

    async def tenant_of(request: web.Request) -> str | None:
        return request[TENANT] or None  # checked against the token by api.auth

    async def list_reports(request: web.Request) -> web.Response:
        try:
            filters = _filters(request, services.plan)
        except _BadRequest as exc:
            return web.json_response({"error": str(exc)}, status=400)
        tenant = await tenant_of(request)
        if tenant is None:
            return web.json_response({"reports": [], "count": 0})
        reports = await desk.list(tenant, **filters)
        return web.json_response({"reports": [as_json(r) for r in reports], "count": len(reports)})

    async def export_csv(request: web.Request) -> web.Response:
        try:
            filters = _filters(request, services.plan)
        except _BadRequest as exc:
            return web.json_response({"error": str(exc)}, status=400)
        tenant = await tenant_of(request)
        text = await desk.export_csv(tenant, **filters) if tenant else await desk.export_csv("", limit=0)
        return web.Response(
            text=text,
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="problem-reports.csv"'},
        )

    async def get_report(request: web.Request) -> web.Response:
        report_id = parse_reference(request.match_info["ref"])
        tenant = await tenant_of(request)
        if report_id is None or tenant is None:
            return web.json_response({"error": "no such report"}, status=404)
        try:
            report = await desk.get(tenant, report_id)
        except ProblemError:
            return web.json_response({"error": "no such report"}, status=404)
        return web.json_response(as_json(report, timeline=True))

    app.router.add_get("/api/problems.csv", export_csv)
    app.router.add_get("/api/problems", list_reports)
    app.router.add_get("/api/problems/{ref}", get_report)
    add_fragment(app, OPENAPI_PATHS, {"ProblemReport": REPORT_SCHEMA})


def _filters(request: web.Request, plan: Plan) -> dict[str, Any]:
    q = request.query
    filters: dict[str, Any] = {}
    if "status" in q:
        if q["status"] not in {s.value for s in ReportStatus}:
            raise _BadRequest(f"status must be one of {', '.join(s.value for s in ReportStatus)}")
        filters["status"] = q["status"]
    if "area" in q:
        if q["area"] not in {a.key for a in plan.areas}:
            raise _BadRequest(f"no area {q['area']!r}")
        filters["area"] = q["area"]
    if "priority" in q:
        if q["priority"] not in ("P1", "P2", "P3", "P4"):
            raise _BadRequest("priority must be P1, P2, P3 or P4")
        filters["priority"] = q["priority"]
    if "wave" in q:
        filters["wave"] = q["wave"]
    for name in ("since", "until"):
        if name in q:
            try:
                when = dt.datetime.fromisoformat(q[name])
            except ValueError:
                raise _BadRequest(f"{name} must be an ISO 8601 time") from None
            if when.tzinfo is None or when.utcoffset() is None:
                raise _BadRequest(f"{name} needs a time zone (e.g. 2027-02-13T07:00:00-08:00)")
            try:
                filters[name] = when.astimezone(dt.UTC)
            except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
                raise _BadRequest(f"{name} is out of range: it must fall between the years 1 and 9999 in UTC") from None
    if "limit" in q:
        try:
            limit = int(q["limit"])
        except ValueError:
            raise _BadRequest("limit must be a number") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise _BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
        filters["limit"] = limit
    return filters


def as_json(report: ProblemReport, *, timeline: bool = False) -> dict[str, Any]:
    """A report as the API shows it (times in UTC, ISO 8601)."""

    def iso(at: dt.datetime | None) -> str | None:
        return at.isoformat() if at else None

    body: dict[str, Any] = {
        "reference": report.reference,
        "id": report.id,
        "status": report.status.value,
        "priority": report.priority.value,
        "area": report.area,
        "area_confidence": report.area_confidence,
        "impact": report.impact.value,
        "urgency": report.urgency.value,
        "text": report.text,
        "reporter": {
            "id": report.reporter.id,
            "name": report.reporter.name,
            "upn": report.reporter.upn,
            "wave": report.reporter.wave,
            "site": report.reporter.site,
            "department": report.reporter.department,
        },
        "assignee": report.assignee,
        "created_at": iso(report.created_at),
        "ack_due_at": iso(report.ack_due_at),
        "acknowledged_at": iso(report.acknowledged_at),
        "resolved_at": iso(report.resolved_at),
        "resolution_note": report.resolution_note,
        "escalation_level": report.escalation_level,
        "incident": f"INC-{report.incident_id}" if report.incident_id else None,
        "duplicate_of": f"PR-{report.duplicate_of:05d}" if report.duplicate_of else None,
        "screenshot_url": report.screenshot_url,
    }
    if timeline:
        body["timeline"] = [
            {"at": iso(e.at), "kind": e.kind.value, "actor": e.actor, "detail": e.detail} for e in report.timeline
        ]
    return body


_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reference": {"type": "string", "example": "PR-00042"},
        "id": {"type": "integer"},
        "status": {"enum": [s.value for s in ReportStatus]},
        "priority": {"enum": ["P1", "P2", "P3", "P4"]},
        "area": {"type": "string"},
        "area_confidence": {"type": "number"},
        "impact": {"type": "string"},
        "urgency": {"type": "string"},
        "text": {"type": "string"},
        "reporter": {"type": "object"},
        "assignee": _NULLABLE_TEXT,
        "created_at": {"type": "string", "format": "date-time"},
        "ack_due_at": _NULLABLE_TIME,
        "acknowledged_at": _NULLABLE_TIME,
        "resolved_at": _NULLABLE_TIME,
        "resolution_note": _NULLABLE_TEXT,
        "escalation_level": {"type": "integer"},
        "incident": _NULLABLE_TEXT,
        "duplicate_of": _NULLABLE_TEXT,
        "screenshot_url": _NULLABLE_TEXT,
        "timeline": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["reference", "id", "status", "priority", "text", "created_at"],
}
_TIME_EXAMPLE = "2027-02-13T07:00:00-08:00"
FILTERS: list[dict[str, Any]] = [
    {"name": "tenant", "in": "query", "schema": {"type": "string"}, "description": "else the plan's or the only one"},
    {"name": "status", "in": "query", "schema": {"enum": [s.value for s in ReportStatus]}},
    {"name": "area", "in": "query", "schema": {"type": "string"}, "description": "an area key of the plan"},
    {"name": "priority", "in": "query", "schema": {"enum": ["P1", "P2", "P3", "P4"]}},
    {"name": "wave", "in": "query", "schema": {"type": "string"}},
    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}, "example": _TIME_EXAMPLE},
    {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}, "example": _TIME_EXAMPLE},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
]
_BAD_FILTER = error("a filter is not valid (which one, and what it takes)")
OPENAPI_PATHS: dict[str, Any] = {
    "/api/problems": {
        "get": {
            "summary": "Problem reports, newest first",
            "parameters": FILTERS,
            "responses": {
                **GUARDED,
                "200": json_body(
                    "reports",
                    {
                        "type": "object",
                        "properties": {
                            "reports": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemReport"}},
                            "count": {"type": "integer"},
                        },
                        "required": ["reports", "count"],
                    },
                ),
                "400": _BAD_FILTER,
            },
        }
    },
    "/api/problems.csv": {
        "get": {
            "summary": "Problem reports as CSV (the same filters)",
            "parameters": FILTERS,
            "responses": {
                **GUARDED,
                "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                "400": _BAD_FILTER,
            },
        }
    },
    "/api/problems/{ref}": {
        "get": {
            "summary": "One report with its timeline",
            "parameters": [
                {
                    "name": "ref",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^(PR-?)?[0-9]{1,9}$"},
                    "example": "PR-00042",
                },
                FILTERS[0],
            ],
            "responses": {
                **GUARDED,
                "200": json_body("the report", {"$ref": "#/components/schemas/ProblemReport"}),
                "404": error("no such report"),
            },
        }
    },
}
