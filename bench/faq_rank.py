"""How well the FAQ ranking finds the right entry, per example customer: recall, not the decision.

For every FAQ-labelled question in the *train* split of examples/NAME/questions.yaml (and its
other-language sets, questions.es.yaml) and in every tuning set (examples/NAME/tuning*.yaml, all
of whose questions are for tuning), the right entry's rank in ``FaqIndex.rank`` of the words the
engine reads: top-1, top-3 and mean reciprocal rank, and the right entry's lead over the next when
it is first. For out-of-scope questions, the best entry's score (mean and 90th percentile), so a
change that lifts every score, out-of-scope ones too, shows; ``auc`` is the chance that a
question whose right entry is first scores above an out-of-scope question's best (1: fully apart).
Held-out questions of questions.yaml are never read.

Usage: python bench/faq_rank.py [--quick] [--customer NAME] [--weights 0.6,0.2,0.2] [--set NAME=VALUE] [--misses]
``--quick``: English sets only. ``--set``: another value of one of answers.faq's constants.
``--misses``: list the FAQ questions whose right entry is not first.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from switchover import i18n  # noqa: E402
from switchover.answers.cli import customers  # noqa: E402
from switchover.answers.engine import AnswerEngine  # noqa: E402
from switchover.answers.evaluate import LabelledQuestion, load_questions, roster_domain  # noqa: E402
from switchover.clock import ManualClock  # noqa: E402
from switchover.directory.roster import RosterDirectory  # noqa: E402
from switchover.plan.loader import load_plan  # noqa: E402

EXAMPLES = REPO / "examples"


def question_sets(folder: Path, *, quick: bool) -> list[tuple[str, Path, bool]]:
    """(label, path, train only) of a customer's labelled sets."""
    sets: list[tuple[str, Path, bool]] = []
    for path in sorted(folder.glob("questions*.yaml")):
        if quick and path.name != "questions.yaml":
            continue
        sets.append((path.stem.replace("questions", "train"), path, True))
    for path in sorted(folder.glob("tuning*.yaml")):
        if quick and path.name != "tuning.yaml":
            continue
        sets.append((path.stem, path, False))
    return sets


def _auc(right: list[float], outside: list[float]) -> float | None:
    if not right or not outside:
        return None
    wins = sum(1.0 if r > o else 0.5 if r == o else 0.0 for r in right for o in outside)
    return wins / (len(right) * len(outside))


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    faq = [r for r in rows if r["expect"] == "faq"]
    oos = [r for r in rows if r["expect"] == "out_of_scope"]
    firsts = [r for r in faq if r["rank"] == 1]
    oos_best = sorted(r["best"] for r in oos)
    out: dict[str, Any] = {
        "faq": len(faq),
        "top1": sum(r["rank"] == 1 for r in faq),
        "top3": sum(r["rank"] <= 3 for r in faq),
        "mrr": round(sum(1 / r["rank"] for r in faq) / len(faq), 4) if faq else None,
        "lead": round(sum(r["lead"] for r in firsts) / len(firsts), 4) if firsts else None,
        "oos": len(oos),
        "oos_best_mean": round(sum(oos_best) / len(oos_best), 4) if oos_best else None,
        "oos_best_p90": round(oos_best[int(len(oos_best) * 0.9)], 4) if oos_best else None,
    }
    auc = _auc([r["score"] for r in firsts], oos_best)
    out["auc"] = round(auc, 4) if auc is not None else None
    return out


async def rank_customer(
    name: str, *, quick: bool, weights: tuple[float, float, float] | None
) -> tuple[list[dict[str, Any]], float]:
    folder = EXAMPLES / name
    plan = load_plan(folder / "plan.yaml")
    roster = RosterDirectory.from_csv(folder / "roster.csv")
    domain = roster_domain(roster.users)
    engine = AnswerEngine(plan, roster, ManualClock(dt.datetime.now(dt.UTC)))
    await engine.prepare()
    rows: list[dict[str, Any]] = []
    seconds = 0.0
    for label, path, train_only in question_sets(folder, quick=quick):
        questions: list[LabelledQuestion] = load_questions(path, domain=domain)
        for q in questions:
            if train_only and q.split != "train":
                continue  # held-out: never read
            if q.kind not in ("faq", "out_of_scope"):
                continue
            with i18n.use(q.locale):
                understander, index = engine.reader(i18n.current().code)
                if weights is not None:
                    index.weights = weights
                understood = understander.read(q.text, today=q.now.date())
                started = time.perf_counter()
                ranked = index.rank(understood.tokens)
                seconds += time.perf_counter() - started
            keys = [m.entry.key for m in ranked]
            rank = keys.index(q.faq) + 1 if q.faq in keys else len(index.entries) + 1
            best = ranked[0].score if ranked else 0.0
            runner = ranked[1].score if len(ranked) > 1 else 0.0
            rows.append(
                {
                    "customer": name,
                    "set": label,
                    "text": q.text,
                    "expect": q.expect,
                    "faq": q.faq,
                    "intent": understood.intent.value,
                    "rank": rank,
                    "score": best if rank == 1 else 0.0,
                    "lead": best - runner if rank == 1 else 0.0,
                    "best": best,
                    "got": keys[0] if keys else None,
                }
            )
    return rows, seconds


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="English sets only")
    parser.add_argument("--customer", action="append", default=None, help="only this customer (repeatable)")
    parser.add_argument("--weights", default=None, help="coverage,similarity,meaning (default: the engine's)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="try a value of a constant of answers.faq"
    )
    parser.add_argument("--misses", action="store_true", help="list FAQ questions whose right entry is not first")
    args = parser.parse_args()
    from switchover.answers import faq

    for assignment in args.set:
        constant, value = assignment.split("=", 1)
        setattr(faq, constant, type(getattr(faq, constant))(value))
    weights = tuple(float(w) for w in args.weights.split(",")) if args.weights else None
    names = args.customer or customers(EXAMPLES)
    figures: dict[str, Any] = {}
    every: list[dict[str, Any]] = []
    rank_seconds = 0.0
    for name in names:
        rows, seconds = await rank_customer(name, quick=args.quick, weights=weights)  # type: ignore[arg-type]
        rank_seconds += seconds
        every.extend(rows)
        figures[name] = {"all": summarise(rows)}
        for label in dict.fromkeys(r["set"] for r in rows):
            figures[name][label] = summarise([r for r in rows if r["set"] == label])
        s = figures[name]["all"]
        print(
            f"{name:10} faq {s['faq']:4}  top1 {s['top1']:4}  top3 {s['top3']:4}  mrr {s['mrr']:.3f}  "
            f"lead {s['lead'] or 0:.3f}  oos {s['oos']:3} best mean {s['oos_best_mean'] or 0:.3f} "
            f"p90 {s['oos_best_p90'] or 0:.3f}  auc {s['auc'] or 0:.3f}"
        )
        for label, t in figures[name].items():
            if label != "all":
                print(f"  {label:12} faq {t['faq']:4}  top1 {t['top1']:4}  top3 {t['top3']:4}  mrr {t['mrr'] or 0:.3f}")
        if args.misses:
            for r in rows:
                if r["expect"] == "faq" and r["rank"] > 1:
                    print(f"    [{r['set']}] rank {r['rank']:2} {r['faq']} <- {r['got']}: {r['text']}")
    figures["all"] = summarise(every)
    figures["rank_ms_per_question"] = round(rank_seconds * 1000 / max(1, len(every)), 4)
    s = figures["all"]
    print(
        f"{'all':10} faq {s['faq']:4}  top1 {s['top1']:4}  top3 {s['top3']:4}  mrr {s['mrr']:.3f}  "
        f"lead {s['lead'] or 0:.3f}  oos {s['oos']:3} best mean {s['oos_best_mean'] or 0:.3f} "
        f"p90 {s['oos_best_p90'] or 0:.3f}  auc {s['auc'] or 0:.3f}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
