"""Changing what was already sent: correct a sent announcement (every delivered card updated in
place), recall it (delivered cards deleted, the rest cancelled), and reschedule a wave (pending
announcements move with it, delivered cards show the new date, and the wave is told)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from switchover.announcements.calendar import WaveCalendar, WaveDates
from switchover.announcements.model import PURPOSE, Announcement, AnnouncementStatus, Audience, Button, Content
from switchover.announcements.sending import Sending
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.tables import announcements
from switchover.announcements.views import RecipientCards, render_announcement
from switchover.delivery import DeliveryEngine, DeliveryStatus
from switchover.messaging import OutgoingMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RescheduleResult:
    """What :meth:`Corrections.reschedule_wave` did."""

    wave_key: str
    old: WaveDates
    new: WaveDates
    moved: tuple[str, ...]  # pending announcements that now go at a new time
    updated_cards: int  # delivered cards updated in place
    notice_id: str | None  # the reschedule notice to those already told


class Corrections:
    """Corrections, recalls and reschedules for one tenant.

    Args:
        store: The tenant's announcements.
        calendar: Wave windows (a reschedule moves one) and the plan.
        cards: The card each recipient sees after a change.
        sending: Sends the reschedule notice.
        engine: The delivery engine (updates and deletes delivered cards).
    """

    def __init__(
        self,
        store: AnnouncementStore,
        calendar: WaveCalendar,
        cards: RecipientCards,
        sending: Sending,
        engine: DeliveryEngine,
    ) -> None:
        self.store = store
        self.calendar = calendar
        self.cards = cards
        self.sending = sending
        self.engine = engine

    async def correct(self, ann_id: str, *, title: str | None = None, content: Content | None = None) -> int:
        """Correct a sent announcement: every delivered card is updated in place.

        Returns:
            How many cards were updated.
        """
        values: dict[str, Any] = {"updated_at": self.store.clock.now()}
        if title is not None:
            values["title"] = title
        if content is not None:
            values["content"] = content.model_dump(mode="json")
        await self.store.transition(ann_id, (AnnouncementStatus.SENT,), values, "corrected")
        return await self._update_delivered(await self.store.get(ann_id))

    async def recall(self, ann_id: str) -> int:
        """Delete every delivered card of an announcement and cancel what has not gone.

        Returns:
            How many delivered cards were deleted.
        """
        tenant_id = self.store.tenant_id
        await self.engine.cancel(tenant_id, PURPOSE, ann_id)
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
        deleted = 0
        for outcome in await self.engine.outcomes(tenant_id, PURPOSE, ann_id):
            if outcome.status is DeliveryStatus.SENT:
                try:
                    await self.engine.delete_sent(outcome.id)
                    deleted += 1
                except Exception:
                    log.exception("recalling a delivered card failed", extra={"delivery": outcome.id})
        return deleted

    async def reschedule_wave(
        self,
        wave_key: str,
        new_day: dt.date,
        *,
        start: dt.time | None = None,
        end: dt.time | None = None,
        hypercare_until: dt.date | None = None,
        by: str | None = None,
    ) -> RescheduleResult:
        """Move a wave's cutover to ``new_day``, from ``start`` to ``end`` (the wave's local times;
        left out: the same times as now), as one change of the plan as it stands: the cutover
        window, hypercare (shifted by as many days, unless ``hypercare_until``), the desk's
        staffed days and the wave's pending announcements move together.

        Cards already delivered are updated in place (new date) and followed by a reschedule
        notice to the wave.

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
        updated = 0
        for announcement in delivered:
            updated += await self._update_delivered(announcement)
        notice_id = None
        if delivered:
            notice_id = f"{wave_key}/reschedule-{new_day.isoformat()}"
            await self._store_notice(notice_id, wave_key, old, now=now, by=by)
            await self.sending.run_due()
        log.info(
            "wave rescheduled",
            extra={"wave": wave_key, "new": new.start.isoformat(), "moved": moved, "updated_cards": updated},
        )
        return RescheduleResult(wave_key, old, new, moved, updated, notice_id)

    async def _store_notice(
        self, notice_id: str, wave_key: str, old: WaveDates, *, now: dt.datetime, by: str | None
    ) -> None:
        """The reschedule notice to the wave, due now (once: a second reschedule to the same day adds none)."""
        content = Content(
            previous_cutover=(old.start, old.end),
            summary=(
                "Everything else stays the same: the messages you already have now show the new date, "
                "and reminders will come at the right time."
            ),
            buttons=(Button(title="Got it", verb="acknowledge"),),
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
                        title=f"{self.calendar.plan.wave(wave_key).title}: new cutover date",
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

    async def _update_delivered(self, announcement: Announcement) -> int:
        """Replace every delivered card of the announcement with what it says now; how many were updated."""
        updated = 0
        for outcome in await self.engine.outcomes(self.store.tenant_id, PURPOSE, announcement.id):
            if outcome.status is not DeliveryStatus.SENT:
                continue
            if outcome.recipient.kind == "user":
                card = await self.cards.for_user(announcement, outcome.recipient.key)
            else:
                dates = await self.cards.dates(announcement)
                card = render_announcement(self.calendar.plan, announcement, zone=self.calendar.plan.zone, dates=dates)
            try:
                await self.engine.update_sent(outcome.id, OutgoingMessage(card=card, summary=announcement.title))
                updated += 1
            except Exception:
                log.exception("updating a delivered card failed", extra={"delivery": outcome.id})
        return updated
