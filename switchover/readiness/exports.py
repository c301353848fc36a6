"""Readiness read from the exports an admin downloads, for tenants where the app has no Graph permission yet.

Two files, named in the plan (``readiness: sources: {mfa: PATH, devices: PATH}``, relative to the
plan file) or in settings (``SWITCHOVER_MFA_EXPORT``, ``SWITCHOVER_DEVICES_EXPORT``):

- the Microsoft Entra admin center's *Authentication methods > User registration details*
  download (one row per user: "User principal name", "Is MFA Registered", "Methods Registered",
  ...; the same fields as Graph's ``userRegistrationDetails`` resource), and
- the Intune admin center's *Devices > All devices > Export* (one row per managed device:
  "Device name", "Primary user UPN", "Compliance", "Last check-in", "OS", ...).

Headers are matched ignoring case, spaces, punctuation and a byte-order mark, so the portal's
spellings ("Is MFA Registered", "Primary user UPN", "Last check-in"), the older and newer export
layouts ("MFA Registered", "UPN", "ComplianceState", "LastContact") and a PowerShell
``Export-Csv`` of the Graph objects ("isMfaRegistered", "userPrincipalName") all read the same.
Column order does not matter; a file saved by Excel with semicolons is read too.

The rules (docs/readiness-exports.md says the same for admins):

- A person is matched by UPN (case-insensitive). Someone absent from the registration export is
  *unknown*, never "not registered".
- MFA registered: the "Is MFA Registered" column; a file with only "MFA Capable" (older download)
  uses that instead.
- Devices: only *active* devices count, those that checked in within ``active_days`` (30 by
  default) before the export was taken (its latest check-in). A person is compliant when every
  active device is "Compliant"; not compliant when any active device is not compliant ("Not
  compliant", "In grace period", "Error", "Conflict"); unknown when they have no active device
  or one Intune has not evaluated yet.

The files are re-read when their size or modification time changes, checked at most once every
``check_seconds`` (not once per question). A file named but not there yet is read once it appears;
a wrong file stops the app at start with the file, line and column; one that turns bad after
start is logged and the last good reading stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from switchover.directory.base import Readiness

if TYPE_CHECKING:
    from switchover.directory.base import DirectoryUser
    from switchover.plan.model import Plan

log = logging.getLogger(__name__)

ACTIVE_DEVICE_DAYS = 30
CHECK_SECONDS = 30.0

REGISTRATION_EXPORT = "the Entra 'User registration details' download"
DEVICE_EXPORT = "the Intune 'All devices' export"


class ExportError(ValueError):
    """An export file that cannot be read: names the file, the line and what is wrong."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        super().__init__(f"{path}, line {line}: {problem}")


def _key(header: str) -> str:
    """``"Is MFA Registered"``, ``"isMfaRegistered"`` and ``"\ufeffIs MFA registered?"`` -> ``ismfaregistered``."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


@dataclass(frozen=True)
class _Column:
    """A column the reader needs, with every header spelling it answers to."""

    label: str  # as the newest portal download spells it, for errors
    names: tuple[str, ...]

    def find(self, headers: Sequence[str]) -> int | None:
        keys = [_key(h) for h in headers]
        for name in self.names:
            if _key(name) in keys:
                return keys.index(_key(name))
        return None


UPN = _Column("User principal name", ("User principal name", "UserPrincipalName", "UPN", "User"))
MFA_REGISTERED = _Column(
    "Is MFA Registered", ("Is MFA Registered", "MFA Registered", "Multifactor authentication registered")
)
MFA_CAPABLE = _Column("Is MFA Capable", ("Is MFA Capable", "MFA Capable", "Multifactor authentication capable"))
METHODS = _Column("Methods Registered", ("Methods Registered", "Authentication methods", "Methods"))
UPDATED = _Column("Last Updated Time", ("Last Updated Time", "Last Updated", "Last Updated Date Time", "Last updated"))

DEVICE_NAME = _Column("Device name", ("Device name", "Managed device name", "Management name"))
DEVICE_UPN = _Column("Primary user UPN", ("Primary user UPN", "UPN", "User principal name", "Primary user"))
COMPLIANCE = _Column("Compliance", ("Compliance", "Compliance state"))
LAST_CHECK_IN = _Column("Last check-in", ("Last check-in", "Last contact", "Last sync date time", "Last sync"))
OS = _Column("OS", ("OS", "Operating system", "Platform"))

_TRUE = {"true", "yes", "y", "1", "registered", "capable", "enabled"}
_FALSE = {"false", "no", "n", "0", "notregistered", "notcapable", "notenabled", ""}

# Intune's compliance states (portal labels and the Graph complianceState values), by _key.
COMPLIANT = "compliant"
NOT_COMPLIANT = "not compliant"
UNEVALUATED = "unknown"
_COMPLIANCE = {
    "compliant": COMPLIANT,
    "noncompliant": NOT_COMPLIANT,
    "notcompliant": NOT_COMPLIANT,
    "ingraceperiod": NOT_COMPLIANT,
    "graceperiod": NOT_COMPLIANT,
    "error": NOT_COMPLIANT,
    "conflict": NOT_COMPLIANT,
    "notevaluated": UNEVALUATED,
    "unknown": UNEVALUATED,
    "configmanager": UNEVALUATED,
    "": UNEVALUATED,
}

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)


@dataclass(frozen=True, slots=True)
class Registration:
    """One row of the registration export."""

    upn: str
    mfa_registered: bool
    methods: tuple[str, ...]
    updated: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Device:
    """One row of the device export."""

    name: str
    upn: str
    compliance: str  # COMPLIANT, NOT_COMPLIANT or UNEVALUATED
    last_check_in: dt.datetime | None
    os: str = ""


@dataclass
class RegistrationExport:
    """The registration export, by UPN (casefolded)."""

    path: Path
    by_upn: dict[str, Registration]
    as_of: dt.datetime  # its latest "Last Updated Time", else the file's modification time


@dataclass
class DeviceExport:
    """The device export: every user's devices, by UPN (casefolded)."""

    path: Path
    by_upn: dict[str, list[Device]]
    as_of: dt.datetime  # its latest check-in, else the file's modification time
    devices: int = 0


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ExportError(path, 0, "no such file; download the export again or fix the path in the plan") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ExportError(path, line, "not UTF-8 text; download the CSV again instead of re-saving it") from None


def _rows(path: Path) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
    """The header and the (line, cells) of each non-empty row."""
    text = _text(path)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ExportError(path, 1, "the file is empty") from None
    except csv.Error as exc:
        raise ExportError(path, reader.line_num, f"not a CSV file ({exc})") from None

    def rows() -> Iterable[tuple[int, list[str]]]:
        line = reader.line_num
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield line + 1, cells
                line = reader.line_num
        except csv.Error as exc:
            raise ExportError(path, reader.line_num, f"cannot read this row ({exc})") from None

    return header, rows()


def _need(path: Path, header: Sequence[str], column: _Column, what: str) -> int:
    at = column.find(header)
    if at is None:
        shown = ", ".join(repr(h.strip().lstrip("\ufeff")) for h in header[:8])
        more = ", ..." if len(header) > 8 else ""
        raise ExportError(
            path,
            1,
            f"no {column.label!r} column (the header has {shown}{more}); is this {what}?",
        )
    return at


def _cell(cells: list[str], at: int | None) -> str:
    if at is None or at >= len(cells):
        return ""
    return cells[at].strip()


def _flag(path: Path, line: int, column: _Column, value: str) -> bool:
    key = _key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ExportError(path, line, f"{column.label!r} is {value!r}; expected True or False")


def parse_time(value: str) -> dt.datetime | None:
    """An export's date and time (ISO 8601, or the portal's ``11/30/2026 8:14:03 AM``), as UTC.

    Exports without an offset are in UTC (both portals write UTC). None for an empty cell.

    Raises:
        ValueError: when the text is no date.
    """
    value = value.strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                moment = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - the zone is set below
                break
            except ValueError:
                continue
        else:
            raise ValueError(value) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _time(path: Path, line: int, column: _Column, value: str) -> dt.datetime | None:
    try:
        return parse_time(value)
    except ValueError:
        raise ExportError(
            path, line, f"{column.label!r} is {value!r}; expected a date like 2026-11-30 08:14:03"
        ) from None


def _modified(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def _methods(value: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in re.split(r"[,;|]", value) if m.strip())


def read_registration_export(path: Path) -> RegistrationExport:
    """Read the Entra *User registration details* download.

    Raises:
        ExportError: the file is missing, is not this export, or has a bad row.
    """
    header, rows = _rows(path)
    upn_at = _need(path, header, UPN, REGISTRATION_EXPORT)
    mfa_at = MFA_REGISTERED.find(header)
    if mfa_at is None:
        mfa_at = MFA_CAPABLE.find(header)  # older download: capable is the closest it has
        mfa_col = MFA_CAPABLE
    else:
        mfa_col = MFA_REGISTERED
    if mfa_at is None:
        _need(path, header, MFA_REGISTERED, REGISTRATION_EXPORT)
    assert mfa_at is not None  # noqa: S101 - _need raised otherwise
    methods_at = METHODS.find(header)
    updated_at = UPDATED.find(header)
    by_upn: dict[str, Registration] = {}
    latest: dt.datetime | None = None
    for line, cells in rows:
        upn = _cell(cells, upn_at)
        if not upn:
            raise ExportError(path, line, f"no {UPN.label!r} on this row")
        updated = _time(path, line, UPDATED, _cell(cells, updated_at))
        if updated is not None:
            latest = updated if latest is None else max(latest, updated)
        by_upn[upn.casefold()] = Registration(
            upn=upn,
            mfa_registered=_flag(path, line, mfa_col, _cell(cells, mfa_at)),
            methods=_methods(_cell(cells, methods_at)),
            updated=updated,
        )
    return RegistrationExport(path, by_upn, latest or _modified(path))


def read_device_export(path: Path) -> DeviceExport:
    """Read the Intune *All devices* export.

    Raises:
        ExportError: the file is missing, is not this export, or has a bad row.
    """
    header, rows = _rows(path)
    upn_at = _need(path, header, DEVICE_UPN, DEVICE_EXPORT)
    compliance_at = _need(path, header, COMPLIANCE, DEVICE_EXPORT)
    check_in_at = _need(path, header, LAST_CHECK_IN, DEVICE_EXPORT)
    name_at = DEVICE_NAME.find(header)
    os_at = OS.find(header)
    by_upn: dict[str, list[Device]] = {}
    latest: dt.datetime | None = None
    count = 0
    for line, cells in rows:
        count += 1
        upn = _cell(cells, upn_at)
        if not upn:
            continue  # a shared or kiosk device with no primary user: nobody's readiness
        state = _cell(cells, compliance_at)
        compliance = _COMPLIANCE.get(_key(state))
        if compliance is None:
            raise ExportError(path, line, f"'Compliance' is {state!r}; expected Compliant, Not compliant, ...")
        seen = _time(path, line, LAST_CHECK_IN, _cell(cells, check_in_at))
        if seen is not None:
            latest = seen if latest is None else max(latest, seen)
        by_upn.setdefault(upn.casefold(), []).append(
            Device(_cell(cells, name_at), upn, compliance, seen, _cell(cells, os_at))
        )
    return DeviceExport(path, by_upn, latest or _modified(path), count)


def device_compliance(devices: Iterable[Device], as_of: dt.datetime, active_days: int) -> bool | None:
    """Whether a person's devices are compliant (the rule in this module's docstring)."""
    since = as_of - dt.timedelta(days=active_days)
    active = [d for d in devices if d.last_check_in is not None and d.last_check_in >= since]
    if not active:
        return None
    if any(d.compliance == NOT_COMPLIANT for d in active):
        return False
    if all(d.compliance == COMPLIANT for d in active):
        return True
    return None


@dataclass
class _Watched:
    """A file and the (mtime, size) it had when last read."""

    path: Path
    stamp: tuple[int, int] | None = None

    def current(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return (st.st_mtime_ns, st.st_size)

    def changed(self) -> bool:
        try:
            return self.current() != self.stamp
        except FileNotFoundError:
            return False  # keep the last good reading while the file is being replaced


@dataclass
class ExportReadiness:
    """Readiness from the two exports (either may be absent), re-read when a file changes.

    Args:
        mfa_path: the Entra *User registration details* CSV, or None.
        devices_path: the Intune *All devices* CSV, or None.
        active_days: a device counts if it checked in within this many days before the export.
        check_seconds: look at the files' size and time at most this often.
        monotonic: the clock for ``check_seconds`` (tests).

    Raises:
        ExportError: at construction, when a file named is not the export it should be (a file
            not there yet is logged and read once it appears).
    """

    mfa_path: Path | None
    devices_path: Path | None
    active_days: int = ACTIVE_DEVICE_DAYS
    check_seconds: float = CHECK_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    registrations: RegistrationExport | None = field(default=None, init=False)
    devices: DeviceExport | None = field(default=None, init=False)
    _watched: list[_Watched] = field(default_factory=list, init=False)
    _checked: float = field(default=0.0, init=False)
    _lock: asyncio.Lock | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.mfa_path is not None:
            self._watched.append(_Watched(self.mfa_path))
        if self.devices_path is not None:
            self._watched.append(_Watched(self.devices_path))
        self._load(raise_errors=True)
        self._checked = self.monotonic()

    @property
    def describes(self) -> str:
        """Where the figures come from, for the leads' card."""
        names = [p.name for p in (self.mfa_path, self.devices_path) if p is not None]
        return "the exports " + " and ".join(names)

    @property
    def as_of(self) -> dt.datetime | None:
        """When the registration export was taken (else the device export)."""
        if self.registrations is not None:
            return self.registrations.as_of
        return self.devices.as_of if self.devices is not None else None

    def _load(self, *, raise_errors: bool) -> None:
        for watched in self._watched:
            if watched.stamp is not None and not watched.changed():
                continue
            if not watched.path.exists():
                # Named before the first download: readiness stays unknown until the file appears.
                log.warning("readiness export not there yet; read when it appears", extra={"file": str(watched.path)})
                continue
            try:
                stamp = watched.current()  # before reading: a write during the read is seen next time
                if watched.path == self.mfa_path:
                    self.registrations = read_registration_export(watched.path)
                else:
                    self.devices = read_device_export(watched.path)
            except (ExportError, OSError):
                if raise_errors:
                    raise
                log.exception(
                    "readiness export unreadable; keeping the last good reading", extra={"file": str(watched.path)}
                )
                with contextlib.suppress(OSError):
                    watched.stamp = watched.current()  # not retried until the file changes again
                continue
            watched.stamp = stamp
            log.info("readiness export read", extra={"file": str(watched.path)})

    async def refresh(self) -> None:
        """Re-read a file whose size or modification time changed (at most once per ``check_seconds``)."""
        now = self.monotonic()
        if now - self._checked < self.check_seconds:
            return
        self._checked = now
        if not any(w.changed() for w in self._watched):
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            await asyncio.to_thread(self._load, raise_errors=False)

    async def readiness(self, user: DirectoryUser) -> Readiness | None:
        """``user``'s readiness from the exports; None when neither export lists them."""
        await self.refresh()
        return self.lookup(user.upn, user.id)

    def lookup(self, upn: str, user_id: str = "") -> Readiness | None:
        """Readiness by UPN from the last reading (no file access)."""
        key = upn.casefold()
        reg = self.registrations.by_upn.get(key) if self.registrations is not None else None
        compliant: bool | None = None
        if self.devices is not None:
            mine = self.devices.by_upn.get(key)
            if mine:
                compliant = device_compliance(mine, self.devices.as_of, self.active_days)
        if reg is None and compliant is None:
            return None
        return Readiness(
            user_id=user_id or upn,
            mfa_registered=reg.mfa_registered if reg is not None else None,
            methods=reg.methods if reg is not None else (),
            device_compliant=compliant,
            checked_at=self.as_of,
        )


def export_readiness(
    plan: Plan, plan_path: Path | None, *, mfa: Path | None = None, devices: Path | None = None
) -> ExportReadiness | None:
    """The exports the plan's ``readiness.sources`` name (relative to ``plan_path``'s folder), or
    ``mfa`` / ``devices`` instead (settings: ``SWITCHOVER_MFA_EXPORT``, ``SWITCHOVER_DEVICES_EXPORT``).

    None when no export is named.

    Raises:
        ExportError: a file named is not the export it should be.
    """
    base = plan_path.parent if plan_path is not None else Path()
    sources = plan.readiness.sources
    mfa = mfa or (base / sources.mfa if sources.mfa else None)
    devices = devices or (base / sources.devices if sources.devices else None)
    if mfa is None and devices is None:
        return None
    return ExportReadiness(mfa, devices, active_days=plan.readiness.active_device_days)
