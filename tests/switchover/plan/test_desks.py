"""Service desks per site or country, cutover cover, an area's own levels and hours, internal notes and
country rules: how they are written, what they mean, and the line-numbered errors for each mistake."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from switchover.directory.base import DirectoryUser
from switchover.membership import resolve_wave
from switchover.plan.desks import desk_for
from switchover.plan.loader import PlanError, parse_plan
from switchover.plan.model import Priority
from switchover.problems.deadlines import ack_deadline, escalation_times, is_business_time, schedule_for
from tests.switchover.plan.conftest import MINIMAL, line_of

LA = ZoneInfo("America/Los_Angeles")
LISBON = ZoneInfo("Europe/Lisbon")

DESKS = (
    MINIMAL.replace(
        """service_desk:
  channel: "Contoso IT / Service Desk"
""",
        """service_desk:
  channel: "Contoso IT / Service Desk"
  phone: "+1 206 555 0100"
  contacts:
    - name: Lisbon desk
      sites: [Lisboa Office]
      countries: [Portugal, es]
      phone: "+351 21 555 0100"
      hours:
        time_zone: Europe/Lisbon
        weekly:
          - {days: [mon, tue, wed, thu, fri], start: "08:00", end: "17:00"}
    - name: Mexico desk
      countries: [Méjico]
      channel: "Contoso IT / Mesa de ayuda"
""",
    )
    + """aliases:
  countries:
    Mexico: [Méjico]
"""
)


def _plan(text: str):  # type: ignore[no-untyped-def]
    return parse_plan(text, source="plan.yaml")


def errors_of(text: str) -> list:
    with pytest.raises(PlanError) as info:
        parse_plan(text, source="plan.yaml")
    return info.value.errors


def user(**kw: str) -> DirectoryUser:
    return DirectoryUser(id="u1", upn="u1@contoso.com", display_name="U One", **kw)  # type: ignore[arg-type]


# -- desks ------------------------------------------------------------------------------


def test_a_person_gets_their_sites_desk_then_their_countrys_then_the_default() -> None:
    plan = _plan(DESKS)
    assert desk_for(plan, site="lisboa office").phone == "+351 21 555 0100"
    assert desk_for(plan, country="ES").name == "Lisbon desk"
    assert desk_for(plan, country="Spain").name == "Lisbon desk"
    assert desk_for(plan, country="México").name == "Mexico desk"  # an alias from aliases.countries
    mexico = desk_for(plan, country="MX")
    assert mexico.phone == "+1 206 555 0100" and str(mexico.channel) == "Contoso IT / Mesa de ayuda"
    assert desk_for(plan, site="Seattle", country="United States").index is None
    assert desk_for(plan).phone == "+1 206 555 0100"


def test_deadlines_follow_the_desks_own_hours_in_its_own_zone() -> None:
    plan = _plan(DESKS)
    # Friday 15 January, 16:00 in Lisbon: one staffed hour left there, three on Monday from 08:00.
    start = dt.datetime(2027, 1, 15, 16, 0, tzinfo=LISBON)
    lisbon = schedule_for(plan, country="PT")
    assert ack_deadline(plan, Priority.P3, start, schedule=lisbon) == dt.datetime(2027, 1, 18, 11, 0, tzinfo=LISBON)
    # The default desk (Los Angeles hours) is open then: 08:00 in LA, four hours on the same day.
    assert ack_deadline(plan, Priority.P3, start) == dt.datetime(2027, 1, 15, 12, 0, tzinfo=LA)


def test_a_plain_service_desk_still_loads_as_the_one_desk() -> None:
    plan = _plan(MINIMAL)
    assert plan.service_desk.contacts == ()
    assert desk_for(plan, site="anywhere", country="PT").index is None


# -- cutover cover ----------------------------------------------------------------------


def test_cutover_cover_from_the_evening_before_to_two_days_after() -> None:
    text = MINIMAL.replace(
        '    - {days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00"}\n',
        '    - {days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00"}\n'
        "  cutover:\n"
        '    - {from: {days: -1, at: "18:00"}, to: {days: 2, at: "08:00"}}\n',
    )
    plan = _plan(text)
    # Wave 1 cuts over on Saturday 16 January: Friday 22:00, Sunday 03:00 and Monday 06:30 (before the
    # desk opens at 07:00) are staffed; the Friday night before and the Monday after wave 1 are not.
    for staffed in ((2027, 1, 15, 22), (2027, 1, 17, 3), (2027, 1, 18, 6)):
        assert is_business_time(plan, dt.datetime(*staffed, 30, tzinfo=LA))
    assert not is_business_time(plan, dt.datetime(2027, 1, 8, 22, tzinfo=LA))
    assert not is_business_time(plan, dt.datetime(2027, 1, 25, 6, 30, tzinfo=LA))


def test_cutover_cover_as_the_window_and_margins() -> None:
    text = MINIMAL.replace(
        '    - {days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00"}\n',
        '    - {days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00"}\n'
        "  cutover:\n"
        "    - window\n"
        "    - {from: {cutover: end}, to: {cutover: end, after: 6 hours}}\n",
    )
    plan = _plan(text)
    # Wave 1: 08:00-14:00 on Saturday 16 January, then six more hours.
    assert is_business_time(plan, dt.datetime(2027, 1, 16, 9, tzinfo=LA))
    assert is_business_time(plan, dt.datetime(2027, 1, 16, 19, 30, tzinfo=LA))
    assert not is_business_time(plan, dt.datetime(2027, 1, 16, 20, 30, tzinfo=LA))
    assert not is_business_time(plan, dt.datetime(2027, 1, 16, 7, 30, tzinfo=LA))


def test_cutover_weekends_still_mean_the_saturday_and_sunday() -> None:
    text = MINIMAL + '  cutover_weekends: {days: [sat, sun], start: "09:00", end: "17:00"}\n'
    plan = _plan(text)
    assert is_business_time(plan, dt.datetime(2027, 1, 17, 10, tzinfo=LA))
    assert not is_business_time(plan, dt.datetime(2027, 1, 15, 22, tzinfo=LA))
    assert not is_business_time(plan, dt.datetime(2027, 1, 23, 10, tzinfo=LA))  # no cutover that weekend


# -- areas ------------------------------------------------------------------------------


AREAS = MINIMAL.replace(
    """    owner: ann.lead
    backup: bob.boss
""",
    """    owner: ann.lead
    backup: bob.boss
    hours: always
    service_levels:
      P3: {acknowledge_within: 1 hour, escalation: [{after: 2 business hours, to: backup}]}
""",
).replace(
    """    backup: ann.lead
    catch_all: true
""",
    """    backup: ann.lead
    catch_all: true
    hours:
      time_zone: Europe/Lisbon
      weekly: [{days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00"}]
""",
)


def test_an_area_overrides_a_priority_and_counts_round_the_clock() -> None:
    plan = _plan(AREAS)
    sunday = dt.datetime(2027, 1, 10, 2, 0, tzinfo=LA)
    always = schedule_for(plan, area="email")
    assert ack_deadline(plan, Priority.P3, sunday, area="email", schedule=always) == sunday + dt.timedelta(hours=1)
    [(due, step)] = escalation_times(plan, Priority.P3, sunday, area="email", schedule=always)
    assert due == sunday + dt.timedelta(hours=2) and step.to.value == "backup"
    # The priorities it does not override are the plan's (P4: 1 business day, in wall-clock time here).
    assert ack_deadline(plan, Priority.P4, sunday, area="email", schedule=always) == sunday + dt.timedelta(days=1)


def test_an_area_with_contract_hours_counts_in_them() -> None:
    plan = _plan(AREAS)
    friday = dt.datetime(2027, 1, 15, 16, 0, tzinfo=LISBON)
    partner = schedule_for(plan, area="other", country="US")  # the area's hours win over any desk's
    assert ack_deadline(plan, Priority.P3, friday, area="other", schedule=partner) == dt.datetime(
        2027, 1, 18, 12, 0, tzinfo=LISBON
    )


# -- notes and country rules ---------------------------------------------------------------


def test_notes_load_on_exceptions_and_people() -> None:
    text = (
        MINIMAL.replace(
            "    upn: ann.lead@contoso.com\n", "    upn: ann.lead@contoso.com\n    note: on call in March\n"
        )
        + """exceptions:
  - {user: u1@contoso.com, kind: move, to_wave: wave-2, reason: retires in January, note: "HR: keep quiet"}
"""
    )
    plan = _plan(text)
    assert plan.exceptions[0].reason == "retires in January"
    assert plan.exceptions[0].note == "HR: keep quiet"
    assert plan.person("ann.lead").note == "on call in March"
    # The person's own explanation carries the reason only.
    assignment = resolve_wave(plan, user(department="Finance"))
    assert "retires in January" in assignment.explain() and "HR" not in assignment.explain()


@pytest.mark.parametrize("written", ["Portugal", "PT", "portugal", "PORTUGAL"])
def test_a_rule_by_country_matches_the_rosters_country(written: str) -> None:
    text = MINIMAL.replace(
        "      - offices: [Branch]\n", f"      - {{offices: [Home Office], countries: [{written}]}}\n"
    )
    plan = _plan(text)
    assert resolve_wave(plan, user(office="Home Office", country="Portugal")).wave_key == "wave-2"
    assert resolve_wave(plan, user(office="home office", usage_location="PT")).wave_key == "wave-2"
    assert resolve_wave(plan, user(office="Home Office", country="Spain")).wave is None


def test_a_rule_by_country_ignores_accents_and_knows_the_plans_aliases() -> None:
    text = MINIMAL.replace("      - offices: [Branch]\n", "      - {countries: [México]}\n") + (
        "aliases:\n  countries:\n    Mexico: [México]\n"
    )
    plan = _plan(text)
    assert resolve_wave(plan, user(country="Mexico")).wave_key == "wave-2"
    assert resolve_wave(plan, user(usage_location="MX")).wave_key == "wave-2"


# -- mistakes, each at its line ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "words"),
    [
        ("countries: [Portugal, es]", "countries: [Portgual, es]", "Portgual", "service_desk.contacts[0].countries[0]",
         "unknown country 'Portgual' - did you mean 'Portugal'?"),
        ("time_zone: Europe/Lisbon", "time_zone: Europe/Lisbn", "Europe/Lisbn",
         "service_desk.contacts[0].hours.time_zone", "unknown time zone 'Europe/Lisbn'"),
        ('start: "08:00", end: "17:00"', 'start: "17:00", end: "08:00"', '"17:00", end: "08:00"',
         "service_desk.contacts[0].hours.weekly[0].end", "not after it starts"),
        ("      countries: [Méjico]\n", "", "name: Mexico desk", "service_desk.contacts[1]",
         "say whom this desk serves"),
        ("countries: [Méjico]", "countries: [Spain]", "[Spain]", "service_desk.contacts[1].countries[0]",
         "also served by service_desk.contacts[0]"),
    ],
)  # fmt: skip
def test_desk_mistakes_are_named_at_their_line(old: str, new: str, needle: str, field: str, words: str) -> None:
    assert DESKS.count(old) == 1, old
    text = DESKS.replace(old, new)
    [err] = errors_of(text)
    assert (err.line, err.field) == (line_of(text, needle), field), str(err)
    assert words in err.message, str(err)


@pytest.mark.parametrize(
    ("cover", "field", "words"),
    [
        ('{from: {days: -1}, to: {days: 2, at: "08:00"}}', "business_hours.cutover[0].from", "missing 'at'"),
        ('{from: {days: 1, at: "18:00"}, to: {days: 0, at: "08:00"}}', "business_hours.cutover[0].to",
         "before it starts"),
        ('{from: {cutover: start, days: -1}, to: {cutover: end}}', "business_hours.cutover[0].from",
         "exactly one of"),
        ('{from: {days: -1, at: "18:00", before: 2 hours}, to: {cutover: end}}', "business_hours.cutover[0].from",
         "before/after go with cutover"),
        ('{from: {cutover: start, before: 2 business hours}, to: {cutover: end}}', "business_hours.cutover[0].from",
         "a margin is wall-clock time"),
        ('{form: {cutover: start}, to: {cutover: end}}', "business_hours.cutover[0].form", "did you mean 'from'"),
        ("weekend", "business_hours.cutover[0]", "not cutover cover; write window"),
    ],
)  # fmt: skip
def test_cutover_cover_mistakes_are_named_at_their_line(cover: str, field: str, words: str) -> None:
    text = MINIMAL + f"  cutover:\n    - {cover}\n"
    errors = errors_of(text)
    assert any(e.field == field and words in e.message for e in errors), [str(e) for e in errors]
    assert all(e.line == line_of(text, "    - " + cover[:6]) for e in errors), [str(e) for e in errors]


@pytest.mark.parametrize(
    ("hours", "field", "words"),
    [
        ("sometimes", "areas[0].hours", "write always (round the clock), business"),
        ("{time_zone: Europe/Lisbon}", "areas[0].hours", "no weekly ranges"),
        ("{time_zone: Mars/Olympus, weekly: [{days: [mon], start: '09:00', end: '17:00'}]}",
         "areas[0].hours.time_zone", "unknown time zone 'Mars/Olympus'"),
    ],
)  # fmt: skip
def test_area_hours_mistakes_are_named_at_their_line(hours: str, field: str, words: str) -> None:
    text = MINIMAL.replace("    backup: bob.boss\n", f"    backup: bob.boss\n    hours: {hours}\n", 1)
    [err] = errors_of(text)
    assert (err.field, err.line) == (field, line_of(text, "hours: ")), str(err)
    assert words in err.message


def test_an_unknown_priority_in_an_areas_service_levels() -> None:
    text = MINIMAL.replace(
        "    backup: bob.boss\n",
        "    backup: bob.boss\n    service_levels:\n      P9: {acknowledge_within: 1 hour}\n",
        1,
    )
    [err] = errors_of(text)
    assert err.line == line_of(text, "P9:") and "use one of P1, P2, P3, P4" in err.message, str(err)
    assert err.field == "areas[0].service_levels.P9.priority"


def test_an_unknown_country_in_a_rule_is_named_at_its_line() -> None:
    text = MINIMAL.replace("      - offices: [Branch]\n", "      - {offices: [Home Office], countries: [Portugall]}\n")
    [err] = errors_of(text)
    assert (err.field, err.line) == ("waves[1].include[0].countries[0]", line_of(text, "Portugall"))
    assert "did you mean 'Portugal'" in err.message
