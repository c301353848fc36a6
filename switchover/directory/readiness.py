"""Readiness for cutover: MFA registration and, where the plan asks, Intune device compliance.

Graph sources:
- ``GET /reports/authenticationMethods/userRegistrationDetails`` (``isMfaRegistered``,
  ``methodsRegistered``), listed whole during a sync and per user on demand
  (``AuditLog.Read.All``).
- ``GET /deviceManagement/managedDevices`` (``userId``, ``complianceState``)
  (``DeviceManagementManagedDevices.Read.All``), only when ``plan.readiness.device_compliance``.

A user with no managed device has ``device_compliant = None`` (unknown, not a
failure): in most waves PCs are not enrolled before cutover.

:class:`ReadinessReport` gives leads the counts per wave and department.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.device_management.managed_devices.managed_devices_request_builder import (
    ManagedDevicesRequestBuilder,
)
from msgraph.generated.reports.authentication_methods.user_registration_details.user_registration_details_request_builder import (  # noqa: E501
    UserRegistrationDetailsRequestBuilder,
)

from switchover.directory.base import Directory, DirectoryUser, Readiness, ReadinessNotice
from switchover.directory.graph import GraphForbidden, graph_json, graph_pages

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from switchover.plan.model import Plan, ReadinessChecks, Wave

log = logging.getLogger(__name__)

REGISTRATION_SELECT = ["id", "isMfaRegistered", "methodsRegistered"]
DEVICE_SELECT = ["id", "userId", "complianceState"]
PAGE_SIZE = 999
MFA_SETUP_URL = "https://aka.ms/mfasetup"
# The longest a schedule answer waits for readiness before answering without it. The last sync
# answers from memory in microseconds; this bounds a directory that is slow for another reason.
NOTICE_TIMEOUT_SECONDS = 0.5


# -- Graph reads ------------------------------------------------------------------


def _methods(details: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(m) for m in details.get("methodsRegistered") or ())


def _compliance(devices: Iterable[dict[str, Any]]) -> bool | None:
    states = [d.get("complianceState") for d in devices]
    if not states:
        return None
    return all(s == "compliant" for s in states)


async def fetch_readiness(
    client: GraphServiceClient, user_ids: Iterable[str], checks: ReadinessChecks, now: dt.datetime
) -> dict[str, Readiness]:
    """Readiness of every user in ``user_ids`` from two paged listings (not one call per user).

    Raises:
        GraphUnavailable: when Graph fails (after the SDK's retries).
    """
    mfa: dict[str, dict[str, Any]] = {}
    mfa_known = checks.mfa
    if checks.mfa:
        builder = client.reports.authentication_methods.user_registration_details
        query = UserRegistrationDetailsRequestBuilder.UserRegistrationDetailsRequestBuilderGetQueryParameters(
            select=REGISTRATION_SELECT, top=PAGE_SIZE
        )
        try:
            for d in await graph_pages(client, builder, RequestConfiguration(query_parameters=query)):
                if d.get("id"):
                    mfa[d["id"]] = d
        except GraphForbidden as exc:
            # Without AuditLog.Read.All (or the Entra ID P1/P2 licence) the directory still works; MFA is unknown.
            log.warning("MFA registration not readable; readiness stays unknown", extra={"error": str(exc)})
            mfa_known = False
    devices: dict[str, list[dict[str, Any]]] = {}
    devices_known = checks.device_compliance
    if checks.device_compliance:
        try:
            devices = await _devices(client)
        except GraphForbidden as exc:
            log.warning("Intune devices not readable; compliance stays unknown", extra={"error": str(exc)})
            devices_known = False
    out: dict[str, Readiness] = {}
    for uid in user_ids:
        details = mfa.get(uid)
        registered = bool(details.get("isMfaRegistered")) if details is not None else None
        out[uid] = Readiness(
            user_id=uid,
            mfa_registered=registered if mfa_known else None,
            methods=_methods(details) if details is not None else (),
            device_compliant=_compliance(devices.get(uid, ())) if devices_known else None,
            checked_at=now,
        )
    return out


async def _devices(client: GraphServiceClient, user_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
    builder = client.device_management.managed_devices
    query = ManagedDevicesRequestBuilder.ManagedDevicesRequestBuilderGetQueryParameters(
        select=DEVICE_SELECT, top=PAGE_SIZE, filter=f"userId eq '{user_id}'" if user_id else None
    )
    devices: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for dev in await graph_pages(client, builder, RequestConfiguration(query_parameters=query)):
        owner = dev.get("userId")
        if owner and (user_id is None or owner == user_id):
            devices[owner].append(dev)
    return devices


async def fetch_user_readiness(
    client: GraphServiceClient, user_id: str, checks: ReadinessChecks, now: dt.datetime
) -> Readiness | None:
    """One user's readiness asked of Graph now; None if Graph does not know the user."""
    mfa_registered: bool | None = None
    methods: tuple[str, ...] = ()
    if checks.mfa:
        item = client.reports.authentication_methods.user_registration_details.by_user_registration_details_id(user_id)
        details = await graph_json(client, item, missing_ok=True)
        if details is None:
            return None
        mfa_registered = bool(details.get("isMfaRegistered"))
        methods = _methods(details)
    compliant: bool | None = None
    if checks.device_compliance:
        compliant = _compliance((await _devices(client, user_id)).get(user_id, ()))
    return Readiness(user_id, mfa_registered, methods, compliant, now)


# -- the product's view -------------------------------------------------------------


def is_ready(readiness: Readiness | None, checks: ReadinessChecks) -> bool | None:
    """True/False when every asked check is known; None when something is unknown."""
    if readiness is None:
        return None
    results: list[bool | None] = []
    if checks.mfa:
        results.append(readiness.mfa_registered)
    if checks.device_compliance and readiness.device_compliant is not None:
        results.append(readiness.device_compliant)
    if any(r is False for r in results):
        return False
    if any(r is None for r in results):
        return None
    return True


async def readiness_for(directory: Directory, user: DirectoryUser, *, fresh: bool = False) -> Readiness | None:
    """A user's readiness, for the schedule answer and reminders.

    With ``fresh=True`` (the T-14 "I've set up Authenticator" acknowledgement) a
    directory that can ask Graph now does so; otherwise the last sync answers.
    None when the directory cannot tell (the CSV roster).
    """
    check = getattr(directory, "check_readiness", None)
    if fresh and check is not None:
        return await check(user.id)
    return await directory.readiness(user.id)


WaveResolver = Callable[["Plan", DirectoryUser], Any]


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
    """MFA registration counts for one wave and department."""

    wave: str  # wave title, or "No wave"
    department: str
    total: int = 0
    registered: int = 0
    unknown: int = 0
    not_registered: list[DirectoryUser] = field(default_factory=list)

    @property
    def percent(self) -> float:
        """Registered as a share of users whose state is known (0-100, one decimal)."""
        known = self.total - self.unknown
        return round(100.0 * self.registered / known, 1) if known else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "wave": self.wave,
            "department": self.department,
            "total": self.total,
            "mfa_registered": self.registered,
            "mfa_unknown": self.unknown,
            "mfa_registered_percent": self.percent,
            "not_registered": [{"id": u.id, "upn": u.upn, "name": u.display_name} for u in self.not_registered],
        }


@dataclass
class ReadinessReport:
    """Readiness per wave and department, for leads (``readiness`` command, ``GET /api/readiness``)."""

    rows: list[ReadinessCount]
    checked_at: dt.datetime | None
    available: bool  # False: the directory cannot tell (CSV roster, never synced)

    @property
    def total(self) -> ReadinessCount:
        t = ReadinessCount("All waves", "All departments")
        for r in self.rows:
            t.total += r.total
            t.registered += r.registered
            t.unknown += r.unknown
            t.not_registered.extend(r.not_registered)
        return t

    def as_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "total": self.total.as_dict(),
            "rows": [r.as_dict() for r in self.rows],
        }


async def readiness_report(
    plan: Plan, directory: Directory, resolve: WaveResolver | None = None, *, wave_key: str | None = None
) -> ReadinessReport:
    """Counts per wave and department of enabled members who are in a wave.

    Args:
        plan: the plan (waves and their order).
        directory: any Directory; a roster gives ``available=False``.
        resolve: ``resolve_wave(plan, user)``; defaults to :func:`switchover.plan.membership.resolve_wave`.
        wave_key: only this wave.
    """
    if resolve is None:
        from switchover.plan.membership import resolve_wave

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
        key = (wave.title, dept)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ReadinessCount(wave.title, dept)
            sort_key[key] = (order.get(wave.key, len(order)), dept.casefold())
        row.total += 1
        r = await directory.readiness(user.id)
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
    for row in rows.values():
        row.not_registered.sort(key=lambda u: u.display_name.casefold())
    ordered = [rows[k] for k in sorted(rows, key=lambda k: sort_key[k])]
    return ReadinessReport(ordered, latest, any_known)


class ReadinessService:
    """What the rest of the product calls: ``runtime.features["readiness"]``.

    Args:
        plan: the plan (which checks it asks for).
        directory: the directory (Graph knows readiness; the roster does not).
    """

    def __init__(self, plan: Plan, directory: Directory) -> None:
        self.plan = plan
        self.directory = directory

    @property
    def checks(self) -> ReadinessChecks:
        return self.plan.readiness

    async def readiness_for(self, user: DirectoryUser, *, fresh: bool = False) -> Readiness | None:
        """The user's readiness, or None when the plan asks nothing or the directory cannot tell.

        Args:
            user: the person.
            fresh: ask Graph now (the T-14 "I've set up Authenticator" acknowledgement)
                instead of the last sync; falls back to the sync if Graph fails.
        """
        if not (self.checks.mfa or self.checks.device_compliance):
            return None
        return await readiness_for(self.directory, user, fresh=fresh)

    def to_do(self, readiness: Readiness | None) -> list[str]:
        """What the user still has to do, in plain words (empty when ready or unknown)."""
        if readiness is None:
            return []
        out = []
        if self.checks.mfa and readiness.mfa_registered is False:
            out.append(f"set up Microsoft Authenticator ({MFA_SETUP_URL})")
        if self.checks.device_compliance and readiness.device_compliant is False:
            out.append("bring your work device into compliance (check the Company Portal app)")
        return out

    async def notice(self, user: DirectoryUser, cutover: dt.datetime) -> ReadinessNotice | None:
        """What ``user`` must do before ``cutover``, from the last sync; None when ready or unknown.

        For the schedule answer: never asks Graph, never raises and never waits longer than
        ``NOTICE_TIMEOUT_SECONDS`` (a failure is logged and the answer goes without it).

        Args:
            user: the person asking.
            cutover: their cutover's start, in their time zone (the notice names the day).
        """
        try:
            async with asyncio.timeout(NOTICE_TIMEOUT_SECONDS):
                readiness = await self.readiness_for(user)
        except Exception:
            log.exception("readiness unavailable; answering without it", extra={"user": user.id})
            return None
        to_do = self.to_do(readiness)
        return ReadinessNotice(tuple(to_do), cutover) if to_do else None

    async def to_do_for(self, user_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """What each not-ready user still has to do, from the last sync (never one Graph call per user).

        For sends to many people (a reminder before cutover). Ready and unknown users are left
        out; if the directory fails, that is logged once and the users not yet looked up are
        left out too (their cards go without the notice).

        Args:
            user_ids: Entra object ids.
        """
        out: dict[str, tuple[str, ...]] = {}
        if not (self.checks.mfa or self.checks.device_compliance):
            return out
        try:
            for user_id in user_ids:
                # directory.readiness answers from the synced snapshot (Graph) or says None (roster).
                to_do = self.to_do(await self.directory.readiness(user_id))
                if to_do:
                    out[user_id] = tuple(to_do)
        except Exception:
            log.exception("readiness unavailable; reminders go without it", extra={"found": len(out)})
        return out

    async def report(self, wave_key: str | None = None) -> ReadinessReport:
        """Counts per wave and department for leads."""
        return await readiness_report(self.plan, self.directory, wave_key=wave_key)

    async def confirm_mfa(self, user: DirectoryUser) -> tuple[bool | None, str]:
        """Check "I've set up Authenticator" against Graph now (the T-14 acknowledgement).

        Returns:
            (True, thanks) when Graph shows MFA registered; (False, what to do) when it does
            not (registration can take a few minutes to show); (None, ...) when the directory
            cannot tell (CSV roster), in which case the acknowledgement is taken at its word.
        """
        readiness = await self.readiness_for(user, fresh=True)
        if readiness is None or readiness.mfa_registered is None:
            return None, "Thanks, noted."
        if readiness.mfa_registered:
            return True, "Thanks, Microsoft Authenticator is registered for your account. You're ready for MFA."
        return False, (
            "Microsoft 365 does not show an Authenticator registration for your account yet. "
            "If you have just finished, give it a few minutes and press the button again; "
            "otherwise set it up at https://aka.ms/mfasetup."
        )
