"""Wave resolution: the Fabrikam waves as the scenario defines them, and the precedence rules."""

from __future__ import annotations

import csv
import dataclasses
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.directory.base import DirectoryUser
from switchover.directory.roster import RosterDirectory
from switchover.membership import (
    AssignmentReason,
    members_by_wave,
    resolve_wave,
    rule_wave,
    wave_for_upn,
    wave_members,
)
from switchover.plan.loader import parse_plan
from switchover.plan.model import Plan
from tests.switchover.plan.conftest import EXAMPLE, MINIMAL

CHAMPIONS = ["grace.okafor", "hiro.tanaka", "elena.morales", "nadia.hassan", "lucia.santos"]


def _roster_rows() -> list[dict[str, str]]:
    with (EXAMPLE / "roster.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_fabrikam_counts_per_wave(fabrikam_plan: Plan, fabrikam_users: list[DirectoryUser]) -> None:
    # The scenario's rules applied by hand to roster.csv (enabled members only):
    #   Wave 0: Information Technology 9 + 5 champions                                  = 14
    #   Wave 1: Executive 6 + Finance 18 + HR 10 + Marketing 9 (3 more are disabled)
    #           + Revenue Cycle 19 at HQ + 1 remote (Boise) = 63; minus champion
    #           nadia.hassan (Finance) and farah.ahmed (moved to Wave 3)               = 61
    #   Wave 2: HQ Clinical Operations 40 + Tacoma 38 + 9 = 87; minus champion
    #           grace.okafor (Tacoma); plus omar.reyes (moved from Wave 3)              = 87
    #   Wave 3: Spokane 32 + 6 + Portland 34 + 7 = 79; minus champions hiro.tanaka,
    #           elena.morales, lucia.santos; minus omar.reyes; plus farah.ahmed        = 76
    counts = {key: len(users) for key, users in members_by_wave(fabrikam_plan, fabrikam_users).items()}
    assert counts == {"wave-0": 14, "wave-1": 61, "wave-2": 87, "wave-3": 76}


def test_fabrikam_counts_match_an_independent_reading_of_the_csv(fabrikam_plan: Plan, fabrikam_users) -> None:  # type: ignore[no-untyped-def]
    # The same rules written directly over the CSV rows, so a change to the roster is caught on both sides.
    wave1_departments = {"Executive", "Finance", "Human Resources", "Marketing", "Revenue Cycle"}
    champions = {f"{c}@fabrikamhealth.com" for c in CHAMPIONS}
    moved = {"farah.ahmed@fabrikamhealth.com": "wave-3", "omar.reyes@fabrikamhealth.com": "wave-2"}
    expected: Counter[str] = Counter()
    for row in _roster_rows():
        upn = row["userPrincipalName"]
        if upn in champions:
            expected["wave-0"] += 1
        elif upn in moved:
            expected[moved[upn]] += 1
        elif row["accountEnabled"] != "True" or row["userType"] != "Member":
            continue
        elif row["department"] == "Information Technology":
            expected["wave-0"] += 1
        elif row["department"] in wave1_departments:
            expected["wave-1"] += 1
        elif row["officeLocation"] == "Tacoma Clinic" or (
            row["officeLocation"] == "Seattle HQ" and row["department"] == "Clinical Operations"
        ):
            expected["wave-2"] += 1
        elif row["officeLocation"] in ("Spokane Clinic", "Portland Clinic"):
            expected["wave-3"] += 1
    counts = {key: len(users) for key, users in members_by_wave(fabrikam_plan, fabrikam_users).items()}
    assert counts == dict(expected)


def test_every_enabled_member_is_in_exactly_one_wave(fabrikam_plan: Plan, fabrikam_users) -> None:  # type: ignore[no-untyped-def]
    members = members_by_wave(fabrikam_plan, fabrikam_users)
    placed = [u.upn for users in members.values() for u in users]
    assert len(placed) == len(set(placed))
    enabled_members = {u.upn for u in fabrikam_users if u.enabled and not u.is_guest}
    assert set(placed) == enabled_members
    assert len(enabled_members) == 238


@pytest.mark.parametrize("name", CHAMPIONS)
def test_champions_are_in_the_pilot(fabrikam_plan: Plan, fabrikam_users, name: str) -> None:  # type: ignore[no-untyped-def]
    assignment = wave_for_upn(fabrikam_plan, fabrikam_users, f"{name}@fabrikamhealth.com")
    assert assignment is not None
    assert assignment.wave_key == "wave-0"
    assert assignment.reason is AssignmentReason.CHAMPION
    assert assignment.champion is not None and assignment.champion.site


def test_farah_ahmed_moves_to_wave_3(fabrikam_plan: Plan, fabrikam_users) -> None:  # type: ignore[no-untyped-def]
    a = wave_for_upn(fabrikam_plan, fabrikam_users, "Farah.Ahmed@FabrikamHealth.com")
    assert a is not None
    assert (a.wave_key, a.reason, a.from_wave) == ("wave-3", AssignmentReason.MOVED, "wave-1")
    assert a.exception is not None and "2027-02-19" in a.exception.reason
    assert "moved from wave-1 to wave-3" in a.explain()


def test_omar_reyes_moves_to_wave_2(fabrikam_plan: Plan, fabrikam_users) -> None:  # type: ignore[no-untyped-def]
    a = wave_for_upn(fabrikam_plan, fabrikam_users, "omar.reyes@fabrikamhealth.com")
    assert a is not None
    assert (a.wave_key, a.reason, a.from_wave) == ("wave-2", AssignmentReason.MOVED, "wave-3")
    user = next(u for u in fabrikam_users if u.upn == "omar.reyes@fabrikamhealth.com")
    assert rule_wave(fabrikam_plan, user).key == "wave-3"  # type: ignore[union-attr]


def test_wesley_grant_remote_in_boise_is_wave_1(fabrikam_plan: Plan, fabrikam_users) -> None:  # type: ignore[no-untyped-def]
    a = wave_for_upn(fabrikam_plan, fabrikam_users, "wesley.grant@fabrikamhealth.com")
    assert a is not None
    assert (a.wave_key, a.reason) == ("wave-1", AssignmentReason.RULE)
    assert a.rule is not None and "Revenue Cycle" in a.rule.departments


def test_disabled_and_guest_accounts_are_in_no_wave(fabrikam_plan: Plan, fabrikam_users) -> None:  # type: ignore[no-untyped-def]
    reasons = Counter(resolve_wave(fabrikam_plan, u).reason for u in fabrikam_users)
    assert reasons[AssignmentReason.DISABLED] == 3
    assert reasons[AssignmentReason.GUEST] == 3
    assert reasons[AssignmentReason.NO_RULE] == 0
    for u in fabrikam_users:
        if not u.enabled or u.is_guest:
            assert resolve_wave(fabrikam_plan, u).wave is None, u.upn
    assert wave_for_upn(fabrikam_plan, fabrikam_users, "dana.whitfield@northwindmsp.com").reason is (  # type: ignore[union-attr]
        AssignmentReason.GUEST
    )


def test_unknown_upn(fabrikam_plan: Plan, fabrikam_users) -> None:  # type: ignore[no-untyped-def]
    assert wave_for_upn(fabrikam_plan, fabrikam_users, "nobody@fabrikamhealth.com") is None


# -- precedence on a small plan ------------------------------------------------------------------


def user(upn: str, **kw) -> DirectoryUser:  # type: ignore[no-untyped-def]
    return DirectoryUser(id=upn, upn=upn, display_name=upn, **kw)


def small_plan(extra: str = "", **replace: str) -> Plan:
    text = MINIMAL
    for old, new in replace.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    return parse_plan(text + extra)


def test_rules_match_case_insensitively() -> None:
    plan = small_plan()
    assert resolve_wave(plan, user("a@c.com", department="  FINANCE ")).wave_key == "wave-1"
    assert resolve_wave(plan, user("b@c.com", office="branch")).wave_key == "wave-2"
    assert resolve_wave(plan, user("c@c.com", department="Sales")).reason is AssignmentReason.NO_RULE


def test_all_fields_of_a_rule_must_match() -> None:
    plan = small_plan(**{"      - offices: [Branch]": "      - offices: [Branch]\n        cities: [Tacoma]"})
    assert resolve_wave(plan, user("a@c.com", office="Branch", city="tacoma")).wave_key == "wave-2"
    assert resolve_wave(plan, user("b@c.com", office="Branch", city="Spokane")).wave is None


def test_groups_match_by_id_or_name() -> None:
    plan = small_plan(**{"      - offices: [Branch]": "      - groups: [Pilot Users, 1b2c-ID]"})
    assert resolve_wave(plan, user("a@c.com", groups=frozenset({"pilot users"}))).wave_key == "wave-2"
    assert resolve_wave(plan, user("b@c.com", groups=frozenset({"1B2C-id", "other"}))).wave_key == "wave-2"
    assert resolve_wave(plan, user("c@c.com", groups=frozenset({"other"}))).wave is None


def test_first_wave_wins_when_rules_overlap() -> None:
    plan = small_plan(**{"      - offices: [Branch]": "      - departments: [Finance]"})
    assert resolve_wave(plan, user("a@c.com", department="Finance")).wave_key == "wave-1"


def test_named_people_override_account_state() -> None:
    plan = small_plan(
        "champions:\n  - {user: champ@c.com, wave: wave-2}\n"
        "exceptions:\n  - {user: guest@c.com, kind: move, to_wave: wave-1}\n"
        "  - {user: out@c.com, kind: exclude, reason: contractor leaving}\n",
        **{"    name: Second\n": "    name: Second\n    users: [Disabled@C.com]\n"},
    )
    disabled = resolve_wave(plan, user("disabled@c.com", enabled=False))
    assert (disabled.wave_key, disabled.reason) == ("wave-2", AssignmentReason.EXPLICIT)
    guest = resolve_wave(plan, user("guest@c.com", user_type="Guest", department="Finance"))
    assert (guest.wave_key, guest.reason, guest.from_wave) == ("wave-1", AssignmentReason.MOVED, "wave-1")
    champ = resolve_wave(plan, user("champ@c.com", department="Finance", enabled=False))
    assert (champ.wave_key, champ.reason) == ("wave-2", AssignmentReason.CHAMPION)
    out = resolve_wave(plan, user("out@c.com", department="Finance"))
    assert (out.wave, out.reason) == (None, AssignmentReason.EXCLUDED)
    assert not out and out.explain() == "excluded from the migration waves"
    plain_disabled = resolve_wave(plan, user("x@c.com", department="Finance", enabled=False))
    assert plain_disabled.reason is AssignmentReason.DISABLED


def test_exception_matches_by_mail_too() -> None:
    plan = small_plan("exceptions:\n  - {user: ann@c.com, kind: move, to_wave: wave-2}\n")
    a = resolve_wave(plan, user("ann_ext#EXT#@c.onmicrosoft.com", mail="Ann@c.com", department="Finance"))
    assert (a.wave_key, a.from_wave) == ("wave-2", "wave-1")


def test_members_by_wave_lists_empty_waves() -> None:
    plan = small_plan()
    assert members_by_wave(plan, [user("a@c.com", department="Finance")]) == {
        "wave-1": [user("a@c.com", department="Finance")],
        "wave-2": [],
    }


def test_resolution_is_fast(fabrikam_plan: Plan) -> None:
    # 20,000 synthetic users through the Fabrikam rules; the folded sets are built once per plan.
    offices = ["Seattle HQ", "Tacoma Clinic", "Spokane Clinic", "Portland Clinic", "Remote - Boise"]
    departments = ["Clinical Operations", "Finance", "Front Desk", "Information Technology", "Marketing"]
    users = [
        user(f"u{i}@fabrikamhealth.com", office=offices[i % 5], department=departments[(i // 5) % 5])
        for i in range(20_000)
    ]
    start = time.perf_counter()
    members = members_by_wave(fabrikam_plan, users)
    elapsed = time.perf_counter() - start
    # 25 office/department pairs of 800 users; no rule for Front Desk at HQ or Boise, nor Clinical Operations in Boise.
    assert sum(len(v) for v in members.values()) == 20_000 - 3 * 800
    assert elapsed < 2.0, elapsed


def test_roster_directory_feeds_resolution(fabrikam_plan: Plan, fabrikam_roster: RosterDirectory) -> None:
    grace = fabrikam_roster.lookup("GRACE.OKAFOR@fabrikamhealth.com")
    assert grace is not None
    assert resolve_wave(fabrikam_plan, grace).wave_key == "wave-0"


async def test_wave_members_from_a_directory(fabrikam_plan: Plan, fabrikam_roster: RosterDirectory) -> None:
    members = await wave_members(fabrikam_plan, fabrikam_roster, "wave-3")
    assert len(members) == 76
    assert "farah.ahmed@fabrikamhealth.com" in {u.upn for u in members}
    with pytest.raises(KeyError):
        await wave_members(fabrikam_plan, fabrikam_roster, "wave-9")


def _recase(text: str | None, flips: list[bool]) -> str | None:
    if text is None:
        return None
    out = "".join(c.swapcase() if flips[i % len(flips)] else c for i, c in enumerate(text))
    return f" {out} " if flips[0] else out


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, 243), flips=st.lists(st.booleans(), min_size=1, max_size=8))
def test_case_and_spacing_never_change_the_wave(
    fabrikam_plan: Plan, fabrikam_users: list[DirectoryUser], index: int, flips: list[bool]
) -> None:
    original = fabrikam_users[index]
    changed = dataclasses.replace(
        original,
        upn=(_recase(original.upn, flips) or "").strip(),
        mail=_recase(original.mail, flips),
        department=_recase(original.department, flips),
        office=_recase(original.office, flips),
        city=_recase(original.city, flips),
    )
    assert resolve_wave(fabrikam_plan, changed).wave_key == resolve_wave(fabrikam_plan, original).wave_key
