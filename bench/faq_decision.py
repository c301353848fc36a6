# ruff: noqa: T201 - a benchmark prints its figures
"""What the FAQ decision model costs: ``decide()`` timed with and without it over every example
customer's ranked train questions (best of 5 passes).

Usage: python bench/faq_decision.py
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from switchover.answers.cli import customer_files
from switchover.answers.evaluate import RULES_ONLY, load_questions, rank_train, roster_domain
from switchover.answers.faq import FaqMatch, FaqThresholds, decide
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan

CUSTOMERS = ("fabrikam", "trey", "wideworld")


async def rankings() -> list[list[FaqMatch]]:
    out = []
    for customer in CUSTOMERS:
        plan_path, roster_path, questions_path = customer_files(customer)
        roster = RosterDirectory.from_csv(roster_path)
        questions = load_questions(questions_path, domain=roster_domain(roster.users))
        out += [r for _, r in await rank_train(load_plan(plan_path), roster, questions) if r]
    return out


def main() -> None:
    ranked = asyncio.run(rankings())
    for name, t in (("rules alone", replace(FaqThresholds(), model=RULES_ONLY)), ("with the model", FaqThresholds())):
        passes = []
        for _ in range(5):
            started = time.perf_counter()
            for ranking in ranked:
                decide(ranking, t)
            passes.append((time.perf_counter() - started) / len(ranked) * 1e6)
        print(f"decide, {name}: {min(passes):.1f} us a question (best of 5 passes over {len(ranked)} rankings)")


if __name__ == "__main__":
    main()
