"""Triage against a hand-labelled set of realistic reports, plus properties that must always hold."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.plan.model import Impact, Priority, Urgency
from switchover.problems.triage import PROBLEM_THRESHOLD, looks_like_problem, normalise, triage
from tests.switchover.problems.plan_fixture import fabrikam_plan

LABELLED = Path(__file__).resolve().parents[3] / "examples" / "fabrikam" / "labelled_reports.txt"


def labelled() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            area, impact, urgency, text = (part.strip() for part in line.split("|", 3))
            rows.append((area, impact, urgency, text))
    return rows


def accuracy_by_area(plan) -> dict[str, tuple[int, int]]:
    hits: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for area, _, _, text in labelled():
        total[area] += 1
        hits[area] += triage(plan, text).area == area
    return {a: (hits[a], total[a]) for a in total}


def test_the_labelled_set_is_large_and_covers_every_area(plan):
    rows = labelled()
    assert len(rows) >= 100
    assert {r[0] for r in rows} == {a.key for a in plan.areas}
    assert all(n >= 15 for n in collections.Counter(r[0] for r in rows).values())


def test_area_accuracy_per_area(plan):
    per_area = accuracy_by_area(plan)
    overall = sum(h for h, _ in per_area.values()) / sum(n for _, n in per_area.values())
    assert overall >= 0.9, per_area
    for area, (hits, n) in per_area.items():
        assert hits / n >= 0.8, (area, hits, n)


def test_impact_and_urgency_accuracy(plan):
    rows = labelled()
    impact = sum(triage(plan, t).impact.value == Impact(i) for _, i, _, t in rows) / len(rows)
    urgency = sum(triage(plan, t).urgency.value == Urgency(u) for _, _, u, t in rows) / len(rows)
    assert impact >= 0.85
    assert urgency >= 0.7


def test_unclear_text_goes_to_the_catch_all_owner(plan):
    for text in ("hello", "it is broken", "help!!", ""):
        assert triage(plan, text).area == plan.catch_all_area.key


def test_a_typo_still_finds_the_area(plan):
    assert triage(plan, "Outlok crashes when I open it").area == "email"
    assert triage(plan, "my onedrve is not syncing").area == "files"


def test_priority_comes_from_the_plan_matrix(plan):
    whole_site = triage(plan, "the whole Tacoma clinic cannot print anything")
    assert (whole_site.impact.value, whole_site.urgency.value) == (Impact.SITE, Urgency.CANT_WORK)
    assert whole_site.priority(plan) is Priority.P1
    question = triage(plan, "how do I add the printer in operatory 2?")
    assert question.priority(plan) is Priority.P4


def test_impact_is_unsure_when_the_text_does_not_say(plan):
    t = triage(plan, "Outlook won't open")
    assert t.impact == type(t.impact)(Impact.ME, False)
    assert t.urgency.sure


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("my H drive files are missing", True),
        ("the printer at the front desk won't print", True),
        ("I'm locked out of my account", True),
        ("when is my move?", False),
        ("what is MFA?", False),
        ("will I lose any email?", False),
    ],
)
def test_looks_like_problem(plan, text, problem):
    assert (looks_like_problem(plan, text) >= PROBLEM_THRESHOLD) is problem


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_plan_area_and_sane_numbers(text):
    plan = fabrikam_plan()
    t = triage(plan, text)
    assert t.area in {a.key for a in plan.areas}
    assert 0.0 <= t.confidence <= 1.0
    assert 0.0 <= looks_like_problem(plan, text) <= 1.0
    assert all(w == w.casefold() for w in normalise(text))


def test_accents_do_not_split_words():
    """ "Kraków" typed with or without its accent is one word, as plan keywords are written either way."""
    assert normalise("Drucker in Kraków, księgowość, Straße") == normalise("drucker in krakow, ksiegowosc, strasse")
    assert "krakow" in normalise("KRAKÓW")


def test_a_plural_meets_its_singular():
    """A plural of a word ending in "e" ("licences") is the plan's keyword ("licence"), and "switches" is "switch"."""
    assert normalise("licences invoices messages") == normalise("licence invoice message")
    assert normalise("switches passes") == normalise("switch pass")
    assert normalise("printers printing printed") == normalise("printer print print")


def test_a_doubled_letter_before_ed_or_ing_meets_the_word():
    """ "stopped", "logging", "planned" are "stop", "log", "plan"; "called" and "passed" keep theirs."""
    assert normalise("stopped getting planned swapped") == normalise("stop get plan swap")
    assert normalise("called passed stuffed") == normalise("call pass stuff")


def test_a_word_ending_in_ss_us_or_is_is_no_plural():
    assert normalise("access address status") == normalise("accesses addresses statuses")
    assert normalise("access") == ["access"]


@pytest.mark.parametrize(
    "text", ["signing in", "signed in", "sign-in", "log in", "logging in", "logged on", "logon", "Sign In"]
)
def test_every_way_of_saying_sign_in_is_one_word(text):
    assert normalise(f"error when {text} this morning") == ["error", "when", "signin", "this", "morn"]


def test_accuracy_holds_with_the_shipped_fabrikam_plan():
    from switchover.plan.loader import load_plan

    shipped = load_plan(LABELLED.with_name("plan.yaml"))
    prefixes = {"email": "Email", "files": "Files", "teams": "Teams", "signin": "Sign-in", "devices": "Devices"}
    prefixes |= {"printing": "Printing", "other": "Anything"}
    key = {label: next(a.key for a in shipped.areas if a.name.startswith(p)) for label, p in prefixes.items()}
    rows = labelled()
    hits = sum(triage(shipped, text).area == key[area] for area, _, _, text in rows)
    assert hits / len(rows) >= 0.9
