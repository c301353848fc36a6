"""Applying a new plan without a restart: ``switchover plan apply NEW.yaml [--by UPN]`` (``POST /api/plan``
goes through the running app's own :class:`~switchover.plan.current.CurrentPlan` the same way).

The text is loaded with the plan loader (every problem with its line, column and field) and
cross-checked; only then, in one transaction, the revision is stored (text, hash, who, when, what
changed), the plan's version is bumped and the announcement calendar follows (pending sends moved,
added or cancelled). A plan that fails to load or check changes nothing. Every running instance
sees the new version within seconds (:data:`switchover.plan.current.FRESH_SECONDS`), without a restart.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from switchover.announcements.calendar import ReconcileResult, WaveCalendar
from switchover.announcements.store import AnnouncementStore
from switchover.clock import Clock, SystemClock
from switchover.plan.current import Applied, CurrentPlan
from switchover.plan.loader import parse_plan
from switchover.storage.conversations import ConversationRef
from switchover.storage.db import Database


@dataclass(frozen=True, slots=True)
class PlanApplied:
    """What applying a plan did, for a person to read (and the API to return)."""

    applied: Applied
    calendar: ReconcileResult | None = None
    lines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON answer of ``POST /api/plan``."""
        a, cal = self.applied, self.calendar
        return {
            "applied": a.revision is not None,
            "revision": a.revision.number if a.revision else None,
            "version": a.version,
            "sha256": a.revision.sha256 if a.revision else None,
            "changes": list(a.changes),
            "diff": a.diff.as_json() if a.diff is not None else None,
            "cleared_moves": list(a.cleared_moves),
            "calendar": {
                "added": list(cal.added) if cal else [],
                "moved": list(cal.moved) if cal else [],
                "cancelled": list(cal.cancelled) if cal else [],
            },
        }


def describe(applied: Applied) -> PlanApplied:
    """What ``applied`` did, in lines a lead reads."""
    calendar = next((r for r in applied.results if isinstance(r, ReconcileResult)), None)
    if applied.revision is None:
        return PlanApplied(
            applied, calendar, [f"Nothing to apply: this plan is the one in force (version {applied.version})."]
        )
    lines = [
        *([applied.diff.render(), ""] if applied.diff is not None else []),
        f"Applied as revision {applied.revision.number} (version {applied.version}), "
        f"by {applied.revision.applied_by or 'someone'}: {'; '.join(applied.changes) or 'no changes'}.",
    ]
    if applied.cleared_moves:
        cleared = ", ".join(applied.cleared_moves)
        lines.append(f"The plan now sets these waves' dates; their earlier moves are cleared: {cleared}.")
    if calendar is not None:
        lines.append(
            f"Pending announcements: {len(calendar.moved)} moved, {len(calendar.added)} added, "
            f"{len(calendar.cancelled)} cancelled."
        )
        lines.extend(f"  moved {a}" for a in calendar.moved)
        lines.extend(f"  added {a}" for a in calendar.added)
        lines.extend(f"  cancelled {a}" for a in calendar.cancelled)
    else:
        lines.append("The announcement calendar follows when the app knows its tenant.")
    return PlanApplied(applied, calendar, lines)


async def apply_plan_text(
    db: Database,
    text: str,
    *,
    name: str,
    by: str | None,
    source: str = "cli",
    clock: Clock | None = None,
    start_file: Path | None = None,
) -> PlanApplied:
    """Apply ``text`` to the plan kept in ``db``, as a command run beside the app does.

    ``start_file``: the app's ``SWITCHOVER_PLAN``, recorded first when the database has no plan yet.

    Raises:
        PlanError: the text does not load or check (nothing changed).
    """
    clock = clock or SystemClock()
    new = parse_plan(text, source=name)  # refused here, before the database is touched
    tenant = new.organisation.tenant_id or ""
    current = CurrentPlan(new, db=db, clock=clock, tenant_id=tenant)
    await current.refresh(force=True)
    if current.version == 0 and start_file is not None:
        file_text = await asyncio.to_thread(_read, start_file)
        if file_text is not None:
            await current.start(file_text, name=str(start_file))
    announced = tenant or await _most_seen_tenant(db)
    WaveCalendar(AnnouncementStore(db, clock, tenant_id=announced), current)  # follows inside the transaction
    return describe(await current.apply(text, source=source, name=name, by=by))


async def _most_seen_tenant(db: Database) -> str:
    """The tenant announcements go to when the plan names none (as ``ServedTenant`` settles it)."""
    async with db.begin(read_only=True) as c:
        row = (
            await c.execute(
                sa.select(ConversationRef.tenant_id, sa.func.count())
                .group_by(ConversationRef.tenant_id)
                .order_by(sa.func.count().desc())
                .limit(1)
            )
        ).first()
    return row[0] if row is not None else ""


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError:
        return None
