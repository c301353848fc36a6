"""The labelled question set: accuracy must not drop below what the engine reaches today."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from switchover.answers.cli import customer_files
from switchover.answers.evaluate import (
    RULES_ONLY,
    QuestionsError,
    Report,
    calibrate_rankings,
    evaluate,
    load_questions,
    rank_train,
    roster_domain,
    summary,
)
from switchover.answers.faq import FaqThresholds
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan
from switchover.plan.model import Plan

from .conftest import QUESTIONS

# Reached on 2026-12-02 (see docs/answers.md): 269/271 overall, 78/78 held-out (with the FAQ decision model).
# Raise these when the engine improves; never lower them to make a change pass.
# Lowered once, on 2026-12-03, for a measurement fault rather than a change: eight of the plan's FAQ
# alternates were held-out questions word for word, so those questions were recited, not understood.
# Without them (test_question_sets.py now forbids it): 266/271 overall, 76/78 held-out.
# Lowered on 2026-12-03 for the best match (docs/answers.md, "Best match"), a trade chosen on the tuning sets
# alone: the demo's out-of-scope questions that share the FAQ's words now get their nearest entry as a
# stated guess, 34/35 -> 32/35 (one of the three misses held-out), while its FAQ questions went 94/98 -> 95/98;
# overall 266/271 -> 265/271, held-out 76/78 unchanged. The other customers gained (OTHER_FLOORS).
FLOORS = {"overall": 0.97, "held-out": 0.97, "personal": 0.98, "group": 0.98, "faq": 0.93, "out_of_scope": 0.91}
# The other example customers, whose questions no threshold was tuned on alone (overall, held-out).
# On 2026-12-02 each gained 70 questions written without seeing the engine's answers (the earlier
# sets had been read while tuning); on the enlarged sets: Trey 198/236 and 60/80, Wide World
# 226/265 and 64/76 (on the earlier sets: Trey 153/166 and 47/57, Wide World 180/195 and 54/59).
# With the FAQ decision model (docs/answers.md), regularised as leaving each customer out chooses:
# Trey 208/236 and 64/80, Wide World 231/265 and 65/76. (A weaker regularisation read 66/80 on Trey's
# held-out but added two confident wrong answers on Wide World left out; the held-out figure did not
# choose.)
# With the best match (2026-12-03): Trey 218/236 and 69/80, Wide World 237/265 and 65/76.
OTHER_FLOORS = {"trey": (0.92, 0.86), "wideworld": (0.89, 0.85)}


@pytest.fixture(scope="module")
def report(fabrikam_plan: Plan, fabrikam_roster: RosterDirectory) -> Report:
    # Evaluated once for the module (a few hundred answers); a plain loop keeps the fixture module-scoped.
    return asyncio.run(evaluate(fabrikam_plan, fabrikam_roster, load_questions(QUESTIONS)))


def test_the_set_is_big_and_varied() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 200
    kinds = Counter(q.kind for q in questions)
    assert all(kinds[k] >= 30 for k in ("personal", "group", "faq", "out_of_scope")), kinds
    assert len({q.asker for q in questions}) >= 30
    splits = Counter(q.split for q in questions)
    assert splits["held-out"] >= 50 and splits["train"] >= 150


def test_overall_accuracy(report: Report) -> None:
    assert report.ratio() >= FLOORS["overall"], report.format(show_wrong=True)
    assert report.ratio(split="held-out") >= FLOORS["held-out"], report.format(show_wrong=True)


@pytest.mark.parametrize("kind", ["personal", "group", "faq", "out_of_scope"])
def test_accuracy_per_kind(report: Report, kind: str) -> None:
    assert report.ratio(kind) >= FLOORS[kind], report.format(show_wrong=True)


@pytest.mark.parametrize("customer", sorted(OTHER_FLOORS))
def test_other_customers_accuracy(customer: str) -> None:
    plan_path, roster_path, questions_path = customer_files(customer)
    roster = RosterDirectory.from_csv(roster_path)
    questions = load_questions(questions_path, domain=roster_domain(roster.users))
    other = asyncio.run(evaluate(load_plan(plan_path), roster, questions))
    overall, held_out = OTHER_FLOORS[customer]
    assert other.ratio() >= overall, other.format(show_wrong=True)
    assert other.ratio(split="held-out") >= held_out, other.format(show_wrong=True)


@pytest.mark.xfail(
    strict=True,
    reason="On the enlarged train sets (2026-12-02) pooled calibration chooses answer 0.38, coverage 0.2, "
    "meaning 0.6 with 3 confident wrong answers (one: a wifi-password question answered with the "
    "new-password entry); not adopted until those are fixed (docs/answers.md). Strict: passes again "
    "once shipped and calibrated thresholds agree with at most one wrong answer.",
)
def test_shipped_faq_thresholds_are_what_every_customers_train_questions_choose() -> None:
    """Calibrated on all example customers' train questions together, never on one customer alone."""

    async def ranked() -> list:
        rows = []
        for customer in ("fabrikam", *sorted(OTHER_FLOORS)):
            plan_path, roster_path, questions_path = customer_files(customer)
            roster = RosterDirectory.from_csv(roster_path)
            questions = load_questions(questions_path, domain=roster_domain(roster.users))
            rows += await rank_train(load_plan(plan_path), roster, questions)
        return rows

    best = calibrate_rankings(asyncio.run(ranked()))
    # The grid calibrates the rules alone (the decision model has its own test, test_faq_decision.py).
    assert best["thresholds"] == replace(FaqThresholds(), model=RULES_ONLY)
    assert best["wrong"] <= 1  # confident wrong answers on the train questions of all three


def test_out_of_scope_never_gets_a_personal_or_group_answer(report: Report) -> None:
    wrong = [o for o in report.outcomes if o.question.kind == "out_of_scope" and not o.ok]
    # Only ever an FAQ entry: answered, or offered as a best match.
    assert all(o.got.startswith(("faq:", "best_match:")) for o in wrong), [(o.question.text, o.got) for o in wrong]


def test_answers_are_fast(report: Report) -> None:
    # In-process answering is well under a millisecond typically; 50 ms at p99 leaves room for a slow CI box.
    times = sorted(o.seconds for o in report.outcomes)
    assert times[int(len(times) * 0.99) - 1] < 0.05


def test_short_askers_take_the_sets_domain_or_the_callers(tmp_path: Path, fabrikam_roster: RosterDirectory) -> None:
    assert roster_domain(fabrikam_roster.users) == "fabrikamhealth.com"  # guests' #EXT# UPNs do not count
    path = tmp_path / "questions.yaml"
    path.write_text(
        'defaults: {now: "2027-01-11T09:00:00-08:00", expect: no_wave}\n'
        "questions:\n"
        "  - {q: a, as: ana.silva@fabrikamhealth.com}\n"
        "  - {q: b, as: mei.lin, domain: example.org}\n"
        "  - {q: c, as: unknown}\n"
        "  - {q: d, as: kai.ito}\n",
        encoding="utf-8",
    )
    askers = [q.asker for q in load_questions(path, domain="wideworldimporters.com")]
    assert askers == [
        "ana.silva@fabrikamhealth.com",
        "mei.lin@example.org",
        "nobody.known@example.invalid",
        "kai.ito@wideworldimporters.com",
    ]
    with pytest.raises(QuestionsError, match=r"question 4 \('d'\) is asked by 'kai.ito' without a domain"):
        load_questions(path)
    # The demo's set names its own domain, so it reads without one.
    assert all("@" in (q.asker or "") for q in load_questions(QUESTIONS))


def test_table_has_every_expect_under_its_kind(report: Report) -> None:
    lines = report.table()
    labels = [line[:18].rstrip() for line in lines[1:]]
    assert labels == [
        "personal",
        "  personal",
        "  no_wave",
        "  unknown_person",
        "group",
        "  group",
        "  whats_on",
        "faq",
        "out_of_scope",
        "overall",
    ]
    expects = sum(report.accuracy(expect=e)[1] for e in ("personal", "no_wave", "unknown_person"))
    assert expects == report.accuracy("personal")[1]
    assert (
        summary({"demo": report}).splitlines()[1].split()[1:] == summary({"demo": report}).splitlines()[2].split()[1:]
    )
