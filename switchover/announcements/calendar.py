"""The wave calendar: each wave's cutover window as it stands (the plan as it stands: a lead's moves
applied, :mod:`switchover.plan.current`), and the plan's calendar reconciled into scheduled
announcements (``<wave>/<message>``; the Service Desk's channel copy ``...@service-desk``, the
leads' and sponsor's ``...@leadership``)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from switchover.announcements.model import AnnouncementStatus, Audience, Button, Content, Urgency
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.tables import announcements
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Audience as PlanAudience
from switchover.plan.model import CalendarMessage, Plan, Wave
from switchover.plan.timing import message_time  # here too: callers import it from the calendar

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)


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


LEADERSHIP = "@leadership"
"""The suffix of a calendar entry's copy for the plan's project leads and sponsor (``<wave>/<message>@leadership``)."""


def leadership(plan: Plan, message: CalendarMessage) -> tuple[str, ...]:
    """The people (plan keys) a calendar message goes to by role: its ``project_leads`` and ``sponsor``.

    One copy for all of them, so a sponsor who is also a lead gets it once; empty when the message
    names neither. Whether a lead who is also in the wave gets the wave's copy too is the plan's
    choice (``to: [wave_users, project_leads]`` says both).
    """
    keys: list[str] = []
    if PlanAudience.PROJECT_LEADS in message.to:
        keys += plan.project_leads
    if PlanAudience.SPONSOR in message.to:
        keys.append(plan.sponsor)
    return tuple(dict.fromkeys(keys))


def calendar_content(message: CalendarMessage) -> Content:
    """What a calendar message's card says: its summary, points and the buttons a card can carry."""
    buttons = []
    for b in message.buttons:
        if b.action == "open_url" and b.url:
            buttons.append(Button(title=b.title, url=b.url))
        elif b.action in ("acknowledge", "mfa_done", "report_problem"):
            buttons.append(Button(title=b.title, verb=b.action))
    return Content(
        summary=message.summary,
        points=message.points,
        buttons=tuple(buttons),
        urgency=Urgency.IMPORTANT if message.important else Urgency.NORMAL,
        remind_minutes=tuple(d.minutes for d in message.remind),
        nudge=message.important,
    )


class WaveCalendar:
    """The plan's waves and calendar for one tenant, as they stand (a lead's moves applied).

    Args:
        store: The tenant's announcements.
        plan: The plan as it stands (:class:`~switchover.plan.current.CurrentPlan`), shared with
            every other service; every part of the announcement service reads it from here. A plain
            ``Plan`` is kept in this database as the plan as it stands.
    """

    def __init__(self, store: AnnouncementStore, plan: Plan | CurrentPlan) -> None:
        self.store = store
        self.current = (
            plan
            if isinstance(plan, CurrentPlan)
            else CurrentPlan(plan, db=store.db, clock=store.clock, tenant_id=plan.organisation.tenant_id or "")
        )
        self.current.on_apply(self._reconcile_applied)

    @property
    def plan(self) -> Plan:
        """The plan as it stands."""
        return self.current.plan

    async def wave_dates(self, wave_key: str) -> WaveDates:
        """The wave's cutover window as it stands (a lead's move applied), in UTC."""
        wave = (await self.current.refresh()).wave(wave_key)
        return WaveDates(wave.cutover.start.astimezone(dt.UTC), wave.cutover.end.astimezone(dt.UTC))

    async def move_wave(
        self, wave_key: str, new: WaveDates, *, by: str | None, hypercare_until: dt.date | None = None
    ) -> ReconcileResult:
        """Move a wave's cutover window (and hypercare) for every service and instance; its pending
        announcements move in the same transaction.

        Returns:
            What the calendar changed.
        """
        result = await self.current.move_wave(
            wave_key,
            start=new.start,
            end=new.end,
            hypercare_until=hypercare_until,
            by=by,
            within=lambda c, plan: self._reconcile(plan, c),
        )
        assert isinstance(result, ReconcileResult)
        return result

    async def _reconcile_applied(self, c: AsyncConnection, plan: Plan) -> ReconcileResult | None:
        """A plan revision being applied: the calendar follows in the same transaction (once a tenant is known)."""
        if not self.store.tenant_id:
            return None  # reconciled when the tenant is settled
        return await self._reconcile(plan, c)

    @staticmethod
    def _audience(plan: Plan, wave: Wave, who: str | tuple[str, ...]) -> Audience:
        if who == "channel":
            return Audience(kind="channel", values=(str(plan.service_desk.channel),))
        if isinstance(who, tuple):  # the plan's people by key: its leads and sponsor, by UPN
            return Audience(kind="users", values=tuple(plan.person(key).upn for key in who))
        return Audience(kind="wave", values=(wave.key,))

    async def reconcile(self, plan: Plan | None = None) -> ReconcileResult:
        """Make the scheduled calendar announcements match the plan as it stands (``plan``: another one).

        Every wave's calendar entries become announcements (``<wave>/<message>``);
        a changed time moves a pending one; entries gone from the plan are
        cancelled if they have not gone. Sent ones are never touched.
        """
        if plan is not None:
            async with self.store.db.begin(immediate=True) as c:
                return await self._reconcile(plan, c)
        while True:
            # The newest plan only: an instance that has not seen another's change yet must not undo it.
            plan = await self.current.refresh(force=True)
            async with self.store.db.begin(immediate=True) as c:
                if not await self.current.stale(c):
                    return await self._reconcile(plan, c)

    async def _reconcile(self, plan: Plan, c: AsyncConnection) -> ReconcileResult:
        """:meth:`reconcile` inside the caller's transaction ``c``."""
        tenant_id = self.store.tenant_id
        now = self.store.clock.now()
        wanted: dict[str, tuple[Wave, CalendarMessage, dt.datetime | None, str | tuple[str, ...]]] = {}
        for wave in plan.waves:
            dates = WaveDates(wave.cutover.start.astimezone(dt.UTC), wave.cutover.end.astimezone(dt.UTC))
            # The wave's own calendar, its days and times counted where its people are.
            zone = plan.zone_of(wave)
            for message in plan.calendar_for(wave):
                when = message_time(dates, message, zone)
                if PlanAudience.WAVE_USERS in message.to:
                    wanted[campaign_id(wave.key, message.key)] = (wave, message, when, "wave")
                if PlanAudience.SERVICE_DESK in message.to:
                    wanted[campaign_id(wave.key, message.key) + "@service-desk"] = (wave, message, when, "channel")
                if named := leadership(plan, message):
                    wanted[campaign_id(wave.key, message.key) + LEADERSHIP] = (wave, message, when, named)
        added, moved, cancelled = [], [], []
        pending = (AnnouncementStatus.SCHEDULED.value, AnnouncementStatus.MANUAL.value)
        c_ = announcements.c
        existing = {
            r.id: r
            for r in await c.execute(sa.select(announcements).where(c_.tenant_id == tenant_id, c_.kind == "calendar"))
        }
        for ann_id, (wave, message, when, who) in wanted.items():
            status = AnnouncementStatus.MANUAL if when is None else AnnouncementStatus.SCHEDULED
            content_ = calendar_content(message)
            if who != "wave":
                # Chasers are for the wave's people: the Service Desk's and the leadership's copies are not chased.
                content_ = content_.model_copy(update={"remind_minutes": (), "nudge": False})
            content = content_.model_dump(mode="json")
            audience = self._audience(plan, wave, who).model_dump(mode="json")
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
                    .values(status=AnnouncementStatus.CANCELLED.value, reason="no longer in the plan", updated_at=now)
                )
                cancelled.append(ann_id)
        if added or moved or cancelled:
            log.info("calendar reconciled", extra={"added": len(added), "moved": moved, "cancelled": cancelled})
        return ReconcileResult(tuple(added), tuple(moved), tuple(cancelled))
