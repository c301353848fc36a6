"""The exports: time and memory to write a large one, a batch at a time, as CSV and as JSON.

One announcement to N people (every delivery with its status, a third read, a quarter
acknowledged), readiness for those N people (known for all, as after a Graph sync), and N/10
problem reports with three timeline events each, in a SQLite database on disk. Each export is
read through ``switchover.exports`` and encoded exactly as ``GET /api/exports/...`` writes it; the
bytes are counted and dropped, as a socket would take them. Time is measured on its own run;
memory on another, with tracemalloc: the peak of Python allocations while the export is written,
against the size of what was written (a streamed export's peak stays near one batch's worth).

Usage: python bench/exports.py [--quick] [--people N]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from bench.status import NOW, PLAN, TENANT, BenchDirectory  # noqa: E402
from switchover.announcements.store import announcement_from_row  # noqa: E402
from switchover.announcements.tables import acknowledgements, announcements  # noqa: E402
from switchover.delivery.tables import deliveries  # noqa: E402
from switchover.exports import (  # noqa: E402
    Export,
    csv_header,
    csv_rows,
    delivery_export,
    event_export,
    json_end,
    json_rows,
    json_start,
    problem_export,
    readiness_export,
)
from switchover.plan.loader import load_plan  # noqa: E402
from switchover.problems.tables import events, reports  # noqa: E402
from switchover.readiness.service import ReadinessService  # noqa: E402
from switchover.storage import Database  # noqa: E402

ANN = "wave-2/bench-export"


async def fill(db: Database, directory: BenchDirectory, n_reports: int) -> None:
    users = directory.users
    then = NOW - dt.timedelta(days=2)
    async with db.begin() as c:
        await c.execute(
            sa.insert(announcements).values(
                tenant_id=TENANT,
                id=ANN,
                kind="freeform",
                title="Bench export",
                content={"summary": "x"},
                audience={"kind": "everyone", "values": []},
                send_at=then,
                status="sent",
                created_at=then,
                started_at=then,
                updated_at=then,
            )
        )
        for start in range(0, len(users), 5000):
            chunk = list(enumerate(users))[start : start + 5000]
            await c.execute(
                sa.insert(deliveries),
                [
                    {
                        "tenant_id": TENANT,
                        "dedupe_key": f"{ANN}:{u.id}",
                        "purpose": "announcement",
                        "subject_id": ANN,
                        "recipient_kind": "user",
                        "recipient_key": u.id,
                        "recipient_name": u.display_name,
                        "message": {},
                        "status": "sent" if j % 10 < 7 else "unreachable",
                        "reason": None if j % 10 < 7 else "NoConversation: the bot has no chat with them",
                        "next_attempt_at": then,
                        "created_at": then,
                        "updated_at": then,
                        "sent_at": then if j % 10 < 7 else None,
                        "read_at": then if j % 3 == 0 else None,
                    }
                    for j, u in chunk
                ],
            )
            acks = [
                {"tenant_id": TENANT, "announcement_id": ANN, "user_id": u.id, "verb": "acknowledge", "at": then}
                for j, u in chunk
                if j % 4 == 0
            ]
            if acks:
                await c.execute(sa.insert(acknowledgements), acks)
        rows = await c.execute(
            sa.insert(reports).returning(reports.c.id),
            [
                {
                    "tenant_id": TENANT,
                    "reporter_id": users[i % len(users)].id,
                    "reporter_name": users[i % len(users)].display_name,
                    "text": f"Problem {i}: =SUM(A1) and a longer description of what does not work since the move",
                    "area": "email",
                    "area_confidence": 0.9,
                    "impact": "me",
                    "urgency": "degraded",
                    "priority": f"P{1 + i % 4}",
                    "wave": f"wave-{i % 4}",
                    "status": "open",
                    "created_at": then,
                    "clock_started_at": then,
                    "updated_at": then,
                }
                for i in range(n_reports)
            ],
        )
        ids = [r.id for r in rows]
        await c.execute(
            sa.insert(events),
            [
                {"tenant_id": TENANT, "report_id": rid, "at": then, "kind": kind, "actor": "Bench", "detail": "x"}
                for rid in ids
                for kind in ("created", "routed", "notified")
            ],
        )


async def write(export: Export, kind: str) -> tuple[int, int]:
    """Encode the export as the API does; (rows, bytes)."""
    count = size = 0
    size += len(csv_header(export.columns) if kind == "csv" else json_start(export, NOW))
    async for rows in export.batches:
        size += len(csv_rows(export.columns, rows) if kind == "csv" else json_rows(rows, first=count == 0))
        count += len(rows)
    if kind == "json":
        size += len(json_end(count))
    return count, size


async def measure(make: Callable[[], Awaitable[Export]], kind: str) -> dict[str, object]:
    started = time.perf_counter()
    rows, size = await write(await make(), kind)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    await write(await make(), kind)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "peak_mb": round(peak / 1e6, 2),
        "output_mb": round(size / 1e6, 2),
    }


async def run(people: int) -> dict[str, object]:
    plan = load_plan(PLAN)
    directory = BenchDirectory(people)
    readiness = ReadinessService(plan, directory)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
        await db.migrate()
        try:
            await fill(db, directory, people // 10)
            async with db.begin(read_only=True) as c:
                row = (await c.execute(sa.select(announcements).where(announcements.c.id == ANN))).one()
            announcement = announcement_from_row(row)

            async def deliveries_() -> Export:
                return delivery_export(db, plan, directory, announcement)  # type: ignore[arg-type]

            async def readiness_() -> Export:
                return await readiness_export(readiness)

            async def problems_() -> Export:
                return problem_export(db, TENANT, {}, timeline=True)

            async def events_() -> Export:
                return event_export(db, TENANT, {})

            figures: dict[str, object] = {"people": people, "reports": people // 10}
            for name, make in (
                ("deliveries", deliveries_),
                ("readiness", readiness_),
                ("problems", problems_),
                ("problem_events", events_),
            ):
                for kind in ("csv", "json"):
                    figures[f"{name}_{kind}"] = await measure(make, kind)
                    print(name, kind, figures[f"{name}_{kind}"], flush=True)
            return figures
        finally:
            await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 people")
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    figures = asyncio.run(run(2_000 if args.quick else args.people))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
