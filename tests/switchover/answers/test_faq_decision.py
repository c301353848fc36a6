"""The FAQ decision model: what it may answer, and that its shipped weights are what the pooled data fits."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace

import pytest

from switchover.answers.cli import customer_files, tuning_files
from switchover.answers.evaluate import (
    NO_BEST_MATCH,
    RULES_ONLY,
    WRONG_ANSWER_COST,
    _score,
    calibrate_best_match,
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
    # Off for answers, the model still offers its sure entry as a best match; off for both, the rules alone.
    assert decide(clear, replace(FaqThresholds(), model=RULES_ONLY), SURE).verdict is FaqVerdict.BEST_MATCH
    off = replace(FaqThresholds(), model=RULES_ONLY, best_match=NO_BEST_MATCH)
    assert decide(clear, off, SURE).verdict is FaqVerdict.SUGGEST
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
def ranked() -> dict[str, tuple[list, list]]:
    """Every example customer's train questions and tuning sets, each ranked once: (train, tuning)."""

    async def rank() -> dict[str, tuple[list, list]]:
        out: dict[str, tuple[list, list]] = {}
        for customer in CUSTOMERS:
            plan_path, roster_path, questions_path = customer_files(customer)
            plan, roster = load_plan(plan_path), RosterDirectory.from_csv(roster_path)
            domain = roster_domain(roster.users)
            train = await rank_train(plan, roster, load_questions(questions_path, domain=domain))
            tuned: list = []
            for path in tuning_files(questions_path):
                tuned += await rank_train(plan, roster, load_questions(path, domain=domain), every=True)
            out[customer] = (train, tuned)
        return out

    return asyncio.run(rank())


@pytest.fixture(scope="module")
def pooled(ranked: dict[str, tuple[list, list]]) -> dict[str, list]:
    """Train questions and tuning sets together, per customer (what --all --calibrate pools)."""
    return {customer: [*train, *tuned] for customer, (train, tuned) in ranked.items()}


@pytest.fixture(scope="module")
def tuning(ranked: dict[str, tuple[list, list]]) -> dict[str, list]:
    """The tuning sets alone, per customer (what --all --calibrate chooses the best match on)."""
    return {customer: tuned for customer, (_, tuned) in ranked.items()}


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
    # The model's confident answers against the rules alone; best matches, stated as guesses, are chosen on
    # the tuning sets apart (test_best_match_on_the_tuning_sets_alone below).
    every = [row for rows in pooled.values() for row in rows]
    answers = replace(FaqThresholds(), best_match=NO_BEST_MATCH)
    rules = _score(every, replace(answers, model=RULES_ONLY))
    shipped = _score(every, answers)
    assert shipped[0] >= rules[0] + 20 and shipped[1] <= rules[1]


# -- best match: the top entry offered as a guess when the model finds it likely but not sure --------------


def _ranking_at(lead: float) -> list[FaqMatch]:
    """A ranking whose top entry leads the runner-up by ``lead`` (and knows too little for the rules)."""
    return [_match("a", 0.3 + lead, coverage=0.2), _match("b", 0.3), _match("c", 0.29)]


def _weights_for(chance: float) -> tuple[float, ...]:
    """Weights under which any ranking's chance is ``chance`` (the bias alone)."""
    return (math.log(chance / (1 - chance)),) + (0.0,) * (len(DECISION_FEATURES) - 1)


@pytest.mark.parametrize(
    ("chance", "lead", "verdict"),
    [
        (0.85, 0.2, FaqVerdict.BEST_MATCH),  # likely, just under the answer threshold (0.86): a guess
        (0.87, 0.2, FaqVerdict.ANSWER),  # at the answer threshold and ahead: a confident answer
        (0.53, 0.06, FaqVerdict.BEST_MATCH),  # just over the best-match threshold (0.52) and lead (0.05)
        (0.51, 0.2, FaqVerdict.SUGGEST),  # under the best-match threshold: suggestions
        (0.85, 0.04, FaqVerdict.SUGGEST),  # likely but not clearly ahead of the next entry
        (0.85, 0.0, FaqVerdict.SUGGEST),  # a tie is never a best match
    ],
)
def test_best_match_boundaries(chance: float, lead: float, verdict: FaqVerdict) -> None:
    t = FaqThresholds()
    assert (t.best_match, t.best_match_lead, t.model) == (0.52, 0.05, 0.86)  # what the rows above are about
    result = decide(_ranking_at(lead), t, _weights_for(chance))
    assert result.verdict is verdict, (chance, lead, result)
    if verdict is FaqVerdict.BEST_MATCH:
        # The entry first, then the others close enough to suggest (offered after "No, something else").
        assert [m.entry.key for m in result.matches] == ["a", "b", "c"]


def test_best_match_is_the_top_entry_even_below_the_suggestion_score_and_can_be_switched_off() -> None:
    low = [_match("a", 0.2), _match("b", 0.1)]  # under the suggestion threshold (0.28): nothing to suggest
    likely = _weights_for(0.7)
    result = decide(low, FaqThresholds(), likely)
    assert result.verdict is FaqVerdict.BEST_MATCH and [m.entry.key for m in result.matches] == ["a"]
    assert decide(low, replace(FaqThresholds(), best_match=NO_BEST_MATCH), likely).verdict is FaqVerdict.NOTHING
    assert decide(low, FaqThresholds(), NEVER).verdict is FaqVerdict.NOTHING


def test_best_match_on_the_tuning_sets_alone(tuning: dict[str, list]) -> None:
    """The shipped best-match threshold and lead are what the tuning sets choose, and each customer left out
    gains with them chosen on the others (as many stated wrong answers cost, WRONG_ANSWER_COST each)."""
    chosen = calibrate_best_match(tuning)
    pooled = chosen["pooled"]
    assert (pooled["best_match"], pooled["lead"]) == (FaqThresholds().best_match, FaqThresholds().best_match_lead)
    cost = WRONG_ANSWER_COST - 1
    assert pooled["right"] - cost * pooled["wrong"] > pooled["without"][0] - cost * pooled["without"][1]
    for name, row in chosen["left_out"].items():
        (right, wrong), (before, before_wrong) = row["chosen"], row["without"]
        # More right, and fewer new stated wrong answers than new right ones.
        assert right > before and wrong - before_wrong < right - before, name
