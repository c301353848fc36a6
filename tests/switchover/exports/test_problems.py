"""Problem reports and their timelines as export rows, read in batches, on SQLite and PostgreSQL."""

# ruff: noqa: F811 - the tests take the fixtures imported below by name

from __future__ import annotations

import datetime as dt

from switchover.exports import event_export, problem_export
from switchover.problems.model import ReportDraft
from tests.switchover.problems.conftest import (  # noqa: F401 - fixtures
    TENANT,
    Desk,
    actor,
    clock_start,
    desk,
    make_desk,
    messenger,
    plan,
    reporter,
)


async def rows_of(export) -> list[dict]:
    return [row async for batch in export.batches for row in batch]


async def test_one_row_per_report_with_its_timeline_and_one_row_per_event(desk: Desk, database) -> None:
    texts = ["my H drive files are missing", "Outlook won't open at all, I can't work", '=HYPERLINK("x") printer']
    filed = []
    for n, text in enumerate(texts, start=1):
        filed.append(await desk.desk.submit(ReportDraft(text, reporter(n))))
        desk.clock.advance(dt.timedelta(minutes=1))
    await desk.settle()
    first = filed[0]
    await desk.desk.acknowledge(TENANT, first.id, actor("luis.ortega"))
    await desk.desk.resolve(TENANT, first.id, actor("luis.ortega"), "restored from backup")

    reports = await rows_of(problem_export(database, TENANT, {}, timeline=True, batch=2))
    assert [r["reference"] for r in reports] == [r.reference for r in filed]  # oldest first, across batches
    done = reports[0]
    assert done["status"] == "resolved" and done["resolution_note"] == "restored from backup"
    assert done["acknowledged_at"] is not None and done["resolved_at"] is not None
    stored = await desk.desk.get(TENANT, first.id)
    assert [(e["kind"], e["at"]) for e in done["timeline"]] == [(e.kind.value, e.at) for e in stored.timeline]
    assert done["events"] == len(stored.timeline) >= 3  # created, ..., acknowledged, resolved
    assert reports[2]["text"].startswith("=HYPERLINK")  # rows hold the text as filed; the CSV writer neutralises

    events = await rows_of(event_export(database, TENANT, {}, batch=2))
    assert len(events) == sum(r["events"] for r in reports)
    assert [e["reference"] for e in events] == sorted(e["reference"] for e in events)  # report by report
    mine = [e for e in events if e["reference"] == first.reference]
    assert [e["kind"] for e in mine] == [e.kind.value for e in stored.timeline]
    assert {e["status"] for e in mine} == {"resolved"}

    open_only = await rows_of(problem_export(database, TENANT, {"status": "open"}, timeline=False))
    assert [r["reference"] for r in open_only] == [r.reference for r in filed[1:]]
    assert "timeline" not in open_only[0]
    since = await rows_of(problem_export(database, TENANT, {"since": filed[1].created_at}, timeline=False))
    assert [r["reference"] for r in since] == [r.reference for r in filed[1:]]
    assert await rows_of(problem_export(database, "another-tenant", {}, timeline=True)) == []
