"""The plan's optional ``legacy``: the drives, mailboxes, systems and sites that change, and when."""

from __future__ import annotations

import datetime as dt

import pytest

from switchover.plan.loader import PlanError, parse_plan
from tests.switchover.plan.conftest import MINIMAL, line_of


def _errors(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(text, source="plan.yaml")
    return [str(e) for e in info.value.errors]


def test_a_plan_without_legacy_has_none() -> None:
    plan = parse_plan(MINIMAL)
    assert plan.legacy == ()
    assert all(plan.legacy_for(wave) == () for wave in plan.waves)


def test_legacy_resources_load_with_every_way_of_saying_when() -> None:
    text = MINIMAL + (
        "legacy:\n"
        '  - name: "K: drive"\n'
        "    aliases: [home drive]\n"
        "    becomes: OneDrive\n"
        '    read_only: {days: -1, at: "17:30"}\n'
        '  - {name: "M: drive", aliases: team share, read_only: {at: "12:00"}}\n'
        "  - {name: Old intranet, kind: site, read_only: {cutover: start}}\n"
        '  - {name: Timesheets, kind: system, read_only: {on: "2027-03-19 17:30"}}\n'
        '  - {name: "Z: drive", read_only: never}\n'
    )
    k, m, intranet, timesheets, z = parse_plan(text).legacy
    assert (k.short, k.kind, k.aliases, k.becomes) == ("K:", "drive", ("home drive",), "OneDrive")
    assert k.read_only is not None and (k.read_only.days, k.read_only.at) == (-1, dt.time(17, 30))
    assert m.aliases == ("team share",) and m.read_only is not None and m.read_only.days is None
    assert intranet.short == "Old intranet" and intranet.read_only is not None and intranet.read_only.cutover == "start"
    assert timesheets.read_only is not None and timesheets.read_only.on is not None
    assert timesheets.read_only.on.utcoffset() == dt.timedelta(hours=-7)  # the plan's zone, PDT on 19 March
    assert z.read_only is None


def test_a_waves_own_entry_replaces_the_plans_of_the_same_name() -> None:
    text = MINIMAL.replace(
        "    hypercare_until: 2027-02-12\n",
        '    hypercare_until: 2027-02-12\n    legacy:\n      - {name: "k: drive", read_only: {days: -2, at: "09:00"}}\n'
        '      - {name: "B: drive", read_only: {cutover: start}}\n',
    ) + ('legacy:\n  - {name: "K: drive", read_only: {days: -1, at: "17:30"}}\n  - {name: "M: drive"}\n')
    plan = parse_plan(text)
    first, second = plan.waves
    assert [(r.name, r.read_only and r.read_only.days) for r in plan.legacy_for(first)] == [
        ("K: drive", -1),
        ("M: drive", None),
    ]
    assert [(r.name, r.read_only and r.read_only.days) for r in plan.legacy_for(second)] == [
        ("k: drive", -2),
        ("M: drive", None),
        ("B: drive", None),
    ]


def test_mistakes_are_named_with_their_line_and_field() -> None:
    text = MINIMAL + (
        "legacy:\n"
        '  - {name: "K: drive", read_only: {days: -1}}\n'
        '  - {name: "M: drive", read_only: {cutover: start, at: "09:00"}}\n'
        '  - {name: "N: drive", read_only: sometimes}\n'
        '  - {name: "P: drive", kind: printer}\n'
        '  - {name: "k: DRIVE"}\n'
    )
    errors = _errors(text)
    assert len(errors) == 5, errors
    assert any(
        f"plan.yaml:{line_of(text, 'K: drive')}:" in e and "legacy[0].read_only: missing 'at'" in e for e in errors
    )
    assert any(f"plan.yaml:{line_of(text, 'M: drive')}:" in e and "give exactly one of" in e for e in errors)
    assert any(
        f"plan.yaml:{line_of(text, 'N: drive')}:" in e and "'sometimes' is not a read-only moment" in e for e in errors
    )
    assert any(f"plan.yaml:{line_of(text, 'P: drive')}:" in e and "legacy[3].kind" in e for e in errors)
    assert any(f"plan.yaml:{line_of(text, 'k: DRIVE')}:" in e and "listed twice" in e for e in errors)
