"""Feedback and gaps are stored per tenant and listed newest first with counts (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

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


async def test_picks_are_grouped_by_entry_counted_and_newest_first(database: Database) -> None:
    store = AnswerStore(database)
    await store.record_pick("t1", "whats the wifi password", "new-password", "en", T0)
    await store.record_pick("t1", "Whats the WIFI password?", "new-password", "en", T0 + dt.timedelta(hours=3))
    await store.record_pick("t1", "where is my h drive", "h-drive", "en", T0 + dt.timedelta(hours=2))
    await store.record_pick("t1", "nowa hasło?", "new-password", "pl", T0 + dt.timedelta(hours=1))
    await store.record_pick("t2", "other tenant's question", "h-drive", "en", T0 + dt.timedelta(hours=5))

    picks = await store.picks(tenant_id="t1")

    # new-password was picked last (hour 3), so it comes first, its phrasings newest first; then h-drive.
    assert [(p.faq_key, p.language, p.count) for p in picks] == [
        ("new-password", "en", 2),
        ("new-password", "pl", 1),
        ("h-drive", "en", 1),
    ]
    assert picks[0].last_picked == T0 + dt.timedelta(hours=3) and picks[0].last_picked.tzinfo is not None
    assert picks[1].question == "nowa hasło?"
    assert [p.faq_key for p in await store.picks(tenant_id="t1", min_count=2)] == ["new-password"]
    assert len(await store.picks()) == 4  # every tenant's


async def test_a_pick_voted_not_helpful_afterwards_is_not_learned(database: Database) -> None:
    store = AnswerStore(database)
    await store.record_pick("t1", "whats the wifi password", "new-password", "en", T0)
    await store.record_feedback("t1", "whats the wifi password", "new-password", False, T0 + dt.timedelta(minutes=1))
    await store.record_pick("t1", "whats the wifi password", "kiosk", "en", T0 + dt.timedelta(minutes=2))
    # A "Not helpful" on another entry, or before the pick, says nothing about this pick.
    await store.record_pick("t1", "where is my h drive", "h-drive", "en", T0 + dt.timedelta(minutes=5))
    await store.record_feedback("t1", "where is my h drive", "h-drive", False, T0 + dt.timedelta(minutes=4))

    learned = {(p.question, p.faq_key) for p in await store.picks(tenant_id="t1", unvoted=True)}
    assert learned == {("whats the wifi password", "kiosk"), ("where is my h drive", "h-drive")}
    listed = {(p.question, p.faq_key) for p in await store.picks(tenant_id="t1")}
    assert ("whats the wifi password", "new-password") in listed  # the lead still sees it in faq gaps


async def test_a_pick_is_written_while_the_caller_goes_on(database: Database) -> None:
    store = AnswerStore(database)
    store.record_pick_soon("t1", "  whats the wifi password ", "new-password", "EN", T0, asker_id="aad-1")
    await store.drain()
    (pick,) = await store.picks(tenant_id="t1")
    assert (pick.question, pick.language, pick.faq_key) == ("whats the wifi password", "en", "new-password")
    assert pick.count == 1


async def test_a_pick_that_cannot_be_written_is_logged_not_raised(database: Database, caplog) -> None:  # type: ignore[no-untyped-def]
    store = AnswerStore(database)
    store.record_pick_soon("t1", "q", "k" * 500, "en", T0)  # longer than the column: PostgreSQL refuses it
    store.record_pick_soon("t1", "q", "new-password", "en", "not a time")  # type: ignore[arg-type]
    await store.drain()
    assert "could not store an FAQ pick" in caplog.text


async def test_picks_follow_the_askers_privacy_like_gaps(database: Database) -> None:
    from switchover.privacy import PersonalData

    store = AnswerStore(database)
    await store.record_pick("t1", "whats the wifi password", "new-password", "en", T0, asker_id="aad-1")
    await store.record_pick("t1", "where is my h drive", "h-drive", "en", T0, asker_id="aad-2")
    await store.record_pick("t1", "is my h drive safe", "h-drive", "en", T0 + dt.timedelta(days=40), asker_id="aad-2")
    data = PersonalData(database)

    exported = await data.export("nobody@example.com", object_ids=["aad-1"])
    assert [r["question"] for r in exported["answers_picks"]] == ["whats the wifi password"]
    assert (await data.erase("nobody@example.com", object_ids=["aad-1"]))["answers_picks"] == 1
    purged = await data.purge(dt.timedelta(days=30), T0 + dt.timedelta(days=45))
    assert purged["answers_picks"] == 1
    assert [p.question for p in await store.picks()] == ["is my h drive safe"]


def _cut_off_once(store: AnswerStore, *, after_commit_started: bool) -> None:
    """The gap writer's first flush is cancelled (a shutdown): before its COMMIT, or once it started."""
    write = store._gaps._write
    calls = 0

    async def cut_off(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> Any:
        nonlocal calls
        calls += 1
        counts = await write(conn, rows)
        if calls == 1:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
            if not after_commit_started:
                await asyncio.sleep(0)  # cancelled here, inside the transaction: rolled back
        return counts

    store._gaps._write = cut_off  # type: ignore[method-assign]


async def test_a_gap_surely_not_written_is_written_again(database: Database) -> None:
    store = AnswerStore(database)
    _cut_off_once(store, after_commit_started=False)
    await store.record_gap("t1", "can you order lunch", GapKind.UNANSWERED, T0)
    (gap,) = await store.gaps(tenant_id="t1")
    assert gap.count == 1  # written once, by the second try


async def test_a_gap_that_may_be_written_is_not_written_twice(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    store = AnswerStore(database)
    _cut_off_once(store, after_commit_started=True)
    await store.record_gap("t1", "can you order lunch", GapKind.UNANSWERED, T0)  # the asker is not failed
    assert [g.count for g in await store.gaps(tenant_id="t1")] in ([], [1])  # never 2
    assert [r for r in caplog.records if "may or may not be stored" in r.getMessage()]
