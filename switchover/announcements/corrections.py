"""Changing what was already sent: correct a sent announcement (every delivered card updated in
place), recall it (delivered cards deleted, the rest cancelled), and reschedule a wave (pending
announcements move with it, delivered cards show the new date, and the wave is told).

Each records the change and a bulk job (:mod:`~switchover.announcements.jobs`) and returns at
once: the delivered cards are updated or deleted in the background, as outbox work at the rate
limit, and the lead is told the outcome when the last one is done."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from switchover.announcements.calendar import WaveCalendar, WaveDates
from switchover.announcements.jobs import BulkJob, BulkJobs, JobKind, Lead, reschedule_title
from switchover.announcements.model import (
    GOT_IT,
    LIST_PURPOSE,
    PURPOSE,
    REMINDER_PURPOSE,
    RESCHEDULE_SUMMARY,
    RESCHEDULE_TITLE,
    AnnouncementStatus,
    Audience,
    Button,
    Content,
)
from switchover.announcements.sending import Sending
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.tables import announcements
from switchover.announcements.views import RecipientCards
from switchover.delivery import DeliveryEngine

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RescheduleResult:
    """What :meth:`Corrections.reschedule_wave` did."""

    wave_key: str
    old: WaveDates
    new: WaveDates
    moved: tuple[str, ...]  # pending announcements that now go at a new time
    updated_cards: int  # delivered cards being updated in place (in the background: ``job``)
    notice_id: str | None  # the reschedule notice to those already told
    job: BulkJob | None = None  # the update of the delivered cards (None: none was delivered)


class Corrections:
    """Corrections, recalls and reschedules for one tenant.

    Args:
        store: The tenant's announcements.
        calendar: Wave windows (a reschedule moves one) and the plan.
        cards: The card each recipient sees after a change (the reschedule notice's).
        sending: Sends the reschedule notice.
        engine: The delivery engine (cancels what has not gone).
        jobs: Runs the updates and deletions of delivered cards in the background.
    """

    def __init__(
        self,
        store: AnnouncementStore,
        calendar: WaveCalendar,
        cards: RecipientCards,
        sending: Sending,
        engine: DeliveryEngine,
        jobs: BulkJobs,
    ) -> None:
        self.store = store
        self.calendar = calendar
        self.cards = cards
        self.sending = sending
        self.engine = engine
        self.jobs = jobs

    async def correct(
        self,
        ann_id: str,
        *,
        title: str | None = None,
        content: Content | None = None,
        lead: Lead | None = None,
        start: bool = True,
    ) -> BulkJob:
        """Correct a sent announcement; every delivered card is updated in place, in the background.

        Returns:
            The job updating the cards (``expected``: how many).
        """
        values: dict[str, Any] = {"updated_at": self.store.clock.now()}
        if title is not None:
            values["title"] = title
        if content is not None:
            values["content"] = content.model_dump(mode="json")
        await self.store.transition(ann_id, (AnnouncementStatus.SENT,), values, "corrected")
        announcement = await self.store.get(ann_id)
        return await self.jobs.start_changes(JobKind.CORRECT, (ann_id,), announcement.title, lead, start=start)

    async def recall(self, ann_id: str, *, lead: Lead | None = None, start: bool = True) -> BulkJob:
        """Cancel what has not gone, and delete every delivered card of an announcement in the background.

        Returns:
            The job deleting the cards (``expected``: how many).
        """
        # Recalled first, then cancelled: a Send still queueing stops at its next chunk, and
        # what it queued before is cancelled here.
        await self.store.transition(
            ann_id,
            (AnnouncementStatus.SENT, AnnouncementStatus.RESOLVING),
            {
                "status": AnnouncementStatus.RECALLED.value,
                "reason": "recalled by a lead",
                "updated_at": self.store.clock.now(),
            },
            "recalled",
        )
        for purpose in (PURPOSE, REMINDER_PURPOSE, LIST_PURPOSE):  # its reminders and lists stop too
            await self.engine.cancel(self.store.tenant_id, purpose, ann_id)
        announcement = await self.store.get(ann_id)
        return await self.jobs.start_changes(JobKind.RECALL, (ann_id,), announcement.title, lead, start=start)

    async def reschedule_wave(
        self,
        wave_key: str,
        new_day: dt.date,
        *,
        start: dt.time | None = None,
        end: dt.time | None = None,
        hypercare_until: dt.date | None = None,
        by: str | None = None,
        lead: Lead | None = None,
        run: bool = True,
    ) -> RescheduleResult:
        """Move a wave's cutover to ``new_day``, from ``start`` to ``end`` (the wave's local times;
        left out: the same times as now), as one change of the plan as it stands: the cutover
        window, hypercare (shifted by as many days, unless ``hypercare_until``), the desk's
        staffed days and the wave's pending announcements move together.

        Cards already delivered are updated in place (new date) in the background, as a bulk job
        (``run=False``: the caller starts it), followed by a reschedule notice to the wave.

        Raises:
            ValueError: the window would end before it starts, or hypercare before the cutover.
        """
        plan = await self.calendar.current.refresh()
        zone = plan.zone_of(plan.wave(wave_key))  # "same local times": the wave's people's
        old = await self.calendar.wave_dates(wave_key)
        old_local_start, old_local_end = old.start.astimezone(zone), old.end.astimezone(zone)
        shift = new_day - old_local_start.date()
        end_day = old_local_end.date() + shift
        if start is not None and end is not None:  # a window given as times: that day (or overnight)
            end_day = new_day if end > start else new_day + dt.timedelta(days=1)
        new = WaveDates(
            dt.datetime.combine(new_day, start or old_local_start.time(), tzinfo=zone).astimezone(dt.UTC),
            dt.datetime.combine(end_day, end or old_local_end.time(), tzinfo=zone).astimezone(dt.UTC),
        )
        now = self.store.clock.now()
        result = await self.calendar.move_wave(wave_key, new, by=by, hypercare_until=hypercare_until)
        moved = tuple(a for a in result.moved if a.startswith(f"{wave_key}/"))
        delivered = [
            a
            for a in await self.store.all(statuses=[AnnouncementStatus.SENT])
            if a.wave_key == wave_key and a.kind == "calendar"
        ]
        job = None
        notice_id = None
        if delivered:
            title = reschedule_title(plan.wave(wave_key), new_day)
            notice_id = f"{wave_key}/reschedule-{new_day.isoformat()}"
            # The notice is due now; the job sends it once the cards' updates are queued.
            await self._store_notice(notice_id, wave_key, old, now=now, by=by)
            job = await self.jobs.start_changes(JobKind.RESCHEDULE, [a.id for a in delivered], title, lead, start=run)
        updated = job.expected if job else 0
        log.info(
            "wave rescheduled",
            extra={"wave": wave_key, "new": new.start.isoformat(), "moved": moved, "updated_cards": updated},
        )
        return RescheduleResult(wave_key, old, new, moved, updated, notice_id, job)

    async def _store_notice(
        self, notice_id: str, wave_key: str, old: WaveDates, *, now: dt.datetime, by: str | None
    ) -> None:
        """The reschedule notice to the wave, due now (once: a second reschedule to the same day adds none)."""
        content = Content(
            previous_cutover=(old.start, old.end),
            summary=RESCHEDULE_SUMMARY,  # in each reader's language when shown
            buttons=(Button(title=GOT_IT, verb="acknowledge"),),
        )
        tenant_id = self.store.tenant_id
        c_ = announcements.c
        async with self.store.db.begin(immediate=True) as c:
            exists = await c.scalar(
                sa.select(sa.func.count())
                .select_from(announcements)
                .where(c_.tenant_id == tenant_id, c_.id == notice_id)
            )
            if not exists:
                await c.execute(
                    sa.insert(announcements).values(
                        tenant_id=tenant_id,
                        id=notice_id,
                        kind="reschedule",
                        wave_key=wave_key,
                        title=RESCHEDULE_TITLE.format(wave=self.calendar.plan.wave(wave_key).plan_title),
                        content=content.model_dump(mode="json"),
                        audience=Audience(kind="wave", values=(wave_key,)).model_dump(mode="json"),
                        send_at=now,
                        status=AnnouncementStatus.SCHEDULED.value,
                        created_by=by,
                        created_at=now,
                        updated_at=now,
                        reason=f"moved from {old.start.isoformat()}",
                    )
                )
