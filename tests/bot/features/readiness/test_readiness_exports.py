"""Readiness without Graph: the Fabrikam demo (CSV roster) reads the Entra and Intune exports its plan names.

Over real HTTP with the loopback connector: the lead's ``readiness`` card against counts made here
from the CSV files themselves, the schedule answer's notice, a new download picked up without a
restart, and Graph still winning where it is the directory.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan
from tests.bot.features.readiness.conftest import GraphWorld
from tests.support.app import FABRIKAM, RunningApp, TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"
NOT_READY = "You are not ready for your cutover yet"
SET_UP = "set up Microsoft Authenticator (https://aka.ms/mfasetup)"
REGISTRATION = "UserRegistrationDetails.csv"


@dataclass
class Demo:
    app: RunningApp
    teams: TeamsClient
    home: Path  # the plan, roster and exports/ this app reads

    @property
    def registration(self) -> Path:
        return self.home / "exports" / REGISTRATION


@pytest.fixture
def device_compliance() -> bool:
    return False


@pytest.fixture
async def demo(
    tmp_path: Path,
    identity: LoopbackIdentity | None,
    connector: LoopbackConnector,
    clock: ManualClock,
    device_compliance: bool,
) -> AsyncIterator[Demo]:
    """The Fabrikam demo as ./scripts/demo runs it (CSV roster), from a copy of its folder so a test may
    download a new export over the old one (and ask for device compliance)."""
    home = tmp_path / "fabrikam"
    home.mkdir()
    for name in ("plan.yaml", "roster.csv"):
        shutil.copyfile(FABRIKAM / name, home / name)
    if device_compliance:
        plan = (home / "plan.yaml").read_text(encoding="utf-8")
        assert "  device_compliance: false\n" in plan
        (home / "plan.yaml").write_text(plan.replace("  device_compliance: false\n", "  device_compliance: true\n"))
    shutil.copytree(FABRIKAM / "exports", home / "exports")
    settings = make_settings(tmp_path, identity=identity, plan_path=home / "plan.yaml", roster_path=home / "roster.csv")
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            yield Demo(
                running, TeamsClient(running, connector, session, identity=identity, bot_id=f"28:{uuid.uuid4()}"), home
            )
    finally:
        await runner.cleanup()


def export_rows(path: Path) -> dict[str, dict[str, str]]:
    """The registration export's rows by UPN (casefolded), read with nothing but the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["User principal name"].casefold(): row for row in csv.DictReader(f)}


def roster_members(home: Path) -> list[dict[str, str]]:
    with (home / "roster.csv").open(encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if r["accountEnabled"] == "True" and r["userType"] == "Member"]


def expected_figures(home: Path) -> dict[tuple[str, str], str]:
    """(wave title, department) -> the card's figures, counted from the roster and the export file."""
    plan = load_plan(home / "plan.yaml")
    rows = export_rows(home / "exports" / REGISTRATION)
    counts: dict[tuple[str, str], list[int]] = {}
    directory = _roster(home)
    for member in roster_members(home):
        wave = resolve_wave(plan, directory[member["userPrincipalName"].casefold()]).wave
        if wave is None:
            continue
        c = counts.setdefault((wave.title, member["department"] or "No department"), [0, 0, 0])
        c[0] += 1
        row = rows.get(member["userPrincipalName"].casefold())
        if row is None:
            c[2] += 1
        elif row["Is MFA Registered"] == "True":
            c[1] += 1
    out = {}
    for key, (total, registered, unknown) in counts.items():
        known = total - unknown
        pct = round(100.0 * registered / known, 1) if known else 0.0
        out[key] = f"{registered}/{known} registered ({pct:g}%)" + (f", {unknown} unknown" if unknown else "")
    return out


def _roster(home: Path) -> dict[str, Any]:
    """The roster's users by UPN (casefolded), for the plan's wave rules."""
    return {u.upn.casefold(): u for u in RosterDirectory.from_csv(home / "roster.csv").users}


def card_figures(card: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(wave title, department) -> figures, as the lead reads them on the card."""
    out: dict[tuple[str, str], str] = {}
    wave = ""
    for block in card["body"]:
        if block["type"] == "TextBlock" and block.get("weight") == "Bolder" and block["text"].startswith("Wave "):
            wave = block["text"]
        elif block["type"] == "FactSet":
            out.update({(wave, f["title"]): f["value"] for f in block["facts"]})
    return out


def a_member(home: Path, *, wave_key: str, registered: bool | None) -> str:
    """The UPN of an enabled wave member the export lists as (not) registered, or leaves out (None)."""
    plan = load_plan(home / "plan.yaml")
    rows = export_rows(home / "exports" / REGISTRATION)
    directory = _roster(home)
    for member in roster_members(home):
        upn = member["userPrincipalName"].casefold()
        if resolve_wave(plan, directory[upn]).wave_key != wave_key:
            continue
        row = rows.get(upn)
        state = None if row is None else row["Is MFA Registered"] == "True"
        if state is registered:
            return member["userPrincipalName"]
    raise AssertionError(f"nobody in {wave_key} with registered={registered}")


async def schedule_text(teams: TeamsClient, upn: str) -> str:
    replies = await teams.say(person(upn), "when is my migration", time_zone="America/Los_Angeles")
    [card] = [r for r in replies if r.card]
    return card.card_text()


async def test_the_lead_sees_the_exports_figures_per_wave_and_department(demo: Demo) -> None:
    replies = await demo.teams.say(person(LEAD), "readiness")
    [reply] = [r for r in replies if r.card]
    expected = expected_figures(demo.home)
    assert card_figures(reply.card) == expected
    assert f"the exports {REGISTRATION} and IntuneDevices.csv" in reply.card_text()
    assert "unknown" in " ".join(expected.values())  # someone the export leaves out is counted as unknown
    assert "registered (0%)" not in " ".join(expected.values())


async def test_the_schedule_answer_tells_someone_the_export_shows_unregistered(demo: Demo) -> None:
    line = f"Before your cutover on Saturday 13 February 2027: {SET_UP}."
    text = await schedule_text(demo.teams, a_member(demo.home, wave_key="wave-2", registered=False))
    assert NOT_READY in text and line in text
    text = await schedule_text(demo.teams, a_member(demo.home, wave_key="wave-2", registered=True))
    assert "Wave 2" in text and NOT_READY not in text


async def test_someone_missing_from_the_export_gets_no_notice(demo: Demo) -> None:
    text = await schedule_text(demo.teams, a_member(demo.home, wave_key="wave-2", registered=None))
    assert "Wave 2" in text and NOT_READY not in text


async def test_a_new_download_is_read_without_a_restart(demo: Demo) -> None:
    upn = a_member(demo.home, wave_key="wave-2", registered=False)
    assert NOT_READY in await schedule_text(demo.teams, upn)
    before = card_figures(await _readiness_card(demo))
    # The admin downloads the report again the next morning: this person has registered since.
    with demo.registration.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["User principal name"] == upn:
            row["Is MFA Registered"] = row["Is MFA Capable"] = "True"
    with demo.registration.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, header, quoting=csv.QUOTE_ALL)  # type: ignore[arg-type]
        writer.writeheader()
        writer.writerows(rows)
    stat = demo.registration.stat()
    os.utime(demo.registration, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    exports = demo.app.services.readiness.exports
    assert exports is not None
    exports.check_seconds = 0  # the app looks every 30 s; the test need not wait
    assert NOT_READY not in await schedule_text(demo.teams, upn)
    after = card_figures(await _readiness_card(demo))
    assert after == expected_figures(demo.home) and after != before


async def _readiness_card(demo: Demo) -> dict[str, Any]:
    [reply] = [r for r in await demo.teams.say(person(LEAD), "readiness") if r.card]
    assert reply.card is not None
    return reply.card


async def test_graph_wins_over_the_exports_where_it_is_the_directory(world: GraphWorld) -> None:
    """The Graph world serves the same Fabrikam plan, exports named: where Graph and the export
    disagree, the answer follows Graph."""
    rows = export_rows(FABRIKAM / "exports" / REGISTRATION)
    plan = world.app.services.plan
    snapshot = world.directory._snapshot
    assert snapshot is not None
    graph_ready_export_not = next(
        u
        for u in snapshot.users
        if u.enabled
        and not u.is_guest
        and resolve_wave(plan, u).wave_key == "wave-2"
        and world.graph.data.mfa_registered[u.id]
        and rows.get(u.upn.casefold(), {}).get("Is MFA Registered") == "False"
    )
    text = await schedule_text(world.teams, graph_ready_export_not.upn)
    assert "Wave 2" in text and NOT_READY not in text


def device_states(home: Path) -> dict[str, bool | None]:
    """Each person's device compliance by the documented rule, from the Intune export alone: devices that
    checked in within 30 days of the export's latest check-in count; compliant if all are "Compliant",
    not if any is "Not compliant" or "In grace period"; else unknown."""
    with (home / "exports" / "IntuneDevices.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    seen = [dt.datetime.fromisoformat(r["Last check-in"]) for r in rows]
    since = max(seen) - dt.timedelta(days=30)
    states: dict[str, list[str]] = {}
    for row, when in zip(rows, seen, strict=True):
        if row["Primary user UPN"] and when >= since:
            states.setdefault(row["Primary user UPN"].casefold(), []).append(row["Compliance"])
    out: dict[str, bool | None] = {}
    for upn, found in states.items():
        if any(c in ("Not compliant", "In grace period") for c in found):
            out[upn] = False
        elif all(c == "Compliant" for c in found):
            out[upn] = True
        else:
            out[upn] = None
    return out


@pytest.mark.parametrize("device_compliance", [True])
async def test_device_compliance_counts_in_the_leads_figures_when_the_plan_asks(demo: Demo) -> None:
    card = await _readiness_card(demo)
    plan = load_plan(demo.home / "plan.yaml")
    directory = _roster(demo.home)
    states = device_states(demo.home)
    counts: dict[tuple[str, str], list[int]] = {}
    for member in roster_members(demo.home):
        upn = member["userPrincipalName"].casefold()
        wave = resolve_wave(plan, directory[upn]).wave
        if wave is None:
            continue
        c = counts.setdefault((wave.title, member["department"] or "No department"), [0, 0, 0])
        c[0] += 1
        state = states.get(upn)
        c[1] += state is True
        c[2] += state is None
    figures = card_figures(card)
    mfa = expected_figures(demo.home)
    for key, (total, compliant, unknown) in counts.items():
        known = total - unknown
        pct = round(100.0 * compliant / known, 1) if known else 0.0
        devices = f"; devices {compliant}/{known} compliant ({pct:g}%)" + (f", {unknown} unknown" if unknown else "")
        assert figures[key] == mfa[key] + devices, key
    text = " ".join(b.get("text", "") for b in card["body"] if b["type"] == "TextBlock")
    assert "Readiness: MFA registration and device compliance" in text
    assert "Devices not compliant: " in text
