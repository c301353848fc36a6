"""Announcements over HTTP, for PSA tools, Power Automate and scripts.

``POST /api/announcements``: create (free-form; ``send_at`` omitted = now).
``GET /api/announcements[?status=...]``: list with figures.
``GET /api/announcements/{id}``: one, with its report figures.
``GET /api/announcements/{id}/report.csv``: one row per recipient.
``POST /api/announcements/{id}/cancel`` / ``.../recall`` (a recall answers at once; the cards
are removed in the background: ``job``).
``GET /api/announcements/{id}/chasers``: its reminders, champions' list and activity-feed nudges;
``POST /api/announcements/{id}/chasers/cancel`` stops them (``remind`` and ``important`` on create).
``GET /api/announcement-jobs[/{id}]``: bulk operations (Send, correct, recall, reschedule) with
their progress and, once finished, their outcome.

Behind the API's bearer token (:mod:`api.auth`). Invalid payloads get 400 naming each bad field.
Ids of calendar announcements contain a slash (``wave-3/one-week``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from aiohttp import web
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

from api.auth import TENANT
from api.body import field_errors
from api.openapi import GUARDED, add_fragment, error, json_body
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
from switchover.announcements.model import ACK_VERBS
from switchover.plan.model import reminder_offsets
from switchover.plan.normalise import parse_duration
from switchover.services import Services

MAX_AHEAD_DAYS = 5 * 366  # an announcement further ahead than that is a typo, not a plan


class CreateAnnouncement(BaseModel):
    """The body of ``POST /api/announcements``."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    audience: Audience
    body: str = Field(min_length=1, max_length=8000)
    urgency: Urgency = Urgency.NORMAL
    image_url: HttpUrl | None = None
    buttons: list[Button] = Field(default_factory=lambda: [Button(title="Got it", verb="acknowledge")], max_length=6)
    send_at: AwareDatetime | None = Field(
        None, description=f"when to send (with a time zone); omitted: now; at most {MAX_AHEAD_DAYS} days ahead"
    )
    created_by: str | None = Field(None, max_length=300)
    remind: list[str] = Field(
        default_factory=list,
        max_length=5,
        description=(
            'reminders to everyone who has not acknowledged, this long after it goes ("2 days", "4 days"); '
            "after the last, each site champion gets the list of their people. Needs an acknowledging button"
        ),
        examples=[["2 days", "4 days"]],
    )
    important: bool = Field(
        False, description="marked important, and a nudge in each recipient's Teams activity feed (when configured)"
    )

    @field_validator("remind")
    @classmethod
    def _durations(cls, value: list[str]) -> list[str]:
        reminder_offsets(tuple(parse_duration(v) for v in value))  # ValueError says what is wrong
        return value

    @model_validator(mode="after")
    def _remind_needs_acknowledgement(self) -> CreateAnnouncement:
        if self.remind and not any(b.verb in ACK_VERBS for b in self.buttons):
            raise ValueError("remind needs a button that acknowledges (verb acknowledge or mfa_done)")
        return self

    def content(self) -> Content:
        """What the card says, with its reminders in minutes."""
        return Content(
            body=self.body,
            urgency=Urgency.IMPORTANT if self.important and self.urgency is Urgency.NORMAL else self.urgency,
            image_url=self.image_url,
            buttons=tuple(self.buttons),
            remind_minutes=tuple(parse_duration(v).minutes for v in self.remind),
            nudge=self.important,
        )

    @field_validator("send_at")
    @classmethod
    def _in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        try:
            return value.astimezone(dt.UTC) if value is not None else None
        except OverflowError:  # 9999-12-31T23:59:59-01:00 is after year 9999 in UTC
            raise ValueError("out of range: it must fall between the years 1 and 9999 in UTC") from None


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
    "channel",
    "email_status",
    "reason",
    "attempts",
    "sent_at",
    "read_at",
    "acknowledged",
    "language",  # the language the card was written in
)


def setup(app: web.Application, services: Services) -> None:
    """Add the announcement routes and their OpenAPI paths."""

    def refuse(status: int, message: str, **extra: Any) -> web.Response:
        return web.json_response({"error": message, **extra}, status=status)

    def with_tenant(handler: Any) -> Any:
        """``handler(request, service)`` once the tenant is known; domain errors as 404 / 409."""

        async def run(request: web.Request) -> web.StreamResponse:
            served = await services.tenant.settle()
            if not served:
                return refuse(409, "no tenant yet: install the app for someone first")
            if request[TENANT] != served:  # the token's tenant (api.auth); announcements are the served tenant's
                return refuse(404, "this Switchover does not announce to that tenant")
            svc = services.announcements
            try:
                return await handler(request, svc)
            except AnnouncementError as exc:
                status = 404 if str(exc).startswith("no announcement") else 409
                return refuse(status, str(exc))

        return run

    async def create(request: web.Request, svc: AnnouncementService) -> web.Response:
        try:
            raw = await request.json()
        except (ValueError, LookupError):  # not JSON, not in its charset, or an unknown charset
            return refuse(400, "the body is not JSON", fields=[{"field": "(body)", "message": "not JSON"}])
        try:
            body = CreateAnnouncement.model_validate(raw)
        except ValidationError as exc:
            return refuse(400, "invalid announcement", fields=field_errors(exc))
        if body.send_at is not None and body.send_at > services.clock.now() + dt.timedelta(days=MAX_AHEAD_DAYS):
            return refuse(
                400,
                "invalid announcement",
                fields=[{"field": "send_at", "message": f"more than {MAX_AHEAD_DAYS} days ahead"}],
            )
        if body.audience.kind == "wave":
            unknown = [v for v in body.audience.values if v not in {w.key for w in services.plan.waves}]
            if unknown:
                return refuse(
                    400, "invalid announcement", fields=[{"field": "audience.values", "message": f"no wave {unknown}"}]
                )
        created = await svc.create(
            title=body.title,
            audience=body.audience,
            content=body.content(),
            send_at=body.send_at,
            created_by=body.created_by or "api",
        )
        # Due now: recorded as a background Send job (resolved, rendered and queued there), so the
        # answer comes at once whatever the audience's size; follow it at /api/announcement-jobs/{job}.
        created, job = await svc.start_if_due(created.id)
        body_out = as_json(created)
        if job is not None:
            body_out["job"] = job.as_dict()
        return web.json_response(body_out, status=201, headers={"Location": f"/api/announcements/{created.id}"})

    async def listing(request: web.Request, svc: AnnouncementService) -> web.Response:
        statuses = None
        if request.query.get("status"):
            try:
                statuses = [AnnouncementStatus(s) for s in request.query["status"].split(",")]
            except ValueError:
                allowed = ", ".join(s.value for s in AnnouncementStatus)
                return refuse(400, "invalid query", fields=[{"field": "status", "message": f"one of {allowed}"}])
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
        job = await svc.recall(request.match_info["id"])
        return web.json_response(
            {**as_json(await svc.get(request.match_info["id"])), "removing": job.expected, "job": job.as_dict()}
        )

    async def chaser_steps(request: web.Request, svc: AnnouncementService) -> web.Response:
        ann_id = request.match_info["id"]
        steps = await svc.chaser_steps(ann_id)
        return web.json_response({"announcement_id": ann_id, "steps": [s.as_dict() for s in steps]})

    async def cancel_chasers(request: web.Request, svc: AnnouncementService) -> web.Response:
        ann_id = request.match_info["id"]
        stopped = await svc.cancel_chasers(ann_id)
        steps = await svc.chaser_steps(ann_id)
        return web.json_response({"announcement_id": ann_id, "stopped": stopped, "steps": [s.as_dict() for s in steps]})

    async def jobs(request: web.Request, svc: AnnouncementService) -> web.Response:
        return web.json_response({"jobs": [job.as_dict() for job in await svc.recent_jobs()]})

    async def job(request: web.Request, svc: AnnouncementService) -> web.Response:
        try:
            found = await svc.job(request.match_info["job"])
        except KeyError:
            return refuse(404, f"no bulk job {request.match_info['job']!r}: GET /api/announcement-jobs lists them")
        return web.json_response(found.as_dict())

    # Suffix routes first: ids may contain a slash.
    app.router.add_get("/api/announcement-jobs", with_tenant(jobs))
    app.router.add_get("/api/announcement-jobs/{job}", with_tenant(job))
    app.router.add_get("/api/announcements/{id:.+}/report.csv", with_tenant(report_csv))
    app.router.add_post("/api/announcements/{id:.+}/chasers/cancel", with_tenant(cancel_chasers))
    app.router.add_get("/api/announcements/{id:.+}/chasers", with_tenant(chaser_steps))
    app.router.add_post("/api/announcements/{id:.+}/cancel", with_tenant(cancel))
    app.router.add_post("/api/announcements/{id:.+}/recall", with_tenant(recall))
    app.router.add_get("/api/announcements/{id:.+}", with_tenant(get_one))
    app.router.add_get("/api/announcements", with_tenant(listing))
    app.router.add_post("/api/announcements", with_tenant(create))
    schema = CreateAnnouncement.model_json_schema(ref_template="#/components/schemas/{model}")
    add_fragment(
        app,
        OPENAPI_PATHS,
        {
            "CreateAnnouncement": schema,
            "Announcement": ANNOUNCEMENT_SCHEMA,
            "Chasers": CHASERS_SCHEMA,
            "BulkJob": JOB_SCHEMA,
            **schema.pop("$defs", {}),
        },
    )


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


# Ids are ``a-<12 hex>`` (created here) or ``<wave>/<message>`` (the plan's calendar).
_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)?$"},
    "example": "wave-3/one-week",
}
_NO_TENANT = error("no tenant yet: install the app for someone first")
_ANNOUNCEMENT = {"$ref": "#/components/schemas/Announcement"}
ANNOUNCEMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string"},
        "wave": {"type": ["string", "null"]},
        "calendar_key": {"type": ["string", "null"]},
        "title": {"type": "string"},
        "status": {"enum": [s.value for s in AnnouncementStatus]},
        "audience": {"type": "object"},
        "send_at": {"type": ["string", "null"], "format": "date-time"},
        "created_by": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "reason": {"type": ["string", "null"]},
        "content": {"type": "object"},
        "figures": {"type": "object"},
        "removing": {"type": "integer", "description": "a recall: delivered cards being removed"},
        "job": {"$ref": "#/components/schemas/BulkJob"},
    },
    "required": ["id", "kind", "title", "status", "audience", "created_at", "content"],
}
_CHASERS = {"$ref": "#/components/schemas/Chasers"}
CHASERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "An announcement's chasers: step 0 the activity-feed nudges, then the reminders, then the list "
        "sent to champions or managers; deliveries counts their outbox rows by status"
    ),
    "properties": {
        "announcement_id": {"type": "string"},
        "stopped": {"type": "integer", "description": "a cancel: steps stopped by it"},
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "step": {"type": "integer"},
                    "kind": {"enum": ["nudge", "reminder", "list"]},
                    "due_at": {"type": "string", "format": "date-time"},
                    "state": {"enum": ["pending", "claimed", "done", "stopped"]},
                    "people": {"type": ["integer", "null"]},
                    "outcome": {"type": ["string", "null"]},
                    "detail": {"type": ["string", "null"]},
                    "finished_at": {"type": ["string", "null"], "format": "date-time"},
                    "deliveries": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
                "required": ["step", "kind", "due_at", "state", "deliveries"],
            },
        },
    },
    "required": ["announcement_id", "steps"],
}
_JOB = {"$ref": "#/components/schemas/BulkJob"}
JOB_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "A lead's bulk operation, run in the background at the rate limit: its outbox rows by status "
        "(progress) and, once finished, the outcome the lead was told"
    ),
    "properties": {
        "id": {"type": "string"},
        "kind": {"enum": ["send", "correct", "recall", "reschedule"]},
        "announcements": {"type": "array", "items": {"type": "string"}},
        "title": {"type": "string"},
        "state": {"enum": ["queued", "running", "finished"]},
        "requested_by": {"type": ["string", "null"]},
        "expected": {"type": "integer", "description": "people to send to, or delivered cards to change"},
        "done": {"type": "integer", "description": "rows that reached their end"},
        "progress": {"type": "object", "additionalProperties": {"type": "integer"}},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "summary": {
            "type": ["object", "null"],
            "properties": {
                "done": {"type": "integer"},
                "superseded": {"type": "integer"},
                "not_done": {"type": "integer"},
                "reasons": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
    },
    "required": ["id", "kind", "announcements", "title", "state", "expected", "done", "progress", "created_at"],
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/announcement-jobs": {
        "get": {
            "summary": "The latest bulk operations (Send, correct, recall, reschedule) with their progress",
            "responses": {
                **GUARDED,
                "200": json_body(
                    "bulk jobs, newest first",
                    {
                        "type": "object",
                        "properties": {"jobs": {"type": "array", "items": _JOB}},
                        "required": ["jobs"],
                    },
                ),
                "409": _NO_TENANT,
            },
        }
    },
    "/api/announcement-jobs/{job}": {
        "get": {
            "summary": "One bulk operation: progress, and its outcome once finished",
            "parameters": [
                {
                    "name": "job",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                    "example": "3f2a9c0d41b7e655",
                }
            ],
            "responses": {
                **GUARDED,
                "200": json_body("the job", _JOB),
                "404": error("no such job"),
                "409": _NO_TENANT,
            },
        }
    },
    "/api/announcements": {
        "get": {
            "summary": "List announcements with their figures",
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "description": "comma-separated statuses",
                    "schema": {"type": "string"},
                    "example": "scheduled,sent",
                }
            ],
            "responses": {
                **GUARDED,
                "200": json_body(
                    "announcements",
                    {
                        "type": "object",
                        "properties": {"announcements": {"type": "array", "items": _ANNOUNCEMENT}},
                        "required": ["announcements"],
                    },
                ),
                "400": error("an unknown status"),
                "409": _NO_TENANT,
            },
        },
        "post": {
            "summary": "Create a free-form announcement (sent now, or at send_at)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateAnnouncement"}}},
            },
            "responses": {
                **GUARDED,
                "201": json_body(
                    "created; one to send now answers at once with job, the background Send that resolves "
                    "its audience and queues its cards (follow it at /api/announcement-jobs/{job})",
                    _ANNOUNCEMENT,
                ),
                "400": error("not JSON, or an invalid announcement (each bad field named)"),
                "409": _NO_TENANT,
            },
        },
    },
    "/api/announcements/{id}": {
        "get": {
            "summary": "One announcement with its delivery and acknowledgement figures",
            "parameters": [_ID],
            "responses": {
                **GUARDED,
                "200": json_body("the announcement", _ANNOUNCEMENT),
                "404": error("no such announcement"),
                "409": _NO_TENANT,
            },
        }
    },
    "/api/announcements/{id}/report.csv": {
        "get": {
            "summary": "Per-recipient report as CSV",
            "parameters": [_ID],
            "responses": {
                **GUARDED,
                "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                "404": error("no such announcement"),
                "409": _NO_TENANT,
            },
        }
    },
    "/api/announcements/{id}/cancel": {
        "post": {
            "summary": "Cancel an announcement that has not gone",
            "parameters": [_ID],
            "responses": {
                **GUARDED,
                "200": json_body("cancelled", _ANNOUNCEMENT),
                "404": error("no such announcement"),
                "409": error("no tenant yet, or the announcement has gone already"),
            },
        }
    },
    "/api/announcements/{id}/chasers": {
        "get": {
            "summary": "Its reminders, champions' list and activity-feed nudges: when, state, how they fared",
            "parameters": [_ID],
            "responses": {
                **GUARDED,
                "200": json_body("the steps (none when it asks for no reminders and is not important)", _CHASERS),
                "404": error("no such announcement"),
                "409": _NO_TENANT,
            },
        }
    },
    "/api/announcements/{id}/chasers/cancel": {
        "post": {
            "summary": "Stop its reminders and the champions' list (those queued and not sent are taken back)",
            "parameters": [_ID],
            "responses": {
                **GUARDED,
                "200": json_body("stopped: how many steps were stopped (0: none were left)", _CHASERS),
                "404": error("no such announcement"),
                "409": _NO_TENANT,
            },
        }
    },
    "/api/announcements/{id}/recall": {
        "post": {
            "summary": "Recall (delete) every delivered card",
            "parameters": [_ID],
            "responses": {
                **GUARDED,
                "200": json_body(
                    "recalled: nothing more goes out; removing: how many delivered cards are being removed "
                    "in the background (job: follow it at /api/announcement-jobs/{job})",
                    _ANNOUNCEMENT,
                ),
                "404": error("no such announcement"),
                "409": error("no tenant yet, or the announcement cannot be recalled"),
            },
        }
    },
}
