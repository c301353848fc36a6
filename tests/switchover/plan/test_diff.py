"""``diff_plans``: what a new plan would change, on real edits of the example plans."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from switchover.directory.base import DirectoryUser
from switchover.directory.roster import RosterDirectory
from switchover.membership import people_moved
from switchover.plan.diff import PlanDiff, diff_plans
from switchover.plan.loader import parse_plan
from switchover.plan.model import Plan

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PACIFIC = ZoneInfo("America/Los_Angeles")


def edited(customer: str, *replacements: tuple[str, str]) -> tuple[Plan, Plan, list[DirectoryUser]]:
    """The example's plan, the plan with each text replaced once, and the example's roster."""
    text = (EXAMPLES / customer / "plan.yaml").read_text(encoding="utf-8")
    new_text = text
    for old, new in replacements:
        assert new_text.count(old) == 1, f"{old!r} is not in the plan exactly once"
        new_text = new_text.replace(old, new)
    users = RosterDirectory.from_csv(EXAMPLES / customer / "roster.csv").users
    return parse_plan(text, "plan.yaml"), parse_plan(new_text, "new.yaml"), list(users)


def diff(
    old: Plan,
    new: Plan,
    users: list[DirectoryUser],
    *,
    now: dt.datetime | None = None,
    sent: frozenset[str] = frozenset(),
) -> PlanDiff:
    return diff_plans(old, new, people=people_moved(old, new, users), now=now, sent=sent)


def only(result: PlanDiff, *sections: str) -> None:
    """Every section but these reports nothing."""
    changed = {name for name, changes in result.sections().items() if changes}
    assert changed == set(sections), {name: [str(c) for c in result.sections()[name]] for name in changed}


def lines(changes: tuple) -> list[str]:  # type: ignore[type-arg]
    return [str(c) for c in changes]


def test_identical_plans_change_nothing() -> None:
    old, new, users = edited("fabrikam")
    result = diff(old, new, users, now=dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    assert result.is_empty
    assert result.render() == "no changes"
    assert result.as_json()["empty"] is True
    assert all(v == [] for v in result.as_json()["sections"].values())


def test_a_person_moved_by_an_exception() -> None:
    old, new, users = edited(
        "fabrikam",
        (
            "    reason: works from Seattle HQ during the project\n",
            "    reason: works from Seattle HQ during the project\n"
            "  - user: nora.abbott@fabrikamhealth.com\n"
            "    kind: move\n"
            "    to_wave: wave-3\n"
            "    reason: covers Spokane Clinic in February\n",
        ),
    )
    result = diff(old, new, users)
    only(result, "people", "other")
    assert lines(result.people) == ["nora.abbott@fabrikamhealth.com: Wave 2 -> Wave 3"]
    (move,) = result.people
    assert move.as_json() | {"reason": ""} == {
        "subject": "nora.abbott@fabrikamhealth.com",
        "kind": "changed",
        "old": "Wave 2",
        "new": "Wave 3",
        "upn": "nora.abbott@fabrikamhealth.com",
        "name": "Nora Abbott",
        "old_wave": "wave-2",
        "new_wave": "wave-3",
        "reason": "",
    }
    assert "covers Spokane Clinic in February" in move.data["reason"]
    assert lines(result.other) == [
        "exception for nora.abbott@fabrikamhealth.com: added (move to wave-3: covers Spokane Clinic in February)"
    ]


def test_people_moved_by_a_membership_rule() -> None:
    # Marketing moves with the pilot instead of with Corporate.
    old, new, users = edited(
        "fabrikam",
        (
            "      - departments: [Information Technology]\n",
            "      - departments: [Information Technology, Marketing]\n",
        ),
        (
            "      - departments: [Executive, Finance, Human Resources, Marketing, Revenue Cycle]\n",
            "      - departments: [Executive, Finance, Human Resources, Revenue Cycle]\n",
        ),
    )
    result = diff(old, new, users)
    only(result, "waves", "people")
    assert lines(result.waves) == [
        "wave-0 membership rules: departments Information Technology -> departments Information Technology, Marketing",
        "wave-1 membership rules: departments Executive, Finance, Human Resources, Marketing, Revenue Cycle"
        " -> departments Executive, Finance, Human Resources, Revenue Cycle",
    ]
    # Everyone enabled in Marketing in the roster, except those the plan names (champions, exceptions).
    named = {
        "grace.okafor",
        "hiro.tanaka",
        "elena.morales",
        "nadia.hassan",
        "lucia.santos",
        "farah.ahmed",
        "omar.reyes",
    }
    with (EXAMPLES / "fabrikam" / "roster.csv").open(encoding="utf-8") as f:
        marketing = [
            row["userPrincipalName"]
            for row in csv.DictReader(f)
            if row["department"] == "Marketing"
            and row["accountEnabled"] == "True"
            and row["userType"] == "Member"
            and row["userPrincipalName"].split("@")[0] not in named
        ]
    assert len(marketing) >= 3
    assert [c.subject for c in result.people] == marketing
    assert {(c.old, c.new) for c in result.people} == {("Wave 1", "Wave 0")}


def test_an_owner_changed() -> None:
    old, new, users = edited("fabrikam", ("    owner: priya.raman\n", "    owner: tom.becker\n"))
    result = diff(old, new, users)
    only(result, "owners")
    assert lines(result.owners) == ["owner of Email & calendar: Priya Raman -> Tom Becker"]
    assert result.owners[0].as_json() == {
        "subject": "owner of Email & calendar",
        "kind": "changed",
        "old": "Priya Raman",
        "new": "Tom Becker",
        "area": "email",
        "role": "owner",
    }


def test_a_calendar_entry_added() -> None:
    entry = (
        "  - key: mailbox-size\n"
        "    title: Check your mailbox size\n"
        '    timing: {days: -3, at: "10:00"}\n'
        "    to: [wave_users]\n"
        "    summary: Large mailboxes take longer to copy; empty Deleted Items before the weekend.\n"
        "\n"
        "  - key: tomorrow\n"
    )
    old, new, users = edited("fabrikam", ("  - key: tomorrow\n", entry))
    # After the pilot's cutover: its copy would already be late.
    now = dt.datetime(2027, 1, 20, 9, 0, tzinfo=PACIFIC)
    result = diff(old, new, users, now=now)
    only(result, "calendar", "sends")
    assert lines(result.calendar) == ["calendar mailbox-size: added (Check your mailbox size, 3 days before at 10:00)"]
    assert lines(result.sends) == [
        "wave-0/mailbox-size: added (Wed 13 Jan 10:00 PST (its time has passed))",
        "wave-1/mailbox-size: added (Wed 27 Jan 10:00 PST)",
        "wave-2/mailbox-size: added (Wed 10 Feb 10:00 PST)",
        "wave-3/mailbox-size: added (Wed 24 Feb 10:00 PST)",
    ]
    assert result.sends[3].as_json() == {
        "subject": "wave-3/mailbox-size",
        "kind": "added",
        "old": None,
        "new": "Wed 24 Feb 10:00 PST",
        "id": "wave-3/mailbox-size",
        "wave": "wave-3",
        "old_at": None,
        "new_at": "2027-02-24T18:00:00+00:00",
    }


def test_a_faq_entry_changed() -> None:
    old, new, users = edited(
        "fabrikam",
        (
            "    answer: Mail may arrive up to 2 hours late during the cutover window. Nothing is lost.\n",
            "    answer: Mail may arrive up to 4 hours late during the cutover window. Nothing is lost.\n",
        ),
    )
    result = diff(old, new, users)
    only(result, "faq")
    change, *stale = result.faq
    # The Spanish and Polish answers still say 2 hours: named, so the lead updates them too.
    assert [str(c) for c in stale] == [
        f"faq email-down ({lang}): not updated with its answer: its readers would get the earlier words' translation"
        for lang in ("es", "pl")
    ]
    assert (change.subject, change.kind) == ("faq email-down answer", "changed")
    assert change.old == "Mail may arrive up to 2 hours late during the cutover window. Nothing is lost."
    assert change.new == "Mail may arrive up to 4 hours late during the cutover window. Nothing is lost."
    # Short lines: the long answer is cut in the text, whole in the JSON.
    assert str(change) == (
        "faq email-down answer: Mail may arrive up to 2 hours late during the cutover window. Nothing..."
        " -> Mail may arrive up to 4 hours late during the cutover window. Nothing..."
    )


def postponed() -> tuple[Plan, Plan, list[DirectoryUser]]:
    """The Fabrikam postponement: wave 3 to Sat 2027-03-06 07:00-16:00, hypercare until 2027-03-19."""
    return edited(
        "fabrikam",
        (
            '    cutover: {start: "2027-02-27 07:00", end: "2027-02-27 16:00"}\n    hypercare_until: 2027-03-12\n',
            '    cutover: {start: "2027-03-06 07:00", end: "2027-03-06 16:00"}\n    hypercare_until: 2027-03-19\n',
        ),
    )


def test_a_waves_times_changed_moves_its_pending_sends() -> None:
    old, new, users = postponed()
    # The day the lead postpones: every wave-3 send is still to come.
    result = diff(old, new, users, now=dt.datetime(2027, 2, 10, 8, 0, tzinfo=PACIFIC))
    only(result, "waves", "sends")
    assert lines(result.waves) == [
        "wave-3 cutover: Sat 27 Feb 2027 07:00-16:00 PST -> Sat 6 Mar 2027 07:00-16:00 PST (America/Los_Angeles)",
        "wave-3 hypercare until: Fri 12 Mar 2027 -> Fri 19 Mar 2027",
    ]
    assert lines(result.sends) == [
        "wave-3/what-changes: moves Sat 13 Feb 09:00 PST -> Sat 20 Feb 09:00 PST",
        "wave-3/one-week: moves Sat 20 Feb 09:00 PST -> Sat 27 Feb 09:00 PST",
        "wave-3/tomorrow: moves Fri 26 Feb 15:00 PST -> Fri 5 Mar 15:00 PST",
        "wave-3/cutover-start: moves Sat 27 Feb 07:00 PST -> Sat 6 Mar 07:00 PST",
        "wave-3/cutover-start@service-desk: moves Sat 27 Feb 07:00 PST -> Sat 6 Mar 07:00 PST",
        "wave-3/day-one: moves Mon 1 Mar 07:00 PST -> Mon 8 Mar 07:00 PST",
        # Daylight saving time starts on 14 March.
        "wave-3/hypercare-ends: moves Sat 13 Mar 09:00 PST -> Sat 20 Mar 09:00 PDT",
    ]
    assert result.sends[2].data == {
        "id": "wave-3/tomorrow",
        "wave": "wave-3",
        "old_at": "2027-02-26T23:00:00+00:00",
        "new_at": "2027-03-05T23:00:00+00:00",
    }


@pytest.mark.parametrize(
    ("now", "sent", "left_out"),
    [
        # Its time has passed (it has gone): left out, sent set or not.
        (dt.datetime(2027, 2, 14, 12, 0, tzinfo=PACIFIC), frozenset(), {"wave-3/what-changes"}),
        # Sent (a lead sent it ahead of time): left out although its time is to come.
        (
            dt.datetime(2027, 2, 10, 8, 0, tzinfo=PACIFIC),
            frozenset({"wave-3/one-week", "wave-3/cutover-start@service-desk"}),
            {"wave-3/one-week", "wave-3/cutover-start@service-desk"},
        ),
        (
            dt.datetime(2027, 2, 14, 12, 0, tzinfo=PACIFIC),
            frozenset({"wave-3/what-changes", "wave-3/one-week"}),
            {"wave-3/what-changes", "wave-3/one-week"},
        ),
    ],
)
def test_sent_and_past_sends_are_not_listed(now: dt.datetime, sent: frozenset[str], left_out: set[str]) -> None:
    old, new, users = postponed()
    every = [c.subject for c in diff(old, new, users, now=dt.datetime(2027, 2, 10, 8, 0, tzinfo=PACIFIC)).sends]
    listed = [c.subject for c in diff(old, new, users, now=now, sent=sent).sends]
    assert listed == [s for s in every if s not in left_out]
    assert all(c.kind == "moved" for c in diff(old, new, users, now=now, sent=sent).sends)


def test_a_calendar_entry_left_to_a_lead_moves_its_pending_sends_to_the_lead() -> None:
    old, new, users = edited(
        "fabrikam",
        (
            '  - key: one-week\n    title: One week to go\n    timing: {days: -7, at: "09:00"}\n',
            "  - key: one-week\n    title: One week to go\n    timing: {manual: true}\n",
        ),
    )
    # Wave 1's cutover is over, wave 2's one-week has gone: only wave 3's is pending.
    result = diff(old, new, users, now=dt.datetime(2027, 2, 8, 9, 0, tzinfo=PACIFIC))
    only(result, "calendar", "sends")
    assert lines(result.calendar) == ["calendar one-week timing: 7 days before at 09:00 -> sent by a lead"]
    assert lines(result.sends) == ["wave-3/one-week: moves Sat 20 Feb 09:00 PST -> to be sent by a lead"]


def test_a_wave_removed_cancels_its_pending_sends_and_its_people_leave() -> None:
    text = (EXAMPLES / "fabrikam" / "plan.yaml").read_text(encoding="utf-8")
    start = text.index("  - key: wave-3\n")
    end = text.index("# Site champions move")
    old, new, users = edited(
        "fabrikam",
        (text[start:end], ""),
        # The exceptions naming wave 3 change too (else the plan does not load).
        ("    from_wave: wave-3\n", ""),
        (
            "  - user: farah.ahmed@fabrikamhealth.com\n    kind: move\n    from_wave: wave-1\n    to_wave: wave-3\n",
            "  - user: farah.ahmed@fabrikamhealth.com\n    kind: move\n    from_wave: wave-1\n    to_wave: wave-2\n",
        ),
    )
    result = diff(old, new, users, now=dt.datetime(2027, 2, 10, 8, 0, tzinfo=PACIFIC))
    assert lines(result.waves) == ["wave-3: removed (was Wave 3 - Spokane & Portland, Sat 27 Feb 2027 07:00-16:00 PST)"]
    assert {c.kind for c in result.sends} == {"cancelled"}
    assert [c.subject for c in result.sends][:2] == ["wave-3/what-changes", "wave-3/one-week"]
    assert str(result.sends[0]) == "wave-3/what-changes: cancelled (was Sat 13 Feb 09:00 PST)"
    assert "wave-3/cutover-complete" in [c.subject for c in result.sends]  # sent by a lead: cancelled too
    moves = {(c.old, c.new) for c in result.people}
    assert moves == {("Wave 3", "no wave"), ("Wave 3", "Wave 2")}
    assert "farah.ahmed@fabrikamhealth.com: Wave 3 -> Wave 2" in lines(result.people)
    rendered = result.render()
    assert "... and " in rendered and "more: Wave 3 -> no wave" in rendered  # a long group is cut in the text
    assert len(result.as_json()["sections"]["people"]) == len(result.people)  # and whole in the JSON


def test_another_customer_a_wave_in_its_sites_zone_moves() -> None:
    # Wide World: the Monterrey wave's times are Monterrey's (from its sites), a week later.
    old, new, users = edited(
        "wideworld",
        (
            '    cutover: {start: "2027-04-24 06:00", end: "2027-04-24 14:00"}\n    hypercare_until: 2027-05-07\n',
            '    cutover: {start: "2027-05-01 06:00", end: "2027-05-01 14:00"}\n    hypercare_until: 2027-05-14\n',
        ),
        ("    memphis: [last wave, final wave]\n", "    memphis: [last wave, final wave]\n    monterrey: [MTY wave]\n"),
    )
    result = diff(old, new, users, now=dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    only(result, "waves", "sends", "aliases")
    assert lines(result.waves) == [
        "monterrey cutover: Sat 24 Apr 2027 06:00-14:00 CST -> Sat 1 May 2027 06:00-14:00 CST (America/Monterrey)",
        "monterrey hypercare until: Fri 7 May 2027 -> Fri 14 May 2027",
    ]
    assert lines(result.aliases) == ["waves monterrey: added (MTY wave)"]
    assert {c.data["wave"] for c in result.sends} == {"monterrey"}
    assert all(c.kind == "moved" for c in result.sends)
    first = result.sends[0]
    assert str(first) == "monterrey/announce: moves Sat 3 Apr 10:00 CST -> Sat 10 Apr 10:00 CST"
    assert first.data["new_at"] == "2027-04-10T16:00:00+00:00"
    assert result.people == ()


def test_organisation_service_desk_sites_digest_and_readiness() -> None:
    old, new, users = edited(
        "fabrikam",
        ("  short_name: Fabrikam\n", "  short_name: Fabrikam Health\n"),
        ('  phone: "+1 206 555 0100"\n', '  phone: "+1 206 555 0199"\n'),
        ("  members: [kevin.obrien, sara.novak]\n", "  members: [kevin.obrien]\n"),
        ('  at: "08:00"\n  days: [mon, tue, wed, thu, fri]\n', '  at: "07:30"\n  days: [mon, tue, wed, thu, fri]\n'),
        ("  device_compliance: false\n", "  device_compliance: true\n"),
        ("    Clinical Operations: [clinical ops]\n", "    Clinical Operations: [clinical ops, clinic ops]\n"),
    )
    result = diff(old, new, users)
    only(result, "organisation", "service_desk", "digest", "readiness", "aliases")
    assert lines(result.organisation) == ["short name: Fabrikam -> Fabrikam Health"]
    assert lines(result.service_desk) == [
        "members: Kevin O'Brien, Sara Novak -> Kevin O'Brien",
        "phone: +1 206 555 0100 -> +1 206 555 0199",
    ]
    assert lines(result.digest) == ["digest at: 08:00 -> 07:30"]
    assert lines(result.readiness) == ["device compliance: no -> yes"]
    assert lines(result.aliases) == ["departments Clinical Operations: clinical ops -> clinical ops, clinic ops"]
    rendered = result.render().splitlines()
    assert rendered[0] == "Organisation" and rendered[1] == "  short name: Fabrikam -> Fabrikam Health"
    assert "Service Desk" in rendered and "Readiness checks" in rendered


def test_a_translation_left_as_it_was_when_the_words_it_translates_change_is_named() -> None:
    # The lead moves the read-only time in English and in Spanish, but not in Polish.
    old, new, users = edited(
        "fabrikam",
        ('"H: and S: become read-only at 18:00 today."', '"H: and S: become read-only at 17:00 today."'),
        ("solo lectura hoy a las 18:00.", "solo lectura hoy a las 17:00."),
    )
    result = diff(old, new, users, now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    shown = lines(result.calendar)
    assert any(line.startswith("calendar tomorrow points:") for line in shown), shown
    assert any(line.startswith("calendar tomorrow points (es):") for line in shown), shown  # updated with it
    assert (
        "calendar tomorrow (pl): not updated with its points: its readers would get the earlier words' translation"
    ) in shown
    assert not any("(es): not updated" in line for line in shown)
    (stale,) = [c.as_json() for c in result.calendar if c.data.get("stale")]
    assert stale["language"] == "pl" and stale["fields"] == ["points"]
    # A change of what a translation does not give (the timing) names no translation.
    old, new, users = edited("fabrikam", ('timing: {days: -1, at: "15:00"}', 'timing: {days: -1, at: "14:00"}'))
    assert not any(c.data.get("stale") for c in diff(old, new, users).calendar)


def test_a_waves_name_and_its_translations_are_diffed_like_the_plans_other_words() -> None:
    # The lead renames wave 3 and its Spanish name, not its Polish one.
    old, new, users = edited(
        "fabrikam",
        ("    name: Spokane & Portland\n", "    name: Spokane, Portland & Bend\n"),
        ("es: {name: Spokane y Portland}", 'es: {name: "Spokane, Portland y Bend"}'),
    )
    shown = lines(diff(old, new, users, now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)).waves)
    assert "wave-3 title: Wave 3 - Spokane & Portland -> Wave 3 - Spokane, Portland & Bend" in shown, shown
    assert "wave-3 name (es): Spokane y Portland -> Spokane, Portland y Bend" in shown, shown
    assert "wave-3 (pl): not updated with its name: its readers would get the earlier words' translation" in shown
    assert not any("(es): not updated" in line for line in shown)
