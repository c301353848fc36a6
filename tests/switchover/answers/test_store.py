"""Feedback and gaps are stored per tenant and listed newest first with counts (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from switchover.answers.store import AnswerStore, GapKind
from switchover.storage import Database

T0 = dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC)


async def test_gaps_are_grouped_counted_and_newest_first(database: Database) -> None:
    store = AnswerStore(database)
    await store.record_gap("t1", "whats the wifi password", GapKind.UNCLEAR, T0)
    await store.record_gap("t1", "Whats the WIFI password?", GapKind.UNCLEAR, T0 + dt.timedelta(hours=2))
    await store.record_gap("t1", "can you order lunch", GapKind.UNANSWERED, T0 + dt.timedelta(hours=1))
    await store.record_gap("t2", "other tenant's question", GapKind.UNANSWERED, T0 + dt.timedelta(hours=5))

    gaps = await store.gaps(tenant_id="t1")

    assert [(g.kind, g.count) for g in gaps] == [(GapKind.UNCLEAR, 2), (GapKind.UNANSWERED, 1)]
    assert gaps[0].last_asked == T0 + dt.timedelta(hours=2)
    assert gaps[0].last_asked.tzinfo is not None
    assert len(await store.gaps()) == 3


async def test_unhelpful_votes_become_gaps_and_are_tallied(database: Database) -> None:
    store = AnswerStore(database)
    await store.record_feedback("t1", "will i lose my emails", "lose-email", True, T0, asker_id="a")
    await store.record_feedback("t1", "where did my h drive go", "h-drive", False, T0, asker_id="b")
    await store.record_feedback("t1", "where did my h drive go", "h-drive", False, T0 + dt.timedelta(minutes=5))

    tallies = {t.faq_key: (t.helpful, t.unhelpful) for t in await store.tallies(tenant_id="t1")}
    assert tallies == {"lose-email": (1, 0), "h-drive": (0, 2)}
    (gap,) = await store.gaps(tenant_id="t1")
    assert (gap.kind, gap.count, gap.faq_key) == (GapKind.UNHELPFUL, 2, "h-drive")


async def test_hostile_and_huge_questions_are_stored_safely(database: Database) -> None:
    store = AnswerStore(database)
    nasty = "'; DROP TABLE answers_gaps; -- \u202e\U0001f600 {{ x }}\n" * 200
    await store.record_gap("t1", nasty, GapKind.UNANSWERED, T0)
    (gap,) = await store.gaps(tenant_id="t1")
    assert gap.question.startswith("'; DROP TABLE") and len(gap.question) <= 2000
