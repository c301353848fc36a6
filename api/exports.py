"""Exports over HTTP, as CSV for Excel or JSON for tools, streamed as they are read.

``GET /api/exports/deliveries?announcement=<id>``: one announcement's deliveries, per person.
``GET /api/exports/readiness[?wave=<key>]``: readiness per person.
``GET /api/exports/problems``: problem reports, one row per report (JSON: with its ``timeline``).
``GET /api/exports/problem-events``: the reports' timelines, one row per event (the second sheet).
The problem exports take the filters of ``GET /api/problems`` (``status``, ``area``, ``priority``,
``wave``, ``since``, ``until``) and have no row limit.

The format is the ``format`` query parameter, ``csv`` or ``json`` (the default): a link a lead
pastes into Excel's *From Web* or a script's URL says what it gets, whatever ``Accept`` header
the tool sends. The body is written a batch of rows at a time (chunked), never built whole; the
status and headers are sent before the rows, so a failure halfway through cuts the answer short
(the chunked body never ends) instead of passing for a complete file. How the cells are written
(BOM, formula-safe cells, times): :mod:`switchover.exports.table`.

Read-scope tokens suffice (GET); the tenant is the one :mod:`api.auth` settled.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiohttp import web

from api.auth import TENANT
from api.openapi import GUARDED, add_fragment, error
from api.problems import FILTERS as PROBLEM_QUERY
from api.problems import _BadRequest, _filters
from switchover.announcements import AnnouncementError
from switchover.exports import (
    Export,
    csv_header,
    csv_rows,
    delivery_export,
    event_export,
    json_end,
    json_rows,
    json_start,
    problem_export,
    readiness_export,
)
from switchover.exports import deliveries as deliveries_export
from switchover.exports import problems as problems_export
from switchover.exports import readiness as readiness_columns
from switchover.services import Services

FORMATS = ("csv", "json")
CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"


def setup(app: web.Application, services: Services) -> None:
    """Add the ``/api/exports/...`` routes and their OpenAPI paths."""

    def refuse(status: int, message: str) -> web.Response:
        return web.json_response({"error": message}, status=status)

    def fmt(request: web.Request) -> str | None:
        value = request.query.get("format", "json")
        return value if value in FORMATS else None

    async def served_tenant() -> str:
        return services.plan.organisation.tenant_id or await services.tenant.settle()

    async def deliveries(request: web.Request) -> web.StreamResponse:
        if (kind := fmt(request)) is None:
            return refuse(400, "format must be csv or json")
        ann_id = request.query.get("announcement", "")
        if not ann_id:
            return refuse(400, "announcement is required (an announcement id, e.g. wave-3/one-week)")
        served = await services.tenant.settle()
        if not served:
            return refuse(409, "no tenant yet: install the app for someone first")
        if request[TENANT] != served:  # the token's tenant (api.auth); announcements are the served tenant's
            return refuse(404, "this Switchover does not announce to that tenant")
        try:
            announcement = await services.announcements.get(ann_id)
        except AnnouncementError:
            return refuse(404, f"no announcement {ann_id!r}")
        export = delivery_export(services.db, services.plan, services.directory, announcement)
        return await _stream(request, export, kind, services)

    async def readiness(request: web.Request) -> web.StreamResponse:
        if (kind := fmt(request)) is None:
            return refuse(400, "format must be csv or json")
        if request[TENANT] != await served_tenant():
            return refuse(404, "this Switchover does not serve that tenant")
        wave = request.query.get("wave")
        if wave is not None and wave not in {w.key for w in services.plan.waves}:
            return refuse(404, f"no wave {wave!r}")
        return await _stream(request, await readiness_export(services.readiness, wave), kind, services)

    def problem_filters(request: web.Request) -> dict[str, Any] | web.Response:
        if fmt(request) is None:
            return refuse(400, "format must be csv or json")
        if "limit" in request.query:
            return refuse(400, "an export has no limit: filter by since / until instead")
        try:
            return _filters(request, services.plan)
        except _BadRequest as exc:
            return refuse(400, str(exc))

    async def problems(request: web.Request) -> web.StreamResponse:
        filters = problem_filters(request)
        if isinstance(filters, web.Response):
            return filters
        kind = fmt(request) or "json"
        export = problem_export(services.db, request[TENANT], filters, timeline=kind == "json")
        return await _stream(request, export, kind, services)

    async def problem_events(request: web.Request) -> web.StreamResponse:
        filters = problem_filters(request)
        if isinstance(filters, web.Response):
            return filters
        export = event_export(services.db, request[TENANT], filters)
        return await _stream(request, export, fmt(request) or "json", services)

    app.router.add_get("/api/exports/deliveries", deliveries)
    app.router.add_get("/api/exports/readiness", readiness)
    app.router.add_get("/api/exports/problems", problems)
    app.router.add_get("/api/exports/problem-events", problem_events)
    add_fragment(app, OPENAPI_PATHS, SCHEMAS)


async def _stream(request: web.Request, export: Export, kind: str, services: Services) -> web.StreamResponse:
    """Write ``export`` as ``kind`` (csv or json), a batch at a time."""
    response = web.StreamResponse(
        headers={
            "Content-Disposition": f'attachment; filename="{export.name}.{kind}"',
            "Cache-Control": "no-store",
        }
    )
    response.content_type = CSV_TYPE if kind == "csv" else JSON_TYPE
    response.charset = "utf-8"
    response.enable_chunked_encoding()
    await response.prepare(request)
    count = 0
    async with contextlib.aclosing(export.batches) as batches:  # a client gone mid-way closes the reads
        if kind == "csv":
            await response.write(csv_header(export.columns))
        else:
            await response.write(json_start(export, services.clock.now()))
        async for rows in batches:
            if kind == "csv":
                await response.write(csv_rows(export.columns, rows))
            else:
                await response.write(json_rows(rows, first=count == 0))
            count += len(rows)
    if kind == "json":
        await response.write(json_end(count))
    await response.write_eof()
    return response


# -- the OpenAPI document --------------------------------------------------------------------

_FORMAT: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "description": "csv (UTF-8 with a byte order mark, for Excel) or json; the Accept header is not read",
    "schema": {"enum": list(FORMATS), "default": "json"},
}
_TEXT = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_FLAG = {"type": ["boolean", "null"]}


def _object(properties: dict[str, Any], required: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


DELIVERY_ROW = _object(
    {
        "recipient_id": {"type": "string", "description": "Entra object id, or the channel as 'Team / Channel'"},
        "upn": _TEXT,
        "name": _TEXT,
        "kind": {"enum": ["user", "channel"]},
        "wave": _TEXT,
        "department": _TEXT,
        "office": _TEXT,
        "status": {"type": "string", "description": "the delivery's state: sent, pending, failed, unreachable, ..."},
        "delivered": {"type": "boolean", "description": "the card is in the person's chat (status sent)"},
        "delivered_at": _TIME,
        "channel": {
            **_TEXT,
            "enum": ["teams", "email", "teams+email", None],
            "description": "what reached the person: teams, email (the fallback, when Teams could not), "
            "teams+email (a Teams send in doubt, then the email); empty: nothing yet",
        },
        "email_status": {**_TEXT, "description": "the fallback email's state (pending, sent, failed), if any"},
        "emailed_at": _TIME,
        "read": {"type": "boolean"},
        "read_at": _TIME,
        "acknowledged": {"type": "boolean"},
        "acknowledged_at": {**_TIME, "description": "the first acknowledgement"},
        "attempts": {"type": "integer"},
        "reason": _TEXT,
    },
    deliveries_export.COLUMNS,
)
READINESS_ROW = _object(
    {
        "user_id": {"type": "string"},
        "upn": {"type": "string"},
        "name": {"type": "string"},
        "wave": {"type": "string"},
        "department": _TEXT,
        "office": _TEXT,
        "ready": {**_FLAG, "description": "every check the plan asks passes (null: one is unknown)"},
        "mfa_registered": _FLAG,
        "mfa_methods": {"type": "array", "items": {"type": "string"}},
        "mfa_source": {**_TEXT, "description": "Microsoft Graph, or the export's file name"},
        "mfa_as_of": _TIME,
        "device_compliant": _FLAG,
        "device_source": _TEXT,
        "device_as_of": _TIME,
    },
    readiness_columns.COLUMNS,
)
EVENT = _object(
    {"at": {"type": "string", "format": "date-time"}, "kind": {"type": "string"}, "actor": _TEXT, "detail": _TEXT},
    ("at", "kind"),
)
REPORT_ROW = _object(
    {
        "reference": {"type": "string", "example": "PR-00042"},
        "created_at": {"type": "string", "format": "date-time"},
        "status": {"type": "string"},
        "priority": {"enum": ["P1", "P2", "P3", "P4"]},
        "area": {"type": "string"},
        "impact": {"type": "string"},
        "urgency": {"type": "string"},
        "wave": _TEXT,
        "site": _TEXT,
        "department": _TEXT,
        "reporter": _TEXT,
        "reporter_upn": _TEXT,
        "assignee": _TEXT,
        "ack_due_at": _TIME,
        "acknowledged_at": _TIME,
        "resolved_at": _TIME,
        "escalation_level": {"type": "integer"},
        "incident": _TEXT,
        "duplicate_of": _TEXT,
        "events": {"type": "integer", "description": "how many events its timeline has"},
        "text": {"type": "string"},
        "resolution_note": _TEXT,
        "timeline": {"type": "array", "items": {"$ref": "#/components/schemas/ExportProblemEvent"}},
    },
    (*problems_export.REPORT_COLUMNS, "timeline"),
)
EVENT_ROW = _object(
    {
        "reference": {"type": "string"},
        "status": {"type": "string", "description": "the report's status now"},
        "priority": {"enum": ["P1", "P2", "P3", "P4"]},
        "area": {"type": "string"},
        "wave": _TEXT,
        **EVENT["properties"],
    },
    problems_export.EVENT_COLUMNS,
)


def _document(row: str, about: dict[str, Any]) -> dict[str, Any]:
    return _object(
        {
            "export": {"type": "string"},
            "generated_at": {"type": "string", "format": "date-time"},
            **about,
            "columns": {"type": "array", "items": {"type": "string"}, "description": "the CSV's columns, in order"},
            "rows": {"type": "array", "items": {"$ref": f"#/components/schemas/{row}"}},
            "count": {"type": "integer"},
        },
        ("export", "generated_at", *about, "columns", "rows", "count"),
    )


_FILTERS_ABOUT = {"filters": {"type": "object"}}
SCHEMAS: dict[str, Any] = {
    "ExportDelivery": DELIVERY_ROW,
    "ExportReadiness": READINESS_ROW,
    "ExportProblemReport": REPORT_ROW,
    "ExportProblemEvent": EVENT,
    "ExportProblemEventRow": EVENT_ROW,
}


def _answers(description: str, row: str, about: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            JSON_TYPE: {"schema": _document(row, about)},
            CSV_TYPE: {"schema": {"type": "string", "description": "a header row, then one row per item"}},
        },
    }


_BAD = error("format is not csv or json, or another query parameter is not valid (which, and what it takes)")
OPENAPI_PATHS: dict[str, Any] = {
    "/api/exports/deliveries": {
        "get": {
            "summary": "One announcement's deliveries, per person: delivered, read, acknowledged, with times",
            "parameters": [
                {
                    "name": "announcement",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                    "example": "wave-3/one-week",
                },
                _FORMAT,
            ],
            "responses": {
                **GUARDED,
                "200": _answers(
                    "one row per recipient",
                    "ExportDelivery",
                    {"announcement": {"type": "object", "properties": {"id": {"type": "string"}}}},
                ),
                "400": _BAD,
                "404": error("no such announcement, or not the tenant this Switchover announces to"),
                "409": error("no tenant yet: install the app for someone first"),
            },
        }
    },
    "/api/exports/readiness": {
        "get": {
            "summary": "Readiness per person: wave, MFA registered, device compliant, source, as of",
            "parameters": [
                {"name": "wave", "in": "query", "schema": {"type": "string"}, "example": "wave-2"},
                _FORMAT,
            ],
            "responses": {
                **GUARDED,
                "200": _answers(
                    "one row per person in a wave (enabled members), by wave, department and name",
                    "ExportReadiness",
                    {"wave": _TEXT, "checks": {"type": "object"}, "source": {"type": "string"}},
                ),
                "400": _BAD,
                "404": error("no such wave, or not the tenant this Switchover serves"),
            },
        }
    },
    "/api/exports/problems": {
        "get": {
            "summary": "Problem reports, one row per report, oldest first (JSON: each with its timeline)",
            "parameters": [*PROBLEM_QUERY[:-1], _FORMAT],
            "responses": {
                **GUARDED,
                "200": _answers("one row per report", "ExportProblemReport", _FILTERS_ABOUT),
                "400": _BAD,
            },
        }
    },
    "/api/exports/problem-events": {
        "get": {
            "summary": "The timelines of problem reports, one row per event (the sheet beside the reports)",
            "parameters": [*PROBLEM_QUERY[:-1], _FORMAT],
            "responses": {
                **GUARDED,
                "200": _answers("one row per event, report by report", "ExportProblemEventRow", _FILTERS_ABOUT),
                "400": _BAD,
            },
        }
    },
}
