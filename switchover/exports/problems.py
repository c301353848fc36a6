"""Problem reports with their timelines, for a lead's spreadsheet and for tools.

Two exports over the same filters (status, area, priority, wave, filed since / until):

- :func:`problem_export`: one row per report, oldest first, with how many events its timeline
  has; in JSON each row also carries its ``timeline`` (an array of events).
- :func:`event_export`: the timelines, one row per event (the report's reference, status,
  priority and area repeated on each), report by report and in the order things happened:
  the sheet a lead filters or pivots in Excel beside the reports.

Both read a batch of reports at a time (and that batch's events in one more query).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from switchover.exports.table import BATCH, Export, Row
from switchover.problems.model import reference
from switchover.problems.tables import events, reports
from switchover.storage import Database

REPORT_COLUMNS = (
    "reference",
    "created_at",
    "status",
    "priority",
    "area",
    "impact",
    "urgency",
    "wave",
    "site",
    "department",
    "reporter",
    "reporter_upn",
    "assignee",
    "ack_due_at",
    "acknowledged_at",
    "resolved_at",
    "escalation_level",
    "incident",
    "duplicate_of",
    "events",
    "text",
    "resolution_note",
)
EVENT_COLUMNS = ("reference", "status", "priority", "area", "wave", "at", "kind", "actor", "detail")
FILTERS = ("status", "area", "priority", "wave", "since", "until")


def problem_export(
    db: Database, tenant_id: str, filters: Mapping[str, Any], *, timeline: bool, batch: int = BATCH
) -> Export:
    """Reports matching ``filters`` (keys of :data:`FILTERS`), one row each; ``timeline``: with their events."""

    async def batches() -> AsyncGenerator[list[Row], None]:
        async for rows, evs in _reports(db, tenant_id, filters, batch):
            out = []
            for r in rows:
                row = _report_row(r, len(evs.get(r.id, ())))
                if timeline:
                    row["timeline"] = [_event(e) for e in evs.get(r.id, ())]
                out.append(row)
            yield out

    return Export("problem-reports", "problems", REPORT_COLUMNS, batches(), about={"filters": _about(filters)})


def event_export(db: Database, tenant_id: str, filters: Mapping[str, Any], *, batch: int = BATCH) -> Export:
    """The timelines of the reports matching ``filters``, one row per event."""

    async def batches() -> AsyncGenerator[list[Row], None]:
        async for rows, evs in _reports(db, tenant_id, filters, batch):
            out: list[Row] = []
            for r in rows:
                head = {
                    "reference": reference(r.id),
                    "status": r.status,
                    "priority": r.priority,
                    "area": r.area,
                    "wave": r.wave,
                }
                out.extend({**head, **_event(e)} for e in evs.get(r.id, ()))
            if out:
                yield out

    return Export("problem-events", "problem-events", EVENT_COLUMNS, batches(), about={"filters": _about(filters)})


async def _reports(
    db: Database, tenant_id: str, filters: Mapping[str, Any], batch: int
) -> AsyncGenerator[tuple[Sequence[Any], dict[int, list[Any]]], None]:
    """Matching reports a batch at a time, oldest first, each batch with its events by report."""
    c = reports.c
    where = [c.tenant_id == tenant_id]
    for name in ("status", "area", "priority", "wave"):
        if filters.get(name) is not None:
            where.append(c[name] == filters[name])
    if filters.get("since") is not None:
        where.append(c.created_at >= filters["since"])
    if filters.get("until") is not None:
        where.append(c.created_at < filters["until"])
    after = 0
    while True:
        async with db.begin(read_only=True) as conn:
            rows = (
                await conn.execute(sa.select(reports).where(*where, c.id > after).order_by(c.id).limit(batch))
            ).all()
            if not rows:
                return
            e = events.c
            found = await conn.execute(
                sa.select(events)
                .where(e.tenant_id == tenant_id, e.report_id.in_([r.id for r in rows]))
                .order_by(e.report_id, e.id)
            )
            by_report: dict[int, list[Any]] = defaultdict(list)
            for ev in found:
                by_report[ev.report_id].append(ev)
        after = rows[-1].id
        yield rows, by_report
        if len(rows) < batch:
            return


def _report_row(r: Any, n_events: int) -> Row:
    return {
        "reference": reference(r.id),
        "created_at": _utc(r.created_at),
        "status": r.status,
        "priority": r.priority,
        "area": r.area,
        "impact": r.impact,
        "urgency": r.urgency,
        "wave": r.wave,
        "site": r.site,
        "department": r.department,
        "reporter": r.reporter_name,
        "reporter_upn": r.reporter_upn,
        "assignee": r.assignee,
        "ack_due_at": _utc(r.ack_due_at),
        "acknowledged_at": _utc(r.acknowledged_at),
        "resolved_at": _utc(r.resolved_at),
        "escalation_level": r.escalation_level,
        "incident": f"INC-{r.incident_id}" if r.incident_id else None,
        "duplicate_of": reference(r.duplicate_of) if r.duplicate_of else None,
        "events": n_events,
        "text": r.text,
        "resolution_note": r.resolution_note,
    }


def _event(e: Any) -> Row:
    return {"at": _utc(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail}


def _about(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.astimezone(dt.UTC) if isinstance(v, dt.datetime) else v) for k, v in filters.items() if v is not None}


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    return at.astimezone(dt.UTC) if at is not None else None
