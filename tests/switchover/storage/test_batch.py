"""Group commit: concurrent rows share transactions, and every caller learns the fate of its own row."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from switchover.answers.store import AnswerGap
from switchover.storage import Database
from switchover.storage.batch import GroupWriter, WriteInterrupted
from switchover.storage.db import rowcount

T0 = dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC)


def gap(n: int, **changes: Any) -> dict[str, Any]:
    row = {
        "tenant_id": "t1",
        "kind": "unanswered",
        "question": f"question {n}",
        "folded": f"question {n}",
        "faq_key": None,
        "asker_id": None,
        "created_at": T0,
    }
    row.update(changes)
    return row


async def insert_gaps(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    await conn.execute(insert(AnswerGap), list(rows))


async def stored(database: Database) -> list[str]:
    async with database.begin(read_only=True) as conn:
        return list((await conn.execute(select(AnswerGap.question).order_by(AnswerGap.id))).scalars())


async def test_concurrent_rows_are_committed_together(database: Database) -> None:
    writer = GroupWriter(database, insert_gaps, name="test")
    await asyncio.gather(*(writer.add(gap(n)) for n in range(200)))
    assert sorted(await stored(database)) == sorted(f"question {n}" for n in range(200))
    assert writer.rows == 200
    assert writer.batches <= 3  # not one transaction per row


async def test_a_caller_returns_only_once_its_row_is_committed(database: Database) -> None:
    writer = GroupWriter(database, insert_gaps, name="test")
    for n in range(3):
        await writer.add(gap(n))
        assert f"question {n}" in await stored(database)  # readable by anyone at once


async def test_a_bad_row_fails_its_own_caller_only(database: Database) -> None:
    writer = GroupWriter(database, insert_gaps, name="test")
    results = await asyncio.gather(
        *(writer.add(gap(n, question=None) if n == 7 else gap(n)) for n in range(20)), return_exceptions=True
    )
    failures = [n for n, r in enumerate(results) if isinstance(r, BaseException)]
    assert failures == [7]
    assert isinstance(results[7], IntegrityError)
    assert len(await stored(database)) == 19


async def test_batches_are_capped(database: Database) -> None:
    writer = GroupWriter(database, insert_gaps, name="test", max_batch=10)
    await asyncio.gather(*(writer.add(gap(n)) for n in range(35)))
    assert writer.batches >= 4 and writer.rows == 35


async def test_a_cancelled_caller_still_gets_its_row_written(database: Database) -> None:
    writer = GroupWriter(database, insert_gaps, name="test")
    caller = asyncio.create_task(writer.add(gap(1)))
    await asyncio.sleep(0)  # queued
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await writer.drain()
    assert await stored(database) == ["question 1"]


async def test_rows_are_not_lost_when_several_writers_share_a_database(database: Database) -> None:
    first = GroupWriter(database, insert_gaps, name="a")
    second = GroupWriter(database, insert_gaps, name="b")
    await asyncio.gather(*(w.add(gap(n)) for n in range(60) for w in ([first] if n % 2 else [second])))
    async with database.begin(read_only=True) as conn:
        assert (await conn.execute(select(func.count()).select_from(AnswerGap))).scalar_one() == 60


def test_a_batch_size_below_one_is_refused(sqlite_database: Database) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupWriter(sqlite_database, insert_gaps, name="test", max_batch=0)


async def test_adding_inside_a_write_transaction_is_refused_not_deadlocked(sqlite_database: Database) -> None:
    writer = GroupWriter(sqlite_database, insert_gaps, name="test")
    async with sqlite_database.begin():
        with pytest.raises(RuntimeError, match="would wait for itself"):
            await writer.add(gap(1))
    await writer.add(gap(2))  # outside, as meant
    assert await stored(sqlite_database) == ["question 2"]


async def test_each_caller_gets_its_own_rows_count(database: Database) -> None:
    await asyncio.gather(*(GroupWriter(database, insert_gaps, name="seed").add(gap(n)) for n in range(3)))

    async def fold(conn: AsyncConnection, questions: Sequence[str]) -> list[int]:
        counts = []
        for question in questions:
            result = await conn.execute(
                update(AnswerGap).where(AnswerGap.question == question).values(folded=f"seen: {question}")
            )
            counts.append(rowcount(result))
        return counts

    writer = GroupWriter(database, fold, name="test")
    asked = ["question 0", "question 9", "question 2", "question 1", "nobody asked this"]
    counts = await asyncio.gather(*(writer.add(q) for q in asked))
    assert counts == [1, 0, 1, 1, 0]
    assert writer.batches < len(asked)  # still group-committed
    assert await GroupWriter(database, insert_gaps, name="plain").add(gap(5)) is None  # a write that counts nothing


async def test_a_batch_retried_row_by_row_still_hands_back_counts(database: Database) -> None:
    async def insert_counting(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[int]:
        await conn.execute(insert(AnswerGap), list(rows))
        return [1] * len(rows)

    writer = GroupWriter(database, insert_counting, name="test")
    results = await asyncio.gather(
        *(writer.add(gap(n, question=None) if n == 3 else gap(n)) for n in range(6)), return_exceptions=True
    )
    assert [r if isinstance(r, int) else "error" for r in results] == [1, 1, 1, "error", 1, 1]


async def test_a_write_reporting_the_wrong_number_of_counts_is_rolled_back(database: Database) -> None:
    async def miscounting(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[int]:
        await conn.execute(insert(AnswerGap), list(rows))
        return []

    with pytest.raises(RuntimeError, match="0 counts for 1 rows"):
        await GroupWriter(database, miscounting, name="test").add(gap(1))
    assert await stored(database) == []


async def test_an_immediate_writer_takes_the_sqlite_write_lock_at_begin(sqlite_database: Database) -> None:
    begins: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(sqlite_database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        await GroupWriter(sqlite_database, insert_gaps, name="deferred").add(gap(1))
        await GroupWriter(sqlite_database, insert_gaps, name="immediate", immediate=True).add(gap(2))
    finally:
        event.remove(sqlite_database.engine.sync_engine, "before_cursor_execute", seen)
    assert begins == ["BEGIN DEFERRED", "BEGIN IMMEDIATE"]
    assert await stored(sqlite_database) == ["question 1", "question 2"]


async def test_a_failed_row_whose_caller_was_cancelled_is_logged_once_and_its_error_retrieved(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """The row of a cancelled caller is still written; when that write fails, asyncio must not report
    "Future exception was never retrieved" (nobody would know which row), and the log says what was lost."""
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    writing = asyncio.Event()
    refuse = asyncio.Event()

    async def refused(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        writing.set()
        await refuse.wait()
        raise RuntimeError("the database refused the batch")

    writer = GroupWriter(database, refused, name="lossy")
    try:
        caller = asyncio.create_task(writer.add(gap(1)))
        await writing.wait()
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        del caller
        refuse.set()
        await writer.drain()
        await asyncio.sleep(0)  # the done callbacks run
        gc.collect()  # an unretrieved exception is reported when its future is collected
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert [c.get("message") for c in unhandled] == []
    lost = [r for r in caplog.records if "caller stopped waiting" in r.getMessage()]
    assert len(lost) == 1
    assert lost[0].levelname == "ERROR"
    assert lost[0].writer == "lossy"  # type: ignore[attr-defined]
    assert "question 1" in lost[0].row  # type: ignore[attr-defined]
    assert "refused the batch" in lost[0].error  # type: ignore[attr-defined]


async def test_a_cancelled_callers_row_that_is_written_logs_nothing(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    writer = GroupWriter(database, insert_gaps, name="test")
    caller = asyncio.create_task(writer.add(gap(1)))
    await asyncio.sleep(0)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await writer.drain()
    await asyncio.sleep(0)
    assert await stored(database) == ["question 1"]
    assert not [r for r in caplog.records if "caller stopped waiting" in r.getMessage()]


async def test_a_flush_cancelled_before_its_commit_tells_every_caller_nothing_was_written(database: Database) -> None:
    """Cancelled mid-write (a shutdown, a timeout): the rows of the transaction being written and the rows
    still waiting for the next one are surely not written, and every caller is told so (none hangs)."""
    writing = asyncio.Event()

    async def slow(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        await conn.execute(insert(AnswerGap), list(rows))  # sent to the database, not committed
        writing.set()
        await asyncio.Event().wait()

    writer = GroupWriter(database, slow, name="cut")
    first = [asyncio.create_task(writer.add(gap(n))) for n in range(2)]
    await writing.wait()
    later = asyncio.create_task(writer.add(gap(2)))  # waits for the next transaction
    await asyncio.sleep(0)
    assert writer._flusher is not None
    writer._flusher.cancel()
    results = await asyncio.gather(*first, later, return_exceptions=True)
    assert all(isinstance(r, WriteInterrupted) for r in results), results
    assert [r.maybe_written for r in results] == [False, False, False]  # type: ignore[union-attr]
    await writer.drain()  # a cancelled flush is not the drainer's cancellation
    assert await stored(database) == []  # rolled back: written again, nothing is doubled

    writer._write = insert_gaps  # the callers write them again, as told they may
    await asyncio.gather(*(writer.add(gap(n)) for n in range(3)))
    assert sorted(await stored(database)) == ["question 0", "question 1", "question 2"]


async def test_a_flush_cancelled_once_its_commit_started_says_the_rows_may_be_written(database: Database) -> None:
    async def cancelled_at_commit(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        await conn.execute(insert(AnswerGap), list(rows))
        task = asyncio.current_task()
        assert task is not None
        task.cancel()  # lands at the next wait: the COMMIT's

    writer = GroupWriter(database, cancelled_at_commit, name="cut")
    results = await asyncio.gather(*(writer.add(gap(n)) for n in range(2)), return_exceptions=True)
    assert all(isinstance(r, WriteInterrupted) and r.maybe_written for r in results), results
    assert "may have been written" in str(results[0])
    await writer.drain()
    # The database may or may not have it: either both rows or none (one transaction), never half.
    assert await stored(database) in ([], ["question 0", "question 1"])


async def test_a_row_cut_off_after_its_caller_stopped_waiting_is_logged_as_in_doubt(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    writing = asyncio.Event()

    async def slow(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        writing.set()
        await asyncio.Event().wait()

    writer = GroupWriter(database, slow, name="cut")
    caller = asyncio.create_task(writer.add(gap(1)))
    await writing.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert writer._flusher is not None
    writer._flusher.cancel()
    await writer.drain()
    await asyncio.sleep(0)  # the done callbacks run
    lost = [r for r in caplog.records if "caller stopped waiting" in r.getMessage()]
    assert len(lost) == 1 and "not written" in lost[0].getMessage()
    assert lost[0].maybe_written is False  # type: ignore[attr-defined]
