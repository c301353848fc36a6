"""The blind sets (examples/NAME/blind*.yaml): questions written from the plan and roster alone, to one
brief, by writers who saw neither the engine nor any other set. Nobody tuning reads them; these tests
report totals per kind only, never a question, so a failure does not unblind them.

They carry the two promises the product makes to a customer it has never seen: a new customer's people
are understood as well as the demo customer's (within 3 points), and a Spanish reader as well as an
English one on the same plan (within 5 points)."""

from __future__ import annotations

import asyncio
from functools import cache

import pytest

from switchover.answers.cli import EXAMPLES, blind_files, customer_files, customers
from switchover.answers.evaluate import Report, evaluate, load_questions, roster_domain
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan

# Measured with `switchover answers eval --all --blind`: first answered on 2026-12-03 (0.69, 0.67, 0.74, 0.70),
# raised the same day once the best match shipped (its thresholds chosen on the tuning sets alone).
# Raise these when the engine improves; never lower them to make a change pass.
FLOORS = {("fabrikam", "en"): 0.77, ("fabrikam", "es"): 0.73, ("trey", "en"): 0.82, ("wideworld", "en"): 0.76}
REFERENCE = "fabrikam"  # the demo customer the engine grew up on
CUSTOMER_GAP = 0.03  # issue "any customer": within 3 points of the demo customer
LANGUAGE_GAP = 0.05  # issue "languages": within 5 points of English on the same plan


@cache
def _report(customer: str, lang: str) -> Report:
    plan_path, roster_path, questions_path = customer_files(customer)
    path = dict(blind_files(questions_path))[lang]
    roster = RosterDirectory.from_csv(roster_path)
    return asyncio.run(evaluate(load_plan(plan_path), roster, load_questions(path, domain=roster_domain(roster.users))))


def _totals(report: Report) -> str:
    return "\n".join(report.table(splits=(None,)))  # per kind only: no question text


def test_every_example_customer_has_a_blind_set_of_every_kind() -> None:
    for customer in customers():
        sets = dict(blind_files(EXAMPLES / customer / "questions.yaml"))
        assert "en" in sets, f"{customer} has no blind.yaml"
        for lang, path in sets.items():
            questions = load_questions(path, domain="example.invalid")
            kinds = {q.kind for q in questions}
            assert len(questions) >= 100 and kinds >= {"personal", "group", "faq", "out_of_scope"}, (customer, lang)


@pytest.mark.parametrize(("customer", "lang"), sorted(FLOORS))
def test_blind_accuracy_holds(customer: str, lang: str) -> None:
    report = _report(customer, lang)
    assert report.ratio() >= FLOORS[(customer, lang)], _totals(report)


@pytest.mark.parametrize("customer", sorted(c for c, lang in FLOORS if lang == "en" and c != REFERENCE))
def test_a_new_customer_is_understood_as_well_as_the_demo_customer(customer: str) -> None:
    theirs, reference = _report(customer, "en").ratio(), _report(REFERENCE, "en").ratio()
    assert theirs >= reference - CUSTOMER_GAP, f"{customer} {theirs:.3f} against {REFERENCE} {reference:.3f}"


@pytest.mark.parametrize(("customer", "lang"), sorted(k for k in FLOORS if k[1] != "en"))
def test_a_reader_of_another_language_is_understood_as_well_as_an_english_one(customer: str, lang: str) -> None:
    theirs, english = _report(customer, lang).ratio(), _report(customer, "en").ratio()
    assert theirs >= english - LANGUAGE_GAP, f"{customer} [{lang}] {theirs:.3f} against English {english:.3f}"
