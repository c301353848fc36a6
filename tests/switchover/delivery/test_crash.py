"""Stopping the engine in the middle of a broadcast loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from switchover.delivery import DeliveryStatus
from switchover.storage.batch import WriteInterrupted

from .conftest import TENANT, add_users, requests_for, user_conversation


class SimulatedCrash(BaseException):
    """The process dying between the HTTP send and the write of its outcome."""


async def test_cancelled_broadcast_is_finished_by_a_new_engine_exactly_once(make_engine, store, messenger):
    recipients = await add_users(store, 40)
    first = make_engine(worker_id="first", concurrency=4, batch_size=10)
    await first.enqueue(requests_for(recipients))
    task = asyncio.create_task(first.drain())

    def stop_half_way(m):
        if len(m.sent) == 15:
            task.cancel()

    messenger.after_send = stop_half_way
    with pytest.raises(asyncio.CancelledError):
        await task
    # Sends already on the wire when the worker was cancelled still finish and are recorded.
    await first.wait_in_flight()
    sent_before_restart = len(messenger.sent)
    assert 15 <= sent_before_restart < 40
    del first

    messenger.after_send = None
    second = make_engine(worker_id="second")
    await second.drain()

    counts = messenger.per_conversation()
    assert len(counts) == 40
    assert set(counts.values()) == {1}
    outcomes = await second.outcomes(TENANT, "announcement", "ann-1")
    assert {o.status for o in outcomes} == {DeliveryStatus.SENT}


@pytest.mark.parametrize("policy", ["resend", "hold"])
async def test_hard_crash_inside_the_send_window_follows_the_in_doubt_policy(make_engine, store, messenger, policy):
    recipients = await add_users(store, 10)
    first = make_engine(worker_id="first", concurrency=1, in_doubt=policy)
    await first.enqueue(requests_for(recipients))

    def crash_on_fifth(m):
        if len(m.sent) == 5:
            raise SimulatedCrash

    messenger.after_send = crash_on_fifth
    with pytest.raises(SimulatedCrash):
        await first.drain()
    messenger.after_send = None
    crashed_on = messenger.sent[4].conversation_id

    second = make_engine(worker_id="second", in_doubt=policy)
    await second.drain()  # waits out the dead worker's lease

    counts = messenger.per_conversation()
    assert len(counts) == 10
    others = {conv: n for conv, n in counts.items() if conv != crashed_on}
    assert set(others.values()) == {1}
    by_conversation = {
        user_conversation(i): o for i, o in enumerate(await second.outcomes(TENANT, "announcement", "ann-1"))
    }
    doubtful = by_conversation[crashed_on]
    if policy == "resend":
        assert counts[crashed_on] == 2  # the documented window: at-least-once for that one row
        assert doubtful.status is DeliveryStatus.SENT
        assert "interrupted" in doubtful.reason
    else:
        assert counts[crashed_on] == 1
        assert doubtful.status is DeliveryStatus.IN_DOUBT


async def test_a_send_whose_outcome_write_fails_for_a_while_is_recorded_and_never_resent(
    make_engine, store, messenger, clock
):
    """Under load SQLite can answer "database is locked" after its busy timeout. The message has
    gone out: the worker writes its outcome again until it lands, instead of leaving the row
    ``sending`` for the in-doubt recovery to resend once the lease runs out."""
    recipients = await add_users(store, 3)
    first = make_engine(worker_id="first", concurrency=1)
    await first.enqueue(requests_for(recipients))
    update_row = first._update_row
    failures = 0

    async def locked_after_the_first_send(statement):
        nonlocal failures
        # The writes are: mark, (send), outcome, mark, ...: the first outcome fails three times.
        if len(messenger.sent) == 1 and failures < 3 and "sent_at" in str(statement):
            failures += 1
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        return await update_row(statement)

    first._update_row = locked_after_the_first_send
    await first.drain()
    assert failures == 3
    outcomes = await first.outcomes(TENANT, "announcement", "ann-1")
    assert [o.status for o in outcomes] == [DeliveryStatus.SENT] * 3
    assert all(o.reason is None for o in outcomes)

    # A restart after the lease would have run out: nothing is left in doubt, nothing is sent again.
    clock.advance(dt.timedelta(minutes=5))
    await make_engine(worker_id="second").drain()
    assert set(messenger.per_conversation().values()) == {1}
    assert len(messenger.sent) == 3


async def test_a_worker_cancelled_while_its_sending_mark_is_written_puts_the_row_back(make_engine, store, messenger):
    """The group writer writes a cancelled caller's mark anyway: left ``sending``, the row would be held in
    doubt (never sent) or resent after its lease. Nothing was sent, so it goes back to ``pending`` at once."""
    recipients = await add_users(store, 1)
    first = make_engine(worker_id="first", concurrency=1, in_doubt="hold")
    await first.enqueue(requests_for(recipients))
    writing, go = asyncio.Event(), asyncio.Event()
    write = first._row_updates._write

    async def slow_mark(conn, statements):
        if any(s.compile().params.get("status") == DeliveryStatus.SENDING.value for s in statements):
            writing.set()
            await go.wait()
        return await write(conn, statements)

    first._row_updates._write = slow_mark
    task = asyncio.create_task(first.drain())
    await writing.wait()
    task.cancel()
    go.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    [outcome] = await first.outcomes(TENANT, "announcement", "ann-1")
    assert (outcome.status, outcome.attempts, messenger.sent) == (DeliveryStatus.PENDING, 0, [])

    await make_engine(worker_id="second", in_doubt="hold").drain()  # no lease to wait out
    assert messenger.per_conversation() == {user_conversation(0): 1}


async def test_a_sending_mark_whose_commit_was_cut_off_is_not_left_sending(make_engine, store, messenger):
    """The group writer's flush is cancelled (a shutdown) once the mark's COMMIT has started: the mark may
    have landed (WriteInterrupted.maybe_written). Nothing was sent, so the row is put back (a no-op if the
    mark did not land) rather than left ``sending`` for the in-doubt recovery to hold or resend."""
    recipients = await add_users(store, 1)
    first = make_engine(worker_id="first", concurrency=1, in_doubt="hold")
    await first.enqueue(requests_for(recipients))
    write = first._row_updates._write

    async def cut_off_at_commit(conn, statements):
        counts = await write(conn, statements)
        if any(s.compile().params.get("status") == DeliveryStatus.SENDING.value for s in statements):
            task = asyncio.current_task()
            assert task is not None
            task.cancel()  # lands at the COMMIT's wait
        return counts

    first._row_updates._write = cut_off_at_commit
    with pytest.raises(WriteInterrupted) as interrupted:
        await asyncio.wait_for(first.drain(), timeout=30)
    assert interrupted.value.maybe_written
    [outcome] = await first.outcomes(TENANT, "announcement", "ann-1")
    assert messenger.sent == []
    assert outcome.status in (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED)  # never SENDING: nothing left
    if outcome.status is DeliveryStatus.PENDING:  # the mark landed and was put back, its attempt given back
        assert outcome.attempts == 0
