"""Sample readiness exports for an example customer: ``switchover readiness sample-exports``.

Writes, from a roster, the two files an admin downloads (see :mod:`switchover.readiness.exports`)
in the portals' own layouts, so a demo shows a real picture without Graph:

- ``UserRegistrationDetails.csv`` (Entra admin center, *Authentication methods > User registration
  details > Download*): every enabled account (the report leaves out disabled ones), except a few
  new starters the report has not caught up with (they read as *unknown*). MFA registered: about
  70% of the people in waves that have not moved by ``--as-of``, about 98% in waves that have
  (their cutover enforced it), 60% of people in no wave.
- ``IntuneDevices.csv`` (Intune admin center, *Devices > All devices > Export*): enrolled phones for
  about 45% of people, a Windows laptop for everyone in a wave that has moved (PCs are enrolled at
  cutover), a few retired devices that stopped checking in months ago, and shared devices with no
  primary user. About 90% of active devices compliant.

Everything is drawn from a random generator seeded with ``--seed`` and each person's UPN, so the
same roster, plan, date and seed always give the same files.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from switchover.directory.base import DirectoryUser
    from switchover.plan.model import Plan

REGISTRATION_FILE = "UserRegistrationDetails.csv"
DEVICES_FILE = "IntuneDevices.csv"

# The portal's download, newest spelling (docs/readiness-exports.md lists the sources).
REGISTRATION_HEADER = (
    "User principal name",
    "User display name",
    "User type",
    "Is Admin",
    "Is SSPR Registered",
    "Is SSPR Enabled",
    "Is SSPR Capable",
    "Is MFA Registered",
    "Is MFA Capable",
    "Is Passwordless Capable",
    "Methods Registered",
    "Default MFA method",
    "Is System Preferred Authentication Method Enabled",
    "System Preferred Authentication Methods",
    "User Preferred Method For Secondary Authentication",
    "Last Updated Time",
)

# Intune's "All devices" export (a subset of its columns, in its order).
DEVICE_HEADER = (
    "Device ID",
    "Device name",
    "Enrollment date",
    "Last check-in",
    "Azure AD Device ID",
    "OS version",
    "Azure AD registered",
    "Serial number",
    "Manufacturer",
    "Model",
    "Compliance grace period expiration",
    "Total storage",
    "Free storage",
    "Management name",
    "Category",
    "UserId",
    "Primary user UPN",
    "Primary user email address",
    "Primary user display name",
    "Compliance",
    "Managed by",
    "Ownership",
    "Device state",
    "Intune registered",
    "Supervised",
    "Encrypted",
    "OS",
    "JoinType",
    "Phone number",
    "Jailbroken",
)

MOVED_SHARE = 0.98
NOT_MOVED_SHARE = 0.70
NO_WAVE_SHARE = 0.60
ABSENT_SHARE = 0.03  # new starters the registration report has not caught up with
PHONE_SHARE = 0.45
COMPLIANT_SHARE = 0.90
STALE_SHARE = 0.04
SHARED_DEVICES = 4

_PHONES = (
    ("iOS", "Apple", "iPhone 14", "17.6.1", True),
    ("iOS", "Apple", "iPhone 15", "18.1", True),
    ("Android", "samsung", "SM-S911U", "14", False),
    ("Android", "Google", "Pixel 8", "15", False),
)
_LAPTOPS = (
    ("Dell Inc.", "Latitude 5440"),
    ("HP", "HP EliteBook 840 G10"),
    ("LENOVO", "21HD0041US"),
)
_WINDOWS = "10.0.22631.4460"


@dataclass(frozen=True)
class SampleCounts:
    """What was written, for the command's summary."""

    people: int
    registered: int
    devices: int


def _stamp(moment: dt.datetime) -> str:
    """Intune's export time format: ``2026-11-30 08:14:03.0000000`` (UTC)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.0000000")


def _flag(value: bool) -> str:
    return "True" if value else "False"


def _prefix(plan: Plan) -> str:
    """Device-name prefix from the organisation's initials ("Example Health Partners" -> "EHP")."""
    initials = "".join(w[0] for w in plan.organisation.name.split() if w[:1].isalpha()).upper()[:4]
    return initials or "PC"


def _moved(plan: Plan, user: DirectoryUser, as_of: dt.datetime) -> bool | None:
    """Whether ``user``'s wave has moved by ``as_of``; None when they are in no wave."""
    from switchover.membership import resolve_wave
    from switchover.readiness.report import _wave_of

    wave = _wave_of(plan, resolve_wave(plan, user))
    if wave is None:
        return None
    return wave.cutover.end <= as_of


def sample_rows(
    plan: Plan, users: list[DirectoryUser], as_of: dt.datetime, seed: str = "switchover"
) -> tuple[list[list[str]], list[list[str]]]:
    """The registration rows and device rows for ``users`` as of ``as_of`` (deterministic)."""
    staff = {p.upn.casefold() for p in plan.people}
    prefix = _prefix(plan)
    registrations: list[list[str]] = []
    devices: list[list[str]] = []
    for user in sorted(users, key=lambda u: u.upn.casefold()):
        rng = random.Random(f"{seed}:{user.upn.casefold()}")  # noqa: S311 - sample data, not security
        if not user.enabled:
            continue
        moved = _moved(plan, user, as_of)
        share = NO_WAVE_SHARE if moved is None else MOVED_SHARE if moved else NOT_MOVED_SHARE
        registered = user.upn.casefold() in staff or rng.random() < share
        absent = not user.is_guest and user.upn.casefold() not in staff and rng.random() < ABSENT_SHARE
        updated = as_of - dt.timedelta(seconds=rng.randint(300, 4 * 3600))
        if not absent:
            registrations.append(_registration(user, registered, rng, updated))
        if user.is_guest:
            continue
        if rng.random() < PHONE_SHARE:
            devices.append(_device(user, rng, as_of, prefix, phone=True))
        if moved:
            devices.append(_device(user, rng, as_of, prefix, phone=False))
        if rng.random() < STALE_SHARE:
            devices.append(_device(user, rng, as_of, prefix, phone=False, stale=True))
    rng = random.Random(f"{seed}:shared")  # noqa: S311
    for i in range(SHARED_DEVICES):
        devices.append(_device(None, rng, as_of, prefix, phone=False, name=f"{prefix}-KIOSK-{i + 1:02d}"))
    devices.sort(key=lambda row: row[1])
    return registrations, devices


def _registration(user: DirectoryUser, registered: bool, rng: random.Random, updated: dt.datetime) -> list[str]:
    if registered:
        methods = ["microsoftAuthenticatorPush", "softwareOneTimePasscode"]
        if rng.random() < 0.4:
            methods.append("mobilePhone")
        if rng.random() < 0.15:
            methods.append("windowsHelloForBusiness")
        default = "microsoftAuthenticatorPush"
    else:
        methods = ["email"] if rng.random() < 0.3 else []
        default = "none"
    sspr = registered and rng.random() < 0.85
    return [
        user.upn,
        user.display_name,
        user.user_type.lower(),
        _flag(False),
        _flag(sspr),
        _flag(True),
        _flag(sspr),
        _flag(registered),
        _flag(registered),
        _flag("windowsHelloForBusiness" in methods),
        ", ".join(methods),
        default,
        _flag(False),
        "push" if registered else "",
        "push" if registered else "none",
        updated.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]


def _device(
    user: DirectoryUser | None,
    rng: random.Random,
    as_of: dt.datetime,
    prefix: str,
    *,
    phone: bool,
    stale: bool = False,
    name: str | None = None,
) -> list[str]:
    device_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    aad_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    serial = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))
    if stale:
        seen = as_of - dt.timedelta(days=rng.randint(60, 200), seconds=rng.randint(0, 86400))
    else:
        seen = as_of - dt.timedelta(seconds=rng.randint(600, 6 * 86400))
    enrolled = seen - dt.timedelta(days=rng.randint(30, 700))
    if phone:
        os_name, maker, model, version, supervised = rng.choice(_PHONES)
        first = user.given_name or user.display_name.split()[0] if user else "Shared"
        device = name or f"{first}'s {model}"
        join = "Microsoft Entra registered"
        ownership = "Corporate"
        category = "Phones"
    else:
        os_name, version, supervised = "Windows", _WINDOWS, False
        maker, model = rng.choice(_LAPTOPS)
        device = name or f"{prefix}-{serial[:7]}"
        join = "Microsoft Entra joined"
        ownership = "Corporate"
        category = "Shared devices" if user is None else "Laptops"
    roll = rng.random()
    if stale:
        compliance = "Not compliant"
    elif roll < COMPLIANT_SHARE:
        compliance = "Compliant"
    elif roll < 0.96:
        compliance = "Not compliant"
    elif roll < 0.985:
        compliance = "In grace period"
    else:
        compliance = "Not evaluated"
    grace = _stamp(seen + dt.timedelta(days=3)) if compliance == "In grace period" else "9999-12-31 23:59:59.9999999"
    total = 256 if phone else 512
    return [
        device_id,
        device,
        _stamp(enrolled),
        _stamp(seen),
        aad_id,
        version,
        _flag(True),
        serial,
        maker,
        model,
        grace,
        str(total * 1024),
        str(rng.randint(20, total - 20) * 1024),
        f"{(user.upn.split('@')[0] if user else 'shared')}_{os_name}_{seen:%m/%d/%Y}_{seen:%I:%M %p}".replace(" ", "_"),
        category,
        user.id if user else "",
        user.upn if user else "",
        (user.mail or user.upn) if user else "",
        user.display_name if user else "",
        compliance,
        "Intune",
        ownership,
        "Active" if not stale else "Retired",
        _flag(True),
        _flag(supervised),
        _flag(not phone or os_name == "iOS"),
        os_name,
        join,
        f"+1 206 555 {rng.randint(1000, 9999)}" if phone else "",
        _flag(False),
    ]


def write_sample_exports(
    plan: Plan, users: list[DirectoryUser], out: Path, as_of: dt.datetime, seed: str = "switchover"
) -> SampleCounts:
    """Write ``UserRegistrationDetails.csv`` and ``IntuneDevices.csv`` into ``out``.

    UTF-8 with a byte-order mark, every cell quoted, CRLF line ends, as the portals write them.
    """
    registrations, devices = sample_rows(plan, users, as_of, seed)
    out.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (
        (REGISTRATION_FILE, REGISTRATION_HEADER, registrations),
        (DEVICES_FILE, DEVICE_HEADER, devices),
    ):
        with (out / name).open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
    registered = sum(1 for r in registrations if r[7] == "True")
    return SampleCounts(len(registrations), registered, len(devices))


# -- the command ---------------------------------------------------------------------------


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """``switchover readiness sample-exports``."""
    readiness = subparsers.add_parser("readiness", help="readiness exports (MFA registration, device compliance)")
    sub = readiness.add_subparsers(dest="readiness_command", metavar="SUBCOMMAND", required=True)
    sample = sub.add_parser(
        "sample-exports",
        help="write sample Entra registration and Intune device exports for an example roster",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    sample.add_argument("plan", type=Path, help="the plan (its waves say who has moved)")
    sample.add_argument("--roster", type=Path, help="the roster CSV (default: roster.csv beside the plan)")
    sample.add_argument("--out", type=Path, help="the folder to write (default: exports/ beside the plan)")
    sample.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        required=True,
        help="the day the exports are taken (YYYY-MM-DD; waves whose cutover ended before it have moved)",
    )
    sample.add_argument("--seed", default="switchover", help="the random seed (same seed, same files)")
    sample.set_defaults(func=_run_sample)


def _run_sample(args: argparse.Namespace) -> int:
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan

    plan = load_plan(args.plan)
    roster = args.roster or args.plan.parent / "roster.csv"
    out = args.out or args.plan.parent / "exports"
    users = asyncio.run(RosterDirectory.from_csv(roster).all_users())
    as_of = dt.datetime.combine(args.as_of, dt.time(7, 0), plan.zone)
    counts = write_sample_exports(plan, users, out, as_of, args.seed)
    print(  # noqa: T201 - a command's output
        f"wrote {out / REGISTRATION_FILE} ({counts.people} people, {counts.registered} MFA registered) "
        f"and {out / DEVICES_FILE} ({counts.devices} devices), as of {args.as_of}"
    )
    return 0
