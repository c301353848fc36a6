"""What the one shared plan costs: the version check every message makes, a plan applied without a
restart, a wave move, and a second instance catching up, on an example customer's plan (SQLite).

- ``check``: ``CurrentPlan.refresh()`` within its freshness window (what nearly every message pays);
- ``version_read``: ``refresh(force=True)`` with nothing changed (one indexed row read);
- ``apply``: ``CurrentPlan.apply`` of an edited plan (load and check, the revision, the version and the
  announcement calendar reconciled in one transaction), alternating two texts so each applies;
- ``move``: a wave move with its calendar;
- ``catch_up``: another instance's ``refresh(force=True)`` after a change (reads and loads the revision).

Usage: python bench/plan_changes.py [--quick] [--customer NAME]
The last line printed is one JSON object with every figure (milliseconds: median and p95).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from switchover.announcements.calendar import WaveCalendar  # noqa: E402
from switchover.announcements.store import AnnouncementStore  # noqa: E402
from switchover.clock import ManualClock  # noqa: E402
from switchover.plan.current import CurrentPlan  # noqa: E402
from switchover.plan.loader import parse_plan  # noqa: E402
from switchover.storage import Database  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def figures(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"median_ms": round(statistics.median(ms), 3), "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 3)}


async def run(customer: str, rounds: int) -> dict[str, object]:
    text = (EXAMPLES / customer / "plan.yaml").read_text(encoding="utf-8")
    base = parse_plan(text, "plan.yaml")
    wave = base.waves[-1]
    other_text = text.replace(
        f"hypercare_until: {wave.hypercare_until}", f"hypercare_until: {wave.hypercare_until + dt.timedelta(days=1)}", 1
    )
    assert other_text != text, "could not edit the plan's last wave"
    clock = ManualClock(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await db.migrate()
        one = CurrentPlan(base, db=db, clock=clock)
        two = CurrentPlan(base, db=db, clock=clock)
        calendar = WaveCalendar(AnnouncementStore(db, clock, tenant_id="bench-tenant"), one)
        await one.start(text, name="plan.yaml")
        await calendar.reconcile()  # the calendar in place, as after the app's start
        await two.refresh(force=True)
        out: dict[str, object] = {"customer": customer, "waves": len(base.waves), "rounds": rounds}

        samples = []
        for _ in range(rounds * 20):
            t = time.perf_counter()
            await one.refresh()
            samples.append(time.perf_counter() - t)
        out["check"] = figures(samples)

        samples = []
        for _ in range(rounds * 5):
            t = time.perf_counter()
            await one.refresh(force=True)
            samples.append(time.perf_counter() - t)
        out["version_read"] = figures(samples)

        applies, catch_up = [], []
        for i in range(rounds):
            t = time.perf_counter()
            applied = await one.apply(other_text if i % 2 == 0 else text, source="bench", by="bench")
            applies.append(time.perf_counter() - t)
            assert applied.revision is not None
            t = time.perf_counter()
            await two.refresh(force=True)
            catch_up.append(time.perf_counter() - t)
            assert two.version == one.version
        out["apply"] = figures(applies)
        out["catch_up"] = figures(catch_up)

        moves = []
        start = wave.cutover.start
        for i in range(rounds):
            day = start + dt.timedelta(days=7 + i % 2)
            t = time.perf_counter()
            await one.move_wave(wave.key, start=day, end=day + (wave.cutover.end - wave.cutover.start), by="bench")
            moves.append(time.perf_counter() - t)
        out["move"] = figures(moves)
        await db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds (well under a minute)")
    parser.add_argument("--customer", default="fabrikam")
    args = parser.parse_args()
    result = asyncio.run(run(args.customer, 10 if args.quick else 50))
    for key in ("check", "version_read", "apply", "catch_up", "move"):
        print(f"{key:>13}: {result[key]}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
