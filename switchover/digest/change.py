"""What changed between two status pictures: the digest's "since yesterday" line.

Every figure is a difference between two stored pictures, except new reports, which the
pictures cannot tell (a report opened and resolved between them shows in neither): those are
counted from the problem reports created between the two moments (:func:`new_reports`).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from switchover.i18n import gettext as _
from switchover.i18n import ngettext
from switchover.problems.tables import reports
from switchover.status.model import StatusPicture
from switchover.storage.db import Database


class Change(BaseModel):
    """The change since the previous digest (``since``: its moment; None for the first digest)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    since: dt.datetime | None = None
    mfa_registered: int | None = None  # None: readiness unknown in either picture
    devices_compliant: int | None = None  # None: not asked, or unknown
    new_reports: dict[str, int] = {}  # by priority, the plan's order, only those with some
    open_reports: int = 0
    overdue: int = 0
    incidents: int = 0
    acknowledged: int = 0  # more acknowledgements of the same latest announcements

    def parts(self) -> list[str]:
        """The change in words, most telling first: ``+14 registered MFA``, ``3 new P2 reports``, ``+1 overdue``."""
        out = []
        if self.mfa_registered:
            out.append(_("{n} registered MFA").format(n=f"{self.mfa_registered:+d}"))
        if self.devices_compliant:
            out.append(_("{n} compliant devices").format(n=f"{self.devices_compliant:+d}"))
        for priority, n in self.new_reports.items():
            out.append(
                ngettext("{n} new {priority} report", "{n} new {priority} reports", n).format(n=n, priority=priority)
            )
        if self.overdue:
            out.append(_("{n} overdue").format(n=f"{self.overdue:+d}"))
        if self.incidents:
            out.append(
                ngettext("{n} open major incident", "{n} open major incidents", abs(self.incidents)).format(
                    n=f"{self.incidents:+d}"
                )
            )
        if self.acknowledged:
            out.append(_("{n} acknowledged").format(n=f"{self.acknowledged:+d}"))
        if self.open_reports and not self.new_reports:
            out.append(_("{n} open reports").format(n=f"{self.open_reports:+d}"))
        return out


def _total(values: list[int | None]) -> int | None:
    return None if not values or any(v is None for v in values) else sum(v for v in values if v is not None)


def compare(before: StatusPicture | None, now: StatusPicture, new_reports: dict[str, int]) -> Change:
    """The change from ``before`` (the previous digest's picture) to ``now``."""
    if before is None:
        return Change()
    mfa_now = _total([w.readiness.mfa_registered for w in now.waves]) if now.readiness_known else None
    mfa_then = _total([w.readiness.mfa_registered for w in before.waves]) if before.readiness_known else None
    dev_now = _total([w.readiness.devices_compliant for w in now.waves if w.readiness.devices_asked])
    dev_then = _total([w.readiness.devices_compliant for w in before.waves if w.readiness.devices_asked])
    earlier = {w.key: w for w in before.waves}
    acknowledged = 0
    for wave in now.waves:
        old = earlier.get(wave.key)
        if wave.announcement is None:
            continue
        if old is not None and old.announcement is not None and old.announcement.id == wave.announcement.id:
            acknowledged += wave.announcement.acknowledged - old.announcement.acknowledged
        else:
            acknowledged += wave.announcement.acknowledged  # a new announcement: all its acknowledgements are new
    return Change(
        since=before.at,
        mfa_registered=None if mfa_now is None or mfa_then is None else mfa_now - mfa_then,
        devices_compliant=None if dev_now is None or dev_then is None else dev_now - dev_then,
        new_reports={p: n for p, n in new_reports.items() if n},
        open_reports=now.problems.open - before.problems.open,
        overdue=len(now.problems.overdue) - len(before.problems.overdue),
        incidents=len(now.problems.incidents) - len(before.problems.incidents),
        acknowledged=acknowledged,
    )


async def new_reports(
    db: Database, tenant_id: str, after: dt.datetime, until: dt.datetime, priorities: list[str]
) -> dict[str, int]:
    """Problem reports created in ``(after, until]``, by priority (every one of ``priorities``, in order)."""
    async with db.begin(read_only=True) as conn:
        rows = await conn.execute(
            sa.select(reports.c.priority, sa.func.count())
            .where(reports.c.tenant_id == tenant_id, reports.c.created_at > after, reports.c.created_at <= until)
            .group_by(reports.c.priority)
        )
        counts = {priority: n for priority, n in rows}
    return {p: counts.get(p, 0) for p in priorities} | {p: n for p, n in counts.items() if p not in priorities}
