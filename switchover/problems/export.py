"""Problem reports as CSV, one row per report, for spreadsheets and PSA tools."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from switchover.problems.model import ProblemReport, reference

COLUMNS = (
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
    "text",
    "resolution_note",
)


def reports_csv(reports: Iterable[ProblemReport]) -> str:
    """The reports as CSV text with a header row (:data:`COLUMNS`); times in ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in reports:
        writer.writerow(
            [
                r.reference,
                _iso(r.created_at),
                r.status.value,
                r.priority.value,
                r.area,
                r.impact.value,
                r.urgency.value,
                r.reporter.wave or "",
                r.reporter.site or "",
                r.reporter.department or "",
                r.reporter.name or "",
                r.reporter.upn or "",
                r.assignee or "",
                _iso(r.ack_due_at),
                _iso(r.acknowledged_at),
                _iso(r.resolved_at),
                r.escalation_level,
                f"INC-{r.incident_id}" if r.incident_id else "",
                reference(r.duplicate_of) if r.duplicate_of else "",
                _csv_safe(r.text),
                _csv_safe(r.resolution_note or ""),
            ]
        )
    return out.getvalue()


def _iso(at: dt.datetime | None) -> str:
    return at.isoformat() if at else ""


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is a formula in Excel: neutralise it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
