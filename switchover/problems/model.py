"""Problem reports as the rest of Switchover sees them: plain, frozen values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from switchover.plan.model import Impact, Priority, Urgency


class ProblemError(Exception):
    """An action that cannot be done (unknown report, not allowed, already resolved)."""


class ReportStatus(StrEnum):
    """Where a report is. Acknowledging stops escalation; resolving is final until reopened."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class EventKind(StrEnum):
    """What can happen to a report (its timeline)."""

    CREATED = "created"
    ROUTED = "routed"
    NOTIFIED = "notified"
    DELIVERY_FAILED = "delivery_failed"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    ASSIGNED = "assigned"
    REROUTED = "rerouted"
    COMMENTED = "commented"
    LINKED = "linked"
    INCIDENT = "incident"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    UNROUTED = "unrouted"


@dataclass(frozen=True, slots=True)
class Reporter:
    """The person reporting, with what the directory and plan say about them."""

    tenant_id: str
    id: str  # Entra object id
    name: str | None = None
    upn: str | None = None
    wave: str | None = None  # wave key
    site: str | None = None
    department: str | None = None
    city: str | None = None  # desk: with site and country, which Service Desk serves them
    country: str | None = None  # desk: ISO code or name, as the directory gives it


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone acting on a report from a card or the API."""

    id: str  # Entra object id
    name: str
    person_key: str | None = None  # the plan person, when the actor is one


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """What a reporter submits; unset fields are filled in by triage."""

    text: str
    reporter: Reporter
    area: str | None = None
    impact: Impact | None = None
    urgency: Urgency | None = None
    screenshot_url: str | None = None
    submission_key: str | None = None  # the confirmed draft's id: submitting twice files one report


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a report's audit trail."""

    at: dt.datetime
    kind: EventKind
    actor: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class ProblemReport:
    """A stored problem report."""

    id: int
    tenant_id: str
    reporter: Reporter
    text: str
    area: str
    area_confidence: float
    impact: Impact
    urgency: Urgency
    priority: Priority
    status: ReportStatus
    created_at: dt.datetime
    ack_due_at: dt.datetime | None
    next_due_at: dt.datetime | None
    escalation_level: int
    cycle: int
    assignee: str | None = None
    incident_id: int | None = None
    duplicate_of: int | None = None
    resolution_note: str | None = None
    screenshot_url: str | None = None
    acknowledged_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    unrouted_at: dt.datetime | None = None  # the whole chain failed; cleared when it is routed again
    timeline: tuple[TimelineEntry, ...] = field(default=())

    @property
    def reference(self) -> str:
        """The number the reporter quotes: ``PR-00042``."""
        return reference(self.id)

    @property
    def is_open(self) -> bool:
        return self.status is not ReportStatus.RESOLVED


@dataclass(frozen=True, slots=True)
class Incident:
    """A major incident: several open reports of one area (and wave) worked as one."""

    id: int
    tenant_id: str
    area: str
    wave: str | None
    status: str  # "open" or "resolved"
    resolution_note: str | None = None

    @property
    def resolved_note(self) -> str | None:
        """The resolution note once resolved (what the incident card shows), else None."""
        return self.resolution_note if self.status == "resolved" else None


def reference(report_id: int) -> str:
    """``PR-00042`` for report 42."""
    return f"PR-{report_id:05d}"


def parse_reference(text: str) -> int | None:
    """The report id in ``PR-00042`` / ``pr 42`` / ``42``, or None."""
    digits = "".join(ch for ch in text if ch in "0123456789")  # ASCII only: "²" is a digit int() cannot read
    return int(digits) if digits and len(digits) < 12 else None
