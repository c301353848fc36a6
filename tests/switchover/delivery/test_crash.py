"""Stopping the engine in the middle of a broadcast loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio

import pytest

from switchover.delivery import DeliveryStatus

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
