"""The one durable delivery engine: an outbox in the database, drained by workers.

Announcements, problem notifications, escalations and digests all go through
here. A :class:`DeliveryRequest` becomes one ``delivery_outbox`` row; workers
claim due rows in the database (so two instances never send the same row),
respect the Teams rate limits, send through the :class:`Messenger`, and write
the outcome back (activity id, status, reason).

Row life cycle::

    pending --claim--> claimed --just before the HTTP call--> sending --> sent
                                                                     \\-> pending (retry later)
                                                                     \\-> failed / unreachable

Crash safety. A row is ``claimed`` (with a lease, ``claimed_until``) in one
statement. It waits to be admitted by the rate limiter while still only ``claimed``
(every long wait: a conversation's windows, a ``Retry-After`` pause), is marked
``sending`` in a small transaction, takes its rate slot once that mark is committed,
immediately before the HTTP request, and the outcome is written immediately after.
So:

* a worker that stops before the HTTP call leaves ``claimed`` rows (or a
  ``sending`` row whose request never left: it is resent, once); once the
  lease expires any worker claims them again (nothing was sent: no duplicate).
  A worker whose claim ran out while it waited (a long Retry-After pause) finds
  the row taken at the ``sending`` mark and leaves it alone;
* a worker that is *cancelled* (shutdown, task cancelled) finishes the send it
  had started and records it: the send and its record run shielded, and its
  claim transactions run to completion (one cut off half way is left to the
  driver's clean-up, and a connection still holding SQLite's write lock makes
  every outcome write wait for it);
* a clean stop (:meth:`DeliveryEngine.shutdown`, the app's shutdown) claims nothing more,
  lets the sends on the wire finish and be recorded (bounded), puts back marked rows whose
  request has not left, writes every pending row update and releases the rows still only
  ``claimed`` by this engine, before the database goes: nothing waits for a lease;
* a live worker whose outcome write fails (the database busy or briefly away)
  writes it again, with backoff, for up to half the lease: the request went out, so
  the row must not be left ``sending`` for the in-doubt recovery to resend;
* only a hard stop (SIGKILL, power loss) after a row was marked ``sending`` and
  before the write of its outcome (or a database that stays unwritable for half
  the lease) leaves a row in ``sending`` past its lease:
  the window is one HTTP request plus one commit (the connector's 30 s timeout
  is well inside the lease, so a live worker's send never outlasts it). Such a
  row may not have been sent at all, or its request may have reached Teams.
  Teams has no idempotency key, so we cannot ask whether that message arrived. The policy
  ``in_doubt`` decides: ``"resend"`` (default: the person may get the message
  twice, which beats missing a cutover notice) or ``"hold"`` (status
  ``in_doubt``, counted in reports, never sent again automatically). At most
  ``concurrency`` rows per killed worker can be in that state; bench/broadcast.py
  measures how many actually arrive twice when a worker is killed mid-broadcast.

Updates and deletions of messages already sent are outbox rows too (``operation`` ``update`` or
``delete``, ``original_id`` the delivery whose message they change, queued with
:meth:`DeliveryEngine.enqueue_changes`): they are claimed, paced, marked ``sending``, retried
and recorded exactly as sends are, so a correction or a recall of thousands of cards runs at
the rate limit in the background and picks up where it was after a restart. A change done
ends ``sent``; the original delivery then carries the new message, or is ``recalled``.

Order. One recipient's rows go one at a time, in the order they were queued (id order among
those due): a row is claimed only when no other row of the same person (or channel) is in flight
and no earlier one is still to go (:func:`_in_turn`). A row put back after a 429 or a failure keeps
its retry time and its place, so the ones behind it wait; a row that ends failed, unreachable,
cancelled or in doubt lets the next one go; a row scheduled for later holds nothing up until it is
due. So "List 1 of 2" arrives before "List 2 of 2", and a reminder after its announcement. The
check is made in the claim itself (on PostgreSQL under per-recipient advisory locks), so it holds
across workers and instances; different recipients never wait for one another.

Outcome writes of concurrent sends are committed together (group commit, through
:class:`switchover.storage.batch.GroupWriter`), each caller still waiting for its own
commit, so the order above holds.

Pacing. Teams counts a request when it arrives, somewhere between the moment it leaves
and the moment its answer is back, so that is where the limits are kept
(:class:`~switchover.delivery.limits.RateLimiter`): a row is *admitted* before its mark
(a place reserved in its conversation's windows; at most ``TeamsLimits.ahead`` seconds of
the tenant's rate admitted and not yet gone), and its slot in the tenant's and the
conversation's windows is *taken* only once the mark is committed, just before the
request; the request then counts as arriving *now* until its answer is in, and from then
on by the time of its answer. A group commit that lets several marked rows go at once
cannot push a window over (they leave one slot at a time), nor can a request held up on
its way (a busy event loop, the network). The admitted rows are the work kept ready
ahead, so the rate does not wait on the commits. A 429 pauses its conversation for
``Retry-After`` and keeps one tenant slot for as long; a marked row whose slot would
come later than a quarter of its lease is put back (``pending``, nothing sent) and waits
for admission again.

Why one module of some 900 lines: the life cycle above is one state machine. Claiming,
the ``sending`` mark, the send, the reopen of a gone chat, retries and recovery each
move a row from one state to the next, and the crash-safety argument is about the order
of those moves; split across modules, a reader would have to reassemble it to check it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from switchover.aio import to_completion as _to_completion
from switchover.aio import wind_down
from switchover.clock import Clock
from switchover.delivery.limits import RateLimiter, TeamsLimits
from switchover.delivery.tables import deliveries
from switchover.messaging import ConversationTarget, DeliveryError, FailureKind, Messenger, OutgoingMessage
from switchover.storage.batch import GroupWriter, WriteInterrupted
from switchover.storage.db import rowcount

log = logging.getLogger(__name__)

# Retrying the write of a send's outcome (see DeliveryEngine._record): first wait, longest wait (s).
RECORD_RETRY_FIRST = 0.05
RECORD_RETRY_CAP = 5.0


class DeliveryStatus(StrEnum):
    """Where a delivery is in its life."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"
    RECALLED = "recalled"
    IN_DOUBT = "in_doubt"


FINAL = frozenset(
    {
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
        DeliveryStatus.UNREACHABLE,
        DeliveryStatus.CANCELLED,
        DeliveryStatus.RECALLED,
        DeliveryStatus.IN_DOUBT,
    }
)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a delivery goes to.

    Attributes:
        tenant_id: Entra tenant id.
        kind: ``"user"`` or ``"channel"``.
        key: user: Entra object id; channel: ``"<team> / <channel>"`` (``str(ChannelRef)``).
        display_name: For reports and logs.
    """

    tenant_id: str
    kind: Literal["user", "channel"]
    key: str
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRequest:
    """One message for one recipient. ``dedupe_key`` is unique per tenant: enqueueing twice never sends twice."""

    recipient: Recipient
    message: OutgoingMessage
    purpose: str
    subject_id: str
    dedupe_key: str
    not_before: dt.datetime | None = None
    # Goes out ahead of every row queued since this moment (rows are claimed oldest due first):
    # a lead's progress message is not held behind the thousands of cards of their own Send.
    ahead_of: dt.datetime | None = None
    # The language the message is written in (``es``): stored with the row, so a later change of
    # the message (a correction) is written in the same language, and reports can count by it.
    language: str | None = None


def _first_attempt(now: dt.datetime, r: DeliveryRequest) -> dt.datetime:
    """When a new row is first due: now, or its ``not_before``; ``ahead_of`` dates it back to just before then."""
    if r.not_before is not None:
        return max(now, r.not_before)
    if r.ahead_of is not None:
        return min(now, r.ahead_of - dt.timedelta(milliseconds=1))
    return now


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """Update (``message``) or delete the message one delivery already sent, as outbox work.

    ``(operation, of.id, revision)`` is the dedupe key: queueing the same change twice makes it
    once. ``purpose`` and ``subject_id`` name the change's own row (e.g. the lead's operation it
    belongs to), so its outcome is counted there and not among the original sends.
    """

    of: DeliveryOutcome
    operation: Literal["update", "delete"]
    purpose: str
    subject_id: str
    revision: str
    message: OutgoingMessage | None = None


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What happened to one delivery."""

    id: int
    tenant_id: str
    purpose: str
    subject_id: str
    dedupe_key: str
    recipient: Recipient
    status: DeliveryStatus
    attempts: int
    activity_id: str | None
    target: ConversationTarget | None
    reason: str | None
    sent_at: dt.datetime | None
    read_at: dt.datetime | None
    language: str | None = None  # what the message is written in (None: not recorded)


class ConversationLookup(Protocol):
    """Where the engine finds (and remembers) the conversation for a recipient."""

    async def target_for(self, recipient: Recipient) -> ConversationTarget | None:
        """The stored conversation to post into, or None if the bot has none."""
        ...

    async def remember(self, recipient: Recipient, target: ConversationTarget) -> None:
        """Store a freshly opened 1:1 conversation for the recipient."""
        ...


OutcomeCallback = Callable[[DeliveryOutcome], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


def message_to_json(message: OutgoingMessage) -> dict[str, Any]:
    """An :class:`OutgoingMessage` as a JSON-able dict (the outbox stores it)."""
    return {
        "text": message.text,
        "card": message.card,
        "summary": message.summary,
        "attachments": list(message.attachments),
    }


def message_from_json(data: dict[str, Any]) -> OutgoingMessage:
    """The inverse of :func:`message_to_json`."""
    return OutgoingMessage(
        text=data.get("text"),
        card=data.get("card"),
        summary=data.get("summary"),
        attachments=tuple(data.get("attachments") or ()),
    )


def target_to_json(target: ConversationTarget) -> dict[str, Any]:
    return asdict(target)


def target_from_json(data: dict[str, Any] | None) -> ConversationTarget | None:
    return ConversationTarget(**data) if data else None


def _reason(exc: DeliveryError) -> str:
    parts = [f"HTTP {exc.status}" if exc.status else exc.kind.value]
    if exc.code:
        parts.append(exc.code)
    if exc.detail:
        parts.append(exc.detail[:200])
    return " ".join(parts)[:500]


class DeliveryEngine:
    """The durable outbox and its workers.

    Args:
        db: ``switchover.storage.Database``.
        messenger: Sends, updates and deletes Teams messages.
        conversations: Finds the stored conversation for a recipient.
        clock: The one source of "now"; also paces the rate limiter.
        limits: Teams rate limits (the per-tenant rate is configurable).
        concurrency: Sends in flight at once per engine.
        batch_size: Rows claimed per database round trip.
        lease: How long a claim holds before another worker may take the row.
        max_attempts: Sends tried before a row is failed for good.
        backoff_base: First retry delay (seconds) without ``Retry-After``; doubles, full jitter.
        backoff_cap: Longest retry delay (seconds).
        in_doubt: What to do with a row left in ``sending`` by a killed worker (see module docs).
        worker_id: Names this engine in ``claimed_by`` (default: random).
        sleep: How to wait (tests pass one that moves a ManualClock).
        rng: Random source for jitter.
    """

    def __init__(
        self,
        db: Any,
        messenger: Messenger,
        conversations: ConversationLookup,
        clock: Clock,
        *,
        limits: TeamsLimits | None = None,
        concurrency: int = 16,
        batch_size: int = 200,
        lease: dt.timedelta = dt.timedelta(minutes=2),
        max_attempts: int = 6,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        in_doubt: Literal["resend", "hold"] = "resend",
        worker_id: str | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.messenger = messenger
        self.conversations = conversations
        self.clock = clock
        self.limits = limits or TeamsLimits()
        # Pacing must run on the same time as waiting: real sleeps pace on the monotonic clock;
        # an injected sleep (tests moving a ManualClock) paces on the injected clock.
        pace = time.monotonic if sleep is None else (lambda: self.clock.now().timestamp())
        self._pace: Callable[[], float] = pace
        self.limiter = RateLimiter(self.limits, pace)
        # Set (and replaced) whenever a request is answered, leaves or is given up: what a request
        # waits for when the limiter has no time to give (the room is all admitted or on its way).
        self._slot_freed = asyncio.Event()
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.in_doubt = in_doubt
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self._sleep: Sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._callbacks: dict[str, list[OutcomeCallback]] = defaultdict(list)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        # Set by :meth:`shutdown`: claim nothing more, start no send, give up waits for a slot.
        self._stopping = asyncio.Event()
        # Every send needs two small row updates (``sending`` before, the outcome after).
        # Sixteen workers each committing on their own would queue for SQLite's single write
        # lock; committing whatever is pending in one transaction (group commit) keeps the
        # database off the critical path. Each caller still waits for *its* commit, so the
        # crash-safety order is unchanged.
        self._row_updates: GroupWriter[Any] = GroupWriter(
            db, _run_updates, name=f"delivery-writes-{self.worker_id}", immediate=True
        )

    async def _update_row(self, statement: Any) -> int:
        """Run one row update, committed together with the other workers' pending ones; its row count."""
        count = await self._row_updates.add(statement)
        assert count is not None  # _run_updates counts every statement  # noqa: S101
        return count

    async def _record(self, row: Any, statement: Any) -> int:
        """Write what became of a row whose request has gone out (or was answered), insisting.

        Until it lands the row stays ``sending``, and once its lease runs out the in-doubt
        recovery would send it again: a duplicate message, while this worker knows what
        happened. So a failed write (SQLite busy past its timeout, a dropped PostgreSQL
        connection) is tried again, with backoff, for up to half the lease (real time).
        """
        deadline = time.monotonic() + self.lease.total_seconds() / 2
        delay = RECORD_RETRY_FIRST
        while True:
            try:
                return await self._update_row(statement)
            except Exception as exc:
                # An outcome sets the row's fields by id, so writing it again is safe even when the
                # first write may have landed (WriteInterrupted.maybe_written): it sets the same values.
                if time.monotonic() + delay > deadline:
                    log.exception("delivery outcome could not be recorded", extra={"delivery": row.id})
                    raise
                log.warning(
                    "delivery outcome not recorded yet; writing it again",
                    exc_info=True,
                    extra={
                        "delivery": row.id,
                        "in_seconds": delay,
                        "maybe_written": exc.maybe_written if isinstance(exc, WriteInterrupted) else False,
                    },
                )
            # Real time, never an injected sleep: moving a test's clock here would run out the lease.
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECORD_RETRY_CAP)

    # -- enqueueing ------------------------------------------------------------

    async def enqueue(self, requests: Sequence[DeliveryRequest]) -> list[int]:
        """Store requests durably; returns their delivery ids in order.

        Idempotent: a request whose ``(tenant_id, dedupe_key)`` is already stored
        keeps its existing row (and id) and is not sent again.
        """
        if not requests:
            return []
        now = self.clock.now()
        ids: dict[tuple[str, str], int] = {}
        for start in range(0, len(requests), 500):
            chunk = requests[start : start + 500]
            rows = [
                {
                    "tenant_id": r.recipient.tenant_id,
                    "dedupe_key": r.dedupe_key,
                    "purpose": r.purpose,
                    "subject_id": r.subject_id,
                    "recipient_kind": r.recipient.kind,
                    "recipient_key": r.recipient.key,
                    "recipient_name": r.recipient.display_name,
                    "message": message_to_json(r.message),
                    "status": DeliveryStatus.PENDING.value,
                    "not_before": r.not_before,
                    "next_attempt_at": _first_attempt(now, r),
                    "attempts": 0,
                    "reopened": False,
                    "language": r.language,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in chunk
            ]
            async with self.db.begin() as s:
                await s.execute(self._insert_ignore(rows))
                by_tenant: dict[str, list[str]] = defaultdict(list)
                for r in chunk:
                    by_tenant[r.recipient.tenant_id].append(r.dedupe_key)
                for tenant, keys in by_tenant.items():
                    result = await s.execute(
                        sa.select(deliveries.c.id, deliveries.c.dedupe_key).where(
                            deliveries.c.tenant_id == tenant, deliveries.c.dedupe_key.in_(keys)
                        )
                    )
                    for row in result:
                        ids[(tenant, row.dedupe_key)] = row.id
        self._wake.set()
        return [ids[(r.recipient.tenant_id, r.dedupe_key)] for r in requests]

    def _insert_ignore(self, rows: list[dict[str, Any]]) -> Any:
        if self.db.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(deliveries).values(rows).on_conflict_do_nothing(index_elements=["tenant_id", "dedupe_key"])

    async def enqueue_changes(self, changes: Sequence[ChangeRequest]) -> int:
        """Queue updates and deletions of sent messages, in one transaction; how many are queued.

        Idempotent per ``(operation, original, revision)``. A change supersedes the changes of
        the same message still waiting (not yet started): a newer update replaces an older one,
        and a deletion replaces any update, so a card never ends showing an older correction.
        """
        changes = [ch for ch in changes if ch.of.activity_id and ch.of.target is not None]
        if not changes:
            return 0
        now = self.clock.now()
        c = deliveries.c
        async with self.db.begin(immediate=True) as s:
            for start in range(0, len(changes), 500):
                chunk = changes[start : start + 500]
                keys = [f"{ch.operation}:{ch.of.id}:{ch.revision}" for ch in chunk]
                await s.execute(
                    sa.update(deliveries)
                    .where(
                        c.original_id.in_([ch.of.id for ch in chunk]),
                        c.operation == "update",
                        c.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
                        c.dedupe_key.not_in(keys),
                    )
                    .values(
                        status=DeliveryStatus.CANCELLED.value, reason="superseded by a later change", updated_at=now
                    )
                )
                rows = []
                for ch, key in zip(chunk, keys, strict=True):
                    assert ch.of.target is not None  # filtered above  # noqa: S101
                    rows.append(
                        {
                            "tenant_id": ch.of.tenant_id,
                            "dedupe_key": key,
                            "purpose": ch.purpose,
                            "subject_id": ch.subject_id,
                            "recipient_kind": ch.of.recipient.kind,
                            "recipient_key": ch.of.recipient.key,
                            "recipient_name": ch.of.recipient.display_name,
                            "message": message_to_json(ch.message or OutgoingMessage()),
                            "status": DeliveryStatus.PENDING.value,
                            "next_attempt_at": now,
                            "attempts": 0,
                            "reopened": False,
                            "target": target_to_json(ch.of.target),
                            "conversation_id": ch.of.target.conversation_id,
                            "activity_id": ch.of.activity_id,
                            "operation": ch.operation,
                            "original_id": ch.of.id,
                            "language": ch.of.language,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                await s.execute(self._insert_ignore(rows))
        self._wake.set()
        return len(changes)

    def on_outcome(self, purpose: str, callback: OutcomeCallback) -> None:
        """Call ``callback`` when a delivery of ``purpose`` reaches sent, failed or unreachable."""
        self._callbacks[purpose].append(callback)

    # -- working the outbox ----------------------------------------------------

    async def run_once(self, *, max_items: int | None = None) -> int:
        """Claim the rows that are due, send them, record the outcomes.

        Returns:
            How many rows this call worked on.
        """
        await _to_completion(self._recover_interrupted())
        limit = self.batch_size if max_items is None else min(max_items, self.batch_size)
        rows = await _to_completion(self._claim(limit))
        if not rows:
            return 0
        queue: asyncio.Queue[Any] = asyncio.Queue()
        for row in rows:
            queue.put_nowait(row)

        async def worker() -> None:
            while not queue.empty():
                row = queue.get_nowait()
                await self._work(row)

        await _all_or_none([worker() for _ in range(min(self.concurrency, len(rows)))])
        return len(rows)

    async def _pipeline(self) -> int:
        """Claim and send continuously until nothing is due now; returns how many rows were worked.

        Unlike :meth:`run_once`, the next batch is claimed while the last rows of the
        previous one are still being sent, so the send rate does not dip at every
        batch boundary.
        """
        queue: asyncio.Queue[Any] = asyncio.Queue()
        low = asyncio.Event()
        low.set()
        worked = 0

        async def produce() -> None:
            nonlocal worked
            try:
                while not self._stopping.is_set():
                    await low.wait()
                    low.clear()
                    if self._stopping.is_set():
                        return
                    # Run to completion even if this worker is cancelled meanwhile: a transaction cut off
                    # half way is left to the driver's clean-up, and while its connection holds SQLite's
                    # write lock the outcome writes of the sends still on the wire wait for it.
                    await _to_completion(self._recover_interrupted())
                    # Claim little ahead: a claimed row waiting in the queue is a row no other worker may take.
                    rows = await _to_completion(self._claim(min(self.batch_size, 2 * self.concurrency)))
                    if not rows:
                        return
                    worked += len(rows)
                    for row in rows:
                        queue.put_nowait(row)
            finally:
                for _ in range(self.concurrency):
                    queue.put_nowait(None)

        async def consume() -> None:
            while (row := await queue.get()) is not None:
                if queue.qsize() < self.concurrency:
                    low.set()
                if not self._stopping.is_set():  # else left claimed, for shutdown to release
                    await self._work(row)

        await _all_or_none([produce(), *(consume() for _ in range(self.concurrency))])
        return worked

    async def drain(self, *, until_idle: bool = True) -> None:
        """Send everything that is due, waiting out retries, until nothing is left to do now.

        Rows scheduled for later (``not_before`` in the future, never tried) do not
        hold ``drain`` up. With ``until_idle=False`` it makes one pass only.
        """
        while not self._stopping.is_set():
            worked = await self._pipeline()
            if worked:
                continue
            if not until_idle:
                return
            wait = await self._seconds_until_more_work()
            if wait is None:
                return
            await self._sleep(max(wait, 0.001))

    async def run_forever(self, *, poll: float = 1.0) -> None:
        """Work the outbox until :meth:`shutdown` (or cancelled): the app's background worker."""
        while not self._stopping.is_set():
            try:
                worked = await self._pipeline()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery pass failed", extra={"worker": self.worker_id})
                worked = 0
            if worked:
                continue
            self._wake.clear()
            if self._stopping.is_set():
                return
            wait = await self._seconds_until_due()
            # Never a zero wait: a due row another worker holds would make this loop spin.
            timeout = poll if wait is None else min(poll, max(wait, 0.05))
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
            # that arrives as its timeout fires, and this loop would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    def wake(self) -> None:
        """Tell :meth:`run_forever` there may be new work."""
        self._wake.set()

    async def shutdown(self, worker: asyncio.Task[Any] | None = None, *, grace: float = 20.0) -> None:
        """Stop cleanly, before the database is disposed (the app's shutdown).

        In order: claim nothing more and start no send; let ``worker`` (the task running
        :meth:`run_forever`) finish the sends it had started and record them; write every
        pending row update; release the rows still ``claimed`` by this engine (none of them is
        in flight: a send starts only from a ``sending`` mark, which a released row can no longer
        take), so another worker or the next start sends them at once, not after the lease.

        ``grace`` (seconds) bounds the wait for the sends; past it the worker and its sends are
        cancelled (a send still on the wire is then the in-doubt case of a hard stop, logged).
        """
        deadline = time.monotonic() + grace
        self._stopping.set()
        self._wake.set()
        self._freed()
        await wind_down(worker, self._in_flight, deadline, log=log, name="delivery", worker_id=self.worker_id)
        if self._in_flight:
            log.error(
                "deliveries still sending at shutdown: cancelled; in doubt after their lease",
                extra={"worker": self.worker_id, "count": len(self._in_flight)},
            )
            for task in list(self._in_flight):
                task.cancel()
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)
        await self._row_updates.drain()
        c = deliveries.c
        async with self.db.begin(immediate=True) as s:
            result = await s.execute(
                sa.update(deliveries)
                .where(c.status == DeliveryStatus.CLAIMED.value, c.claimed_by == self.worker_id)
                .values(
                    status=DeliveryStatus.PENDING.value,
                    claimed_by=None,
                    claimed_until=None,
                    updated_at=self.clock.now(),
                )
            )
            released = rowcount(result)
        log.info("delivery stopped", extra={"worker": self.worker_id, "released": released})

    async def wait_in_flight(self) -> None:
        """Wait for sends already started (they finish even when their worker is cancelled)."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)

    async def _seconds_until_due(self) -> float | None:
        # A row waiting behind an earlier one of its recipient is not due work: the worker sending
        # that one goes on with it (counting it would make an idle worker poll at its shortest wait).
        # The first in queue order, not min(): the walk stops there instead of checking every row.
        c = deliveries.c
        async with self.db.begin(read_only=True) as s:
            nxt = await s.scalar(
                sa.select(c.next_attempt_at)
                .where(c.status == DeliveryStatus.PENDING.value, _in_turn(self.clock.now()))
                .order_by(c.next_attempt_at, c.id)
                .limit(1)
            )
        if nxt is None:
            return None
        return (nxt - self.clock.now()).total_seconds()

    async def _seconds_until_more_work(self) -> float | None:
        now = self.clock.now()
        c = deliveries.c
        async with self.db.begin(read_only=True) as s:
            retry_at = await s.scalar(
                sa.select(c.next_attempt_at)
                .where(
                    c.status == DeliveryStatus.PENDING.value,
                    sa.or_(c.attempts > 0, c.next_attempt_at <= now),
                    _in_turn(now),  # one behind an earlier row of its recipient goes when that one is done
                )
                .order_by(c.next_attempt_at, c.id)
                .limit(1)
            )
            lease_end = await s.scalar(
                sa.select(sa.func.min(c.claimed_until)).where(
                    c.status.in_([DeliveryStatus.CLAIMED.value, DeliveryStatus.SENDING.value])
                )
            )
        waits = [(t - now).total_seconds() for t in (retry_at, lease_end) if t is not None]
        return min(waits) if waits else None

    async def _recover_interrupted(self) -> None:
        """Rows left in ``sending`` by a worker that died mid-send (lease expired)."""
        now = self.clock.now()
        c = deliveries.c
        if self.in_doubt == "resend":
            values: dict[str, Any] = {
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": now,
                "reason": "resent: an earlier send was interrupted and may or may not have arrived",
            }
        else:
            values = {
                "status": DeliveryStatus.IN_DOUBT.value,
                "reason": "in doubt: the sending worker stopped during the send; not resent automatically",
            }
        async with self.db.begin(immediate=True) as s:
            result = await s.execute(
                sa.update(deliveries)
                .where(c.status == DeliveryStatus.SENDING.value, c.claimed_until < now)
                .values(claimed_by=None, claimed_until=None, updated_at=now, **values)
                .returning(c.id)
            )
            recovered = [r.id for r in result]
        if recovered:
            log.warning(
                "deliveries interrupted mid-send recovered",
                extra={"policy": self.in_doubt, "count": len(recovered), "ids": recovered[:20]},
            )

    async def _claim(self, limit: int) -> list[Any]:
        """Claim up to ``limit`` due rows, oldest due first, each one its recipient's next in line.

        At most one row per recipient is claimed, and only when none of that recipient's earlier
        rows is still to go (:func:`_in_turn`). On PostgreSQL the picked rows are locked (``SKIP
        LOCKED``: two workers pick different rows), then their recipients (transaction advisory
        locks, tried: a recipient another worker is claiming for is left to it), and the update
        checks the rows again under those locks with a fresh snapshot, so two workers claiming
        at once never both put a row of one recipient in flight. On SQLite the whole claim
        holds the write lock.
        """
        now = self.clock.now()
        c = deliveries.c
        due = sa.and_(c.status == DeliveryStatus.PENDING.value, c.next_attempt_at <= now)
        lapsed = sa.and_(c.status == DeliveryStatus.CLAIMED.value, c.claimed_until < now)
        claimable = sa.and_(sa.or_(due, lapsed), _in_turn(now))
        async with self.db.begin(immediate=True) as s:
            # Due rows and lapsed claims are picked apart: each walks the index on (status,
            # next_attempt_at, id) in order and stops after ``limit`` rows in turn, where one query
            # over both would check the turn of every due row before sorting them.
            picked: list[Any] = []
            for which in (due, lapsed):
                pick = (
                    sa.select(c.id, c.next_attempt_at, c.tenant_id, c.recipient_kind, c.recipient_key)
                    .where(which, _in_turn(now))
                    .order_by(c.next_attempt_at, c.id)
                    .limit(limit)
                )
                if self.db.dialect == "postgresql":
                    pick = pick.with_for_update(skip_locked=True)
                picked.extend((await s.execute(pick)).all())
            picked = sorted(picked, key=lambda r: (r.next_attempt_at, r.id))[:limit]
            if self.db.dialect == "postgresql" and picked:
                locked = await _lock_recipients(s, {_recipient_lock_key(r) for r in picked})
                picked = [r for r in picked if _recipient_lock_key(r) in locked]
            ids = [r.id for r in picked]
            if not ids:
                return []
            # On PostgreSQL the condition is repeated, read afresh under the recipients' locks, so a row
            # another worker took (or a recipient it put in flight) meanwhile is not taken. SQLite's
            # claim has held the write lock since BEGIN: nothing changed since the pick, and repeating
            # the condition there would have the planner walk every due row instead of these ids.
            which = [c.id.in_(ids)]
            if self.db.dialect == "postgresql":
                which.append(claimable)
            result = await s.execute(
                sa.update(deliveries)
                .where(*which)
                .values(
                    status=DeliveryStatus.CLAIMED.value,
                    claimed_by=self.worker_id,
                    claimed_until=now + self.lease,
                    updated_at=now,
                )
                .returning(*deliveries.c)
            )
            return sorted(result.all(), key=lambda r: (r.next_attempt_at, r.id))

    async def _work(self, row: Any) -> None:
        recipient = Recipient(row.tenant_id, row.recipient_kind, row.recipient_key, row.recipient_name)
        target = target_from_json(row.target)
        if target is None:
            try:
                target = await self.conversations.target_for(recipient)
            except Exception:
                log.exception("conversation lookup failed", extra={"delivery": row.id})
                await self._retry_later(row, "conversation lookup failed", None)
                return
        if target is None:
            what = "channel" if recipient.kind == "channel" else "person"
            await self._finish(
                row,
                DeliveryStatus.UNREACHABLE,
                reason=f"NoConversation: the bot has no conversation with this {what} (app not installed?)",
            )
            return
        # Admitted while the row is only ``claimed``: a long wait (a conversation paused by
        # Retry-After, the hourly window) must never pass inside ``sending``, where an expired
        # lease would make another worker resend a message that may be on its way. The slot
        # itself is taken after the mark is committed (``_depart``), when the request leaves.
        if not await self._admit(row.tenant_id, target.conversation_id):
            return  # stopping: the row stays claimed until shutdown releases it
        mark = asyncio.ensure_future(self._mark_sending(row, target))
        try:
            marked = await asyncio.shield(mark)
        except BaseException:
            self._release(row.tenant_id, target.conversation_id)  # nothing will leave
            # Cancelled: the mark is still written (the group writer does not take it back), and a
            # row left ``sending`` would be resent, or held, after its lease. Nothing was sent: put it back.
            await _to_completion(self._unmark(mark, row))
            raise
        if not marked:
            self._release(row.tenant_id, target.conversation_id)
            return  # the claim was lost (lease expired and another worker took the row)
        task = asyncio.create_task(self._send_and_record(row, recipient, target))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        # Shielded: a cancelled worker still records the send it started.
        await asyncio.shield(task)

    async def _acquire(self, tenant_id: str, conversation_id: str) -> None:
        """Take a slot now, for a request that has no ``sending`` mark to wait for; :meth:`_done` after it."""
        while (wait := self.limiter.acquire(tenant_id, conversation_id)) != 0:
            await self._wait_for_room(wait)

    def _done(self, tenant_id: str, conversation_id: str) -> None:
        """The request that took a slot is answered (or failed): it counts from now, not as on its way."""
        self.limiter.done(tenant_id, conversation_id)
        self._freed()

    async def _unmark(self, mark: asyncio.Future[bool], row: Any) -> None:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            try:
                marked = await mark
            except WriteInterrupted as exc:
                # A mark cut off once its COMMIT had started may have landed: put the row back (guarded
                # by the mark, so a no-op if it did not land) rather than leave it ``sending`` for the
                # in-doubt recovery to resend a message that never left.
                marked = exc.maybe_written
            if marked:
                await self._put_back(row)

    async def _admit(self, tenant_id: str, conversation_id: str) -> bool:
        """Wait until a request to this conversation may be made ready, and reserve its place;
        False (nothing reserved) if the engine is stopping."""
        while (wait := self.limiter.admit(tenant_id, conversation_id)) != 0:
            if self._stopping.is_set():
                return False
            await self._wait_for_room(wait, stoppable=True)
        return True

    async def _wait_for_room(self, wait: float | None, *, stoppable: bool = False) -> None:
        """Wait ``wait`` seconds, or for a slot to be freed; a ``stoppable`` wait ends at shutdown too."""
        if wait is not None:
            if not stoppable:
                await self._sleep(wait)
                return
            sleep = asyncio.ensure_future(self._sleep(wait))
            stop = asyncio.ensure_future(self._stopping.wait())
            try:
                await asyncio.wait({sleep, stop}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in (sleep, stop):
                    waiter.cancel()
                await asyncio.gather(sleep, stop, return_exceptions=True)
            return
        # The room is all taken by requests admitted or on their way: no time to sleep for, so wait
        # (in real time, never moving an injected clock) until one of them is done, leaves or is
        # given up. (Moving an injected clock here would let it run past the leases of live sends.)
        freed = self._slot_freed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):  # a safety net only: every request is done or released
                await freed.wait()

    def _freed(self) -> None:
        freed, self._slot_freed = self._slot_freed, asyncio.Event()
        freed.set()

    def _release(self, tenant_id: str, conversation_id: str) -> None:
        self.limiter.release(tenant_id, conversation_id)
        self._freed()

    async def _depart(self, row: Any, target: ConversationTarget) -> bool:
        """Take an admitted row's slot as its request leaves; False if the row was put back instead.

        The wait here is short (the tenant's rate, a few rows ahead), unless 429s came in after the
        row was admitted. A row whose slot would come later than a quarter of its lease is put back
        to ``pending`` (nothing was sent) rather than waiting in ``sending`` towards the end of its lease.
        """
        tenant, conversation = row.tenant_id, target.conversation_id
        latest = self._pace() + self.lease.total_seconds() / 4
        try:
            while (wait := self.limiter.depart(tenant, conversation)) != 0:
                # Stopping, or too long a wait: the request has not left, so nothing was sent.
                if self._stopping.is_set() or self._pace() + (wait or 0.0) > latest:
                    self._release(tenant, conversation)
                    await self._put_back(row)
                    return False
                await self._wait_for_room(wait, stoppable=True)
        except BaseException:
            self._release(tenant, conversation)
            raise
        return True

    async def _put_back(self, row: Any) -> None:
        """A row marked ``sending`` whose request never left goes back to ``pending`` as it was,
        due at once: claimed again, it waits for admission while only ``claimed``."""
        now = self.clock.now()
        c = deliveries.c
        await self._update_row(
            sa.update(deliveries)
            .where(c.id == row.id, c.status == DeliveryStatus.SENDING.value, c.claimed_by == self.worker_id)
            .values(
                status=DeliveryStatus.PENDING.value,
                attempts=row.attempts,
                next_attempt_at=now,
                claimed_by=None,
                claimed_until=None,
                updated_at=now,
            )
        )
        log.info(
            "delivery put back before sending (429s hold the tenant back, or stopping)", extra={"delivery": row.id}
        )

    def _throttled(self, tenant_id: str, conversation_id: str, exc: DeliveryError) -> None:
        """Teams answered 429: that conversation waits ``Retry-After``; the tenant slows down."""
        self.limiter.throttled(tenant_id, conversation_id, exc.retry_after or self.backoff_base)

    async def _mark_sending(self, row: Any, target: ConversationTarget) -> bool:
        now = self.clock.now()
        c = deliveries.c
        statement = (
            sa.update(deliveries)
            .where(c.id == row.id, c.status == DeliveryStatus.CLAIMED.value, c.claimed_by == self.worker_id)
            .values(
                status=DeliveryStatus.SENDING.value,
                attempts=c.attempts + 1,
                target=target_to_json(target),
                conversation_id=target.conversation_id,
                claimed_until=now + self.lease,
                updated_at=now,
            )
        )
        return await self._update_row(statement) == 1

    async def _send_and_record(self, row: Any, recipient: Recipient, target: ConversationTarget) -> None:
        """Send (or update, or delete) an admitted row marked ``sending``: its slot is taken here, as the
        request leaves."""
        try:
            message = message_from_json(row.message) if row.operation == "send" else None
        except BaseException:
            self._release(row.tenant_id, target.conversation_id)
            raise
        if not await self._depart(row, target):
            return
        if message is None:
            await self._change_and_record(row, target)
            return
        extra = {"delivery": row.id, "purpose": row.purpose, "subject": row.subject_id, "tenant": row.tenant_id}
        try:
            try:
                activity_id = await self.messenger.send(target, message)
            finally:
                self._done(row.tenant_id, target.conversation_id)
        except DeliveryError as exc:
            if exc.kind is FailureKind.GONE:
                await self._reopen_and_send(row, recipient, target, message, exc)
            elif exc.kind in (FailureKind.THROTTLED, FailureKind.TRANSIENT):
                if exc.kind is FailureKind.THROTTLED:
                    self._throttled(row.tenant_id, target.conversation_id, exc)
                await self._retry_later(row, _reason(exc), exc.retry_after, attempts_done=row.attempts + 1)
            else:
                log.warning("delivery rejected", extra={**extra, "reason": _reason(exc)})
                await self._finish(row, DeliveryStatus.FAILED, reason=_reason(exc))
            return
        except Exception as exc:
            # An unexpected error is treated as transient: bounded retries, then failed.
            log.exception("delivery send raised", extra=extra)
            await self._retry_later(row, f"error: {exc!r}"[:500], None, attempts_done=row.attempts + 1)
            return
        await self._finish(row, DeliveryStatus.SENT, activity_id=activity_id, target=target)

    async def _change_and_record(self, row: Any, target: ConversationTarget) -> None:
        """Update or delete the message of delivery ``row.original_id``; record both rows."""
        extra = {"delivery": row.id, "original": row.original_id, "operation": row.operation}
        c = deliveries.c
        try:
            try:
                if row.operation == "update":
                    await self.messenger.update(target, row.activity_id, message_from_json(row.message))
                else:
                    await self.messenger.delete(target, row.activity_id)
            finally:
                self._done(row.tenant_id, target.conversation_id)
        except DeliveryError as exc:
            if exc.kind in (FailureKind.THROTTLED, FailureKind.TRANSIENT):
                if exc.kind is FailureKind.THROTTLED:
                    self._throttled(row.tenant_id, target.conversation_id, exc)
                await self._retry_later(row, _reason(exc), exc.retry_after, attempts_done=row.attempts + 1)
            elif exc.kind is FailureKind.GONE and row.operation == "delete" and exc.status == 404:
                # Nothing left to delete (deleted already, or the chat is gone): the card is not shown.
                await self._record(
                    row,
                    sa.update(deliveries)
                    .where(c.id == row.original_id)
                    .values(status=DeliveryStatus.RECALLED.value, reason="recalled", updated_at=self.clock.now()),
                )
                await self._finish(
                    row, DeliveryStatus.SENT, reason=f"already gone: {_reason(exc)}"[:500], activity_id=row.activity_id
                )
            else:
                log.warning("change of a sent message refused", extra={**extra, "reason": _reason(exc)})
                status = DeliveryStatus.UNREACHABLE if exc.kind is FailureKind.GONE else DeliveryStatus.FAILED
                await self._finish(row, status, reason=_reason(exc))
            return
        except Exception as exc:
            log.exception("change of a sent message raised", extra=extra)
            await self._retry_later(row, f"error: {exc!r}"[:500], None, attempts_done=row.attempts + 1)
            return
        now = self.clock.now()
        if row.operation == "update":
            original = {"message": row.message, "updated_at": now}
        else:
            original = {"status": DeliveryStatus.RECALLED.value, "reason": "recalled", "updated_at": now}
        await self._record(row, sa.update(deliveries).where(c.id == row.original_id).values(**original))
        await self._finish(row, DeliveryStatus.SENT, activity_id=row.activity_id, target=target)

    async def _reopen_and_send(
        self,
        row: Any,
        recipient: Recipient,
        target: ConversationTarget,
        message: OutgoingMessage,
        first: DeliveryError,
    ) -> None:
        """The conversation is gone: open a fresh 1:1 once, else the person is unreachable."""
        if recipient.kind != "user" or row.reopened or not target.user_id:
            await self._finish(row, DeliveryStatus.UNREACHABLE, reason=_reason(first))
            return
        # Creating a conversation counts against the same limits as sending.
        await self._acquire(row.tenant_id, f"create:{target.user_id}")
        try:
            try:
                fresh = await self.messenger.open_personal(
                    tenant_id=target.tenant_id,
                    service_url=target.service_url,
                    user_id=target.user_id,
                    bot_id=target.bot_id,
                )
            finally:
                self._done(row.tenant_id, f"create:{target.user_id}")
        except DeliveryError as exc:
            if exc.kind in (FailureKind.THROTTLED, FailureKind.TRANSIENT):
                if exc.kind is FailureKind.THROTTLED:
                    self._throttled(row.tenant_id, f"create:{target.user_id}", exc)
                await self._retry_later(row, _reason(exc), exc.retry_after, attempts_done=row.attempts + 1)
                return
            await self._finish(
                row, DeliveryStatus.UNREACHABLE, reason=f"{_reason(first)}; reopening the chat failed: {_reason(exc)}"
            )
            return
        # Only an opened chat uses up the one reopen (a throttled attempt is retried later).
        await self._mark_reopened(row)
        await self.conversations.remember(recipient, fresh)
        await self._acquire(row.tenant_id, fresh.conversation_id)
        try:
            try:
                activity_id = await self.messenger.send(fresh, message)
            finally:
                self._done(row.tenant_id, fresh.conversation_id)
        except DeliveryError as exc:
            if exc.kind in (FailureKind.THROTTLED, FailureKind.TRANSIENT):
                if exc.kind is FailureKind.THROTTLED:
                    self._throttled(row.tenant_id, fresh.conversation_id, exc)
                await self._retry_later(
                    row, _reason(exc), exc.retry_after, attempts_done=row.attempts + 1, target=fresh
                )
                return
            await self._finish(
                row, DeliveryStatus.UNREACHABLE, reason=f"{_reason(first)}; the reopened chat failed: {_reason(exc)}"
            )
            return
        await self._finish(row, DeliveryStatus.SENT, activity_id=activity_id, target=fresh)

    async def _mark_reopened(self, row: Any) -> None:
        # The reopen took a second round trip or two: renew the lease for the send that follows.
        await self._update_row(
            sa.update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(reopened=True, claimed_until=self.clock.now() + self.lease)
        )

    def _backoff(self, attempts_done: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(attempts_done - 1, 0)))
        return self._rng.uniform(ceiling / 2, ceiling)

    async def _retry_later(
        self,
        row: Any,
        reason: str,
        retry_after: float | None,
        *,
        attempts_done: int | None = None,
        target: ConversationTarget | None = None,
    ) -> None:
        done = row.attempts if attempts_done is None else attempts_done
        if done >= self.max_attempts:
            await self._finish(row, DeliveryStatus.FAILED, reason=f"gave up after {done} attempts: {reason}")
            return
        delay = retry_after if retry_after is not None else self._backoff(done)
        now = self.clock.now()
        values: dict[str, Any] = {
            "status": DeliveryStatus.PENDING.value,
            "next_attempt_at": now + dt.timedelta(seconds=delay),
            "reason": reason,
            "claimed_by": None,
            "claimed_until": None,
            "updated_at": now,
        }
        if target is not None:
            values["target"] = target_to_json(target)
            values["conversation_id"] = target.conversation_id
        await self._record(row, sa.update(deliveries).where(deliveries.c.id == row.id).values(**values))
        log.info(
            "delivery will be retried", extra={"delivery": row.id, "in_seconds": round(delay, 3), "reason": reason}
        )

    async def _finish(
        self,
        row: Any,
        status: DeliveryStatus,
        *,
        reason: str | None = None,
        activity_id: str | None = None,
        target: ConversationTarget | None = None,
    ) -> None:
        now = self.clock.now()
        values: dict[str, Any] = {
            "status": status.value,
            "reason": reason,
            "claimed_by": None,
            "claimed_until": None,
            "updated_at": now,
        }
        if status is DeliveryStatus.SENT:
            # A resend after an interrupted send keeps saying so (the person may have it twice).
            c = deliveries.c
            values.update(activity_id=activity_id, sent_at=now)
            if reason is None:
                values["reason"] = sa.case((c.reason.like("resent:%"), c.reason))
        if target is not None:
            values.update(target=target_to_json(target), conversation_id=target.conversation_id)
        await self._record(row, sa.update(deliveries).where(deliveries.c.id == row.id).values(**values))
        if status is not DeliveryStatus.SENT:
            log.warning(
                "delivery not sent",
                extra={"delivery": row.id, "purpose": row.purpose, "status": status.value, "reason": reason},
            )
        callbacks = self._callbacks.get(row.purpose)
        if callbacks:
            outcome = await self.get(row.id)
            for callback in callbacks:
                try:
                    await callback(outcome)
                except Exception:
                    log.exception("delivery outcome callback failed", extra={"delivery": row.id})

    # -- reading and changing what was sent ------------------------------------

    async def get(self, delivery_id: int) -> DeliveryOutcome:
        """The current state of one delivery (``KeyError`` if there is none)."""
        async with self.db.begin(read_only=True) as s:
            row = (await s.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id))).first()
        if row is None:
            raise KeyError(delivery_id)
        return _outcome(row)

    async def outcomes(self, tenant_id: str, purpose: str, subject_id: str) -> list[DeliveryOutcome]:
        """Every delivery of one subject (e.g. one announcement), in id order."""
        c = deliveries.c
        async with self.db.begin(read_only=True) as s:
            rows = await s.execute(
                sa.select(deliveries)
                .where(c.tenant_id == tenant_id, c.purpose == purpose, c.subject_id == subject_id)
                .order_by(c.id)
            )
            return [_outcome(r) for r in rows]

    async def cancel(self, tenant_id: str, purpose: str, subject_id: str, *, recipient_key: str | None = None) -> int:
        """Cancel deliveries of a subject (to one recipient, if given) that have not started sending; how many."""
        c = deliveries.c
        now = self.clock.now()
        which = [
            c.tenant_id == tenant_id,
            c.purpose == purpose,
            c.subject_id == subject_id,
            c.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
        ]
        if recipient_key is not None:
            which.append(c.recipient_key == recipient_key)
        async with self.db.begin(immediate=True) as s:
            result = await s.execute(
                sa.update(deliveries)
                .where(*which)
                .values(status=DeliveryStatus.CANCELLED.value, reason="cancelled", updated_at=now, claimed_by=None)
            )
            return rowcount(result)

    async def update_sent(self, delivery_id: int, message: OutgoingMessage) -> None:
        """Replace a sent message in place (correct a card, show an acknowledgement).

        Raises:
            KeyError: no such delivery.
            ValueError: the delivery was never sent (nothing to update).
            DeliveryError: Teams refused the update after bounded retries.
        """
        row = await self._sent_row(delivery_id)
        target = target_from_json(row.target)
        assert target is not None  # a sent row always has its target  # noqa: S101
        await self._with_retries(lambda: self.messenger.update(target, row.activity_id, message), row, target)
        async with self.db.begin(immediate=True) as s:
            await s.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(message=message_to_json(message), updated_at=self.clock.now())
            )

    async def delete_sent(self, delivery_id: int) -> None:
        """Recall (delete) a sent message; the delivery becomes ``recalled``."""
        row = await self._sent_row(delivery_id)
        target = target_from_json(row.target)
        assert target is not None  # noqa: S101
        await self._with_retries(lambda: self.messenger.delete(target, row.activity_id), row, target)
        async with self.db.begin(immediate=True) as s:
            await s.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(status=DeliveryStatus.RECALLED.value, reason="recalled", updated_at=self.clock.now())
            )

    async def _sent_row(self, delivery_id: int) -> Any:
        async with self.db.begin(read_only=True) as s:
            row = (await s.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id))).first()
        if row is None:
            raise KeyError(delivery_id)
        if row.status != DeliveryStatus.SENT.value or not row.activity_id:
            raise ValueError(f"delivery {delivery_id} is {row.status}, not sent")
        return row

    async def _with_retries(self, call: Callable[[], Awaitable[Any]], row: Any, target: ConversationTarget) -> None:
        for attempt in range(1, self.max_attempts + 1):
            await self._acquire(row.tenant_id, target.conversation_id)
            try:
                try:
                    await call()
                finally:
                    self._done(row.tenant_id, target.conversation_id)
                return
            except DeliveryError as exc:
                if exc.kind not in (FailureKind.THROTTLED, FailureKind.TRANSIENT) or attempt == self.max_attempts:
                    raise
                if exc.kind is FailureKind.THROTTLED:
                    self._throttled(row.tenant_id, target.conversation_id, exc)
                await self._sleep(exc.retry_after if exc.retry_after is not None else self._backoff(attempt))

    async def mark_read(self, tenant_id: str, conversation_id: str, last_read_message_id: str) -> int:
        """A read receipt: every delivery in this 1:1 chat up to that message was read.

        Teams message ids in a chat grow with time (epoch milliseconds), so
        "up to" compares them as numbers when they are numbers.
        """
        c = deliveries.c
        now = self.clock.now()
        async with self.db.begin(immediate=True) as s:
            rows = await s.execute(
                sa.select(c.id, c.activity_id).where(
                    c.tenant_id == tenant_id,
                    c.conversation_id == conversation_id,
                    c.status == DeliveryStatus.SENT.value,
                    c.read_at.is_(None),
                )
            )
            ids = [r.id for r in rows if _not_after(r.activity_id, last_read_message_id)]
            if ids:
                await s.execute(sa.update(deliveries).where(c.id.in_(ids)).values(read_at=now, updated_at=now))
        return len(ids)


_UNFINISHED = (DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value, DeliveryStatus.SENDING.value)


def _in_turn(now: dt.datetime) -> Any:
    """The row is its recipient's next to go: no other row for the same recipient is in flight,
    and no earlier one (lower id) is still to go.

    One person's (or channel's) messages thus arrive in the order they were queued, one at a time:
    "List 1 of 2" before "List 2 of 2", an announcement before its reminder. An earlier row still
    to go is one waiting its turn (due, or put back after a 429 or a failure until its retry time:
    it keeps its place) or lapsed in a claim; a row scheduled for later (``not_before`` still to
    come) holds nothing up until it is due. A row that ended (sent, failed, unreachable, cancelled,
    in doubt) holds nothing up either. Different recipients never wait for one another.
    """
    c = deliveries.c
    other = deliveries.alias("other_delivery")
    o = other.c
    ahead = (
        sa.select(o.id)
        .where(
            o.tenant_id == c.tenant_id,
            o.recipient_kind == c.recipient_kind,
            o.recipient_key == c.recipient_key,
            o.status.in_(_UNFINISHED),
            o.id != c.id,
            sa.or_(
                o.status == DeliveryStatus.SENDING.value,
                sa.and_(o.status == DeliveryStatus.CLAIMED.value, o.claimed_until >= now),
                sa.and_(o.id < c.id, sa.or_(o.not_before.is_(None), o.not_before <= now)),
            ),
        )
        .correlate(deliveries)
        .exists()
    )
    return ~ahead


# Advisory locks of the delivery claim: (this class, hash of the recipient) on PostgreSQL.
_RECIPIENT_LOCK_CLASS = 0x5344  # "SD"


def _recipient_lock_key(row: Any) -> str:
    return f"{row.tenant_id}\x1f{row.recipient_kind}\x1f{row.recipient_key}"


async def _lock_recipients(s: Any, keys: set[str]) -> set[str]:
    """Try to take each recipient's claim lock until the transaction ends (PostgreSQL); the keys locked.

    Tried, never waited for: a recipient another worker is claiming for right now is left to it.
    Two recipients whose keys hash alike only take turns.
    """
    from sqlalchemy.dialects.postgresql import ARRAY

    key = sa.func.unnest(sa.bindparam("keys", sorted(keys), type_=ARRAY(sa.Text))).column_valued("recipient")
    statement = sa.select(key).where(sa.func.pg_try_advisory_xact_lock(_RECIPIENT_LOCK_CLASS, sa.func.hashtext(key)))
    return set((await s.execute(statement)).scalars())


async def _run_updates(conn: AsyncConnection, statements: Sequence[Any]) -> list[int]:
    """The engine's row updates of one group commit, in order; each one's row count."""
    return [rowcount(await conn.execute(statement)) for statement in statements]


async def _all_or_none(coroutines: list[Any]) -> None:
    """Run coroutines together; if one fails or the caller is cancelled, stop and wait for all.

    ``asyncio.gather`` returns as soon as one child is cancelled and leaves the others
    running; a worker left mid-query would outlive the database it was using.
    """
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _not_after(activity_id: str | None, last_read: str) -> bool:
    if activity_id is None:
        return False
    if activity_id == last_read:
        return True
    if activity_id.isdigit() and last_read.isdigit():
        return int(activity_id) <= int(last_read)
    return False


def _outcome(row: Any) -> DeliveryOutcome:
    return DeliveryOutcome(
        id=row.id,
        tenant_id=row.tenant_id,
        purpose=row.purpose,
        subject_id=row.subject_id,
        dedupe_key=row.dedupe_key,
        recipient=Recipient(row.tenant_id, row.recipient_kind, row.recipient_key, row.recipient_name),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        activity_id=row.activity_id,
        target=target_from_json(row.target),
        reason=row.reason,
        sent_at=row.sent_at,
        read_at=row.read_at,
        language=row.language,
    )
