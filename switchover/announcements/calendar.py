"""The wave calendar: each wave's cutover window as it stands (the plan's, or a lead's reschedule),
and the plan's calendar reconciled into scheduled announcements (``<wave>/<message>``)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from switchover.announcements.model import AnnouncementStatus, Audience, Button, Content
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.tables import announcements, wave_moves
from switchover.plan.model import Audience as PlanAudience
from switchover.plan.model import CalendarMessage, Plan, Wave
from switchover.plan.timing import message_time  # here too: callers import it from the calendar
from switchover.storage.db import insert_for

log = logging.getLogger(__name__)

# How long the rescheduled windows read for answers are reused before the database is asked again.
MOVES_FRESH_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class WaveDates:
    """A wave's cutover window as it stands (the plan's, or a lead's reschedule)."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What :meth:`WaveCalendar.reconcile` changed (announcement ids)."""

    added: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()


def campaign_id(wave_key: str, calendar_key: str) -> str:
    """The id of a wave's calendar announcement: ``<wave>/<message>``."""
    return f"{wave_key}/{calendar_key}"


def calendar_content(message: CalendarMessage) -> Content:
    """What a calendar message's card says: its summary, points and the buttons a card can carry."""
    buttons = []
    for b in message.buttons:
        if b.action == "open_url" and b.url:
            buttons.append(Button(title=b.title, url=b.url))
        elif b.action in ("acknowledge", "mfa_done", "report_problem"):
            buttons.append(Button(title=b.title, verb=b.action))
    return Content(summary=message.summary, points=message.points, buttons=tuple(buttons))


class WaveCalendar:
    """The plan's waves and calendar for one tenant, with reschedules applied.

    Args:
        store: The tenant's announcements.
        plan: The migration plan; :meth:`reconcile` may replace it (a reloaded plan), and
            every part of the service reads it from here.
    """

    def __init__(self, store: AnnouncementStore, plan: Plan) -> None:
        self.store = store
        self.plan = plan
        self._moves: tuple[dt.datetime, dict[str, WaveDates]] | None = None

    async def moved_windows(self) -> dict[str, WaveDates]:
        """Every rescheduled wave's cutover window, by wave key (answers show these, not the plan's).

        Read at most every :data:`MOVES_FRESH_SECONDS` (another instance may have moved a
        wave), and at once after a reschedule here.
        """
        now = self.store.clock.now()
        if self._moves is not None and (now - self._moves[0]).total_seconds() < MOVES_FRESH_SECONDS:
            return self._moves[1]
        async with self.store.db.begin(read_only=True) as c:
            rows = (await c.execute(sa.select(wave_moves).where(wave_moves.c.tenant_id == self.store.tenant_id))).all()
        moves = {r.wave_key: WaveDates(r.cutover_start, r.cutover_end) for r in rows}
        self._moves = (now, moves)
        return moves

    async def wave_dates(self, wave_key: str) -> WaveDates:
        """The wave's cutover window, with any reschedule applied."""
        wave = self.plan.wave(wave_key)
        m_ = wave_moves.c
        async with self.store.db.begin(read_only=True) as c:
            row = (
                await c.execute(
                    sa.select(wave_moves).where(m_.tenant_id == self.store.tenant_id, m_.wave_key == wave_key)
                )
            ).first()
        if row is not None:
            return WaveDates(row.cutover_start, row.cutover_end)
        return WaveDates(wave.cutover.start.astimezone(dt.UTC), wave.cutover.end.astimezone(dt.UTC))

    async def move_wave(self, wave_key: str, new: WaveDates, *, by: str | None) -> None:
        """Store a wave's new cutover window (answers pick it up with their next question)."""
        now = self.store.clock.now()
        ins = insert_for(self.store.db.dialect)
        async with self.store.db.begin(immediate=True) as c:
            stmt = ins(wave_moves).values(
                tenant_id=self.store.tenant_id,
                wave_key=wave_key,
                cutover_start=new.start,
                cutover_end=new.end,
                moved_by=by,
                moved_at=now,
            )
            await c.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "wave_key"],
                    set_={"cutover_start": new.start, "cutover_end": new.end, "moved_by": by, "moved_at": now},
                )
            )
        self._moves = None

    def _audience(self, wave: Wave, who: str) -> Audience:
        if who == "channel":
            return Audience(kind="channel", values=(str(self.plan.service_desk.channel),))
        return Audience(kind="wave", values=(wave.key,))

    async def reconcile(self, plan: Plan | None = None) -> ReconcileResult:
        """Make the scheduled calendar announcements match the plan (``plan``: a reloaded one).

        Every wave's calendar entries become announcements (``<wave>/<message>``);
        a changed time moves a pending one; entries gone from the plan are
        cancelled if they have not gone. Sent ones are never touched.
        """
        if plan is not None:
            self.plan = plan
        tenant_id = self.store.tenant_id
        now = self.store.clock.now()
        wanted: dict[str, tuple[Wave, CalendarMessage, dt.datetime | None, str]] = {}
        for wave in self.plan.waves:
            dates = await self.wave_dates(wave.key)
            # The wave's own calendar, its days and times counted where its people are.
            zone = self.plan.zone_of(wave)
            for message in self.plan.calendar_for(wave):
                when = message_time(dates, message, zone)
                if PlanAudience.WAVE_USERS in message.to:
                    wanted[campaign_id(wave.key, message.key)] = (wave, message, when, "wave")
                if PlanAudience.SERVICE_DESK in message.to:
                    wanted[campaign_id(wave.key, message.key) + "@service-desk"] = (wave, message, when, "channel")
        added, moved, cancelled = [], [], []
        pending = (AnnouncementStatus.SCHEDULED.value, AnnouncementStatus.MANUAL.value)
        c_ = announcements.c
        async with self.store.db.begin(immediate=True) as c:
            existing = {
                r.id: r
                for r in await c.execute(
                    sa.select(announcements).where(c_.tenant_id == tenant_id, c_.kind == "calendar")
                )
            }
            for ann_id, (wave, message, when, who) in wanted.items():
                status = AnnouncementStatus.MANUAL if when is None else AnnouncementStatus.SCHEDULED
                content = calendar_content(message).model_dump(mode="json")
                audience = self._audience(wave, who).model_dump(mode="json")
                row = existing.get(ann_id)
                if row is None:
                    await c.execute(
                        sa.insert(announcements).values(
                            tenant_id=tenant_id,
                            id=ann_id,
                            kind="calendar",
                            wave_key=wave.key,
                            calendar_key=message.key,
                            title=message.title,
                            content=content,
                            audience=audience,
                            send_at=when,
                            status=status.value,
                            created_by="plan",
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    added.append(ann_id)
                elif row.status in pending:
                    changes: dict[str, Any] = {}
                    if row.send_at != when:
                        changes.update(send_at=when, status=status.value)
                        moved.append(ann_id)
                    if row.title != message.title or row.content != content or row.audience != audience:
                        changes.update(title=message.title, content=content, audience=audience)
                    if changes:
                        await c.execute(
                            sa.update(announcements)
                            .where(c_.tenant_id == tenant_id, c_.id == ann_id)
                            .values(updated_at=now, **changes)
                        )
            for ann_id, row in existing.items():
                if ann_id not in wanted and row.status in pending:
                    await c.execute(
                        sa.update(announcements)
                        .where(c_.tenant_id == tenant_id, c_.id == ann_id)
                        .values(
                            status=AnnouncementStatus.CANCELLED.value, reason="no longer in the plan", updated_at=now
                        )
                    )
                    cancelled.append(ann_id)
        if added or moved or cancelled:
            log.info("calendar reconciled", extra={"added": len(added), "moved": moved, "cancelled": cancelled})
        return ReconcileResult(tuple(added), tuple(moved), tuple(cancelled))
