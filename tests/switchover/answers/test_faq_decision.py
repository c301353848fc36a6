"""The FAQ decision model: what it may answer, and that its shipped weights are what the pooled data fits."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from switchover.answers.cli import customer_files, tuning_files
from switchover.answers.evaluate import (
    RULES_ONLY,
    _score,
    calibrate_decision,
    fit_decision,
    load_questions,
    rank_train,
    roster_domain,
)
from switchover.answers.faq import (
    DECISION_FEATURES,
    DECISION_WEIGHTS,
    FaqMatch,
    FaqThresholds,
    FaqVerdict,
    answer_chance,
    decide,
    decision_features,
)
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan
from switchover.plan.model import FaqEntry

CUSTOMERS = ("fabrikam", "trey", "wideworld")
# Weights that make the model sure of anything: only the rules' other conditions can stop an answer.
SURE = (50.0,) + (0.0,) * (len(DECISION_FEATURES) - 1)
NEVER = (-50.0,) + (0.0,) * (len(DECISION_FEATURES) - 1)


def _entry(key: str) -> FaqEntry:
    return FaqEntry(key=key, question=f"{key}?", answer=f"About {key}.")


def _match(key: str, score: float, coverage: float = 0.2, meaning: float = 0.3) -> FaqMatch:
    return FaqMatch(_entry(key), score, coverage, meaning, 4, 0.5, 0.5)


def test_features_are_one_per_weight_and_pad_short_rankings() -> None:
    assert len(DECISION_WEIGHTS) == len(DECISION_FEATURES)
    one = decision_features([_match("a", 0.4)])
    assert len(one) == len(DECISION_FEATURES)
    assert one[DECISION_FEATURES.index("lead")] == pytest.approx(0.4)  # no runner-up: it leads by its score
    assert 0.0 <= answer_chance([_match("a", 0.4), _match("b", 0.3)]) <= 1.0


def test_a_tie_is_never_an_answer_even_when_the_model_is_sure() -> None:
    # Below the rules' answer threshold, so only the model could answer.
    tied = [_match("a", 0.35), _match("b", 0.35), _match("c", 0.1)]
    assert decide(tied, FaqThresholds(), SURE).verdict is FaqVerdict.SUGGEST
    close = [_match("a", 0.35), _match("b", 0.32), _match("c", 0.1)]  # leads by less than model_lead
    assert decide(close, FaqThresholds(), SURE).verdict is FaqVerdict.SUGGEST
    clear = [_match("a", 0.35), _match("b", 0.2), _match("c", 0.1)]
    result = decide(clear, FaqThresholds(), SURE)
    assert result.verdict is FaqVerdict.ANSWER and result.best is not None and result.best.entry.key == "a"


def test_the_model_only_adds_answers_and_can_be_switched_off() -> None:
    clear = [_match("a", 0.35), _match("b", 0.2), _match("c", 0.1)]
    assert decide(clear, replace(FaqThresholds(), model=RULES_ONLY), SURE).verdict is FaqVerdict.SUGGEST
    assert decide(clear, FaqThresholds(), NEVER).verdict is FaqVerdict.SUGGEST
    # What the rules answer, the model does not take back.
    strong = [_match("a", 0.8, coverage=1.0, meaning=0.9), _match("b", 0.2)]
    assert decide(strong, FaqThresholds(), NEVER).verdict is FaqVerdict.ANSWER


def test_fit_learns_which_side_is_right() -> None:
    class Q:
        def __init__(self, kind: str, faq: str | None) -> None:
            self.kind, self.faq = kind, faq

    right = [(Q("faq", "a"), [_match("a", 0.3 + i / 100), _match("b", 0.1)]) for i in range(20)]
    oos = [(Q("out_of_scope", None), [_match("a", 0.3 + i / 100), _match("b", 0.29 + i / 100)]) for i in range(20)]
    weights = fit_decision([*right, *oos], regularisation=1.0)  # type: ignore[list-item]
    assert answer_chance(right[5][1], weights) > 0.8 > 0.2 > answer_chance(oos[5][1], weights)


@pytest.fixture(scope="module")
def pooled() -> dict[str, list]:
    """Every example customer's train questions and tuning sets, ranked (what --all --calibrate pools)."""

    async def rank() -> dict[str, list]:
        out: dict[str, list] = {}
        for customer in CUSTOMERS:
            plan_path, roster_path, questions_path = customer_files(customer)
            plan, roster = load_plan(plan_path), RosterDirectory.from_csv(roster_path)
            domain = roster_domain(roster.users)
            rows = await rank_train(plan, roster, load_questions(questions_path, domain=domain))
            for path in tuning_files(questions_path):
                rows += await rank_train(plan, roster, load_questions(path, domain=domain), every=True)
            out[customer] = rows
        return out

    return asyncio.run(rank())


def test_shipped_weights_and_chance_are_what_the_pooled_questions_fit(pooled: dict[str, list]) -> None:
    """Regenerate with ``switchover answers eval --all --calibrate`` when a set or the ranking changes."""
    model = calibrate_decision(pooled)
    assert model["weights"] == pytest.approx(DECISION_WEIGHTS, abs=1e-3)
    assert model["chance"] == FaqThresholds().model
    # On the pooled questions the model adds right answers and no confident wrong one.
    assert model["model"][0] > model["rules"][0] and model["model"][1] <= model["rules"][1]


def test_each_customer_left_out_gains_with_at_most_one_more_wrong_answer(pooled: dict[str, list]) -> None:
    """The model fitted and thresholded on the other customers, measured on the one left out."""
    for name, row in calibrate_decision(pooled)["left_out"].items():
        (model_right, model_wrong), (rules_right, rules_wrong) = row["model"], row["rules"]
        assert model_right > rules_right, name
        assert model_wrong <= rules_wrong + 1, name


def test_shipped_decision_on_the_pooled_questions(pooled: dict[str, list]) -> None:
    every = [row for rows in pooled.values() for row in rows]
    rules = _score(every, replace(FaqThresholds(), model=RULES_ONLY))
    shipped = _score(every, FaqThresholds())
    assert shipped[0] >= rules[0] + 20 and shipped[1] <= rules[1]
