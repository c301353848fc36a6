"""The YAML plan loader: the Fabrikam plan, and precise errors for each kind of mistake."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchover.plan.loader import PlanError, load_plan, parse_plan
from switchover.plan.model import (
    Audience,
    ChannelRef,
    Duration,
    EscalationTarget,
    ExceptionKind,
    Impact,
    Plan,
    Priority,
    Urgency,
)
from switchover.plan.normalise import parse_duration
from tests.switchover.plan.conftest import EXAMPLE, MINIMAL, line_of, scenario_readme

LA = ZoneInfo("America/Los_Angeles")


def errors_of(text: str) -> list:
    with pytest.raises(PlanError) as info:
        parse_plan(text, source="plan.yaml")
    return info.value.errors


def only_error(text: str):  # type: ignore[no-untyped-def]
    errors = errors_of(text)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def broken(old: str, new: str, base: str = MINIMAL) -> str:
    assert base.count(old) == 1, old
    return base.replace(old, new)


# -- the Fabrikam plan ---------------------------------------------------------


def test_minimal_plan_loads() -> None:
    plan = parse_plan(MINIMAL)
    assert [w.key for w in plan.waves] == ["wave-1", "wave-2"]
    assert plan.catch_all_area.key == "other"


def test_fabrikam_organisation_and_people(fabrikam_plan: Plan) -> None:
    org = fabrikam_plan.organisation
    assert (org.name, org.time_zone) == ("Fabrikam Health Partners", "America/Los_Angeles")
    assert fabrikam_plan.project_leads == ("dana.whitfield",)
    lead = fabrikam_plan.person("dana.whitfield")
    assert lead.upn == "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"
    assert fabrikam_plan.is_project_lead("DANA.WHITFIELD@northwindmsp.com")
    assert fabrikam_plan.person(fabrikam_plan.sponsor).name == "Robert Kim"
    assert fabrikam_plan.service_desk.channel == ChannelRef(team="Fabrikam IT", channel="Service Desk")
    assert [fabrikam_plan.person(k).name for k in fabrikam_plan.service_desk.members] == ["Kevin O'Brien", "Sara Novak"]
    assert fabrikam_plan.service_desk.phone == "+1 206 555 0100"


def test_fabrikam_people_match_the_roster(fabrikam_plan: Plan, fabrikam_roster) -> None:  # type: ignore[no-untyped-def]
    for person in fabrikam_plan.people:
        user = fabrikam_roster.lookup(person.upn)
        assert user is not None, person.key
        assert user.display_name.startswith(person.name)
        if person.email:
            assert fabrikam_roster.lookup(person.email) is user


def test_fabrikam_waves(fabrikam_plan: Plan) -> None:
    windows = [(w.title, w.cutover.start, w.cutover.end, w.hypercare_until) for w in fabrikam_plan.waves]
    assert windows == [
        (
            "Wave 0 - Pilot",
            dt.datetime(2027, 1, 16, 8, tzinfo=LA),
            dt.datetime(2027, 1, 16, 14, tzinfo=LA),
            dt.date(2027, 1, 29),
        ),
        (
            "Wave 1 - Corporate",
            dt.datetime(2027, 1, 30, 7, tzinfo=LA),
            dt.datetime(2027, 1, 30, 15, tzinfo=LA),
            dt.date(2027, 2, 12),
        ),
        (
            "Wave 2 - Seattle & Tacoma clinical",
            dt.datetime(2027, 2, 13, 7, tzinfo=LA),
            dt.datetime(2027, 2, 13, 16, tzinfo=LA),
            dt.date(2027, 2, 26),
        ),
        (
            "Wave 3 - Spokane & Portland",
            dt.datetime(2027, 2, 27, 7, tzinfo=LA),
            dt.datetime(2027, 2, 27, 16, tzinfo=LA),
            dt.date(2027, 3, 12),
        ),
    ]
    # Stored in UTC later: Pacific Standard Time in winter is UTC-8.
    assert fabrikam_plan.waves[0].cutover.start.astimezone(dt.UTC).hour == 16
    assert all(w.cutover.start.weekday() == 5 for w in fabrikam_plan.waves)  # Saturdays
    assert fabrikam_plan.wave("wave-3").sites == ("Spokane Clinic", "Portland Clinic")


def test_fabrikam_later_change_is_not_in_the_plan(fabrikam_plan: Plan) -> None:
    text = (EXAMPLE / "plan.yaml").read_text()
    assert "2027-03-06" in text  # documented as a comment
    assert fabrikam_plan.wave("wave-3").cutover.start.date() == dt.date(2027, 2, 27)


def test_fabrikam_champions_and_exceptions(fabrikam_plan: Plan) -> None:
    assert {c.user.split("@")[0]: c.site for c in fabrikam_plan.champions} == {
        "grace.okafor": "Tacoma Clinic",
        "hiro.tanaka": "Spokane Clinic",
        "elena.morales": "Portland Clinic",
        "nadia.hassan": "Seattle HQ",
        "lucia.santos": "Spokane Clinic",
    }
    assert {c.wave for c in fabrikam_plan.champions} == {"wave-0"}
    moves = {e.user: (e.kind, e.from_wave, e.to_wave) for e in fabrikam_plan.exceptions}
    assert moves == {
        "farah.ahmed@fabrikamhealth.com": (ExceptionKind.MOVE, "wave-1", "wave-3"),
        "omar.reyes@fabrikamhealth.com": (ExceptionKind.MOVE, "wave-3", "wave-2"),
    }
    farah = fabrikam_plan.exceptions[0]
    assert "2027-01-25" in farah.reason and "2027-02-19" in farah.reason


def test_fabrikam_areas(fabrikam_plan: Plan) -> None:
    def who(contact) -> str:  # type: ignore[no-untyped-def]
        return contact.person or str(contact.channel)

    table = [(a.name, who(a.owner), who(a.backup), a.catch_all) for a in fabrikam_plan.areas]
    desk = "Fabrikam IT / Service Desk"
    assert table == [
        ("Email & calendar", "priya.raman", "tom.becker", False),
        ("Files", "luis.ortega", "tom.becker", False),
        ("Teams & meetings", "ana.silva", "luis.ortega", False),
        ("Sign-in & security", "marcus.chen", "priya.raman", False),
        ("Devices", "jordan.lee", "marcus.chen", False),
        ("Printing & clinical apps", desk, "tom.becker", False),
        ("Anything else", desk, "dana.whitfield", True),
    ]
    for area in fabrikam_plan.areas[:-1]:
        assert len(area.keywords) >= 5, area.key


def test_fabrikam_service_levels_and_priorities(fabrikam_plan: Plan) -> None:
    p1 = fabrikam_plan.service_level(Priority.P1)
    assert p1.acknowledge_within == Duration(minutes=15)
    assert [(str(s.after), s.to) for s in p1.escalation] == [
        ("15 minutes", EscalationTarget.BACKUP),
        ("30 minutes", EscalationTarget.PROJECT_LEAD),
    ]
    assert p1.notify_at_once == (EscalationTarget.SPONSOR,)
    p2 = fabrikam_plan.service_level(Priority.P2)
    assert [(s.after.minutes, s.to) for s in p2.escalation] == [
        (30, EscalationTarget.BACKUP),
        (60, EscalationTarget.PROJECT_LEAD),
    ]
    p3 = fabrikam_plan.service_level(Priority.P3)
    assert p3.acknowledge_within == Duration(minutes=240, business=True)
    assert [(s.after, s.to) for s in p3.escalation] == [(Duration(minutes=240, business=True), EscalationTarget.BACKUP)]
    p4 = fabrikam_plan.service_level(Priority.P4)
    assert p4.acknowledge_within.business_days == 1 and p4.escalation == ()
    assert fabrikam_plan.priority_for(Impact.SITE, Urgency.CANT_WORK) is Priority.P1
    assert fabrikam_plan.priority_for(Impact.ME, Urgency.QUESTION) is Priority.P4
    assert fabrikam_plan.priority_for(Impact.SEVERAL, Urgency.CANT_WORK) is Priority.P2
    hours = fabrikam_plan.business_hours
    assert (hours.weekly[0].start, hours.weekly[0].end) == (dt.time(7), dt.time(19))
    assert hours.cutover_weekends is not None
    assert (hours.cutover_weekends.start, hours.cutover_weekends.end) == (dt.time(6), dt.time(18))
    assert hours.direct_to_owner_after_hours == (Priority.P1, Priority.P2)
    major = fabrikam_plan.major_incident
    assert major is not None and (major.reports, major.within.minutes, major.same) == (5, 30, ("area", "wave"))


def test_fabrikam_calendar(fabrikam_plan: Plan) -> None:
    timings = [(m.key, m.timing.days, m.timing.at, m.timing.cutover, m.timing.manual) for m in fabrikam_plan.calendar]
    assert timings == [
        ("what-changes", -14, dt.time(9), None, False),
        ("one-week", -7, dt.time(9), None, False),
        ("tomorrow", -1, dt.time(15), None, False),
        ("cutover-start", None, None, "start", False),
        ("cutover-complete", None, None, None, True),
        ("day-one", 2, dt.time(7), None, False),
        ("hypercare-ends", 14, dt.time(9), None, False),
    ]
    by_key = {m.key: m for m in fabrikam_plan.calendar}
    assert by_key["cutover-start"].to == (Audience.WAVE_USERS, Audience.SERVICE_DESK)
    assert ("I've set up Authenticator", "mfa_done") in [(b.title, b.action) for b in by_key["what-changes"].buttons]
    assert [(b.title, b.action) for b in by_key["day-one"].buttons] == [("Report a problem", "report_problem")]
    assert ("Got it", "acknowledge") in [(b.title, b.action) for b in by_key["one-week"].buttons]
    assert "2 hours" in by_key["cutover-start"].summary
    digest = fabrikam_plan.digest
    assert digest is not None
    assert (digest.at, digest.days, digest.to) == (
        dt.time(8),
        ("mon", "tue", "wed", "thu", "fri"),
        (Audience.PROJECT_LEADS, Audience.SPONSOR),
    )


def _scenario_faq() -> list[tuple[str, str]]:
    text = scenario_readme().read_text(encoding="utf-8")
    section = text.split("## FAQ", 1)[1]
    pairs = []
    for line in section.splitlines():
        if line.startswith("- "):
            # "- Question? Answer." The question ends at the first "? " or ". ".
            m = re.match(r"- (.+?[?.]) (.+)$", line)
            assert m, line
            pairs.append((m.group(1), m.group(2)))
    return pairs


def test_fabrikam_faq_word_for_word(fabrikam_plan: Plan) -> None:
    expected = _scenario_faq()
    assert len(expected) == 15
    got = [(f.question, f.answer) for f in fabrikam_plan.faq]
    assert got == expected
    # Every entry carries another wording and topics. Some carry only one or two since alternates that
    # were held-out questions word for word were taken out (test_question_sets forbids them).
    for entry in fabrikam_plan.faq:
        assert entry.alternates and entry.topics, entry.key


# -- precise errors --------------------------------------------------------------


def test_bad_datetime_names_line_and_field() -> None:
    text = broken('start: "2027-01-30 08:00"', 'start: "2027-01-30 8 am"')
    err = only_error(text)
    assert (err.source, err.line, err.field) == ("plan.yaml", line_of(text, "8 am"), "waves[1].cutover.start")
    assert "2027-01-16 08:00" in err.message  # shows the expected form


def test_bad_time_says_how_to_write_it() -> None:
    text = broken('start: "07:00"', 'start: "7 o\'clock"')
    err = only_error(text)
    assert err.field == "business_hours.weekly[0].start"
    assert err.line == line_of(text, "o'clock")
    assert "expected a time like 09:00" in err.message


def test_unquoted_sexagesimal_time_is_read_as_a_time() -> None:
    # YAML 1.1 reads 10:30 as the integer 630; a plan author means half past ten.
    plan = parse_plan(broken('end: "19:00"', "end: 19:30"))
    assert plan.business_hours.weekly[0].end == dt.time(19, 30)


def test_unknown_person_suggests_the_closest() -> None:
    text = broken("    backup: bob.boss", "    backup: bob.bos")
    err = only_error(text)
    assert err.field == "areas[0].backup.person"
    assert err.line == line_of(text, "backup: bob.bos")
    assert "unknown person 'bob.bos' - did you mean 'bob.boss'?" in err.message


def test_unknown_lead_and_sponsor() -> None:
    text = broken("sponsor: bob.boss", "sponsor: robert").replace("project_leads: [ann.lead]", "project_leads: [ann]")
    errors = errors_of(text)
    assert [(e.field, e.line) for e in errors] == [
        ("project_leads[0]", line_of(text, "project_leads")),
        ("sponsor", line_of(text, "sponsor:")),
    ]
    assert "did you mean 'ann.lead'" in errors[0].message


def test_duplicate_key_points_at_the_second() -> None:
    text = broken("  name: Contoso\n", "  name: Contoso\n  name: Contoso Ltd\n")
    err = only_error(text)
    assert err.line == line_of(text, "Contoso Ltd")
    assert err.field == "organisation.name"
    assert "duplicate key 'name' (first at line 2)" in err.message


def test_unknown_time_zone_suggests() -> None:
    text = broken("America/Los_Angeles", "America/Los_Angles")
    err = only_error(text)
    assert (err.field, err.line) == ("organisation.time_zone", 3)
    assert "did you mean 'America/Los_Angeles'?" in err.message


def test_date_order_defaults_to_month_first_and_a_wrong_one_names_line_and_field() -> None:
    assert parse_plan(MINIMAL).organisation.date_order == "mdy"
    day_first = broken("  time_zone: America/Los_Angeles\n", "  time_zone: America/Los_Angeles\n  date_order: dmy\n")
    assert parse_plan(day_first).organisation.date_order == "dmy"
    text = broken("  time_zone: America/Los_Angeles\n", "  time_zone: America/Los_Angeles\n  date_order: dd/mm\n")
    err = only_error(text)
    assert (err.field, err.line) == ("organisation.date_order", line_of(text, "date_order"))


def test_a_tenant_id_that_is_not_a_guid_names_line_and_field() -> None:
    tenant = "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11"
    with_tenant = broken(
        "  time_zone: America/Los_Angeles\n", f"  time_zone: America/Los_Angeles\n  tenant_id: {tenant}\n"
    )
    assert parse_plan(with_tenant).organisation.tenant_id == tenant
    text = broken("  time_zone: America/Los_Angeles\n", "  time_zone: America/Los_Angeles\n  tenant_id: contoso.com\n")
    err = only_error(text)
    assert (err.field, err.line) == ("organisation.tenant_id", line_of(text, "tenant_id"))
    assert "'contoso.com' is not a tenant id" in err.message


def test_bad_duration_in_keyed_service_levels() -> None:
    text = broken("P3: {acknowledge_within: 4 business hours}", "P3: {acknowledge_within: 4 bussiness hours}")
    err = only_error(text)
    assert err.field == "service_levels.P3.acknowledge_within"
    assert err.line == line_of(text, "bussiness")
    assert "4 business hours" in err.message


def test_misspelt_field_is_one_error_with_a_suggestion() -> None:
    text = broken("    hypercare_until: 2027-02-12", "    hypercare_untill: 2027-02-12")
    err = only_error(text)
    assert err.field == "waves[1].hypercare_untill"
    assert err.line == line_of(text, "hypercare_untill")
    assert "did you mean 'hypercare_until'?" in err.message


def test_missing_required_field() -> None:
    text = broken("    name: Second\n", "")
    err = only_error(text)
    assert err.field == "waves[1].name"
    assert "missing required field 'name'" in err.message
    assert err.line == line_of(text, "key: wave-2")  # the wave that lacks it


def test_cutover_end_before_start() -> None:
    text = broken('end: "2027-01-30 14:00"', 'end: "2027-01-30 06:00"')
    err = only_error(text)
    assert err.field == "waves[1].cutover.end"
    assert "before it starts" in err.message


def test_hypercare_before_cutover() -> None:
    text = broken("hypercare_until: 2027-01-29", "hypercare_until: 2027-01-10")
    err = only_error(text)
    assert (err.field, err.line) == ("waves[0].hypercare_until", line_of(text, "2027-01-10"))


def test_invalid_calendar_date() -> None:
    text = broken("hypercare_until: 2027-01-29", "hypercare_until: 2027-02-30")
    err = only_error(text)
    assert err.field == "waves[0].hypercare_until" and "not a real date" in err.message


def test_wave_numbers_unique() -> None:
    text = broken("    number: 2", "    number: 1")
    err = only_error(text)
    assert (err.field, err.line) == ("waves[1].number", line_of(text, "key: wave-2") + 1)


def test_service_level_for_each_priority() -> None:
    err = only_error(broken("  P4: {acknowledge_within: 1 business day}\n", ""))
    assert err.field == "service_levels" and "no service level for P4" in err.message


def test_priority_matrix_complete() -> None:
    text = broken("  me: {cant_work: P2, degraded: P3, question: P4}\n", "  me: {cant_work: P2, degraded: P3}\n")
    err = only_error(text)
    assert (err.field, err.line) == ("priority_matrix.me", line_of(text, "  me:"))
    assert "question" in err.message
    err = only_error(broken("  several: {cant_work: P2, degraded: P3, question: P4}\n", ""))
    assert err.field == "priority_matrix" and "'several'" in err.message


def test_exactly_one_catch_all() -> None:
    err = only_error(broken("    catch_all: true\n", ""))
    assert err.field == "areas" and "catch-all" in err.message
    text = broken("    backup: bob.boss\n", "    backup: bob.boss\n    catch_all: true\n")
    err = only_error(text)
    assert err.field == "areas[1].catch_all"


def test_unknown_wave_reference() -> None:
    text = MINIMAL + "champions:\n  - {user: x@contoso.com, wave: wave-3}\n"
    err = only_error(text)
    assert err.field == "champions[0].wave"
    assert err.line == line_of(text, "x@contoso.com")
    assert "unknown wave 'wave-3'" in err.message


def test_bad_enum_value_suggests() -> None:
    text = MINIMAL.replace(
        "P2: {acknowledge_within: 30 minutes}",
        "P2: {acknowledge_within: 30 minutes, escalation: [{after: 30 minutes, to: bakup}]}",
    )
    err = only_error(text)
    assert err.field == "service_levels.P2.escalation[0].to"
    assert "'bakup'" in err.message and "did you mean 'backup'?" in err.message


def test_local_time_skipped_by_daylight_saving() -> None:
    text = broken('end: "2027-01-30 14:00"', 'end: "2027-03-14 02:30"')
    err = only_error(text)
    assert "does not exist in America/Los_Angeles" in err.message


def test_every_error_collected_in_file_order() -> None:
    text = (
        MINIMAL.replace("America/Los_Angeles", "Mars/Olympus")
        .replace("backup: bob.boss", "backup: nobody")
        .replace('start: "07:00"', 'start: "seven"')
    )
    errors = errors_of(text)
    fields = [e.field for e in errors]
    assert fields == ["organisation.time_zone", "areas[0].backup.person", "business_hours.weekly[0].start"]
    assert [e.line for e in errors] == sorted(e.line for e in errors)
    message = str(PlanError(errors))
    assert message.startswith("3 problems in the plan:")
    assert f"plan.yaml:{errors[1].line}:" in message


def test_yaml_syntax_error_has_a_line() -> None:
    text = broken("  name: Contoso", "  name: [Contoso")
    err = only_error(text)
    assert err.line is not None and err.line >= 2 and "not valid YAML" in err.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("- a\n- b\n", "mapping of sections"),
        ("organisation: !!python/object:os.system {}\n", "tags like"),
    ],
)
def test_not_a_plan(text: str, expected: str) -> None:
    err = errors_of(text)[0]
    assert expected in err.message


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    err = errors_of("\n".join(lines) + "\n")[0]
    assert "too many values" in err.message


def test_text_that_yaml_would_read_as_a_boolean_stays_text() -> None:
    plan = parse_plan(broken("    name: Second", "    name: no"))
    assert plan.wave("wave-2").name == "no"


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "nope.yaml")
    assert str(tmp_path / "nope.yaml") in str(info.value)


def test_load_plan_reads_bom(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_plan(path).organisation.name == "Contoso"


# -- durations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 minutes", Duration(minutes=15)),
        ("1 minute", Duration(minutes=1)),
        ("2 hours", Duration(minutes=120)),
        ("1 hour 30 minutes", Duration(minutes=90)),
        ("4 business hours", Duration(minutes=240, business=True)),
        ("1 business day", Duration(minutes=0, business=True, business_days=1)),
        ("3 business days", Duration(minutes=0, business=True, business_days=3)),
        ("2 days", Duration(minutes=2880)),
        ("  30 MINUTES ", Duration(minutes=30)),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "fifteen minutes", "15", "15 fortnights", "1 business day 2 hours", "-5 minutes"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(
    st.one_of(
        st.builds(Duration, minutes=st.integers(0, 10_000)),
        st.builds(Duration, minutes=st.integers(1, 10_000), business=st.just(True)),
        st.builds(Duration, minutes=st.just(0), business=st.just(True), business_days=st.integers(1, 30)),
    )
)
def test_duration_text_round_trips(duration: Duration) -> None:
    assert parse_duration(str(duration)) == duration


# -- robustness ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_only_ever_raises_plan_error(text: str) -> None:
    try:
        parse_plan(text)
    except PlanError as exc:
        assert exc.errors
        for issue in exc.errors:
            assert issue.message


_SCALAR_LINES = [i for i, line in enumerate(MINIMAL.splitlines()) if ": " in line and not line.rstrip().endswith(":")]


@settings(max_examples=300, deadline=None)
@given(
    index=st.sampled_from(_SCALAR_LINES),
    value=st.one_of(
        st.text(max_size=30),
        st.sampled_from(["", "~", "[]", "{}", "yes", "12:30", "2027-13-45", "-1", "1e9", "&a x", "*b", "'", '"', "|"]),
    ),
)
def test_any_one_value_changed_gives_a_plan_or_located_errors(index: int, value: str) -> None:
    lines = MINIMAL.splitlines()
    key = lines[index].split(": ", 1)[0]
    lines[index] = f"{key}: {value}"
    text = "\n".join(lines) + "\n"
    try:
        parse_plan(text)
    except PlanError as exc:
        assert exc.errors
        # Count the text's lines, not the list's: a value with a line break ("\n") adds lines.
        assert all(e.line is None or 1 <= e.line <= len(text.splitlines()) + 1 for e in exc.errors)


def test_people_mapping_errors_name_the_person() -> None:
    text = broken("    upn: bob.boss@contoso.com\n", "")
    err = only_error(text)
    assert err.field == "people['bob.boss'].upn"
    assert err.line == line_of(text, "  bob.boss:")
    assert "missing required field 'upn'" in err.message


def test_calendar_timing_needs_exactly_one_mode() -> None:
    calendar = (
        "calendar:\n"
        "  - {key: a, title: A, timing: {days: -7, at: '09:00'}}\n"
        "  - {key: b, title: B, timing: {days: -7}}\n"
        "  - {key: c, title: C, timing: {cutover: start, manual: true}}\n"
        "  - {key: d, title: D, timing: {manual: true}, buttons: [{title: Go, action: open_url}]}\n"
    )
    text = MINIMAL + calendar
    errors = errors_of(text)
    assert [(e.field, e.line) for e in errors] == [
        ("calendar[1].timing", line_of(text, "key: b")),
        ("calendar[2].timing", line_of(text, "key: c")),
        ("calendar[3].buttons[0]", line_of(text, "key: d")),
    ]
    assert "missing 'at'" in errors[0].message
    assert "exactly one of" in errors[1].message
    assert "needs a url" in errors[2].message


def test_business_hours_end_after_start() -> None:
    text = broken('end: "19:00"', 'end: "06:00"')
    err = only_error(text)
    assert (err.field, err.line) == ("business_hours.weekly[0].end", line_of(text, '"06:00"'))


def test_people_and_service_levels_may_be_lists() -> None:
    people = (
        "people:\n"
        "  - {key: ann.lead, name: Ann Lead, upn: ann.lead@contoso.com}\n"
        "  - {key: bob.boss, name: Bob Boss, upn: bob.boss@contoso.com}\n"
    )
    levels = (
        "service_levels:\n"
        "  - {priority: P1, acknowledge_within: 15 minutes}\n"
        "  - {priority: P2, acknowledge_within: 30 minutes}\n"
        "  - {priority: P3, acknowledge_within: 4 business hours}\n"
        "  - {priority: P4, acknowledge_within: 1 business day}\n"
    )
    text = MINIMAL
    start, end = text.index("people:\n"), text.index("project_leads:")
    text = text[:start] + people + text[end:]
    start, end = text.index("service_levels:\n"), text.index("business_hours:")
    text = text[:start] + levels + text[end:]
    assert parse_plan(text) == parse_plan(MINIMAL)


def test_keyed_entry_with_a_different_inner_key() -> None:
    text = broken("    name: Bob Boss\n", "    name: Bob Boss\n    key: robert\n")
    err = only_error(text)
    assert err.field == "people['bob.boss'].key" and "differs" in err.message


def test_single_items_may_be_written_without_a_list() -> None:
    plan = parse_plan(broken("    include:\n      - offices: [Branch]\n", "    include: {offices: Branch}\n"))
    assert plan.wave("wave-2").include[0].offices == ("Branch",)


@pytest.mark.parametrize(
    ("zone", "suggestion"),
    [("America/Los_Angles", "America/Los_Angeles"), ("Los_Angeles", "America/Los_Angeles"), ("Boise", "America/Boise")],
)
def test_time_zone_suggestions(zone: str, suggestion: str) -> None:
    err = only_error(broken("America/Los_Angeles", zone))
    assert f"did you mean {suggestion!r}?" in err.message


def test_short_unknown_field_gets_no_far_fetched_suggestion() -> None:
    err = only_error(MINIMAL + "a: 1\n")
    assert err.field == "a"
    assert "did you mean" not in err.message and "allowed here: organisation" in err.message


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        (
            'start: "2027-01-16 08:00"',
            "start: [2027]",
            "waves[0].cutover.start",
            "is not a date and time; expected a local time like 2027-01-16 08:00",
        ),
        ("hypercare_until: 2027-01-29", "hypercare_until: [1]", "waves[0].hypercare_until", "is not a date; expected"),
        ('start: "07:00"', "start: {h: 7}", "business_hours", "is not a time; expected a time like 09:00"),
    ],
)
def test_a_date_or_time_field_given_something_else_says_what_to_write(
    old: str, new: str, field: str, expected: str
) -> None:
    error = only_error(broken(old, new))
    assert field in str(error)
    assert expected in str(error)
