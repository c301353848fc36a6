"""Changing the plan over HTTP, without a restart.

``POST /api/plan`` (write scope): the new plan's YAML, as ``application/yaml`` (or ``text/plain``)
or as JSON ``{"plan": "<yaml>", "by": "<upn>"}``. It is loaded and checked like the file at start
(every problem with its line, column and field: 400, nothing applied), then applied in one
transaction: the revision (text, hash, who: the token's name and ``by``, when, what changed), the
plan's version (every instance picks it up within seconds) and the announcement calendar (pending
sends moved, added or cancelled). ``GET /api/plan`` shows the revision in force and the latest ones.

``POST /api/waves/{key}/move`` with ``{"day": "2027-03-06", "start": "07:00", "end": "16:00"}``: a
lead's ``reschedule`` (cutover window, hypercare, the desk's staffed days and pending sends move
together; delivered cards are updated and the wave gets the reschedule notice).

``POST /api/waves/{key}/state`` with ``{"state": "cutover-complete"}`` (or ``cutover-started``): what a
lead's ``cutover complete wave-3`` records once confirmed: the state (status and the digest show it)
and the wave's matching manual announcement, sent to its people (``sending``: how many).

Behind the API's bearer token (:mod:`api.auth`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.auth import GRANT, TENANT
from api.body import field_errors, read_model
from api.openapi import GUARDED, add_fragment, error, json_body
from switchover.plan.reader import PlanError
from switchover.plan_apply import describe
from switchover.services import Services
from switchover.status.wavestates import RecordedState, WaveStateStore, apply_change, plan_change

MAX_PLAN_CHARS = 2_000_000


class PlanBody(BaseModel):
    """The JSON body of ``POST /api/plan``."""

    model_config = ConfigDict(extra="forbid")

    plan: str = Field(..., min_length=1, max_length=MAX_PLAN_CHARS, description="the whole plan, as YAML text")
    by: str | None = Field(None, max_length=200, description="who is applying it (UPN), recorded with the revision")


class WaveMoveBody(BaseModel):
    """The body of ``POST /api/waves/{key}/move``: the new day, and the window's local times if they change."""

    model_config = ConfigDict(extra="forbid")

    day: dt.date = Field(..., description="the new cutover day, YYYY-MM-DD")
    start: dt.time | None = Field(None, description="the window's new start, the wave's local time (else the same)")
    end: dt.time | None = Field(None, description="the window's new end, the wave's local time (else the same)")
    hypercare_until: dt.date | None = Field(
        None, description="hypercare's new last day (else shifted by as many days as the cutover)"
    )
    by: str | None = Field(None, max_length=200, description="who is moving it (UPN), recorded with the move")


class WaveStateBody(BaseModel):
    """The body of ``POST /api/waves/{key}/state``: the state a lead records for the wave."""

    model_config = ConfigDict(extra="forbid")

    state: Literal["cutover-started", "cutover-complete"] = Field(..., description="what to record")
    by: str | None = Field(None, max_length=200, description="who is recording it (UPN)")


def setup(app: web.Application, services: Services) -> None:
    """Add ``GET /api/plan``, ``POST /api/plan``, ``POST /api/waves/{key}/move`` and ``.../state``."""

    async def served_only(request: web.Request) -> web.Response | None:
        served = services.plan.organisation.tenant_id or await services.tenant.settle()
        if request[TENANT] != served:
            return web.json_response({"error": "this Switchover does not serve that tenant"}, status=404)
        return None

    async def show(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        current = services.current_plan
        revisions = await current.revisions(limit=10)
        return web.json_response(
            {
                "version": current.version,
                "revision": current.revision.number if current.revision else None,
                "moves": {
                    key: {
                        "start": m.start.isoformat(),
                        "end": m.end.isoformat(),
                        "hypercare_until": services.plan.wave(key).hypercare_until.isoformat(),
                        "by": m.moved_by,
                    }
                    for key, m in current.moves.items()
                },
                "revisions": [
                    {
                        "number": r.number,
                        "sha256": r.sha256,
                        "source": r.source,
                        "name": r.name,
                        "applied_by": r.applied_by,
                        "applied_at": r.applied_at.isoformat(),
                        "changes": list(r.changes),
                    }
                    for r in revisions
                ],
            }
        )

    async def apply(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        text, by = await _read(request)
        if isinstance(text, web.Response):
            return text
        who = f"API token {request[GRANT].name}"
        try:
            applied = await services.current_plan.apply(
                text, source="api", name="POST /api/plan", by=f"{by} ({who})" if by else who
            )
        except PlanError as exc:
            problems = [
                {"line": e.line, "column": e.column, "field": e.field, "message": e.message} for e in exc.errors
            ]
            count = len(problems)
            return web.json_response(
                {
                    "error": f"{count} problem{'s' if count != 1 else ''} in the plan; nothing was applied",
                    "fields": [
                        {
                            "field": f"line {p['line']}: {p['field']}" if p["line"] else p["field"],
                            "message": p["message"],
                        }
                        for p in problems
                    ],
                    "problems": problems,
                },
                status=400,
            )
        services.delivery.wake()
        result = describe(applied)
        return web.json_response({**result.as_dict(), "summary": result.lines})

    async def move(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        key = request.match_info["key"]
        if key not in {w.key for w in services.plan.waves}:
            return web.json_response({"error": f"no wave {key!r}"}, status=404)
        body = await read_model(request, WaveMoveBody)
        if isinstance(body, web.Response):
            return body
        who = f"API token {request[GRANT].name}"
        await services.tenant.settle()
        try:
            result = await services.announcements.reschedule_wave(
                key,
                body.day,
                start=body.start,
                end=body.end,
                hypercare_until=body.hypercare_until,
                by=f"{body.by} ({who})" if body.by else who,
            )
        except ValueError as exc:
            return web.json_response({"error": f"nothing moved: {exc}"}, status=400)
        services.delivery.wake()
        wave = services.plan.wave(key)
        return web.json_response(
            {
                "wave": key,
                "start": result.new.start.isoformat(),
                "end": result.new.end.isoformat(),
                "hypercare_until": wave.hypercare_until.isoformat(),
                "moved": list(result.moved),
                "updated_cards": result.updated_cards,
                "notice": result.notice_id,
            }
        )

    async def state(request: web.Request) -> web.Response:
        if (refused := await served_only(request)) is not None:
            return refused
        key = request.match_info["key"]
        if key not in {w.key for w in services.plan.waves}:
            return web.json_response({"error": f"no wave {key!r}"}, status=404)
        body = await read_model(request, WaveStateBody)
        if isinstance(body, web.Response):
            return body
        who = f"API token {request[GRANT].name}"
        await services.tenant.settle()
        change = await plan_change(services.announcements, key, RecordedState(body.state))
        record, job = await apply_change(
            services.announcements,
            WaveStateStore(services.db),
            change,
            by=f"{body.by} ({who})" if body.by else who,
            lead=None,
        )
        services.delivery.wake()
        return web.json_response(
            {
                "wave": key,
                "state": record.state.value,
                "set_by": record.set_by,
                "set_at": record.set_at.isoformat(),
                "announcement": change.announcement.id if change.announcement is not None else None,
                "sending": change.recipients if job is not None else 0,
            }
        )

    app.router.add_get("/api/plan", show)
    app.router.add_post("/api/plan", apply)
    app.router.add_post("/api/waves/{key}/move", move)
    app.router.add_post("/api/waves/{key}/state", state)
    add_fragment(
        app,
        OPENAPI_PATHS,
        {
            "PlanBody": PlanBody.model_json_schema(),
            "WaveMoveBody": WaveMoveBody.model_json_schema(),
            "WaveStateBody": WaveStateBody.model_json_schema(),
        },
    )


async def _read(request: web.Request) -> tuple[str | web.Response, str | None]:
    """The plan text (and ``by``) from a YAML or JSON body, or the 400 to answer."""
    kind = request.content_type
    if kind in ("application/yaml", "application/x-yaml", "text/yaml", "text/plain"):
        try:
            text = await request.text()
        except (UnicodeDecodeError, LookupError):
            return web.json_response({"error": "the plan must be UTF-8 text"}, status=400), None
        if not text.strip():
            return web.json_response({"error": "the body is empty: send the whole plan as YAML"}, status=400), None
        if len(text) > MAX_PLAN_CHARS:
            return web.json_response({"error": f"the plan is over {MAX_PLAN_CHARS} characters"}, status=400), None
        return text, request.query.get("by")
    try:
        raw: Any = await request.json()
    except (ValueError, LookupError):
        return (
            web.json_response(
                {"error": 'send the plan as application/yaml, or JSON {"plan": "<yaml>", "by": "<upn>"}'}, status=400
            ),
            None,
        )
    try:
        body = PlanBody.model_validate(raw)
    except ValidationError as exc:
        return web.json_response({"error": "invalid request", "fields": field_errors(exc)}, status=400), None
    return body.plan, body.by


_OBJECT: dict[str, Any] = {"type": "object"}
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/plan": {
        "get": {
            "summary": "The plan in force: its version, revision, the waves moved by a lead, the latest revisions",
            "responses": {
                **GUARDED,
                "200": json_body(
                    "the plan in force",
                    {
                        "type": "object",
                        "properties": {
                            "version": {"type": "integer"},
                            "revision": {"type": ["integer", "null"]},
                            "moves": _OBJECT,
                            "revisions": {"type": "array", "items": _OBJECT},
                        },
                        "required": ["version", "revision", "moves", "revisions"],
                    },
                ),
                "404": error("not the tenant this Switchover serves"),
            },
        },
        "post": {
            "summary": "Apply a changed plan without a restart (validated first; nothing applied if it fails)",
            "parameters": [
                {
                    "name": "by",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "with a YAML body: who is applying it (UPN)",
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/PlanBody"}},
                    "application/yaml": {"schema": {"type": "string"}},
                },
            },
            "responses": {
                **GUARDED,
                "200": json_body(
                    "applied (or already the plan in force: applied false): the revision, what changed, "
                    "and the announcement calendar's pending sends moved, added or cancelled",
                    {
                        "type": "object",
                        "properties": {
                            "applied": {"type": "boolean"},
                            "revision": {"type": ["integer", "null"]},
                            "version": {"type": "integer"},
                            "sha256": {"type": ["string", "null"]},
                            "changes": _STRINGS,
                            "cleared_moves": _STRINGS,
                            "calendar": _OBJECT,
                            "summary": _STRINGS,
                        },
                        "required": ["applied", "revision", "version", "changes", "calendar"],
                    },
                ),
                "400": error(
                    "not a plan: every problem with its line, column and field (``problems``); nothing was applied"
                ),
                "404": error("not the tenant this Switchover serves"),
            },
        },
    },
    "/api/waves/{key}/move": {
        "post": {
            "summary": "Move a wave (a lead's reschedule): its cutover day and times, hypercare, pending sends",
            "parameters": [
                {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}, "example": "wave-3"}
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WaveMoveBody"}}},
            },
            "responses": {
                **GUARDED,
                "200": json_body(
                    "moved: the new window, hypercare, the pending sends moved, delivered cards updated",
                    {
                        "type": "object",
                        "properties": {
                            "wave": {"type": "string"},
                            "start": {"type": "string", "format": "date-time"},
                            "end": {"type": "string", "format": "date-time"},
                            "hypercare_until": {"type": "string", "format": "date"},
                            "moved": _STRINGS,
                            "updated_cards": {"type": "integer"},
                            "notice": {"type": ["string", "null"]},
                        },
                        "required": ["wave", "start", "end", "hypercare_until", "moved", "updated_cards"],
                    },
                ),
                "400": error("not JSON, a bad date or time, or a window ending before it starts; nothing moved"),
                "404": error("no such wave, or not the tenant this Switchover serves"),
            },
        }
    },
    "/api/waves/{key}/state": {
        "post": {
            "summary": "Record a wave's state (cutover started or complete) and send its matching manual announcement",
            "parameters": [
                {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}, "example": "wave-3"}
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WaveStateBody"}}},
            },
            "responses": {
                **GUARDED,
                "200": json_body(
                    "recorded: the state, who and when, and the announcement being sent (to ``sending`` people)",
                    {
                        "type": "object",
                        "properties": {
                            "wave": {"type": "string"},
                            "state": {"enum": ["cutover-started", "cutover-complete"]},
                            "set_by": {"type": "string"},
                            "set_at": {"type": "string", "format": "date-time"},
                            "announcement": {"type": ["string", "null"]},
                            "sending": {"type": "integer"},
                        },
                        "required": ["wave", "state", "set_by", "set_at", "announcement", "sending"],
                    },
                ),
                "400": error("not JSON, or a state other than cutover-started or cutover-complete; nothing recorded"),
                "404": error("no such wave, or not the tenant this Switchover serves"),
            },
        }
    },
}
