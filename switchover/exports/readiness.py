"""Readiness per person: wave, MFA registered, device compliant, where each answer came from and as of when.

The people are those the leads' readiness report counts (enabled members in a wave, guests left
out), in wave order, then department and name. Each check is answered as the readiness service
answers it (:mod:`switchover.readiness.service`): Microsoft Graph's last sync where it knows,
else the admin's export; the row says which (``Microsoft Graph``, or the export's file name)
and when that source was taken. Nothing here asks Graph: a lead's export never costs one Graph
call per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, Sequence

from switchover.directory.base import DirectoryUser
from switchover.exports.table import BATCH, Export, Row
from switchover.membership import resolve_wave
from switchover.plan.model import Plan
from switchover.readiness.service import ReadinessService

COLUMNS = (
    "user_id",
    "upn",
    "name",
    "wave",
    "department",
    "office",
    "ready",
    "mfa_registered",
    "mfa_methods",
    "mfa_source",
    "mfa_as_of",
    "device_compliant",
    "device_source",
    "device_as_of",
)
GRAPH = "Microsoft Graph"


async def readiness_export(service: ReadinessService, wave_key: str | None = None, *, batch: int = BATCH) -> Export:
    """The export of readiness per person (``wave_key``: that wave's people only)."""
    plan = service.plan
    people: list[tuple[int, str, str, DirectoryUser, str]] = []
    order = {w.key: i for i, w in enumerate(plan.waves)}
    for user in await service.directory.all_users():
        if not user.enabled or user.is_guest:
            continue
        key = resolve_wave(plan, user).wave_key
        if key is None or (wave_key is not None and key != wave_key):
            continue
        people.append((order[key], (user.department or "").casefold(), user.display_name.casefold(), user, key))
    people.sort(key=lambda p: p[:3])
    if service.exports is not None:
        await service.exports.refresh()  # a replaced file is read before the export, not halfway through
    return Export(
        name=f"readiness-{wave_key}" if wave_key else "readiness",
        kind="readiness",
        columns=COLUMNS,
        batches=_batches(service, plan, [(p[3], p[4]) for p in people], batch),
        about={
            "wave": wave_key,
            "checks": {"mfa": plan.readiness.mfa, "device_compliance": plan.readiness.device_compliance},
            "source": service.source,
        },
    )


async def _batches(
    service: ReadinessService, plan: Plan, people: Sequence[tuple[DirectoryUser, str]], batch: int
) -> AsyncGenerator[list[Row], None]:
    for start in range(0, len(people), batch):
        yield [await _row(service, plan, user, wave) for user, wave in people[start : start + batch]]


async def _row(service: ReadinessService, plan: Plan, user: DirectoryUser, wave: str) -> Row:
    live = await service.directory.readiness(user.id)  # the last sync (Graph); None with the roster
    exports = service.exports
    exported = exports.lookup(user.upn, user.id) if exports is not None else None
    mfa, mfa_source, mfa_as_of = None, None, None
    methods: tuple[str, ...] = ()
    if live is not None and live.mfa_registered is not None:
        mfa, mfa_source, mfa_as_of, methods = live.mfa_registered, GRAPH, live.checked_at, live.methods
    elif exported is not None and exported.mfa_registered is not None and exports is not None:
        mfa, methods = exported.mfa_registered, exported.methods
        mfa_source = exports.mfa_path.name if exports.mfa_path else None
        mfa_as_of = exports.registrations.as_of if exports.registrations else None
    device, device_source, device_as_of = None, None, None
    if live is not None and live.device_compliant is not None:
        device, device_source, device_as_of = live.device_compliant, GRAPH, live.checked_at
    elif exported is not None and exported.device_compliant is not None and exports is not None:
        device = exported.device_compliant
        device_source = exports.devices_path.name if exports.devices_path else None
        device_as_of = exports.devices.as_of if exports.devices else None
    return {
        "user_id": user.id,
        "upn": user.upn,
        "name": user.display_name,
        "wave": wave,
        "department": user.department,
        "office": user.office,
        "ready": _ready(plan, mfa, device),
        "mfa_registered": mfa,
        "mfa_methods": list(methods),
        "mfa_source": mfa_source,
        "mfa_as_of": _utc(mfa_as_of),
        "device_compliant": device,
        "device_source": device_source,
        "device_as_of": _utc(device_as_of),
    }


def _ready(plan: Plan, mfa: bool | None, device: bool | None) -> bool | None:
    """Ready for cutover by the checks the plan asks: False if one fails, None if one is unknown."""
    asked = [v for v, wanted in ((mfa, plan.readiness.mfa), (device, plan.readiness.device_compliance)) if wanted]
    if not asked or any(v is None for v in asked) and all(v is not False for v in asked):
        return None
    return all(asked)


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    return at.astimezone(dt.UTC) if at is not None else None
