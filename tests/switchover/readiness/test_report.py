"""The leads' readiness report keeps one row per wave and department by the plan's wave key: waves named
alike stay apart, and a wave renamed by a revision stays one wave."""

from __future__ import annotations

import zlib
from collections import Counter
from pathlib import Path

from switchover.directory.base import DirectoryUser, Readiness
from switchover.directory.roster import RosterDirectory
from switchover.membership import members_by_wave
from switchover.plan.loader import load_plan
from switchover.plan.model import Plan
from switchover.readiness.report import readiness_report
from tests.support.app import FABRIKAM

CORPORATE = "    name: Corporate\n"
CLINICAL = "    name: Seattle & Tacoma clinical\n"


def plan_with_names(tmp_path: Path, **names: str) -> Plan:
    """The Fabrikam plan with wave 1 and wave 2 given other names (``wave1=``, ``wave2=``)."""
    text = (FABRIKAM / "plan.yaml").read_text(encoding="utf-8")
    assert CORPORATE in text and CLINICAL in text
    text = text.replace(CORPORATE, f"    name: {names.get('wave1', 'Corporate')}\n")
    text = text.replace(CLINICAL, f"    name: {names.get('wave2', 'Seattle & Tacoma clinical')}\n")
    folder = tmp_path / "-".join(sorted(names.values())).replace(" ", "_")
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    return load_plan(folder / "plan.yaml")


async def registered(user: DirectoryUser) -> Readiness:
    """Two people in three are registered (by a stable hash of their id)."""
    return Readiness(user.id, mfa_registered=zlib.crc32(user.id.encode()) % 3 != 0)


def directory() -> RosterDirectory:
    return RosterDirectory.from_csv(FABRIKAM / "roster.csv")


def expected(plan: Plan, users: list[DirectoryUser]) -> dict[str, tuple[int, int]]:
    """Per wave key: (members, registered) of enabled members who are no guests."""
    out = {}
    for key, members in members_by_wave(plan, [u for u in users if u.enabled and not u.is_guest]).items():
        if members:
            out[key] = (len(members), sum(zlib.crc32(u.id.encode()) % 3 != 0 for u in members))
    return out


def per_wave(rows) -> dict[str, tuple[int, int]]:
    totals: Counter[tuple[str, str]] = Counter()
    for row in rows:
        totals[(row.wave_key, "total")] += row.total
        totals[(row.wave_key, "registered")] += row.registered
    return {key: (totals[(key, "total")], totals[(key, "registered")]) for key, what in totals if what == "total"}


async def test_two_waves_named_alike_keep_their_rows_apart(tmp_path: Path) -> None:
    # Names that differ only in case and accents: one display name away from being taken for one wave.
    plan = plan_with_names(tmp_path, wave1="Clínica Norte", wave2="clinica norte")
    people = directory()
    report = await readiness_report(plan, people, lookup=registered)

    assert per_wave(report.rows) == expected(plan, await people.all_users())
    titles = {row.wave_key: row.wave for row in report.rows}
    assert titles["wave-1"] == "Wave 1 - Clínica Norte" and titles["wave-2"] == "Wave 2 - clinica norte"
    rows = report.as_dict()["rows"]
    assert {r["wave_key"] for r in rows} == {key for key in expected(plan, await people.all_users())}
    assert len({(r["wave_key"], r["department"]) for r in rows}) == len(rows)  # one row per wave and department
    assert report.as_dict()["total"]["wave_key"] is None


async def test_a_renamed_wave_keeps_its_rows_together_under_its_key(tmp_path: Path) -> None:
    before = plan_with_names(tmp_path, wave2="Seattle & Tacoma clinical")
    after = plan_with_names(tmp_path, wave2="Clinics (Seattle and Tacoma)")  # a revision renames wave 2
    people = directory()
    old = await readiness_report(before, people, lookup=registered)
    new = await readiness_report(after, people, lookup=registered)

    assert per_wave(new.rows) == per_wave(old.rows) == expected(after, await people.all_users())
    assert [(r.wave_key, r.department) for r in new.rows] == [(r.wave_key, r.department) for r in old.rows]
    assert {r.wave for r in new.rows if r.wave_key == "wave-2"} == {"Wave 2 - Clinics (Seattle and Tacoma)"}
