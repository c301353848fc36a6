"""Problem-report triage and escalation: accuracy per area and how fast it runs.

Triage: every text of the labelled set (tests/switchover/problems/labelled_reports.txt)
against the shipped Fabrikam plan; accuracy per area, impact and urgency accuracy,
and the time per report (median and p99 over several rounds, after a warm-up).

Deadlines: ``ack_deadline`` for every priority at every quarter hour of four weeks
(cutover weekends included); the time per call.

Usage: python bench/problems.py [--quick]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import collections
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
from switchover.problems.triage import triage  # noqa: E402
from switchover.settings import DEFAULT_PLAN  # noqa: E402

LABELLED = REPO / "tests" / "switchover" / "problems" / "labelled_reports.txt"
# Labels name areas by topic; the shipped plan's keys are found by area name.
PREFIXES = {
    "email": "Email",
    "files": "Files",
    "teams": "Teams",
    "signin": "Sign-in",
    "devices": "Devices",
    "printing": "Printing",
    "other": "Anything",
}


def labelled() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            area, impact, urgency, text = (p.strip() for p in line.split("|", 3))
            rows.append((area, impact, urgency, text))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (under a minute)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 20
    plan = load_plan(DEFAULT_PLAN)
    key = {label: next(a.key for a in plan.areas if a.name.startswith(p)) for label, p in PREFIXES.items()}
    rows = labelled()

    hits: collections.Counter[str] = collections.Counter()
    totals: collections.Counter[str] = collections.Counter()
    impact_ok = urgency_ok = 0
    for area, impact, urgency, text in rows:
        t = triage(plan, text)  # also the warm-up
        totals[area] += 1
        hits[area] += t.area == key[area]
        impact_ok += t.impact.value.value == impact
        urgency_ok += t.urgency.value.value == urgency
    timings = []
    for _ in range(rounds):
        for _, _, _, text in rows:
            start = time.perf_counter()
            triage(plan, text)
            timings.append(time.perf_counter() - start)
    timings.sort()

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

    per_area = {a: round(hits[a] / totals[a], 3) for a in PREFIXES}
    for a in PREFIXES:
        print(f"{a:10} {hits[a]:3}/{totals[a]:<3} {per_area[a]:.1%}")
    figures = {
        "reports": len(rows),
        "area_accuracy": round(sum(hits.values()) / len(rows), 3),
        "area_accuracy_by_area": per_area,
        "impact_accuracy": round(impact_ok / len(rows), 3),
        "urgency_accuracy": round(urgency_ok / len(rows), 3),
        "triage_ms_median": round(statistics.median(timings) * 1000, 3),
        "triage_ms_p99": round(timings[int(len(timings) * 0.99) - 1] * 1000, 3),
        "ack_deadline_us_per_call": round(deadline_us, 1),
        "ack_deadline_calls": calls,
        "rounds": rounds,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
