"""A lead's bulk operations as background jobs: Send, correct, recall, reschedule.

The lead's request only records the operation (one ``announcement_bulk_jobs`` row, and the
announcement's new state) and answers at once ("updating 412 cards"). The work runs in the
background, through the delivery engine, at Teams' rate limits:

- a **Send** is the announcement made due now: :meth:`Sending.run_due` (its durable claim)
  resolves the audience, renders each person's card and queues one delivery per person, each
  deduplicated; the job is the announcement's deliveries. Nothing of that happens in the lead's
  request: the job's ``expected`` (how many people) is recorded once the audience is resolved;
- a **correction**, **recall** or **reschedule** is one outbox change per delivered card
  (:class:`~switchover.delivery.ChangeRequest`: an update or a deletion of a sent message),
  queued in one transaction; the job is those changes (``purpose`` :data:`CHANGE_PURPOSE`,
  ``subject_id`` the job's id).

Nothing of it lives only in memory: a job ``queued`` but not yet turned into outbox rows is
claimed with a lease (so a second instance, or the next run after a crash, takes it over and
queues the same changes again, which the outbox ignores); a job ``running`` is finished when
none of its outbox rows is left to do. Then the lead who asked is told the outcome in Teams,
once (the message's dedupe key is the job's), through the delivery engine.
:meth:`BulkJobs.run_due` (woken with the due announcements) does both for whatever the last
process left; within a process a job's last outcome finishes it at once.

A long job also reports its progress to the lead on the way (:meth:`BulkJobs.report_progress`):
a job of at least :data:`PROGRESS_MIN` rows, at a quarter, a half and three quarters done, each
no sooner than :data:`PROGRESS_EVERY` after the job started or the last report (whichever
comes later), so at most three progress messages per job and none for a job done within a
minute. Each is an outbox message keyed by the job and the step, so a restart or a second
instance never repeats one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from switchover import i18n
from switchover.announcements.model import PURPOSE, REMINDER_PURPOSE, Announcement, AnnouncementStatus
from switchover.announcements.sending import Sending
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.tables import announcements, bulk_jobs
from switchover.announcements.views import RecipientCards, render_announcement
from switchover.delivery import ChangeRequest, DeliveryEngine, DeliveryOutcome, DeliveryRequest, DeliveryStatus
from switchover.delivery.engine import FINAL, Recipient
from switchover.delivery.tables import deliveries
from switchover.i18n import N_
from switchover.i18n import gettext as _
from switchover.messaging import OutgoingMessage
from switchover.plan.model import Plan, Wave
from switchover.timefmt import format_date

log = logging.getLogger(__name__)

# The delivery engine's purpose for updates and deletions of delivered announcement cards.
CHANGE_PURPOSE = "announcement-change"
# ... and for the message telling a lead how their operation ended.
JOB_PURPOSE = "announcement-job"

CHECK_DELAY = 0.2  # seconds: how long after a row's outcome its job is checked for its end
PROGRESS_MIN = 500  # rows: a smaller job tells the lead only how it ended
PROGRESS_EVERY = dt.timedelta(seconds=60)  # at least this long between the start and progress reports
PROGRESS_STEPS = (25, 50, 75)  # percent done at which a report may go
PROGRESS_LOOK = dt.timedelta(seconds=5)  # how often one process counts a job's rows for its progress
_OPEN = [DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value, DeliveryStatus.SENDING.value]


class JobKind(StrEnum):
    SEND = "send"
    CORRECT = "correct"
    RECALL = "recall"
    RESCHEDULE = "reschedule"


class JobState(StrEnum):
    QUEUED = "queued"  # recorded; its outbox rows are not all queued yet
    RUNNING = "running"  # its outbox rows are queued (or, for a Send, being queued) and being worked
    FINISHED = "finished"  # every row done; the lead was told


@dataclass(frozen=True, slots=True)
class Lead:
    """Who asked for a bulk operation, and is told how it ended (``key``: Entra object id; None: nobody in Teams)."""

    key: str | None
    name: str | None = None
    upn: str | None = None


@dataclass(frozen=True, slots=True)
class BulkJob:
    """One bulk operation, with its progress (outbox rows by status) and, once finished, its summary."""

    id: str
    kind: JobKind
    announcement_ids: tuple[str, ...]
    title: str
    state: JobState
    requested_by: str | None
    expected: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    progress: dict[str, int] = field(default_factory=dict)
    summary: dict[str, Any] | None = None

    @property
    def done(self) -> int:
        """Rows that reached their end (sent, failed, unreachable, cancelled...)."""
        return sum(n for status, n in self.progress.items() if DeliveryStatus(status) in FINAL)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "announcements": list(self.announcement_ids),
            "title": self.title,
            "state": self.state.value,
            "requested_by": self.requested_by,
            "expected": self.expected,
            "done": self.done,
            "progress": dict(self.progress),
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "summary": self.summary,
        }


class BulkJobs:
    """Records, runs and finishes a tenant's bulk operations (see the module docs).

    Args:
        store: The tenant's announcements.
        cards: The card each recipient sees after a change.
        sending: Starts due announcements (a Send is one made due now).
        engine: The delivery engine (every send, update, deletion and the lead's message).
        lease: How long a claim on a queued job holds before another run takes it over.
    """

    def __init__(
        self,
        store: AnnouncementStore,
        cards: RecipientCards,
        sending: Sending,
        engine: DeliveryEngine,
        *,
        lease: dt.timedelta,
    ) -> None:
        self.store = store
        self.cards = cards
        self.sending = sending
        self.engine = engine
        self.lease = lease
        self.progress_min = PROGRESS_MIN
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watched: dict[tuple[str, str], str] = {}  # (purpose, subject) -> running job id
        self._dirty: set[str] = set()
        self._looked: dict[str, dt.datetime] = {}  # job id -> when its progress was last counted here
        engine.on_outcome(CHANGE_PURPOSE, self._on_outcome)
        engine.on_outcome(PURPOSE, self._on_outcome)
        sending.on_resolved = self._resolved

    # -- recording an operation (inside the lead's request) ----------------------

    async def start_send(self, announcement: Announcement, lead: Lead | None, *, start: bool = True) -> BulkJob:
        """Record a Send (the announcement is already due now) and, unless ``start`` is False, start it.

        Only the job's row is written here; its ``expected`` (0 until then) is set when the
        background step has resolved the audience.
        """
        job_id = await self._insert(
            JobKind.SEND,
            (announcement.id,),
            announcement.title,
            PURPOSE,
            announcement.id,
            0,
            lead,
            state=JobState.RUNNING,
        )
        self._watched[(PURPOSE, announcement.id)] = job_id
        job = await self.get(job_id)
        if start:
            self.kick(job)
        return job

    async def start_changes(
        self, kind: JobKind, ann_ids: Sequence[str], title: str, lead: Lead | None, *, start: bool = True
    ) -> BulkJob:
        """Record a correction, recall or reschedule (of the delivered cards of ``ann_ids``).

        Unless ``start`` is False it starts at once; else the caller :meth:`kick` s it (after
        answering the lead, say). Either way a job nobody starts is taken over by :meth:`run_due`
        once its lease has run out.
        """
        job_id = uuid.uuid4().hex[:16]
        expected = await self._delivered_count(ann_ids)
        await self._insert(
            kind,
            tuple(ann_ids),
            title,
            CHANGE_PURPOSE,
            job_id,
            expected,
            lead,
            state=JobState.QUEUED,
            job_id=job_id,
            claimed_until=self.store.clock.now() + self.lease,
        )
        job = await self.get(job_id)
        if start:
            self.kick(job)
        return job

    def kick(self, job: BulkJob) -> None:
        """Start the background work of a job just recorded by this process."""
        self.spawn(self._send(job.id) if job.kind is JobKind.SEND else self._prepare(job.id))

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run ``coroutine`` in the background (held until done; :meth:`close` stops it)."""
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("bulk job step failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Wait until the background steps started so far (and those they start) are done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop the background steps (shutdown): what they had not done, :meth:`run_due` does after a restart."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- reading ---------------------------------------------------------------

    async def get(self, job_id: str) -> BulkJob:
        """One job with its progress (``KeyError`` if unknown)."""
        j = bulk_jobs.c
        async with self.store.db.begin(read_only=True) as s:
            row = (
                await s.execute(sa.select(bulk_jobs).where(j.tenant_id == self.store.tenant_id, j.id == job_id))
            ).first()
            if row is None:
                raise KeyError(job_id)
            progress = await self._progress(s, row.purpose, row.subject_id)
        return _job(row, progress)

    async def recent(self, limit: int = 50) -> list[BulkJob]:
        """The latest jobs, newest first."""
        j = bulk_jobs.c
        async with self.store.db.begin(read_only=True) as s:
            rows = (
                await s.execute(
                    sa.select(bulk_jobs)
                    .where(j.tenant_id == self.store.tenant_id)
                    .order_by(j.created_at.desc(), j.id)
                    .limit(limit)
                )
            ).all()
            return [_job(row, await self._progress(s, row.purpose, row.subject_id)) for row in rows]

    async def _progress(self, s: Any, purpose: str, subject_id: str) -> dict[str, int]:
        c = deliveries.c
        rows = await s.execute(
            sa.select(c.status, sa.func.count())
            .where(c.tenant_id == self.store.tenant_id, c.purpose == purpose, c.subject_id == subject_id)
            .group_by(c.status)
        )
        return {status: n for status, n in rows}

    # -- running ---------------------------------------------------------------

    async def run_due(self) -> None:
        """Queue the changes of jobs nobody is queueing (a crash, a restart), and finish what is done."""
        now = self.store.clock.now()
        j = bulk_jobs.c
        async with self.store.db.begin(immediate=True) as s:
            claimed = await s.execute(
                sa.update(bulk_jobs)
                .where(
                    j.tenant_id == self.store.tenant_id,
                    j.state == JobState.QUEUED.value,
                    sa.or_(j.claimed_until.is_(None), j.claimed_until < now),
                )
                .values(claimed_until=now + self.lease, updated_at=now)
                .returning(j.id)
            )
            queued = [r.id for r in claimed]
            running = (
                await s.execute(
                    sa.select(j.id, j.purpose, j.subject_id).where(
                        j.tenant_id == self.store.tenant_id, j.state == JobState.RUNNING.value
                    )
                )
            ).all()
        for job_id in queued:
            await self._prepare(job_id)
        for row in running:
            self._watched[(row.purpose, row.subject_id)] = row.id
            await self._finish_if_done(row.id)

    async def _resolved(self, ann_id: str, recipients: int) -> None:
        """The audience of ``ann_id`` is resolved: the running Send job of it (if a lead asked) records how many."""
        j = bulk_jobs.c
        async with self.store.db.begin(immediate=True) as s:
            await s.execute(
                sa.update(bulk_jobs)
                .where(
                    j.tenant_id == self.store.tenant_id,
                    j.kind == JobKind.SEND.value,
                    j.purpose == PURPOSE,
                    j.subject_id == ann_id,
                    j.state == JobState.RUNNING.value,
                )
                .values(expected=recipients, updated_at=self.store.clock.now())
            )

    async def _send(self, job_id: str) -> None:
        await self.sending.run_due()
        self.engine.wake()
        await self._finish_if_done(job_id)

    async def _prepare(self, job_id: str) -> None:
        """Turn a queued correction, recall or reschedule into outbox changes, in one transaction."""
        job = await self.get(job_id)
        if job.state is not JobState.QUEUED:
            return
        changes: list[ChangeRequest] = []
        for ann_id in job.announcement_ids:
            announcement = await self.store.get(ann_id)
            # The announcement's cards and its reminders (the same card again) change together.
            delivered = [
                outcome
                for purpose in (PURPOSE, REMINDER_PURPOSE)
                for outcome in await self.engine.outcomes(self.store.tenant_id, purpose, ann_id)
            ]
            for outcome in delivered:
                if outcome.status is not DeliveryStatus.SENT:
                    continue
                if job.kind is JobKind.RECALL:
                    changes.append(ChangeRequest(outcome, "delete", CHANGE_PURPOSE, job.id, "recall"))
                else:
                    message = OutgoingMessage(card=await self._card(announcement, outcome), summary=announcement.title)
                    changes.append(ChangeRequest(outcome, "update", CHANGE_PURPOSE, job.id, job.id, message))
        queued = await self.engine.enqueue_changes(changes)
        now = self.store.clock.now()
        j = bulk_jobs.c
        async with self.store.db.begin(immediate=True) as s:
            await s.execute(
                sa.update(bulk_jobs)
                .where(j.tenant_id == self.store.tenant_id, j.id == job_id, j.state == JobState.QUEUED.value)
                .values(state=JobState.RUNNING.value, expected=queued, claimed_until=None, updated_at=now)
            )
        self._watched[(CHANGE_PURPOSE, job_id)] = job_id
        log.info("bulk job queued", extra={"job": job_id, "kind": job.kind.value, "changes": queued})
        if job.kind is JobKind.RESCHEDULE:
            await self.sending.run_due()  # the reschedule notice, after the cards' updates are queued
        await self._finish_if_done(job_id)

    async def _card(self, announcement: Announcement, outcome: DeliveryOutcome) -> dict[str, Any]:
        """The delivered card as it reads now, in the language it was delivered in (not the lead's)."""
        if outcome.recipient.kind == "user":
            return await self.cards.for_user(announcement, outcome.recipient.key, language=outcome.language)
        plan = self.cards.calendar.plan
        with i18n.use(self.cards.language_of(outcome.language)):
            return render_announcement(plan, announcement, zone=plan.zone, dates=await self.cards.dates(announcement))

    async def _on_outcome(self, outcome: DeliveryOutcome) -> None:
        job_id = self._watched.get((outcome.purpose, outcome.subject_id))
        if job_id is None or job_id in self._dirty:
            return
        self._dirty.add(job_id)
        self.spawn(self._check_soon(job_id))

    async def _check_soon(self, job_id: str) -> None:
        # Outcomes arriving while this check waits need no check of their own: at most a few
        # checks a second per job, however fast its rows are done.
        await asyncio.sleep(CHECK_DELAY)
        self._dirty.discard(job_id)
        await self._finish_if_done(job_id)

    async def _finish_if_done(self, job_id: str) -> None:
        """If none of the job's rows is left to do: tell the lead how it ended (once), then mark it finished;
        else tell the lead its progress when a report is due (:meth:`report_progress`)."""
        j = bulk_jobs.c
        c = deliveries.c
        tenant_id = self.store.tenant_id
        async with self.store.db.begin(read_only=True) as s:
            row = (await s.execute(sa.select(bulk_jobs).where(j.tenant_id == tenant_id, j.id == job_id))).first()
            if row is None or row.state != JobState.RUNNING.value:
                return
            left: Any = None
            if row.kind == JobKind.SEND.value:
                status = await s.scalar(
                    sa.select(announcements.c.status).where(
                        announcements.c.tenant_id == tenant_id, announcements.c.id == row.subject_id
                    )
                )
                if status in (AnnouncementStatus.SCHEDULED.value, AnnouncementStatus.RESOLVING.value):
                    left = status  # its deliveries are still being queued
            if left is None:
                left = await s.scalar(
                    sa.select(c.id)
                    .where(
                        c.tenant_id == tenant_id,
                        c.purpose == row.purpose,
                        c.subject_id == row.subject_id,
                        c.status.in_(_OPEN),
                    )
                    .limit(1)
                )
            if left is None:
                reasons = (
                    await s.execute(
                        sa.select(c.status, c.reason, sa.func.count())
                        .where(c.tenant_id == tenant_id, c.purpose == row.purpose, c.subject_id == row.subject_id)
                        .group_by(c.status, c.reason)
                    )
                ).all()
        if left is not None:
            await self.report_progress(row)
            return
        summary = _summary(JobKind(row.kind), reasons)
        if row.lead_key:
            # Queued first, marked finished after: a crash in between tells the lead once all the same.
            await self.engine.enqueue(
                [
                    DeliveryRequest(
                        recipient=Recipient(tenant_id, "user", row.lead_key, row.lead_name),
                        message=OutgoingMessage(text=await self._to_lead(row, outcome_text, summary)),
                        purpose=JOB_PURPOSE,
                        subject_id=job_id,
                        dedupe_key=f"announcement-job:{job_id}:finished",
                    )
                ]
            )
        now = self.store.clock.now()
        async with self.store.db.begin(immediate=True) as s:
            await s.execute(
                sa.update(bulk_jobs)
                .where(j.tenant_id == tenant_id, j.id == job_id, j.state == JobState.RUNNING.value)
                .values(state=JobState.FINISHED.value, finished_at=now, updated_at=now, summary=summary)
            )
        self._watched.pop((row.purpose, row.subject_id), None)
        self._looked.pop(job_id, None)
        log.info("bulk job finished", extra={"job": job_id, "kind": row.kind, "summary": summary})

    async def report_progress(self, row: Any) -> bool:
        """Tell the lead how far a running job has got, when a report is due; True if one was queued.

        Due when the job has at least :attr:`progress_min` rows, has passed a step of
        :data:`PROGRESS_STEPS` it has not reported, and :data:`PROGRESS_EVERY` has passed since
        it started or since its last report. The message goes through the delivery engine,
        keyed by the job and the step: at most one per step, whichever process sends it.
        """
        if not row.lead_key or row.expected < self.progress_min:
            return False
        now = self.store.clock.now()
        looked = self._looked.get(row.id)
        if looked is not None and now - looked < PROGRESS_LOOK:
            return False  # counted moments ago: outcomes arrive many times a second
        self._looked[row.id] = now
        c = deliveries.c
        async with self.store.db.begin(read_only=True) as s:
            reports = (
                await s.execute(
                    sa.select(c.dedupe_key, c.created_at).where(
                        c.tenant_id == self.store.tenant_id,
                        c.purpose == JOB_PURPOSE,
                        c.subject_id == row.id,
                    )
                )
            ).all()
            last = max((r.created_at for r in reports), default=row.created_at)
            if now - last < PROGRESS_EVERY:
                return False
            progress = await self._progress(s, row.purpose, row.subject_id)
        reported = max((_progress_step(r.dedupe_key) for r in reports), default=0)
        done = sum(n for status, n in progress.items() if DeliveryStatus(status) in FINAL)
        percent = min(100, done * 100 // max(row.expected, 1))
        step = max((p for p in PROGRESS_STEPS if percent >= p), default=0)
        if step <= reported:
            return False  # no step passed since the last report
        ok = (DeliveryStatus.SENT.value, DeliveryStatus.CANCELLED.value)
        failed = sum(n for status, n in progress.items() if DeliveryStatus(status) in FINAL and status not in ok)
        await self.engine.enqueue(
            [
                DeliveryRequest(
                    recipient=Recipient(self.store.tenant_id, "user", row.lead_key, row.lead_name),
                    message=OutgoingMessage(text=await self._to_lead(row, progress_text, done, row.expected, failed)),
                    purpose=JOB_PURPOSE,
                    subject_id=row.id,
                    dedupe_key=f"announcement-job:{row.id}:progress:{step}",
                    ahead_of=row.created_at,  # not behind the job's own remaining rows
                )
            ]
        )
        log.info("bulk job progress", extra={"job": row.id, "done": done, "expected": row.expected})
        return True

    # -- helpers ---------------------------------------------------------------

    async def _to_lead(self, row: Any, text: Callable[..., str], *args: Any) -> str:
        """What the lead is told about their operation (``text(kind, title, *args)``), in their Teams language."""
        record = await self.cards.conversations.personal_for_user(self.store.tenant_id, row.lead_key)
        with i18n.use(self.cards.language_of(record.locale if record is not None else None)):
            return text(JobKind(row.kind), shown_title(JobKind(row.kind), row.title, self.cards.calendar.plan), *args)

    async def _insert(
        self,
        kind: JobKind,
        ann_ids: tuple[str, ...],
        title: str,
        purpose: str,
        subject_id: str,
        expected: int,
        lead: Lead | None,
        *,
        state: JobState,
        job_id: str | None = None,
        claimed_until: dt.datetime | None = None,
    ) -> str:
        job_id = job_id or uuid.uuid4().hex[:16]
        now = self.store.clock.now()
        async with self.store.db.begin(immediate=True) as s:
            await s.execute(
                sa.insert(bulk_jobs).values(
                    tenant_id=self.store.tenant_id,
                    id=job_id,
                    kind=kind.value,
                    announcement_ids=list(ann_ids),
                    title=title[:300],
                    purpose=purpose,
                    subject_id=subject_id,
                    requested_by=lead.upn if lead else None,
                    lead_key=lead.key if lead else None,
                    lead_name=lead.name if lead else None,
                    state=state.value,
                    expected=expected,
                    claimed_until=claimed_until,
                    created_at=now,
                    updated_at=now,
                )
            )
        return job_id

    async def _delivered_count(self, ann_ids: Sequence[str]) -> int:
        c = deliveries.c
        async with self.store.db.begin(read_only=True) as s:
            return int(
                await s.scalar(
                    sa.select(sa.func.count()).where(
                        c.tenant_id == self.store.tenant_id,
                        c.purpose.in_([PURPOSE, REMINDER_PURPOSE]),
                        c.subject_id.in_(list(ann_ids)),
                        c.status == DeliveryStatus.SENT.value,
                    )
                )
                or 0
            )


# -- a reschedule's title: kept in the plan's words, shown in the lead's --

_RESCHEDULED = re.compile(r"^(?P<wave>.+) to (?P<day>\d{4}-\d{2}-\d{2})$")


def reschedule_title(wave: Wave, day: dt.date) -> str:
    """A reschedule job's title as it is kept (the job's row, the API, logs):
    ``Wave 3 - North offices to 2027-03-06``."""
    return f"{wave.plan_title} to {day.isoformat()}"


def shown_title(kind: JobKind, title: str, plan: Plan) -> str:
    """A job's kept ``title`` as the lead reads it now: a reschedule's wave and day in the lead's language
    (:func:`switchover.i18n.current`) and date format ("Ola 3 - Oficinas del norte al 6 mar. 2027"); any other title
    is the announcement's, as its author wrote it. A wave no longer in the plan under that title keeps
    the words it was kept with."""
    m = _RESCHEDULED.match(title) if kind is JobKind.RESCHEDULE else None
    if m is None:
        return title
    try:
        day = dt.date.fromisoformat(m["day"])
    except ValueError:
        return title
    wave = next((w for w in plan.waves if w.plan_title == m["wave"]), None)
    # Translators: a reschedule in the lead's messages about it: the wave and the day it now moves on,
    # e.g. "Reschedule of Wave 3 - North offices to 2027-03-06 finished: ...".
    return _("{wave} to {day}").format(wave=wave.title if wave is not None else m["wave"], day=format_date(day))


def _job(row: Any, progress: dict[str, int]) -> BulkJob:
    return BulkJob(
        id=row.id,
        kind=JobKind(row.kind),
        announcement_ids=tuple(row.announcement_ids),
        title=row.title,
        state=JobState(row.state),
        requested_by=row.requested_by,
        expected=row.expected,
        created_at=row.created_at,
        finished_at=row.finished_at,
        progress=progress,
        summary=row.summary,
    )


def _progress_step(dedupe_key: str) -> int:
    """The step a progress report's key names (``announcement-job:<id>:progress:50`` -> 50); 0 for other messages."""
    head, _sep, step = dedupe_key.rpartition(":")
    return int(step) if head.endswith(":progress") and step.isdigit() else 0


def _summary(kind: JobKind, rows: Sequence[Any]) -> dict[str, Any]:
    """Done, superseded, and not done by reason (the first words of each reason)."""
    done = superseded = 0
    not_done: Counter[str] = Counter()
    for status, reason, n in rows:
        if status == DeliveryStatus.SENT.value:
            done += n
        elif status == DeliveryStatus.CANCELLED.value and kind is not JobKind.SEND:
            superseded += n
        elif status == DeliveryStatus.CANCELLED.value:
            not_done["cancelled"] += n
        else:
            not_done[_short_reason(status, reason)] += n
    return {"done": done, "superseded": superseded, "not_done": sum(not_done.values()), "reasons": dict(not_done)}


def _short_reason(status: str, reason: str | None) -> str:
    if not reason:
        return status
    if reason.startswith("gave up after "):
        reason = reason.split(": ", 1)[-1]
    code, colon, _rest = reason.partition(":")
    if colon and code and " " not in code:
        return code  # "NoConversation: the bot has no conversation..."
    words = reason.split()
    return " ".join(words[:3]) if words else status  # "HTTP 403 Forbidden"


_WORDS = {
    JobKind.SEND: (N_("Sending"), N_("delivered"), N_("could not be delivered")),
    JobKind.CORRECT: (N_("Correction"), N_("cards updated"), N_("could not be updated")),
    JobKind.RECALL: (N_("Recall"), N_("cards removed"), N_("could not be removed")),
    JobKind.RESCHEDULE: (N_("Reschedule"), N_("delivered cards updated"), N_("could not be updated")),
}


def progress_text(kind: JobKind, title: str, done: int, expected: int, not_done: int) -> str:
    """What the lead is told on the way, e.g. "Recall of X under way: 1,000 of 2,000 done (50%). ..."."""
    what, _done_words, not_done_words = _WORDS[kind]
    percent = min(100, done * 100 // max(expected, 1))
    text = _("{what} of {title} under way: {done} of {expected} done ({percent}%)").format(
        what=_(what), title=title, done=f"{done:,}", expected=f"{expected:,}", percent=percent
    )
    if not_done:
        text += _(", {n} of them {words}").format(n=f"{not_done:,}", words=_(not_done_words))
    return text + _(". I'll tell you here when it has finished.")


def outcome_text(kind: JobKind, title: str, summary: dict[str, Any]) -> str:
    """What the lead is told when their operation ends, e.g. "Recall of X finished: 1,998 cards removed, ..."."""
    what, done_words, not_done_words = _WORDS[kind]
    text = _("{what} of {title} finished: {n} {words}").format(
        what=_(what), title=title, n=f"{summary['done']:,}", words=_(done_words)
    )
    if summary["not_done"]:
        why = "; ".join(f"{reason}: {n:,}" for reason, n in sorted(summary["reasons"].items(), key=lambda kv: -kv[1]))
        text += f", {summary['not_done']:,} {_(not_done_words)} ({why})"
    if summary["superseded"]:
        text += _(", {n} replaced by a later change before they were made").format(n=f"{summary['superseded']:,}")
    return text + "."
