"""Time zones per site and per wave (``sites:``, a wave's ``time_zone``), and a wave's own calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from switchover.plan.loader import PlanError, parse_plan
from tests.switchover.plan.conftest import MINIMAL, line_of

# MINIMAL's wave-2 moves the office "Branch"; these give it a place and a zone.
BRANCH = "    hypercare_until: 2027-02-12\n"


def _errors(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(text, source="plan.yaml")
    return [str(e) for e in info.value.errors]


def _with_sites(sites: str, wave_extra: str = "    sites: [Helsinki]\n") -> str:
    return MINIMAL.replace(BRANCH, BRANCH + wave_extra) + "sites:\n" + sites


def test_an_old_plan_has_one_zone_for_every_wave() -> None:
    plan = parse_plan(MINIMAL)
    assert plan.sites == ()
    assert [plan.zone_of(w).key for w in plan.waves] == ["America/Los_Angeles"] * 2
    assert plan.waves[1].cutover.start.utcoffset() == dt.timedelta(hours=-8)


def test_a_waves_cutover_is_read_in_its_sites_zone() -> None:
    plan = parse_plan(_with_sites("  - {name: Helsinki, time_zone: Europe/Helsinki, country: Finland}\n"))
    first, second = plan.waves
    assert plan.zone_of(first).key == "America/Los_Angeles"
    assert plan.zone_of(second).key == "Europe/Helsinki"
    # "2027-01-30 08:00" is Helsinki's 08:00 (EET, UTC+2), not Los Angeles'.
    assert second.cutover.start.astimezone(dt.UTC) == dt.datetime(2027, 1, 30, 6, 0, tzinfo=dt.UTC)
    site = plan.site("helsinki")
    assert site is not None and site.country == "Finland" and site.zone.key == "Europe/Helsinki"


def test_a_waves_own_time_zone_wins_over_its_sites() -> None:
    text = _with_sites(
        "  - {name: Helsinki, time_zone: Europe/Helsinki}\n  - {name: Lisbon, time_zone: Europe/Lisbon}\n",
        "    sites: [Helsinki, Lisbon]\n    time_zone: Europe/Lisbon\n",
    )
    second = parse_plan(text).waves[1]
    assert second.cutover.start.astimezone(dt.UTC) == dt.datetime(2027, 1, 30, 8, 0, tzinfo=dt.UTC)
    # Only the wave's own fields: the organisation's other times stay in its zone.
    legacy = parse_plan(text + 'legacy:\n  - {name: "K: drive", read_only: {on: "2027-01-29 17:00"}}\n').legacy[0]
    assert legacy.read_only is not None and legacy.read_only.on is not None
    assert legacy.read_only.on.utcoffset() == dt.timedelta(hours=-8)


def test_sites_in_two_zones_without_a_wave_zone_are_refused_at_the_wave() -> None:
    text = _with_sites(
        "  - {name: Helsinki, time_zone: Europe/Helsinki}\n  - {name: Lisbon, time_zone: Europe/Lisbon}\n",
        "    sites: [Helsinki, Lisbon]\n",
    )
    (error,) = _errors(text)
    line = line_of(text, "sites: [Helsinki, Lisbon]")
    assert error.startswith(f"plan.yaml:{line}:") and "waves[1].sites" in error
    assert "Helsinki: Europe/Helsinki, Lisbon: Europe/Lisbon" in error and "time_zone: Europe/Helsinki" in error


def test_an_unknown_zone_of_a_site_or_a_wave_is_named_with_a_hint() -> None:
    text = _with_sites(
        "  - {name: Helsinki, time_zone: Europe/Helsinky}\n", "    sites: [Helsinki]\n    time_zone: Europe/Lisbn\n"
    )
    errors = _errors(text)
    assert any(
        e.startswith(f"plan.yaml:{line_of(text, 'Europe/Helsinky')}:")
        and "sites[0].time_zone" in e
        and "unknown time zone 'Europe/Helsinky' - did you mean 'Europe/Helsinki'?" in e
        for e in errors
    ), errors
    assert any(
        "waves[1].time_zone" in e and "did you mean 'Europe/Lisbon'?" in e and f":{line_of(text, 'Lisbn')}:" in e
        for e in errors
    ), errors


def test_a_site_no_wave_moves_and_a_wave_site_not_in_sites_are_refused() -> None:
    text = _with_sites(
        "  - {name: Helsinki, time_zone: Europe/Helsinki}\n  - {name: Oulu, time_zone: Europe/Helsinki}\n",
        "    sites: [Helsinki, Helsingfors]\n",
    )
    errors = _errors(text)
    assert any(
        f":{line_of(text, 'name: Oulu')}:" in e and "sites[1].name" in e and "no wave moves site 'Oulu'" in e
        for e in errors
    ), errors
    assert any("waves[1].sites[1]" in e and "site 'Helsingfors' is not in sites:" in e for e in errors), errors


def test_a_site_listed_twice_or_with_an_unknown_country_is_refused() -> None:
    text = _with_sites(
        "  - {name: Helsinki, time_zone: Europe/Helsinki, country: Finnland}\n"
        "  - {name: helsinki, time_zone: Europe/Helsinki}\n"
    )
    errors = _errors(text)
    assert any("sites[0].country" in e and "did you mean 'Finland'?" in e for e in errors), errors
    assert any("sites[1].name" in e and "listed twice" in e for e in errors), errors


CALENDAR = """\
calendar:
  - key: tomorrow
    title: Cutover is tomorrow
    timing: {days: -1, at: "16:00"}
    summary: Your move is tomorrow.
    points: ["Save your work before 17:00 today."]
  - key: started
    title: Cutover has started
    timing: {cutover: start}
    summary: It has started.
"""


def test_a_wave_overrides_a_calendar_entry_by_key_and_may_add_its_own() -> None:
    own = (
        "    calendar:\n"
        "      - key: tomorrow\n"
        '        timing: {days: -1, at: "12:00"}\n'
        "        points: [Bring your laptop to the canteen.]\n"
        "      - key: local-drinks\n"
        "        title: Drinks after the move\n"
        '        timing: {days: 3, at: "17:00"}\n'
    )
    plan = parse_plan(MINIMAL.replace(BRANCH, BRANCH + own) + CALENDAR)
    first, second = plan.waves
    assert plan.calendar_for(first) == plan.calendar
    tomorrow, started, drinks = plan.calendar_for(second)
    assert (tomorrow.title, tomorrow.summary) == ("Cutover is tomorrow", "Your move is tomorrow.")
    assert tomorrow.timing.at == dt.time(12, 0) and tomorrow.points == ("Bring your laptop to the canteen.",)
    assert started == plan.calendar[1]
    assert (drinks.key, drinks.title, drinks.timing.days) == ("local-drinks", "Drinks after the move", 3)


def test_a_waves_calendar_entry_that_is_neither_an_override_nor_complete_is_refused() -> None:
    own = (
        "    calendar:\n      - key: tomorow\n        summary: typo\n      - key: started\n        timing: {days: 2}\n"
    )
    text = MINIMAL.replace(BRANCH, BRANCH + own) + CALENDAR
    errors = _errors(text)
    assert any(
        f":{line_of(text, 'key: tomorow')}:" in e
        and "waves[1].calendar[0].key" in e
        and "'tomorow' is not in the plan's calendar - did you mean 'tomorrow'?" in e
        for e in errors
    ), errors
    assert any("waves[1].calendar[1].timing" in e and "missing 'at'" in e for e in errors), errors
