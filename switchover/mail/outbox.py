"""The email outbox: durable, claimed in the database, retried, with a reported outcome.

The same pattern as the Teams delivery outbox (:mod:`switchover.delivery.engine`), smaller:
an :class:`EmailRequest` becomes one ``email_outbox`` row, unique per ``(tenant, dedupe_key)``
(one email per person per announcement); workers claim due rows with a lease in one
statement (two instances never send the same row), send through the :class:`MailSender`, and
write the outcome back.

Row life cycle::

    pending --claim--> claimed --sendMail--> sent
                                        \\-> pending (429/5xx/no answer: after Retry-After, else backoff)
                                        \\-> failed (4xx, or still failing after ``max_attempts``)

A worker killed after claiming leaves a ``claimed`` row; when its lease runs out any worker
claims it again. Graph's ``sendMail`` has no idempotency key, so a worker killed between
Graph's 202 and the write of ``sent`` makes that one email go twice: the window is one HTTP
request and one commit, and a second copy beats a missed cutover notice.

A clean stop (:meth:`EmailOutbox.shutdown`, the app's shutdown) claims nothing more and starts no
send, lets the sends on the wire finish and be recorded (bounded by a grace), and puts back to
``pending`` the rows it had claimed but not sent (their attempt given back), so the next start
sends them at once instead of after their lease. A send still on the wire when the grace is over
is cut off: its row goes back to ``pending`` too (Graph may have taken it: that email may arrive
twice, and the log says so); it is never recorded as sent.
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
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from switchover.aio import to_completion, wind_down
from switchover.clock import Clock
from switchover.mail.sender import MailError, MailSender, OutgoingEmail
from switchover.mail.tables import emails
from switchover.storage.db import rowcount

log = logging.getLogger(__name__)


class EmailStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class EmailRequest:
    """One email to queue. ``dedupe_key`` is unique per tenant: queueing twice never sends twice."""

    tenant_id: str
    dedupe_key: str
    purpose: str
    subject_id: str
    kind: str
    person_id: str
    email: OutgoingEmail
    why: str | None = None


@dataclass(frozen=True, slots=True)
class EmailOutcome:
    """What happened to one email."""

    id: int
    tenant_id: str
    dedupe_key: str
    purpose: str
    subject_id: str
    kind: str
    person_id: str
    to_address: str
    status: EmailStatus
    attempts: int
    why: str | None
    reason: str | None
    sent_at: dt.datetime | None


OutcomeCallback = Callable[[EmailOutcome], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class EmailOutbox:
    """The email outbox and its worker.

    Args:
        db: ``switchover.storage.Database``.
        sender: Sends one email (Graph ``sendMail``); None: emails are queued and wait.
        clock: The one source of "now".
        concurrency: Emails in flight at once (Graph allows a mailbox a few concurrent requests).
        lease: How long a claim holds before another worker may take the row.
        max_attempts: Sends tried before a row is failed for good.
        backoff_base: First retry delay (seconds) without ``Retry-After``; doubles, full jitter.
        backoff_cap: Longest retry delay (seconds).
        sleep: How to wait (tests pass one that moves a ManualClock).
    """

    def __init__(
        self,
        db: Any,
        sender: MailSender | None,
        clock: Clock,
        *,
        concurrency: int = 4,
        batch_size: int = 50,
        lease: dt.timedelta = dt.timedelta(minutes=2),
        max_attempts: int = 8,
        backoff_base: float = 5.0,
        backoff_cap: float = 600.0,
        worker_id: str | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.concurrency = concurrency
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.worker_id = worker_id or f"mail-{uuid.uuid4().hex[:12]}"
        self._sleep: Sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._callbacks: dict[str, list[OutcomeCallback]] = defaultdict(list)
        self._wake = asyncio.Event()
        # Set by :meth:`shutdown`: claim nothing more, start no send.
        self._stopping = asyncio.Event()
        # Sends started and not yet recorded: the task, and the id of its row.
        self._in_flight: dict[asyncio.Task[None], int] = {}

    @property
    def enabled(self) -> bool:
        """Whether emails can go at all (a sender is configured)."""
        return self.sender is not None

    def on_outcome(self, purpose: str, callback: OutcomeCallback) -> None:
        """Call ``callback`` when an email of ``purpose`` is sent or fails for good."""
        self._callbacks[purpose].append(callback)

    # -- queueing ----------------------------------------------------------------

    async def enqueue(self, requests: Sequence[EmailRequest]) -> list[int]:
        """Store emails durably; their ids in order. A key already stored keeps its row (not sent again)."""
        if not requests:
            return []
        now = self.clock.now()
        rows = [
            {
                "tenant_id": r.tenant_id,
                "dedupe_key": r.dedupe_key,
                "purpose": r.purpose,
                "subject_id": r.subject_id,
                "kind": r.kind,
                "person_id": r.person_id,
                "mailbox": r.email.mailbox,
                "to_address": r.email.to_address,
                "to_name": r.email.to_name,
                "subject": r.email.subject[:500],
                "html": r.email.html,
                "why": (r.why or None) and r.why[:500],
                "status": EmailStatus.PENDING.value,
                "next_attempt_at": now,
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for r in requests
        ]
        ids: dict[tuple[str, str], int] = {}
        async with self.db.begin() as s:
            for start in range(0, len(rows), 500):
                await s.execute(self._insert_ignore(rows[start : start + 500]))
            by_tenant: dict[str, list[str]] = defaultdict(list)
            for r in requests:
                by_tenant[r.tenant_id].append(r.dedupe_key)
            for tenant, keys in by_tenant.items():
                for start in range(0, len(keys), 500):
                    result = await s.execute(
                        sa.select(emails.c.id, emails.c.dedupe_key).where(
                            emails.c.tenant_id == tenant, emails.c.dedupe_key.in_(keys[start : start + 500])
                        )
                    )
                    for row in result:
                        ids[(tenant, row.dedupe_key)] = row.id
        self._wake.set()
        return [ids[(r.tenant_id, r.dedupe_key)] for r in requests]

    async def queued_keys(self, tenant_id: str, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are already in the outbox (any status)."""
        found: set[str] = set()
        async with self.db.begin(read_only=True) as s:
            for start in range(0, len(keys), 500):
                result = await s.execute(
                    sa.select(emails.c.dedupe_key).where(
                        emails.c.tenant_id == tenant_id, emails.c.dedupe_key.in_(list(keys[start : start + 500]))
                    )
                )
                found.update(r.dedupe_key for r in result)
        return found

    def _insert_ignore(self, rows: list[dict[str, Any]]) -> Any:
        keys = ["tenant_id", "dedupe_key"]
        if self.db.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(emails).values(rows).on_conflict_do_nothing(index_elements=keys)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(emails).values(rows).on_conflict_do_nothing(index_elements=keys)

    # -- working -----------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim the emails that are due, send them, record the outcomes; how many were worked."""
        if self.sender is None or self._stopping.is_set():
            return 0
        # Run to completion even if this worker is cancelled meanwhile: a claim cut off half way would
        # be left to the driver's clean-up, holding SQLite's write lock while the outcome writes wait.
        rows = await to_completion(self._claim(self.batch_size))
        if not rows:
            return 0
        queue: asyncio.Queue[Any] = asyncio.Queue()
        for row in rows:
            queue.put_nowait(row)

        async def worker() -> None:
            # Stopping: the rows left in the queue stay claimed, for shutdown to put back.
            while not queue.empty() and not self._stopping.is_set():
                await self._send_tracked(queue.get_nowait())

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(rows)))))
        return len(rows)

    async def drain(self) -> None:
        """Send everything due, waiting out retries (on the injected ``sleep``), until nothing is left.

        Rows another worker holds are not waited for (their lease is for a worker that stopped:
        :meth:`run_forever` takes them over once it runs out).
        """
        while not self._stopping.is_set():
            if await self.run_once():
                continue
            wait = await self._seconds_until_due(leases=False)
            if wait is None or self.sender is None:
                return
            await self._sleep(max(wait, 0.001))

    async def run_forever(self, *, poll: float = 5.0) -> None:
        """Work the outbox until :meth:`shutdown` (or cancelled): the app's background worker."""
        while not self._stopping.is_set():
            try:
                worked = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("email pass failed", extra={"worker": self.worker_id})
                worked = 0
            if worked:
                continue
            self._wake.clear()
            if self._stopping.is_set():  # shutdown sets the wake after the stop: checked after the clear
                return
            wait = await self._seconds_until_due()
            timeout = poll if wait is None else min(poll, max(wait, 0.05))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    def wake(self) -> None:
        """Tell :meth:`run_forever` there may be new work."""
        self._wake.set()

    async def shutdown(self, worker: asyncio.Task[Any] | None = None, *, grace: float = 20.0) -> None:
        """Stop cleanly, before the database is disposed (the app's shutdown).

        In order: claim nothing more and start no send; let ``worker`` (the task running
        :meth:`run_forever`) finish the sends it had started and record them, for up to ``grace``
        seconds in all; cut off the sends still on the wire after that; put back to ``pending`` every
        row this outbox still holds ``claimed``, so the next start (or another instance) sends it at
        once rather than after its lease. A row never sent gets its attempt back; a row whose send was
        cut off keeps it, with a reason saying it may arrive twice (Graph may have taken it). Nothing
        unsent is recorded as sent, and nothing claimed is left for the lease.
        """
        deadline = time.monotonic() + grace
        self._stopping.set()
        self._wake.set()
        await wind_down(worker, self._in_flight, deadline, log=log, name="email", worker_id=self.worker_id)
        cut_off: list[int] = []
        if self._in_flight:
            cut_off = sorted(self._in_flight.values())
            log.error(
                "emails still sending at shutdown: cut off and put back; they may arrive twice",
                extra={"worker": self.worker_id, "emails": cut_off},
            )
            tasks = list(self._in_flight)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        released = await to_completion(self._put_back_claimed(cut_off))
        log.info("email stopped", extra={"worker": self.worker_id, "released": released, "cut_off": len(cut_off)})

    async def _put_back_claimed(self, cut_off: Sequence[int]) -> int:
        """Every row still ``claimed`` by this outbox back to ``pending``, due as it was; how many."""
        c = emails.c
        now = self.clock.now()
        mine = sa.and_(c.status == EmailStatus.CLAIMED.value, c.claimed_by == self.worker_id)
        back = {"status": EmailStatus.PENDING.value, "claimed_by": None, "claimed_until": None, "updated_at": now}
        async with self.db.begin(immediate=True) as s:
            interrupted = 0
            if cut_off:
                result = await s.execute(
                    sa.update(emails)
                    .where(mine, c.id.in_(list(cut_off)))
                    .values(**back, reason="stopped while sending: may arrive twice")
                )
                interrupted = rowcount(result)
            # Claimed, never sent: the claim counted an attempt that was not made.
            result = await s.execute(sa.update(emails).where(mine).values(**back, attempts=c.attempts - 1))
            return interrupted + rowcount(result)

    async def _send_tracked(self, row: Any) -> None:
        """Send one claimed row in a task of its own, which :meth:`shutdown` waits for (then cuts off)."""
        task = asyncio.create_task(self._work(row), name=f"email-send:{row.id}")
        self._in_flight[task] = row.id
        task.add_done_callback(self._sent)
        # Shielded: a cancelled worker still records the send it started (shutdown waits for it).
        await asyncio.shield(task)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)

    async def _seconds_until_due(self, *, leases: bool = True) -> float | None:
        c = emails.c
        lease_end = None
        async with self.db.begin(read_only=True) as s:
            pending = await s.scalar(
                sa.select(sa.func.min(c.next_attempt_at)).where(c.status == EmailStatus.PENDING.value)
            )
            if leases:
                lease_end = await s.scalar(
                    sa.select(sa.func.min(c.claimed_until)).where(c.status == EmailStatus.CLAIMED.value)
                )
        now = self.clock.now()
        waits = [(t - now).total_seconds() for t in (pending, lease_end) if t is not None]
        return min(waits) if waits else None

    async def _claim(self, limit: int) -> list[Any]:
        now = self.clock.now()
        c = emails.c
        claimable = sa.or_(
            sa.and_(c.status == EmailStatus.PENDING.value, c.next_attempt_at <= now),
            sa.and_(c.status == EmailStatus.CLAIMED.value, c.claimed_until < now),
        )
        async with self.db.begin(immediate=True) as s:
            pick = sa.select(c.id).where(claimable).order_by(c.next_attempt_at, c.id).limit(limit)
            if self.db.dialect == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            ids = [r.id for r in await s.execute(pick)]
            if not ids:
                return []
            result = await s.execute(
                sa.update(emails)
                .where(c.id.in_(ids), claimable)  # repeated: a row taken meanwhile is not taken twice
                .values(
                    status=EmailStatus.CLAIMED.value,
                    claimed_by=self.worker_id,
                    claimed_until=now + self.lease,
                    attempts=c.attempts + 1,
                    updated_at=now,
                )
                .returning(*emails.c)
            )
            return sorted(result.all(), key=lambda r: (r.next_attempt_at, r.id))

    async def _work(self, row: Any) -> None:
        assert self.sender is not None  # noqa: S101 - run_once checks
        email = OutgoingEmail(row.mailbox, row.to_address, row.to_name, row.subject, row.html)
        try:
            await self.sender.send(email)
        except MailError as exc:
            if exc.transient and row.attempts < self.max_attempts:
                await self._retry_later(row, str(exc), exc.retry_after)
            else:
                prefix = f"gave up after {row.attempts} attempts: " if exc.transient else ""
                await self._finish(row, EmailStatus.FAILED, f"{prefix}{exc}")
            return
        except Exception as exc:
            log.exception("sending an email raised", extra={"email": row.id})
            if row.attempts < self.max_attempts:
                await self._retry_later(row, f"error: {exc!r}", None)
            else:
                await self._finish(row, EmailStatus.FAILED, f"gave up after {row.attempts} attempts: {exc!r}")
            return
        await self._finish(row, EmailStatus.SENT, None)

    async def _retry_later(self, row: Any, reason: str, retry_after: float | None) -> None:
        if retry_after is None:
            ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(row.attempts - 1, 0)))
            retry_after = self._rng.uniform(ceiling / 2, ceiling)
        now = self.clock.now()
        await self._write_outcome(
            sa.update(emails)
            .where(emails.c.id == row.id, emails.c.claimed_by == self.worker_id)
            .values(
                status=EmailStatus.PENDING.value,
                next_attempt_at=now + dt.timedelta(seconds=retry_after),
                claimed_by=None,
                claimed_until=None,
                reason=reason[:500],
                updated_at=now,
            )
        )
        log.info("email will be retried", extra={"email": row.id, "in_seconds": round(retry_after, 3)})

    async def _finish(self, row: Any, status: EmailStatus, reason: str | None) -> None:
        now = self.clock.now()
        values: dict[str, Any] = {
            "status": status.value,
            "claimed_by": None,
            "claimed_until": None,
            "reason": reason[:500] if reason else None,
            "updated_at": now,
        }
        if status is EmailStatus.SENT:
            values["sent_at"] = now
        await self._write_outcome(sa.update(emails).where(emails.c.id == row.id).values(**values))
        if status is not EmailStatus.SENT:
            log.warning("email not sent", extra={"email": row.id, "purpose": row.purpose, "reason": reason})
        callbacks = self._callbacks.get(row.purpose)
        if callbacks:
            outcome = await self.get(row.id)
            for callback in callbacks:
                try:
                    await callback(outcome)
                except Exception:
                    log.exception("email outcome callback failed", extra={"email": row.id})

    async def _write_outcome(self, statement: Any) -> None:
        """Write what Graph answered; run to completion, so a stop that cuts the send's task off
        once Graph has answered does not lose the answer (a sent email recorded as unsent goes twice)."""

        async def write() -> None:
            async with self.db.begin(immediate=True) as s:
                await s.execute(statement)

        await to_completion(write())

    # -- reading -------------------------------------------------------------------

    async def get(self, email_id: int) -> EmailOutcome:
        """One email's state (``KeyError`` if there is none)."""
        async with self.db.begin(read_only=True) as s:
            row = (await s.execute(sa.select(emails).where(emails.c.id == email_id))).first()
        if row is None:
            raise KeyError(email_id)
        return _outcome(row)

    async def outcomes(self, tenant_id: str, purpose: str, subject_id: str) -> list[EmailOutcome]:
        """Every email of one subject (e.g. one announcement), in id order."""
        c = emails.c
        async with self.db.begin(read_only=True) as s:
            rows = await s.execute(
                sa.select(emails)
                .where(c.tenant_id == tenant_id, c.purpose == purpose, c.subject_id == subject_id)
                .order_by(c.id)
            )
            return [_outcome(r) for r in rows]

    async def cancel(self, tenant_id: str, purpose: str, subject_id: str) -> int:
        """Cancel emails of a subject not sent yet (an announcement recalled); how many."""
        c = emails.c
        now = self.clock.now()
        async with self.db.begin(immediate=True) as s:
            result = await s.execute(
                sa.update(emails)
                .where(
                    c.tenant_id == tenant_id,
                    c.purpose == purpose,
                    c.subject_id == subject_id,
                    c.status == EmailStatus.PENDING.value,
                )
                .values(status=EmailStatus.CANCELLED.value, reason="cancelled", updated_at=now)
            )
            return int(result.rowcount or 0)


def _outcome(row: Any) -> EmailOutcome:
    return EmailOutcome(
        id=row.id,
        tenant_id=row.tenant_id,
        dedupe_key=row.dedupe_key,
        purpose=row.purpose,
        subject_id=row.subject_id,
        kind=row.kind,
        person_id=row.person_id,
        to_address=row.to_address,
        status=EmailStatus(row.status),
        attempts=row.attempts,
        why=row.why,
        reason=row.reason,
        sent_at=row.sent_at,
    )
