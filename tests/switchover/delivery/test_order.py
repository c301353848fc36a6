"""One person's messages arrive in the order they were queued, one at a time; different people
still go side by side. On SQLite and PostgreSQL, with several workers on one database."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter, defaultdict

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from switchover.clock import SystemClock
from switchover.delivery import DeliveryEngine, DeliveryRequest, DeliveryStatus, Recipient, TeamsLimits
from switchover.delivery.conversations import StoredConversations
from switchover.delivery.tables import deliveries
from switchover.messaging import ConversationTarget, DeliveryError, FailureKind, OutgoingMessage
from switchover.storage import ConversationStore, Database
from switchover.storage.migrate import alembic_config
from tests.support.messenger import FakeMessenger
from tests.switchover.delivery.conftest import add_users, user_conversation


def numbered(person: Recipient, n: int, *, subject: str = "ann", **kw: object) -> DeliveryRequest:
    """Message ``n`` to ``person`` (its text says whose and which)."""
    return DeliveryRequest(
        recipient=person,
        message=OutgoingMessage(text=f"{person.display_name} #{n}"),
        purpose="announcement",
        subject_id=f"{subject}-{n}",
        dedupe_key=f"{subject}-{n}:{person.key}",
        **kw,  # type: ignore[arg-type]
    )


class Unruly:
    """A Messenger in front of the fake one: each send takes a few milliseconds, some are
    answered 429 (a short Retry-After) or 503, and a send to a conversation that already has
    one on its way is noted."""

    def __init__(self, inner: FakeMessenger, rng: random.Random, *, p429: float = 0.2, p503: float = 0.05) -> None:
        self.inner = inner
        self.rng = rng
        self.p429 = p429
        self.p503 = p503
        self.on_the_way: Counter[str] = Counter()
        self.overlaps: list[str] = []
        self.refused: Counter[str] = Counter()

    async def send(self, target: ConversationTarget, message: OutgoingMessage) -> str:
        conversation = target.conversation_id
        self.on_the_way[conversation] += 1
        try:
            if self.on_the_way[conversation] > 1:
                self.overlaps.append(conversation)
            await asyncio.sleep(self.rng.uniform(0, 0.004))
            roll = self.rng.random()
            if self.refused[message.text or ""] < 3 and roll < self.p429 + self.p503:  # each message goes in the end
                self.refused[message.text or ""] += 1
                if roll < self.p429:
                    raise DeliveryError(FailureKind.THROTTLED, status=429, retry_after=self.rng.uniform(0.005, 0.05))
                raise DeliveryError(FailureKind.TRANSIENT, status=503)
            return await self.inner.send(target, message)
        finally:
            self.on_the_way[conversation] -= 1

    def __getattr__(self, name: str) -> object:  # update, delete, open_personal
        return getattr(self.inner, name)


async def _queue_order(engine: DeliveryEngine) -> dict[str, list[str]]:
    """Each conversation's message texts in queue (id) order."""
    c = deliveries.c
    order: dict[str, list[str]] = defaultdict(list)
    async with engine.db.begin(read_only=True) as s:
        rows = await s.execute(sa.select(c.recipient_key, c.message).where(c.operation == "send").order_by(c.id))
        for row in rows:
            n = int(row.recipient_key.rsplit("-", 1)[1])
            order[user_conversation(n)].append(row.message["text"])
    return order


async def test_several_workers_deliver_each_persons_messages_in_queue_order_once(
    database: Database, store: ConversationStore, messenger: FakeMessenger
) -> None:
    """Three workers (real time, real waits) and 30 people, five messages each, queued in rounds
    while the workers run (some rounds several to one person at once), with random 429s and 503s:
    every person gets all five exactly once, in the order they were queued, never two at once."""
    rng = random.Random(20270102)
    people = await add_users(store, 30)
    unruly = Unruly(messenger, rng)
    clock = SystemClock()
    engines = [
        DeliveryEngine(
            database,
            unruly,  # type: ignore[arg-type]
            StoredConversations(store, clock),
            clock,
            limits=TeamsLimits(per_tenant_per_second=400.0),
            concurrency=4,
            batch_size=6,
            max_attempts=20,
            backoff_base=0.01,
            backoff_cap=0.05,
            worker_id=f"worker-{n}",
            rng=random.Random(n),
        )
        for n in range(3)
    ]
    rounds = 5
    total = len(people) * rounds
    settled: Counter[str] = Counter()
    all_sent = asyncio.Event()

    async def count(outcome):  # noqa: ANN001, ANN202
        settled[outcome.status.value] += 1
        if sum(settled.values()) >= total:
            all_sent.set()

    for engine in engines:
        engine.on_outcome("announcement", count)

    workers = [asyncio.create_task(e.run_forever(poll=0.02)) for e in engines]
    try:
        for n in range(rounds):
            if n == 3:
                continue  # queued with round 4, in one call: two messages to each person in one insert
            batch = [numbered(p, n) for p in people]
            if n == 4:
                batch = [m for p in people for m in (numbered(p, 3), numbered(p, 4))]
            rng.shuffle(people)
            cut = rng.randrange(1, len(batch))
            await engines[n % 3].enqueue(batch[:cut])
            await engines[(n + 1) % 3].enqueue(batch[cut:])
            for engine in engines:
                engine.wake()
            await asyncio.sleep(rng.uniform(0, 0.05))
        await asyncio.wait_for(all_sent.wait(), 60)
        await asyncio.sleep(0.2)  # a message sent twice would show up now
    finally:
        for engine, worker in zip(engines, workers, strict=True):
            await engine.shutdown(worker, grace=5)

    assert settled == {"sent": total}
    assert unruly.refused.total() > 20  # the throttles really happened
    queued = await _queue_order(engines[0])
    assert len(queued) == len(people)
    for conversation, texts in queued.items():
        person = texts[0].split(" #")[0]
        assert texts == [f"{person} #{n}" for n in range(rounds)]  # queued round by round
        assert [s.message.text for s in messenger.to(conversation)] == texts  # each once, in that order
    assert unruly.overlaps == []
    assert len(messenger.sent) == total


async def test_a_throttled_message_keeps_its_time_and_holds_back_the_ones_behind_it_not_other_people(
    make_engine, store, messenger, clock
) -> None:
    ana, ben, cy = await add_users(store, 3)
    engine = make_engine()
    messenger.failures[user_conversation(0)] = [DeliveryError(FailureKind.THROTTLED, status=429, retry_after=30.0)]
    first, second, third = await engine.enqueue([numbered(ana, 1), numbered(ana, 2), numbered(ana, 3)])
    others = await engine.enqueue([numbered(ben, 1), numbered(cy, 1), numbered(ben, 2)])
    throttled_at = clock.now()

    await engine.drain(until_idle=False)  # one pass: nothing waits out the Retry-After

    held = await engine.get(first)
    assert held.status is DeliveryStatus.PENDING and held.attempts == 1
    async with engine.db.begin(read_only=True) as s:
        due = await s.scalar(sa.select(deliveries.c.next_attempt_at).where(deliveries.c.id == first))
    assert due == throttled_at + dt.timedelta(seconds=30)  # put back with the time Teams asked for
    assert [(await engine.get(d)).status for d in (second, third)] == [DeliveryStatus.PENDING] * 2
    assert messenger.to(user_conversation(0)) == []
    # Ben and Cy were not held up, and Ben's two came in order.
    assert [s.message.text for s in messenger.to(user_conversation(1))] == ["User 1 #1", "User 1 #2"]
    assert [s.message.text for s in messenger.to(user_conversation(2))] == ["User 2 #1"]
    assert {(await engine.get(d)).status for d in others} == {DeliveryStatus.SENT}

    clock.set(throttled_at + dt.timedelta(seconds=29))
    await engine.drain(until_idle=False)
    assert messenger.to(user_conversation(0)) == []  # Ana's second and third still wait for her first

    clock.set(throttled_at + dt.timedelta(seconds=30))
    await engine.drain()
    assert [s.message.text for s in messenger.to(user_conversation(0))] == ["User 0 #1", "User 0 #2", "User 0 #3"]


async def test_a_message_that_finally_fails_lets_the_next_one_go(make_engine, store, messenger, clock) -> None:
    """Refused for good (a 400), or given up after its retries: reported as failed, and the
    person's next message goes, in order."""
    ana, ben = await add_users(store, 2)
    engine = make_engine(max_attempts=3)
    messenger.failures[user_conversation(0)] = [DeliveryError(FailureKind.REJECTED, status=400, code="BadSyntax")]
    messenger.failures[user_conversation(1)] = [DeliveryError(FailureKind.TRANSIENT, status=503)] * 3
    ana_ids = await engine.enqueue([numbered(ana, 1), numbered(ana, 2)])
    ben_ids = await engine.enqueue([numbered(ben, 1), numbered(ben, 2), numbered(ben, 3)])

    await engine.drain()

    assert [(await engine.get(d)).status for d in ana_ids] == [DeliveryStatus.FAILED, DeliveryStatus.SENT]
    assert [(await engine.get(d)).status for d in ben_ids] == [DeliveryStatus.FAILED] + [DeliveryStatus.SENT] * 2
    assert (await engine.get(ben_ids[0])).reason.startswith("gave up after 3 attempts")
    assert [s.message.text for s in messenger.to(user_conversation(0))] == ["User 0 #2"]
    assert [s.message.text for s in messenger.to(user_conversation(1))] == ["User 1 #2", "User 1 #3"]


async def test_a_message_scheduled_for_later_holds_nothing_up_and_then_waits_its_turn(
    make_engine, store, messenger, clock
) -> None:
    """A reminder scheduled for tomorrow does not hold back today's messages; once due, it waits
    for the person's message on its way and goes before the ones queued after it."""
    [ana] = await add_users(store, 1)
    engine = make_engine()
    tomorrow = clock.now() + dt.timedelta(days=1)
    await engine.enqueue([numbered(ana, 1, not_before=tomorrow), numbered(ana, 2)])
    await engine.drain()
    assert [s.message.text for s in messenger.to(user_conversation(0))] == ["User 0 #2"]

    clock.set(tomorrow)
    messenger.failures[user_conversation(0)] = [DeliveryError(FailureKind.THROTTLED, status=429, retry_after=5.0)]
    await engine.enqueue([numbered(ana, 3)])
    await engine.drain()
    assert [s.message.text for s in messenger.to(user_conversation(0))] == ["User 0 #2", "User 0 #1", "User 0 #3"]


async def test_one_engine_sends_one_message_at_a_time_to_each_person_and_many_people_at_once(
    make_engine, store, messenger
) -> None:
    people = await add_users(store, 8)
    unruly = Unruly(messenger, random.Random(7), p429=0.0, p503=0.0)
    engine = make_engine(concurrency=16)
    engine.messenger = unruly
    await engine.enqueue([numbered(p, n) for n in range(4) for p in people])
    most = 0

    async def watch() -> None:
        nonlocal most
        while True:
            most = max(most, sum(1 for v in unruly.on_the_way.values() if v))
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    try:
        await engine.drain()
    finally:
        watcher.cancel()
    assert unruly.overlaps == []
    assert most > 1  # different people side by side
    for n, person in enumerate(people):
        assert [s.message.text for s in messenger.to(user_conversation(n))] == [
            f"{person.display_name} #{k}" for k in range(4)
        ]


async def test_the_migration_keeps_queued_rows_and_their_order(empty_database: Database) -> None:
    """An outbox from before 0022_delivery_recipient, with rows queued (and one left claimed by a
    stopped worker), is upgraded in place and then sent in queue order per person."""
    db = empty_database
    scripts = ScriptDirectory.from_config(alembic_config())
    before = [h for h in scripts.get_heads() if h != "0022_delivery_recipient"]
    async with db.engine.begin() as conn:
        for head in sorted(before):
            await conn.run_sync(lambda c, head=head: command.upgrade(alembic_config(connection=c), head))
    store = ConversationStore(db)
    people = await add_users(store, 3)
    clock = SystemClock()
    messenger = FakeMessenger(clock)
    old = DeliveryEngine(db, messenger, StoredConversations(store, clock), clock, worker_id="old")
    ids = await old.enqueue([numbered(p, n) for n in range(3) for p in people])
    async with db.begin() as s:  # a worker stopped holding Ana's first, its lease run out
        await s.execute(
            sa.update(deliveries)
            .where(deliveries.c.id == ids[0])
            .values(status="claimed", claimed_by="old", claimed_until=clock.now() - dt.timedelta(seconds=1))
        )

    await db.migrate()

    def indexes(sync_conn):  # noqa: ANN001, ANN202
        return {ix["name"]: ix["column_names"] for ix in sa.inspect(sync_conn).get_indexes("delivery_outbox")}

    async with db.engine.connect() as conn:
        found = await conn.run_sync(indexes)
    assert found["ix_delivery_outbox_recipient"] == ["tenant_id", "recipient_kind", "recipient_key", "status", "id"]
    assert found["ix_delivery_outbox_due"] == ["status", "next_attempt_at", "id"]
    engine = DeliveryEngine(db, messenger, StoredConversations(store, clock), clock, worker_id="new")
    await engine.drain()
    for n, person in enumerate(people):
        assert [s.message.text for s in messenger.to(user_conversation(n))] == [
            f"{person.display_name} #{k}" for k in range(3)
        ]
    assert {(await engine.get(d)).status for d in ids} == {DeliveryStatus.SENT}
