"""Readiness per wave and department, for leads (``readiness`` command, ``GET /api/readiness``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from switchover.directory.base import Directory, DirectoryUser, Readiness
from switchover.membership import resolve_wave

if TYPE_CHECKING:
    from switchover.plan.model import Plan, Wave


WaveResolver = Callable[["Plan", DirectoryUser], Any]
ReadinessLookup = Callable[[DirectoryUser], Awaitable[Readiness | None]]


def _wave_of(plan: Plan, assignment: Any) -> Wave | None:
    """The wave in whatever ``resolve_wave`` returns (an assignment with ``.wave``, a Wave, a key, None)."""
    if assignment is None:
        return None
    wave = getattr(assignment, "wave", assignment)
    if isinstance(wave, str):
        return plan.wave(wave)
    return wave if hasattr(wave, "cutover") else None


@dataclass
class ReadinessCount:
    """MFA registration (and Intune device compliance) counts for one wave and department.

    A row is the wave's by its plan ``key`` (``wave_key``), which a revision never changes; ``wave``
    is its title, for display only (it follows the reader's language and the wave's name as it stands).
    """

    wave: str  # the wave's title as shown, or "All waves" for the total
    department: str
    wave_key: str | None = None  # the plan's wave key; None for the total
    total: int = 0
    registered: int = 0
    unknown: int = 0
    not_registered: list[DirectoryUser] = field(default_factory=list)
    # Device compliance: counted always, shown when the plan asks (ReadinessReport.device_compliance).
    compliant: int = 0
    device_unknown: int = 0
    not_compliant: list[DirectoryUser] = field(default_factory=list)

    @property
    def percent(self) -> float:
        """Registered as a share of users whose state is known (0-100, one decimal)."""
        known = self.total - self.unknown
        return round(100.0 * self.registered / known, 1) if known else 0.0

    @property
    def compliant_percent(self) -> float:
        """Compliant as a share of users whose device state is known (0-100, one decimal)."""
        known = self.total - self.device_unknown
        return round(100.0 * self.compliant / known, 1) if known else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "wave_key": self.wave_key,
            "wave": self.wave,
            "department": self.department,
            "total": self.total,
            "mfa_registered": self.registered,
            "mfa_unknown": self.unknown,
            "mfa_registered_percent": self.percent,
            "not_registered": [{"id": u.id, "upn": u.upn, "name": u.display_name} for u in self.not_registered],
            "devices_compliant": self.compliant,
            "devices_unknown": self.device_unknown,
            "devices_compliant_percent": self.compliant_percent,
            "not_compliant": [{"id": u.id, "upn": u.upn, "name": u.display_name} for u in self.not_compliant],
        }


@dataclass
class ReadinessReport:
    """Readiness per wave and department, for leads (``readiness`` command, ``GET /api/readiness``)."""

    rows: list[ReadinessCount]
    checked_at: dt.datetime | None
    available: bool  # False: nothing can tell (CSV roster without exports, never synced)
    source: str = ""  # where the figures come from, in words ("Microsoft Graph", "the exports ...")
    device_compliance: bool = False  # the plan asks for device compliance: show those figures too

    @property
    def total(self) -> ReadinessCount:
        t = ReadinessCount("All waves", "All departments")
        for r in self.rows:
            t.total += r.total
            t.registered += r.registered
            t.unknown += r.unknown
            t.not_registered.extend(r.not_registered)
            t.compliant += r.compliant
            t.device_unknown += r.device_unknown
            t.not_compliant.extend(r.not_compliant)
        return t

    def as_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "source": self.source,
            "device_compliance": self.device_compliance,
            "total": self.total.as_dict(),
            "rows": [r.as_dict() for r in self.rows],
        }


async def readiness_report(
    plan: Plan,
    directory: Directory,
    resolve: WaveResolver | None = None,
    *,
    wave_key: str | None = None,
    lookup: ReadinessLookup | None = None,
) -> ReadinessReport:
    """Counts per wave and department of enabled members who are in a wave.

    Args:
        plan: the plan (waves and their order).
        directory: any Directory; a roster without ``lookup`` gives ``available=False``.
        resolve: ``resolve_wave(plan, user)``; defaults to :func:`switchover.membership.resolve_wave`.
        wave_key: only this wave.
        lookup: a person's readiness (``ReadinessService`` passes Graph-else-exports); defaults
            to ``directory.readiness``.
    """
    if resolve is None:
        resolve = resolve_wave
    order = {w.key: i for i, w in enumerate(plan.waves)}
    rows: dict[tuple[str, str], ReadinessCount] = {}
    sort_key: dict[tuple[str, str], tuple[int, str]] = {}
    latest: dt.datetime | None = None
    any_known = False
    for user in await directory.all_users():
        if not user.enabled or user.is_guest:
            continue
        wave = _wave_of(plan, resolve(plan, user))
        if wave is None or (wave_key is not None and wave.key != wave_key):
            continue
        dept = user.department or "No department"
        # By the wave's key, never its title: two waves may be named alike, and a renamed wave is still one wave.
        key = (wave.key, dept)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ReadinessCount(wave.title, dept, wave_key=wave.key)
            sort_key[key] = (order.get(wave.key, len(order)), dept.casefold())
        row.total += 1
        r = await (lookup(user) if lookup is not None else directory.readiness(user.id))
        if r is not None and r.checked_at is not None:
            latest = r.checked_at if latest is None else max(latest, r.checked_at)
        if r is None or r.mfa_registered is None:
            row.unknown += 1
        elif r.mfa_registered:
            any_known = True
            row.registered += 1
        else:
            any_known = True
            row.not_registered.append(user)
        if r is None or r.device_compliant is None:
            row.device_unknown += 1
        elif r.device_compliant:
            any_known = True
            row.compliant += 1
        else:
            any_known = True
            row.not_compliant.append(user)
    for row in rows.values():
        row.not_registered.sort(key=lambda u: u.display_name.casefold())
        row.not_compliant.sort(key=lambda u: u.display_name.casefold())
    ordered = [rows[k] for k in sorted(rows, key=lambda k: sort_key[k])]
    return ReadinessReport(ordered, latest, any_known)
