"""Problem-report triage and escalation: accuracy per area and how fast it runs.

Triage: every labelled report of each example customer against that customer's
plan (``examples/NAME/plan.yaml`` and ``examples/NAME/labelled_reports.txt``): accuracy by area
per customer and overall,
on the tune half, the held-out half (split by a hash of the text, see
``switchover/problems/evaluate.py``) and both; impact and urgency accuracy; the
time per report (median and p99 over several rounds, after a warm-up).

Deadlines: ``ack_deadline`` for every priority at every quarter hour of four weeks
(cutover weekends included) of Fabrikam's plan; the time per call.

Usage: python bench/problems.py [--customer NAME ...] [--quick] [--misses | --tune-misses] [--set tuning]
Without --customer every example customer with labelled reports is measured.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from switchover.plan.loader import load_plan  # noqa: E402
from switchover.plan.model import Priority  # noqa: E402
from switchover.problems.deadlines import ack_deadline  # noqa: E402
from switchover.problems.evaluate import HELD_OUT, TUNE, accuracy, accuracy_by_area, load_reports, run  # noqa: E402
from switchover.problems.triage import triage  # noqa: E402

EXAMPLES = REPO / "examples"
DEMO_PLAN = EXAMPLES / "fabrikam" / "plan.yaml"  # the bundled demo customer's


SETS = {"labelled": "labelled_reports.txt", "tuning": "tuning_reports.txt"}


def reports_path(customer: str, which: str = "labelled") -> Path:
    """Where a customer's labelled reports (or its independently written tuning reports) are."""
    return EXAMPLES / customer / SETS[which]


def customers() -> list[str]:
    """Every example customer with a plan and labelled reports."""
    return sorted(p.parent.name for p in EXAMPLES.glob("*/plan.yaml") if reports_path(p.parent.name).exists())


def _ratio(right: int, total: int) -> float:
    return round(right / total, 3) if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customer", action="append", help="an example customer (repeatable; default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (under a minute)")
    parser.add_argument("--misses", action="store_true", help="list every report triage put in the wrong area")
    parser.add_argument(
        "--tune-misses",
        action="store_true",
        help="list the tune half's misses only (word lists are tuned on these; the held-out half stays unseen)",
    )
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="labelled",
        help="labelled: the labelled reports (split tune / held-out); tuning: the independently written "
        "tuning_reports.txt (for tuning; its figures are not accuracy once tuned on)",
    )
    args = parser.parse_args()
    rounds = 3 if args.quick else 20
    chosen = args.customer or customers()

    per_customer: dict[str, dict[str, object]] = {}
    totals = {None: [0, 0], TUNE: [0, 0], HELD_OUT: [0, 0]}
    impact_ok = urgency_ok = reports = 0
    timings: list[float] = []
    for name in chosen:
        plan = load_plan(EXAMPLES / name / "plan.yaml")
        rows = load_reports(reports_path(name, args.set))
        outcomes = run(plan, rows)  # also the warm-up
        for r in rows:
            t = triage(plan, r.text)
            impact_ok += t.impact.value.value == r.impact
            urgency_ok += t.urgency.value.value == r.urgency
        reports += len(rows)
        for _ in range(rounds):
            for r in rows:
                start = time.perf_counter()
                triage(plan, r.text)
                timings.append(time.perf_counter() - start)
        figures: dict[str, object] = {"reports": len(rows)}
        for split, label in ((None, "area_accuracy"), (TUNE, "tune"), (HELD_OUT, "held_out")):
            right, total = accuracy(outcomes, split)
            totals[split][0] += right
            totals[split][1] += total
            figures[label] = _ratio(right, total)
        by_area = accuracy_by_area(outcomes)
        figures["area_accuracy_by_area"] = {a: _ratio(*rt) for a, rt in by_area.items()}
        per_customer[name] = figures
        (tune_right, tune_total), (held_right, held_total) = accuracy(outcomes, TUNE), accuracy(outcomes, HELD_OUT)
        print(
            f"{name}: {accuracy(outcomes)[0]}/{len(rows)} {figures['area_accuracy']:.1%} "
            f"(tune {tune_right}/{tune_total} {figures['tune']:.1%}, "
            f"held-out {held_right}/{held_total} {figures['held_out']:.1%})"
        )
        for a, (right, total) in by_area.items():
            print(f"  {a:14} {right:3}/{total:<3} {_ratio(right, total):.1%}")
        if args.misses or args.tune_misses:
            for o in outcomes:
                if not o.right and (args.misses or o.report.split == TUNE):
                    print(f"    [{o.report.split}] {o.expected} -> {o.got}: {o.report.text}")
    timings.sort()

    plan = load_plan(DEMO_PLAN)
    start_at = dt.datetime(2027, 1, 11, 0, 0, tzinfo=plan.zone)  # four weeks over Waves 0 and 1
    instants = [start_at + dt.timedelta(minutes=15 * i) for i in range(4 * 7 * 24 * 4)]
    if args.quick:
        instants = instants[::4]
    t0 = time.perf_counter()
    calls = 0
    for when in instants:
        for priority in Priority:
            ack_deadline(plan, priority, when)
            calls += 1
    deadline_us = (time.perf_counter() - t0) / calls * 1e6

    overall = {
        "area_accuracy": _ratio(*totals[None]),
        "tune": _ratio(*totals[TUNE]),
        "held_out": _ratio(*totals[HELD_OUT]),
    }
    print(
        f"overall: {totals[None][0]}/{totals[None][1]} {overall['area_accuracy']:.1%} "
        f"(tune {totals[TUNE][0]}/{totals[TUNE][1]} {overall['tune']:.1%}, "
        f"held-out {totals[HELD_OUT][0]}/{totals[HELD_OUT][1]} {overall['held_out']:.1%})"
    )
    figures = {
        "set": args.set,
        "reports": reports,
        "area_accuracy": overall["area_accuracy"],
        "area_accuracy_tune": overall["tune"],
        "area_accuracy_held_out": overall["held_out"],
        "customers": per_customer,
        "impact_accuracy": _ratio(impact_ok, reports),
        "urgency_accuracy": _ratio(urgency_ok, reports),
        "triage_ms_median": round(statistics.median(timings) * 1000, 3),
        "triage_ms_p99": round(timings[int(len(timings) * 0.99) - 1] * 1000, 3),
        "ack_deadline_us_per_call": round(deadline_us, 1),
        "ack_deadline_calls": calls,
        "rounds": rounds,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
