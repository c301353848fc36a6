"""The delivery engine against a scriptable Messenger, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from switchover.delivery import DeliveryStatus, Recipient
from switchover.messaging import DeliveryError, FailureKind, OutgoingMessage

from .conftest import TENANT, add_users, gone, requests_for, user_conversation


async def test_broadcast_sends_one_message_per_recipient_and_stores_activity_ids(make_engine, store, messenger):
    recipients = await add_users(store, 25)
    engine = make_engine()
    ids = await engine.enqueue(requests_for(recipients))
    await engine.drain()

    assert sorted(messenger.per_conversation().values()) == [1] * 25
    outcomes = await engine.outcomes(TENANT, "announcement", "ann-1")
    assert [o.id for o in outcomes] == sorted(ids)
    assert {o.status for o in outcomes} == {DeliveryStatus.SENT}
    sent_ids = {s.conversation_id: s.activity_id for s in messenger.sent}
    for o in outcomes:
        assert o.activity_id == sent_ids[o.target.conversation_id]
        assert o.attempts == 1


async def test_enqueueing_twice_never_sends_twice(make_engine, store, messenger):
    recipients = await add_users(store, 3)
    engine = make_engine()
    first = await engine.enqueue(requests_for(recipients))
    await engine.drain()
    again = await engine.enqueue(requests_for(recipients))
    await engine.drain()
    assert first == again
    assert len(messenger.sent) == 3


async def test_throttled_send_waits_for_retry_after_then_succeeds(make_engine, store, messenger, clock):
    [alice] = await add_users(store, 1)
    messenger.failures[user_conversation(0)] = [DeliveryError(FailureKind.THROTTLED, status=429, retry_after=7.0)]
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([alice]))
    started = clock.now()
    await engine.drain()

    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.SENT
    assert outcome.attempts == 2
    assert messenger.sent[0].at - started >= dt.timedelta(seconds=7)


async def test_transient_failures_are_retried_a_bounded_number_of_times(make_engine, store, messenger):
    [bob] = await add_users(store, 1)
    messenger.failures[user_conversation(0)] = [DeliveryError(FailureKind.TRANSIENT, status=503) for _ in range(10)]
    engine = make_engine(max_attempts=4)
    [did] = await engine.enqueue(requests_for([bob]))
    await engine.drain()

    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.FAILED
    assert outcome.attempts == 4
    assert "gave up after 4 attempts" in outcome.reason and "503" in outcome.reason
    assert messenger.calls == 4


async def test_bad_request_is_not_retried(make_engine, store, messenger):
    [carol] = await add_users(store, 1)
    messenger.failures[user_conversation(0)] = [
        DeliveryError(FailureKind.REJECTED, status=413, code="MessageSizeTooBig")
    ]
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([carol]))
    await engine.drain()
    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.FAILED
    assert "MessageSizeTooBig" in outcome.reason
    assert messenger.calls == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (403, "ConversationBlockedByUser"),
        (403, "BotNotInConversationRoster"),
        (403, "MessageWritesBlocked"),
        (404, "ConversationNotFound"),
    ],
)
async def test_gone_conversation_is_reopened_once_and_remembered(make_engine, store, messenger, status, code):
    [dave] = await add_users(store, 1)
    messenger.failures[user_conversation(0)] = [gone(code, status)]
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([dave]))
    await engine.drain()

    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.SENT
    assert outcome.target.conversation_id == "a:fresh-29:user-0"
    assert messenger.opened == ["29:user-0"]
    stored = await store.personal_for_user(TENANT, dave.key)
    assert stored.conversation_id == "a:fresh-29:user-0"


async def test_person_is_unreachable_when_reopening_fails_and_is_never_retried(make_engine, store, messenger):
    [erin] = await add_users(store, 1)
    messenger.failures[user_conversation(0)] = [gone("ConversationBlockedByUser")]
    messenger.open_failures["29:user-0"] = gone("BotNotInConversationRoster")
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([erin]))
    await engine.drain()

    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.UNREACHABLE
    assert "ConversationBlockedByUser" in outcome.reason and "BotNotInConversationRoster" in outcome.reason
    assert messenger.calls == 1
    await engine.drain()
    assert messenger.calls == 1


async def test_gone_twice_marks_unreachable(make_engine, store, messenger):
    [finn] = await add_users(store, 1)
    messenger.failures[user_conversation(0)] = [gone("ConversationNotFound", 404)]
    messenger.failures["a:fresh-29:user-0"] = [gone("ConversationBlockedByUser")]
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([finn]))
    await engine.drain()
    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.UNREACHABLE
    assert "ConversationBlockedByUser" in outcome.reason


async def test_recipient_without_a_conversation_is_unreachable_not_dropped(make_engine, messenger):
    engine = make_engine()
    nobody = Recipient(TENANT, "user", "no-such-user", "Nobody")
    [did] = await engine.enqueue(requests_for([nobody]))
    await engine.drain()
    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.UNREACHABLE
    assert outcome.reason.startswith("NoConversation")
    assert messenger.sent == []


async def test_outcome_callbacks_fire_for_their_purpose(make_engine, store, messenger):
    recipients = await add_users(store, 2)
    messenger.failures[user_conversation(1)] = [gone("ConversationBlockedByUser")]
    messenger.open_failures["29:user-1"] = gone("ConversationBlockedByUser")
    seen = []

    async def record(outcome):
        seen.append((outcome.recipient.key, outcome.status))

    engine = make_engine()
    engine.on_outcome("announcement", record)
    engine.on_outcome("problem", lambda o: pytest.fail("wrong purpose"))
    await engine.enqueue(requests_for(recipients))
    await engine.drain()
    assert sorted(seen) == sorted(
        [(recipients[0].key, DeliveryStatus.SENT), (recipients[1].key, DeliveryStatus.UNREACHABLE)]
    )


async def test_scheduled_deliveries_wait_for_not_before(make_engine, store, messenger, clock):
    [gus] = await add_users(store, 1)
    engine = make_engine()
    later = clock.now() + dt.timedelta(hours=3)
    [did] = await engine.enqueue(requests_for([gus], not_before=later))
    await engine.drain()
    assert messenger.sent == []
    assert (await engine.get(did)).status is DeliveryStatus.PENDING
    clock.set(later)
    await engine.drain()
    assert len(messenger.sent) == 1


async def test_a_message_queued_ahead_of_earlier_work_goes_before_it(make_engine, store, messenger, clock):
    people = await add_users(store, 31)
    engine = make_engine()
    began = clock.now()
    clock.advance(dt.timedelta(seconds=5))
    await engine.enqueue(requests_for(people[:30]))  # a job's cards, queued after it began
    clock.advance(dt.timedelta(seconds=60))
    [note] = requests_for(people[30:], subject="progress")
    await engine.enqueue([dataclasses.replace(note, ahead_of=began)])
    await engine.run_once(max_items=1)
    assert [s.conversation_id for s in messenger.sent] == [user_conversation(30)]
    await engine.drain()
    assert len(messenger.sent) == 31


async def test_cancel_stops_pending_deliveries(make_engine, store, messenger, clock):
    recipients = await add_users(store, 3)
    engine = make_engine()
    await engine.enqueue(requests_for(recipients, not_before=clock.now() + dt.timedelta(hours=1)))
    assert await engine.cancel(TENANT, "announcement", "ann-1") == 3
    clock.advance(dt.timedelta(hours=2))
    await engine.drain()
    assert messenger.sent == []
    assert {o.status for o in await engine.outcomes(TENANT, "announcement", "ann-1")} == {DeliveryStatus.CANCELLED}


async def test_update_and_delete_use_the_stored_activity_id(make_engine, store, messenger):
    [hana] = await add_users(store, 1)
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([hana]))
    await engine.drain()
    activity_id = messenger.sent[0].activity_id

    corrected = OutgoingMessage(text="Corrected date")
    await engine.update_sent(did, corrected)
    assert messenger.updated == [(user_conversation(0), activity_id, corrected)]

    await engine.delete_sent(did)
    assert messenger.deleted == [(user_conversation(0), activity_id)]
    assert (await engine.get(did)).status is DeliveryStatus.RECALLED
    with pytest.raises(ValueError, match="recalled"):
        await engine.update_sent(did, corrected)


async def test_update_retries_throttling(make_engine, store, messenger):
    [ivan] = await add_users(store, 1)
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([ivan]))
    await engine.drain()
    messenger.failures[user_conversation(0)] = [DeliveryError(FailureKind.THROTTLED, status=429, retry_after=1.0)]
    await engine.update_sent(did, OutgoingMessage(text="v2"))
    assert len(messenger.updated) == 1


async def test_read_receipt_marks_deliveries_up_to_that_message(make_engine, store, messenger):
    [jo] = await add_users(store, 1)
    engine = make_engine()
    # Queued together: they still reach the person one after the other, the first first.
    first = await engine.enqueue(requests_for([jo], subject="ann-1"))
    second = await engine.enqueue(requests_for([jo], subject="ann-2"))
    await engine.drain()
    first_activity = (await engine.get(first[0])).activity_id

    assert await engine.mark_read(TENANT, user_conversation(0), first_activity) == 1
    assert (await engine.get(first[0])).read_at is not None
    assert (await engine.get(second[0])).read_at is None
    assert await engine.mark_read(TENANT, user_conversation(0), "99999999999999") == 1
    assert (await engine.get(second[0])).read_at is not None


async def test_two_engines_on_one_database_never_send_the_same_row(make_engine, store, messenger):
    recipients = await add_users(store, 60)
    # Real waits for the rate limits, as two instances would have. (With waits that move the
    # shared ManualClock, an idle engine "sleeping" until the other's lease ends jumps time two
    # minutes past a send that in reality takes milliseconds.)
    a = make_engine(worker_id="a", batch_size=7, concurrency=3, sleep=None)
    b = make_engine(worker_id="b", batch_size=5, concurrency=2, sleep=None)
    finished: dict[str, int] = {"a": 0, "b": 0}
    all_sent = asyncio.Event()
    for name, engine in (("a", a), ("b", b)):

        async def count(_outcome, name=name):  # noqa: ANN001, ANN202
            finished[name] += 1
            if sum(finished.values()) >= len(recipients):
                all_sent.set()

        engine.on_outcome("announcement", count)
    await a.enqueue(requests_for(recipients))
    workers = [asyncio.create_task(e.run_forever(poll=0.05)) for e in (a, b)]
    try:
        await asyncio.wait_for(all_sent.wait(), 30)
        await asyncio.sleep(0.3)  # a row sent twice would show up now
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    counts = messenger.per_conversation()
    assert len(counts) == 60
    assert set(counts.values()) == {1}
    assert all(o.status is DeliveryStatus.SENT for o in await a.outcomes(TENANT, "announcement", "ann-1"))
    assert finished["a"] > 0 and finished["b"] > 0, finished  # both really competed for the rows


async def test_a_send_waiting_out_a_long_pause_is_sent_once_when_its_lease_runs_out(
    make_engine, store, messenger, clock
):
    """A row waits for its rate slot while only claimed, so a lease that runs out meanwhile
    hands it to another worker instead of leaving an in-doubt send to be repeated."""
    [ana] = await add_users(store, 1)
    a_waiting, b_done = asyncio.Event(), asyncio.Event()

    async def a_sleep(seconds: float) -> None:  # A waits out Retry-After; the other worker goes on meanwhile
        clock.advance(dt.timedelta(seconds=seconds))
        a_waiting.set()
        await b_done.wait()

    a = make_engine(worker_id="a", lease=dt.timedelta(seconds=60), sleep=a_sleep)
    b = make_engine(worker_id="b", lease=dt.timedelta(seconds=60))
    [did] = await a.enqueue(requests_for([ana]))
    a.limiter.conversations.pause(user_conversation(0), 300)  # Teams said Retry-After: 300
    first = asyncio.create_task(a.drain())
    await asyncio.wait_for(a_waiting.wait(), 5)
    await b.drain(until_idle=False)  # one pass: its own idle waits would move the shared clock past live sends
    b_done.set()
    await asyncio.wait_for(first, 5)
    assert messenger.per_conversation() == {user_conversation(0): 1}
    outcome = await a.get(did)
    assert outcome.status is DeliveryStatus.SENT
    assert outcome.reason is None  # sent once, not "resent" after an interrupted send


async def test_sends_to_one_conversation_respect_the_per_conversation_windows(make_engine, store, messenger):
    [kai] = await add_users(store, 1)
    engine = make_engine(concurrency=1)
    from switchover.delivery import DeliveryRequest

    await engine.enqueue(
        [DeliveryRequest(kai, OutgoingMessage(text=str(i)), "digest", f"d{i}", f"digest:{i}") for i in range(70)]
    )
    await engine.drain()
    times = [s.at.timestamp() for s in messenger.sent]
    assert len(times) == 70
    for limit, seconds in ((7, 1.0), (8, 2.0), (60, 30.0)):
        for i in range(limit, len(times)):
            assert times[i] - times[i - limit] >= seconds - 1e-6, (limit, seconds, i)


async def test_a_throttled_reopen_is_retried_and_still_reopens(make_engine, store, messenger):
    [lou] = await add_users(store, 1)
    messenger.failures[user_conversation(0)] = [gone("ConversationNotFound", 404), gone("ConversationNotFound", 404)]
    messenger.open_failures["29:user-0"] = [DeliveryError(FailureKind.THROTTLED, status=429, retry_after=2.0)]
    engine = make_engine()
    [did] = await engine.enqueue(requests_for([lou]))
    await engine.drain()
    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.SENT
    assert outcome.target.conversation_id == "a:fresh-29:user-0"
    assert messenger.opened == ["29:user-0", "29:user-0"]


async def test_a_marked_send_whose_slot_comes_too_late_is_put_back_unsent_and_sent_once_later(
    make_engine, store, messenger, clock
):
    """Teams' 429s can hold the tenant back after a row was marked ``sending``: the row goes back
    to ``pending`` (nothing left) instead of waiting in ``sending`` towards the end of its lease."""
    [ana] = await add_users(store, 1)
    engine = make_engine(lease=dt.timedelta(seconds=60))
    mark = engine._mark_sending
    marks = 0

    async def mark_then_throttled(row, target):  # the first time, 429s for a second's worth of requests meanwhile
        nonlocal marks
        marked = await mark(row, target)
        marks += 1
        if marks == 1:
            for n in range(60):
                engine.limiter.throttled(TENANT, f"a:elsewhere-{n}", 40.0)
        return marked

    engine._mark_sending = mark_then_throttled  # type: ignore[method-assign]
    [did] = await engine.enqueue(requests_for([ana]))
    started = clock.now()
    await engine.drain()

    assert messenger.per_conversation() == {user_conversation(0): 1}
    assert messenger.sent[0].at - started >= dt.timedelta(seconds=40)  # after the Retry-After, not before
    outcome = await engine.get(did)
    assert outcome.status is DeliveryStatus.SENT
    assert outcome.reason is None  # not "resent": it never left while it was marked
    assert marks == 2 and outcome.attempts == 1  # marked twice; the put-back mark did not count as an attempt
