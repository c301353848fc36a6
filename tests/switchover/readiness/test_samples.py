"""The sample exports: deterministic, in the portals' layouts, and the proportions the demo relies on."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

from switchover.directory.roster import RosterDirectory
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan
from switchover.readiness.exports import read_device_export, read_registration_export
from switchover.readiness.samples import write_sample_exports
from tests.support.app import FABRIKAM, REPO

COMMITTED_AS_OF = "2026-12-01"  # examples/fabrikam/plan.yaml names the command that wrote its exports


def registered_share_by_moved(out: Path, as_of: dt.datetime) -> dict[bool, float]:
    """MFA registered / listed, for people in waves that have moved by ``as_of`` and those that have not."""
    plan = load_plan(FABRIKAM / "plan.yaml")
    users = {u.upn.casefold(): u for u in asyncio.run(RosterDirectory.from_csv(FABRIKAM / "roster.csv").all_users())}
    counts: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
    with (out / "UserRegistrationDetails.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            wave = resolve_wave(plan, users[row["User principal name"].casefold()]).wave
            if wave is None:
                continue
            moved = wave.cutover.end <= as_of
            counts[moved][0] += row["Is MFA Registered"] == "True"
            counts[moved][1] += 1
    return {k: v[0] / v[1] for k, v in counts.items() if v[1]}


def test_the_committed_fabrikam_exports_are_what_the_command_writes(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from switchover.cli import main; sys.exit(main())",
            "readiness",
            "sample-exports",
            str(FABRIKAM / "plan.yaml"),
            "--as-of",
            COMMITTED_AS_OF,
            "--out",
            str(tmp_path),
        ],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    for name in ("UserRegistrationDetails.csv", "IntuneDevices.csv"):
        assert (tmp_path / name).read_bytes() == (FABRIKAM / "exports" / name).read_bytes(), name
    # And they read back through the same parser the app uses.
    assert len(read_registration_export(FABRIKAM / "exports" / "UserRegistrationDetails.csv").by_upn) > 200
    assert read_device_export(FABRIKAM / "exports" / "IntuneDevices.csv").devices > 50


def test_about_seventy_percent_before_the_move_and_nearly_all_after(tmp_path: Path) -> None:
    plan = load_plan(FABRIKAM / "plan.yaml")
    users = asyncio.run(RosterDirectory.from_csv(FABRIKAM / "roster.csv").all_users())
    # Between wave 1's and wave 2's cutovers: waves 0 and 1 have moved, 2 and 3 have not.
    as_of = dt.datetime(2027, 2, 1, 7, 0, tzinfo=plan.zone)
    write_sample_exports(plan, users, tmp_path, as_of)
    share = registered_share_by_moved(tmp_path, as_of)
    assert 0.6 <= share[False] <= 0.8, share
    assert share[True] >= 0.93, share
    devices = read_device_export(tmp_path / "IntuneDevices.csv")
    # Everyone in a moved wave has an enrolled laptop (PCs are enrolled at cutover).
    moved = [
        u
        for u in users
        if u.enabled and not u.is_guest and (w := resolve_wave(plan, u).wave) and w.cutover.end <= as_of
    ]
    assert moved and all(any(d.os == "Windows" for d in devices.by_upn.get(u.upn.casefold(), ())) for u in moved)


def test_same_seed_same_files_other_seed_other_people(tmp_path: Path) -> None:
    plan = load_plan(FABRIKAM / "plan.yaml")
    users = asyncio.run(RosterDirectory.from_csv(FABRIKAM / "roster.csv").all_users())
    as_of = dt.datetime(2026, 12, 1, 7, 0, tzinfo=plan.zone)
    for folder, seed in (("a", "s"), ("b", "s"), ("c", "t")):
        write_sample_exports(plan, users, tmp_path / folder, as_of, seed)
    name = "UserRegistrationDetails.csv"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
