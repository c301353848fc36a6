"""How long loading the plan and the roster, and resolving waves, take.

    .venv/bin/python bench/plan_and_waves.py [--quick]

The last line is one JSON object of figures (milliseconds, microseconds per user).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from switchover.directory.base import DirectoryUser
from switchover.directory.roster import RosterDirectory
from switchover.membership import _CACHE, members_by_wave, resolve_wave
from switchover.plan.loader import load_plan

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "fabrikam"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, under a minute")
    args = parser.parse_args()
    repeat = 10 if args.quick else 50
    synthetic = 50_000 if args.quick else 500_000

    plan = load_plan(EXAMPLE / "plan.yaml")
    roster = RosterDirectory.from_csv(EXAMPLE / "roster.csv")
    users = roster.users

    figures: dict[str, float | int] = {}
    figures["load_plan_ms"] = round(median_ms(lambda: load_plan(EXAMPLE / "plan.yaml"), repeat), 2)
    figures["load_roster_ms"] = round(median_ms(lambda: RosterDirectory.from_csv(EXAMPLE / "roster.csv"), repeat), 2)

    def cold() -> None:
        _CACHE.clear()  # include building the folded rule sets
        members_by_wave(plan, users)

    figures["fabrikam_members_by_wave_cold_ms"] = round(median_ms(cold, repeat), 3)
    figures["fabrikam_members_by_wave_ms"] = round(median_ms(lambda: members_by_wave(plan, users), repeat), 3)

    offices = ["Seattle HQ", "Tacoma Clinic", "Spokane Clinic", "Portland Clinic", "Remote - Boise"]
    departments = ["Clinical Operations", "Finance", "Front Desk", "Information Technology", "Marketing"]
    many = [
        DirectoryUser(
            id=f"id-{i}",
            upn=f"u{i}@fabrikamhealth.com",
            display_name=f"U {i}",
            office=offices[i % 5],
            department=departments[(i // 5) % 5],
        )
        for i in range(synthetic)
    ]
    start = time.perf_counter()
    for u in many:
        resolve_wave(plan, u)
    elapsed = time.perf_counter() - start
    figures["synthetic_users"] = synthetic
    figures["resolve_us_per_user"] = round(elapsed / synthetic * 1e6, 2)
    print(
        f"plan {figures['load_plan_ms']} ms, roster {figures['load_roster_ms']} ms, "
        f"{len(users)} users into waves {figures['fabrikam_members_by_wave_ms']} ms, "
        f"{figures['resolve_us_per_user']} us per user over {synthetic} users"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
