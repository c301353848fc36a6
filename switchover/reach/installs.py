"""Installing the Teams app for people, as durable work: one row per (person, app) in ``reach_installs``.

Rows are queued (:meth:`InstallQueue.enqueue`, idempotent: a person already queued or done is
left alone) and worked by any instance: a worker claims due rows with a conditional update and
a lease, as the delivery outbox does, so two instances never post the same person at once and
a restart resumes where the database says (a claim left by a stopped worker is taken again
once its lease has passed). Each claimed person gets one POST at a time
(:meth:`~switchover.directory.install.AppInstaller.install_once`, no retry inside the SDK):

* 201 ``installed``, 409 ``already_installed`` (not an error: the app was there, perhaps from a
  POST whose answer a stop lost), 403 ``forbidden`` and 404 ``not_found`` are final;
* 429: Graph throttles Teams writes per app per tenant, so the whole tenant pauses for its
  ``Retry-After`` (stored in ``reach_install_pauses``, so every instance pauses), and the person
  goes back to the queue without using up an attempt;
* anything else (5xx, network, timeout) is retried with backoff, ``failed`` after
  ``max_attempts``.

Requests are also paced below Graph's documented limit for ``POST installedApps`` (30 per
second per app per tenant), so a single instance rarely meets a 429 at all.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa

from switchover.clock import Clock
from switchover.directory.install import InstallOutcome, InstallResult
from switchover.reach.tables import installs, pauses
from switchover.storage.db import Database, insert_for, rowcount

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

GRAPH_INSTALL_LIMIT = 30.0  # POST installedApps per second, per app per tenant (Graph's Teams service limits)
DEFAULT_RATE = 25.0  # what one worker aims for: under the limit, with room for other Teams writes
DEFAULT_RETRY_AFTER = 10.0  # seconds, when a 429 names no Retry-After


class InstallState(StrEnum):
    """Where one person's installation is."""

    PENDING = "pending"
    CLAIMED = "claimed"
    INSTALLED = "installed"
    ALREADY_INSTALLED = "already_installed"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self not in (InstallState.PENDING, InstallState.CLAIMED)


_FINAL_OF = {
    InstallOutcome.INSTALLED: InstallState.INSTALLED,
    InstallOutcome.ALREADY_INSTALLED: InstallState.ALREADY_INSTALLED,
    InstallOutcome.FORBIDDEN: InstallState.FORBIDDEN,
    InstallOutcome.NOT_FOUND: InstallState.NOT_FOUND,
}


class Installer(Protocol):
    """What the queue needs of :class:`~switchover.directory.install.AppInstaller`."""

    catalog_app_id: str

    async def install_once(self, user_id: str, upn: str) -> InstallResult:
        """One POST, no retry; a 429 is returned as ``throttled``."""
        ...


@dataclass(frozen=True, slots=True)
class InstallTarget:
    """A person to install the app for."""

    user_id: str
    upn: str
    wave_key: str | None = None


@dataclass(frozen=True, slots=True)
class InstallRow:
    """One person's installation as stored."""

    tenant_id: str
    user_id: str
    upn: str
    wave_key: str | None
    state: InstallState
    attempts: int
    throttled: int
    status: int | None
    detail: str | None
    done_at: dt.datetime | None


@dataclass
class DrainResult:
    """What one :meth:`InstallQueue.drain` did."""

    posts: int = 0  # requests made to Graph
    done: int = 0  # people whose installation reached a final state
    throttled: int = 0  # 429 answers
    idle: bool = False  # nothing left to do (else the budget ran out)


class InstallQueue:
    """The durable installation queue and its worker.

    Args:
        db: The database (``reach_installs``, ``reach_install_pauses``).
        installer: Posts the installation (``AppInstaller``); its ``catalog_app_id`` names the app.
        clock: The source of "now" for claims, leases, pauses and retries.
        concurrency: Installations in flight at once.
        rate: Requests per second this worker starts at most (Graph's limit is 30).
        lease: How long a claim holds before another worker may take the row.
        max_attempts: Answers other than 429 before a person is ``failed``.
        worker_id: Names this worker in ``claimed_by`` (default: random).
        sleep: How to wait (tests pass one that moves a ManualClock; pacing then follows that clock).
    """

    def __init__(
        self,
        db: Database,
        installer: Installer,
        clock: Clock,
        *,
        concurrency: int = 8,
        rate: float = DEFAULT_RATE,
        lease: dt.timedelta = dt.timedelta(minutes=2),
        max_attempts: int = 5,
        worker_id: str | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.db = db
        self.installer = installer
        self.clock = clock
        self.concurrency = concurrency
        self.rate = rate
        self.lease = lease
        self.max_attempts = max_attempts
        self.worker_id = worker_id or f"installer-{uuid.uuid4().hex[:12]}"
        self._sleep: Sleep = sleep or asyncio.sleep
        self._monotonic: Callable[[], float] = (
            time.monotonic if sleep is None else (lambda: self.clock.now().timestamp())
        )
        self._next_slot = 0.0
        self._pace_lock = asyncio.Lock()

    @property
    def app_id(self) -> str:
        return self.installer.catalog_app_id

    # -- queueing -------------------------------------------------------------------------

    async def enqueue(self, tenant_id: str, targets: Iterable[InstallTarget]) -> int:
        """Queue these people (once each: someone already queued, claimed or done is left alone).

        Returns:
            How many were newly queued.
        """
        now = self.clock.now()
        rows = [
            {
                "tenant_id": tenant_id,
                "user_id": t.user_id,
                "app_id": self.app_id,
                "upn": t.upn,
                "wave_key": t.wave_key,
                "state": InstallState.PENDING.value,
                "attempts": 0,
                "throttled": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for t in {t.user_id: t for t in targets}.values()
        ]
        added = 0
        insert = insert_for(self.db.dialect)
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            stmt = insert(installs).values(chunk).on_conflict_do_nothing().returning(installs.c.user_id)
            async with self.db.begin() as conn:
                added += len((await conn.execute(stmt)).all())
        if added:
            log.info("queued Teams app installations", extra={"tenant_id": tenant_id, "queued": added})
        return added

    async def rows(self, tenant_id: str, user_ids: Iterable[str] | None = None) -> dict[str, InstallRow]:
        """The stored installations of this app in the tenant (or of these people), by user id."""
        return await read_installs(self.db, tenant_id, user_ids, app_id=self.app_id)

    async def store_results(self, tenant_id: str, results: Iterable[InstallResult]) -> int:
        """Record installations made outside the queue (``POST /api/install``), so reach knows them.

        Final outcomes only (a failure leaves the person to the queue). Returns how many were stored.
        """
        now = self.clock.now()
        rows = [
            {
                "tenant_id": tenant_id,
                "user_id": r.user_id,
                "app_id": self.app_id,
                "upn": r.upn,
                "state": _FINAL_OF[r.outcome].value,
                "attempts": 1,
                "throttled": 0,
                "status": r.status,
                "detail": (r.detail or None) and r.detail[:500],
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
                "done_at": now,
            }
            for r in results
            if r.outcome in _FINAL_OF
        ]
        if not rows:
            return 0
        insert = insert_for(self.db.dialect)
        for start in range(0, len(rows), 500):
            stmt = insert(installs).values(rows[start : start + 500])
            stmt = stmt.on_conflict_do_update(
                index_elements=[installs.c.tenant_id, installs.c.user_id, installs.c.app_id],
                set_={name: stmt.excluded[name] for name in ("state", "status", "detail", "updated_at", "done_at")}
                | {"claimed_by": None, "claimed_until": None},
            )
            async with self.db.begin() as conn:
                await conn.execute(stmt)
        return len(rows)

    # -- working --------------------------------------------------------------------------

    async def drain(self, *, budget: dt.timedelta | None = None) -> DrainResult:
        """Work the queue until nothing is left to do now and later, or ``budget`` has passed.

        Waits out pauses and retry times inside the budget; returns when the only work left is
        held by another worker's live claim (that worker finishes it).
        """
        result = DrainResult()
        started = self.clock.now()
        while True:
            worked = await self.run_once(result)
            if budget is not None and self.clock.now() - started >= budget:
                return result
            if worked:
                continue
            wait = await self._next_wait()
            if wait is None:
                result.idle = True
                return result
            if budget is not None:
                left = (budget - (self.clock.now() - started)).total_seconds()
                if wait > left:
                    return result
            await self._sleep(max(wait, 0.001))

    async def run_once(self, result: DrainResult | None = None) -> int:
        """Claim one batch of due people (tenants not paused), install for each, record the outcomes.

        Returns:
            How many people were worked.
        """
        result = result if result is not None else DrainResult()
        rows = await self._claim(self.concurrency * 4)
        if not rows:
            return 0
        sem = asyncio.Semaphore(self.concurrency)
        throttled_tenants: set[str] = set()
        answered: list[tuple[Any, InstallResult]] = []

        async def one(row: Any) -> None:
            async with sem:
                if row.tenant_id in throttled_tenants:
                    await self._put_back(row)  # the tenant is paused: do not post into the pause
                    return
                await self._pace()
                if row.tenant_id in throttled_tenants:  # paused while this one waited for its slot
                    await self._put_back(row)
                    return
                res = await self.installer.install_once(row.user_id, row.upn)
                result.posts += 1
                if res.outcome is InstallOutcome.THROTTLED:
                    throttled_tenants.add(row.tenant_id)
                    result.throttled += 1
                    await self._throttled(row, res)
                else:
                    answered.append((row, res))

        try:
            await asyncio.gather(*(one(r) for r in rows))
        finally:
            # The batch's outcomes in one transaction, even when the run is being stopped: what
            # is not stored here is posted again after the lease, and answered 409 then.
            if answered:
                result.done += await asyncio.shield(self._record(answered))
        return len(rows)

    async def _pace(self) -> None:
        """Start at most ``rate`` requests a second (one slot after another)."""
        if self.rate <= 0:
            return
        async with self._pace_lock:
            now = self._monotonic()
            slot = max(self._next_slot, now)
            self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            await self._sleep(slot - now)

    async def _claim(self, limit: int) -> list[Any]:
        now = self.clock.now()
        c = installs.c
        paused = sa.exists().where(pauses.c.tenant_id == c.tenant_id, pauses.c.paused_until > now)
        due = sa.or_(
            sa.and_(c.state == InstallState.PENDING.value, c.next_attempt_at <= now),
            sa.and_(c.state == InstallState.CLAIMED.value, c.claimed_until < now),
        )
        async with self.db.begin(immediate=True) as conn:
            keys = (
                await conn.execute(
                    sa.select(c.tenant_id, c.user_id, c.app_id)
                    .where(due, c.app_id == self.app_id, ~paused)
                    .order_by(c.next_attempt_at, c.user_id)
                    .limit(limit)
                )
            ).all()
            if not keys:
                return []
            claimed = (
                await conn.execute(
                    sa.update(installs)
                    .where(sa.tuple_(c.tenant_id, c.user_id, c.app_id).in_([tuple(k) for k in keys]), due)
                    .values(
                        state=InstallState.CLAIMED.value,
                        claimed_by=self.worker_id,
                        claimed_until=now + self.lease,
                        updated_at=now,
                    )
                    .returning(c.tenant_id, c.user_id, c.app_id, c.upn, c.attempts, c.wave_key)
                )
            ).all()
        return list(claimed)

    def _mine(self, row: Any) -> Any:
        c = installs.c
        return sa.and_(
            c.tenant_id == row.tenant_id,
            c.user_id == row.user_id,
            c.app_id == row.app_id,
            c.state == InstallState.CLAIMED.value,
            c.claimed_by == self.worker_id,
        )

    async def _record(self, answered: list[tuple[Any, InstallResult]]) -> int:
        """Store the outcomes (final, or a retry later) in one transaction; returns how many are final.

        A row whose claim was lost meanwhile (its lease passed and another worker took it) is left
        to that worker.
        """
        now = self.clock.now()
        final_count = 0
        async with self.db.begin() as conn:
            for row, res in answered:
                attempts = row.attempts + 1
                final = _FINAL_OF.get(res.outcome)
                if final is None and attempts >= self.max_attempts:
                    final = InstallState.FAILED
                values: dict[str, Any] = {
                    "attempts": attempts,
                    "status": res.status,
                    "detail": (res.detail or None) and res.detail[:500],
                    "claimed_by": None,
                    "claimed_until": None,
                    "updated_at": now,
                }
                if final is not None:
                    values.update(state=final.value, done_at=now)
                else:
                    backoff = min(600.0, 5.0 * 2 ** (attempts - 1))
                    values.update(state=InstallState.PENDING.value, next_attempt_at=now + dt.timedelta(seconds=backoff))
                n = rowcount(await conn.execute(sa.update(installs).where(self._mine(row)).values(**values)))
                if not n:
                    log.warning("installation claim lost before its outcome was stored", extra={"user": row.user_id})
                    continue
                if final is not None:
                    final_count += 1
                if final in (InstallState.FORBIDDEN, InstallState.NOT_FOUND, InstallState.FAILED):
                    log.warning(
                        "could not install the Teams app for a user",
                        extra={"user": row.user_id, "state": final.value, "status": res.status},
                    )
        return final_count

    async def _throttled(self, row: Any, res: InstallResult) -> None:
        """429: the person goes back to the queue, and the tenant pauses for ``Retry-After``."""
        now = self.clock.now()
        wait = res.retry_after if res.retry_after is not None else DEFAULT_RETRY_AFTER
        until = now + dt.timedelta(seconds=wait)
        async with self.db.begin() as conn:
            await conn.execute(
                sa.update(installs)
                .where(self._mine(row))
                .values(
                    state=InstallState.PENDING.value,
                    throttled=installs.c.throttled + 1,
                    status=429,
                    next_attempt_at=until,
                    claimed_by=None,
                    claimed_until=None,
                    updated_at=now,
                )
            )
            stmt = insert_for(self.db.dialect)(pauses).values(
                tenant_id=row.tenant_id, paused_until=until, reason="Graph answered 429"
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[pauses.c.tenant_id],
                set_={
                    "paused_until": sa.case(
                        (pauses.c.paused_until > stmt.excluded.paused_until, pauses.c.paused_until),
                        else_=stmt.excluded.paused_until,
                    ),
                    "reason": stmt.excluded.reason,
                },
            )
            await conn.execute(stmt)
        log.info("Graph throttled app installation; tenant paused", extra={"tenant_id": row.tenant_id, "seconds": wait})

    async def _put_back(self, row: Any) -> None:
        now = self.clock.now()
        async with self.db.begin() as conn:
            await conn.execute(
                sa.update(installs)
                .where(self._mine(row))
                .values(state=InstallState.PENDING.value, claimed_by=None, claimed_until=None, updated_at=now)
            )

    async def _next_wait(self) -> float | None:
        """Seconds until something may be due (a pause's end, a retry, a lapsed claim); None: nothing left."""
        now = self.clock.now()
        c = installs.c
        async with self.db.begin(read_only=True) as conn:
            retry_at = await conn.scalar(
                sa.select(sa.func.min(c.next_attempt_at)).where(
                    c.app_id == self.app_id, c.state == InstallState.PENDING.value
                )
            )
            # A claim another worker left behind (a stop mid-run) is taken again when its lease ends.
            lapse_at = await conn.scalar(
                sa.select(sa.func.min(c.claimed_until)).where(
                    c.app_id == self.app_id, c.state == InstallState.CLAIMED.value
                )
            )
            pause_end = await conn.scalar(sa.select(sa.func.max(pauses.c.paused_until)))
        times = [t for t in (retry_at, lapse_at) if t is not None]
        if not times:
            return None
        when = min(times)
        if pause_end is not None and pause_end > when:
            when = pause_end
        return max(0.0, (when - now).total_seconds())


async def read_installs(
    db: Database, tenant_id: str, user_ids: Iterable[str] | None = None, *, app_id: str | None = None
) -> dict[str, InstallRow]:
    """Stored installations of the tenant (of these people; of this app, else the latest row of any), by user id."""
    c = installs.c
    out: dict[str, InstallRow] = {}
    wanted = None if user_ids is None else sorted(set(user_ids))
    chunks: list[list[str] | None] = (
        [None] if wanted is None else [wanted[i : i + 500] for i in range(0, len(wanted), 500)]
    )
    for chunk in chunks:
        stmt = sa.select(installs).where(c.tenant_id == tenant_id).order_by(c.updated_at)
        if app_id is not None:
            stmt = stmt.where(c.app_id == app_id)
        if chunk is not None:
            stmt = stmt.where(c.user_id.in_(chunk))
        async with db.begin(read_only=True) as conn:
            for r in (await conn.execute(stmt)).all():
                out[r.user_id] = InstallRow(
                    r.tenant_id,
                    r.user_id,
                    r.upn,
                    r.wave_key,
                    InstallState(r.state),
                    r.attempts,
                    r.throttled,
                    r.status,
                    r.detail,
                    r.done_at,
                )
    return out
