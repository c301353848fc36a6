"""Announcements: campaigns from the plan's calendar, free-form notices, audiences, sending
through the delivery engine, acknowledgements, rescheduling, reports.

The database is the truth: an announcement row says what is due and when;
:meth:`AnnouncementService.run_due` (woken by the scheduler) claims what is due,
resolves its recipients *then* (not when it was scheduled), and enqueues one
delivery per recipient with the dedupe key ``announcement:<id>:<recipient>``,
so a crash in the middle and a second run never send anyone a second copy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from cards.render import render_card
from switchover.announcements.model import (
    Announcement,
    AnnouncementStatus,
    Audience,
    Button,
    Content,
)
from switchover.announcements.tables import acknowledgements, announcements, wave_moves
from switchover.clock import Clock
from switchover.delivery import DeliveryEngine, DeliveryRequest, DeliveryStatus, Recipient
from switchover.directory.base import Directory, DirectoryUser
from switchover.membership import resolve_wave
from switchover.messaging import OutgoingMessage
from switchover.plan.model import Audience as PlanAudience
from switchover.plan.model import CalendarMessage, Plan, Wave
from switchover.readiness.notice import ReadinessNotice
from switchover.storage.db import SQLITE_BEGIN_OPTION

if TYPE_CHECKING:
    from switchover.readiness.service import ReadinessService

log = logging.getLogger(__name__)

PURPOSE = "announcement"
REFRESH_LIMIT = 60  # Teams refreshes a card automatically for at most 60 listed users
ACK_VERBS = ("acknowledge", "mfa_done")


class AnnouncementError(ValueError):
    """A request about an announcement that cannot be done (wrong state, unknown id)."""


class NotARecipient(PermissionError):
    """A card action for an announcement the invoking user was never sent."""


@dataclass(frozen=True, slots=True)
class MfaConfirmation:
    """What came of "I've set up Authenticator" (``AnnouncementService.confirm_mfa``).

    Attributes:
        registered: True when Graph shows MFA registered, False when it does not (nothing
            recorded: the person can press again), None when nobody can tell (taken at its word).
        message: what the person is told.
        recorded: whether the acknowledgement was recorded.
        card: the card to show the person instead.
    """

    registered: bool | None
    message: str
    recorded: bool
    card: dict[str, Any]


# How long the rescheduled windows read for answers are reused before the database is asked again.
MOVES_FRESH_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class WaveDates:
    """A wave's cutover window as it stands (the plan's, or a lead's reschedule)."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    added: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RescheduleResult:
    wave_key: str
    old: WaveDates
    new: WaveDates
    moved: tuple[str, ...]  # pending announcements that now go at a new time
    updated_cards: int  # delivered cards updated in place
    notice_id: str | None  # the reschedule notice to those already told


@dataclass
class Report:
    """Delivery and acknowledgement figures of one announcement."""

    announcement: Announcement
    recipients: int = 0
    sent: int = 0
    pending: int = 0
    failed: int = 0
    unreachable: int = 0
    read: int = 0
    acknowledged: int = 0
    in_doubt: int = 0
    recalled: int = 0
    cancelled: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    unreachable_by_reason: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, dict[str, int]] = field(default_factory=dict)
    by_office: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> list[tuple[str, int]]:
        return [
            ("Recipients", self.recipients),
            ("Sent", self.sent),
            ("Pending", self.pending),
            ("Failed", self.failed),
            ("Unreachable", self.unreachable),
            ("Read", self.read),
            ("Acknowledged", self.acknowledged),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "announcement_id": self.announcement.id,
            "status": self.announcement.status.value,
            **{name.lower(): value for name, value in self.totals()},
            "in_doubt": self.in_doubt,
            "recalled": self.recalled,
            "failed_by_reason": self.failed_by_reason,
            "unreachable_by_reason": self.unreachable_by_reason,
            "by_department": self.by_department,
            "by_office": self.by_office,
        }


def _reason_code(reason: str | None) -> str:
    """The stable part of a failure reason ("HTTP 403 ConversationBlockedByUser ..." -> code)."""
    if not reason:
        return "unknown"
    words = reason.replace(";", " ").replace(":", " ").split()
    for word in words:
        if word[:1].isupper() and word.isalpha() and word not in ("HTTP", "NoConversation"):
            return word
    return words[0] if words else "unknown"


def _message_time(wave: WaveDates, message: CalendarMessage, zone: ZoneInfo) -> dt.datetime | None:
    """When a calendar message goes for a wave (None: sent by a lead)."""
    timing = message.timing
    if timing.manual:
        return None
    if timing.cutover == "start":
        return wave.start
    if timing.cutover == "end":
        return wave.end
    day = wave.start.astimezone(zone).date() + dt.timedelta(days=timing.days or 0)
    at = timing.at or dt.time(9, 0)
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


def campaign_id(wave_key: str, calendar_key: str) -> str:
    return f"{wave_key}/{calendar_key}"


class AnnouncementService:
    """Everything announcements do, for one tenant.

    Args:
        db: ``switchover.storage.Database``.
        plan: The migration plan (waves, calendar, leads).
        directory: Who people are (departments, offices, account state).
        conversations: ``ConversationStore`` (time zones and Teams ids of recipients).
        engine: The delivery engine that sends.
        clock: The source of "now".
        tenant_id: The tenant announcements go to.
        grace: An announcement whose time passed while the bot was down is still sent
            if it is at most this late; later than that it is reported as missed.
        lease: How long a claim on a due announcement holds (two instances never both send it).
        readiness: ``ReadinessService``: a calendar reminder before cutover tells a recipient who
            is not ready what to do, and "I've set up Authenticator" is checked against Graph.
            None: no readiness on cards, and that button is taken at its word.
    """

    def __init__(
        self,
        db: Any,
        plan: Plan,
        directory: Directory,
        conversations: Any,
        engine: DeliveryEngine,
        clock: Clock,
        *,
        tenant_id: str,
        grace: dt.timedelta = dt.timedelta(hours=2),
        lease: dt.timedelta = dt.timedelta(minutes=5),
        readiness: ReadinessService | None = None,
    ) -> None:
        self.db = db
        self.plan = plan
        self.directory = directory
        self.conversations = conversations
        self.engine = engine
        self.clock = clock
        self.tenant_id = tenant_id
        self.grace = grace
        self._moves: tuple[dt.datetime, dict[str, WaveDates]] | None = None
        self.lease = lease
        self.readiness = readiness

    @contextlib.asynccontextmanager
    async def _tx(self, *, immediate: bool = False) -> AsyncIterator[AsyncConnection]:
        async with self.db.engine.connect() as conn:
            if immediate and self.db.dialect == "sqlite":
                conn = await conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            async with conn.begin():
                yield conn

    # -- waves and the calendar ------------------------------------------------

    async def moved_windows(self) -> dict[str, WaveDates]:
        """Every rescheduled wave's cutover window, by wave key (answers show these, not the plan's).

        Read at most every :data:`MOVES_FRESH_SECONDS` (another instance may have moved a
        wave), and at once after a reschedule here.
        """
        now = self.clock.now()
        if self._moves is not None and (now - self._moves[0]).total_seconds() < MOVES_FRESH_SECONDS:
            return self._moves[1]
        async with self._tx() as c:
            rows = (await c.execute(sa.select(wave_moves).where(wave_moves.c.tenant_id == self.tenant_id))).all()
        moves = {r.wave_key: WaveDates(r.cutover_start, r.cutover_end) for r in rows}
        self._moves = (now, moves)
        return moves

    async def wave_dates(self, wave_key: str) -> WaveDates:
        """The wave's cutover window, with any reschedule applied."""
        wave = self.plan.wave(wave_key)
        async with self._tx() as c:
            row = (
                await c.execute(
                    sa.select(wave_moves).where(
                        wave_moves.c.tenant_id == self.tenant_id, wave_moves.c.wave_key == wave_key
                    )
                )
            ).first()
        if row is not None:
            return WaveDates(row.cutover_start, row.cutover_end)
        return WaveDates(wave.cutover.start.astimezone(dt.UTC), wave.cutover.end.astimezone(dt.UTC))

    def _calendar_content(self, message: CalendarMessage) -> Content:
        buttons = []
        for b in message.buttons:
            if b.action == "open_url" and b.url:
                buttons.append(Button(title=b.title, url=b.url))
            elif b.action in ("acknowledge", "mfa_done", "report_problem"):
                buttons.append(Button(title=b.title, verb=b.action))
        return Content(summary=message.summary, points=message.points, buttons=tuple(buttons))

    def _calendar_audience(self, wave: Wave, who: str) -> Audience:
        if who == "channel":
            return Audience(kind="channel", values=(str(self.plan.service_desk.channel),))
        return Audience(kind="wave", values=(wave.key,))

    async def reconcile_plan(self, plan: Plan | None = None) -> ReconcileResult:
        """Make the scheduled calendar announcements match the plan.

        Every wave's calendar entries become announcements (``<wave>/<message>``);
        a changed time moves a pending one; entries gone from the plan are
        cancelled if they have not gone. Sent ones are never touched.
        """
        if plan is not None:
            self.plan = plan
        now = self.clock.now()
        wanted: dict[str, tuple[Wave, CalendarMessage, dt.datetime | None, str]] = {}
        for wave in self.plan.waves:
            dates = await self.wave_dates(wave.key)
            for message in self.plan.calendar:
                when = _message_time(dates, message, self.plan.zone)
                if PlanAudience.WAVE_USERS in message.to:
                    wanted[campaign_id(wave.key, message.key)] = (wave, message, when, "wave")
                if PlanAudience.SERVICE_DESK in message.to:
                    wanted[campaign_id(wave.key, message.key) + "@service-desk"] = (wave, message, when, "channel")
        added, moved, cancelled = [], [], []
        c_ = announcements.c
        async with self._tx(immediate=True) as c:
            existing = {
                r.id: r
                for r in await c.execute(
                    sa.select(announcements).where(c_.tenant_id == self.tenant_id, c_.kind == "calendar")
                )
            }
            for ann_id, (wave, message, when, who) in wanted.items():
                status = AnnouncementStatus.MANUAL if when is None else AnnouncementStatus.SCHEDULED
                content = self._calendar_content(message).model_dump(mode="json")
                audience = self._calendar_audience(wave, who).model_dump(mode="json")
                row = existing.get(ann_id)
                if row is None:
                    await c.execute(
                        sa.insert(announcements).values(
                            tenant_id=self.tenant_id,
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
                elif row.status in (AnnouncementStatus.SCHEDULED.value, AnnouncementStatus.MANUAL.value):
                    changes: dict[str, Any] = {}
                    if row.send_at != when:
                        changes.update(send_at=when, status=status.value)
                        moved.append(ann_id)
                    if row.title != message.title or row.content != content or row.audience != audience:
                        changes.update(title=message.title, content=content, audience=audience)
                    if changes:
                        await c.execute(
                            sa.update(announcements)
                            .where(c_.tenant_id == self.tenant_id, c_.id == ann_id)
                            .values(updated_at=now, **changes)
                        )
            for ann_id, row in existing.items():
                if ann_id not in wanted and row.status in (
                    AnnouncementStatus.SCHEDULED.value,
                    AnnouncementStatus.MANUAL.value,
                ):
                    await c.execute(
                        sa.update(announcements)
                        .where(c_.tenant_id == self.tenant_id, c_.id == ann_id)
                        .values(
                            status=AnnouncementStatus.CANCELLED.value, reason="no longer in the plan", updated_at=now
                        )
                    )
                    cancelled.append(ann_id)
        if added or moved or cancelled:
            log.info("calendar reconciled", extra={"added": len(added), "moved": moved, "cancelled": cancelled})
        return ReconcileResult(tuple(added), tuple(moved), tuple(cancelled))

    # -- creating and changing -------------------------------------------------

    async def create(
        self,
        *,
        title: str,
        audience: Audience,
        content: Content,
        send_at: dt.datetime | None = None,
        created_by: str | None = None,
        draft: bool = False,
    ) -> Announcement:
        """A free-form announcement; ``send_at`` None means now; a draft waits for :meth:`confirm`."""
        now = self.clock.now()
        when = send_at or now
        if when.tzinfo is None:
            raise AnnouncementError("send_at must carry a time zone")
        ann_id = f"a-{uuid.uuid4().hex[:12]}"
        async with self._tx(immediate=True) as c:
            await c.execute(
                sa.insert(announcements).values(
                    tenant_id=self.tenant_id,
                    id=ann_id,
                    kind="freeform",
                    title=title,
                    content=content.model_dump(mode="json"),
                    audience=audience.model_dump(mode="json"),
                    send_at=when,
                    status=(AnnouncementStatus.DRAFT if draft else AnnouncementStatus.SCHEDULED).value,
                    created_by=created_by,
                    created_at=now,
                    updated_at=now,
                )
            )
        return await self.get(ann_id)

    async def get(self, ann_id: str) -> Announcement:
        """One announcement (``AnnouncementError`` if unknown)."""
        async with self._tx() as c:
            row = (
                await c.execute(
                    sa.select(announcements).where(
                        announcements.c.tenant_id == self.tenant_id, announcements.c.id == ann_id
                    )
                )
            ).first()
        if row is None:
            raise AnnouncementError(f"no announcement {ann_id!r}")
        return _announcement(row)

    async def list(self, *, statuses: Iterable[AnnouncementStatus] | None = None) -> list[Announcement]:
        """Announcements, soonest first (manual ones last)."""
        c_ = announcements.c
        query = sa.select(announcements).where(c_.tenant_id == self.tenant_id)
        if statuses is not None:
            query = query.where(c_.status.in_([s.value for s in statuses]))
        async with self._tx() as c:
            rows = (await c.execute(query)).all()
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        return sorted((_announcement(r) for r in rows), key=lambda a: (a.send_at or far, a.id))

    async def edit(
        self,
        ann_id: str,
        *,
        title: str | None = None,
        content: Content | None = None,
        audience: Audience | None = None,
        send_at: dt.datetime | None = None,
    ) -> Announcement:
        """Change an announcement that has not gone yet."""
        values: dict[str, Any] = {"updated_at": self.clock.now()}
        if title is not None:
            values["title"] = title
        if content is not None:
            values["content"] = content.model_dump(mode="json")
        if audience is not None:
            values["audience"] = audience.model_dump(mode="json")
        if send_at is not None:
            values.update(send_at=send_at, status=AnnouncementStatus.SCHEDULED.value)
        await self._transition(
            ann_id,
            (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED, AnnouncementStatus.MANUAL),
            values,
            "edited",
        )
        return await self.get(ann_id)

    async def confirm(self, ann_id: str) -> Announcement:
        """A lead confirmed a draft: schedule it (a time already passed means now) and start what is due."""
        now = self.clock.now()
        current = await self.get(ann_id)
        values: dict[str, Any] = {"status": AnnouncementStatus.SCHEDULED.value, "updated_at": now}
        if current.send_at is None or current.send_at < now:
            values["send_at"] = now
        await self._transition(ann_id, (AnnouncementStatus.DRAFT,), values, "confirmed")
        await self.run_due()
        return await self.get(ann_id)

    async def cancel(self, ann_id: str) -> Announcement:
        """Cancel an announcement that has not gone yet (or discard a draft)."""
        await self._transition(
            ann_id,
            (
                AnnouncementStatus.DRAFT,
                AnnouncementStatus.SCHEDULED,
                AnnouncementStatus.MANUAL,
                AnnouncementStatus.MISSED,
            ),
            {
                "status": AnnouncementStatus.CANCELLED.value,
                "reason": "cancelled by a lead",
                "updated_at": self.clock.now(),
            },
            "cancelled",
        )
        return await self.get(ann_id)

    async def send_now(self, ann_id: str) -> Announcement:
        """Send a manual (or missed) announcement now: e.g. "cutover complete" when the work is done."""
        now = self.clock.now()
        await self._transition(
            ann_id,
            (AnnouncementStatus.MANUAL, AnnouncementStatus.MISSED, AnnouncementStatus.SCHEDULED),
            {"status": AnnouncementStatus.SCHEDULED.value, "send_at": now, "reason": None, "updated_at": now},
            "sent now",
        )
        await self.run_due()
        return await self.get(ann_id)

    async def _transition(
        self, ann_id: str, allowed: Sequence[AnnouncementStatus], values: dict[str, Any], verb: str
    ) -> None:
        c_ = announcements.c
        async with self._tx(immediate=True) as c:
            result = await c.execute(
                sa.update(announcements)
                .where(c_.tenant_id == self.tenant_id, c_.id == ann_id, c_.status.in_([s.value for s in allowed]))
                .values(**values)
            )
        if result.rowcount != 1:
            current = await self.get(ann_id)  # raises for an unknown id
            raise AnnouncementError(f"announcement {ann_id} is {current.status.value}; it cannot be {verb}")

    # -- sending ---------------------------------------------------------------

    async def run_due(self) -> list[str]:
        """Start every announcement that is due: resolve recipients now and queue their deliveries.

        An announcement later than the grace period (the bot was down) is marked
        missed and reported, never silently dropped; a lead can still send it.

        Returns:
            The ids started by this call.
        """
        now = self.clock.now()
        c_ = announcements.c
        async with self._tx(immediate=True) as c:
            missed = await c.execute(
                sa.update(announcements)
                .where(
                    c_.tenant_id == self.tenant_id,
                    c_.status == AnnouncementStatus.SCHEDULED.value,
                    c_.send_at < now - self.grace,
                )
                .values(
                    status=AnnouncementStatus.MISSED.value,
                    reason=f"its time passed more than {self.grace} ago while the bot was not running",
                    updated_at=now,
                )
                .returning(c_.id)
            )
            missed_ids = [r.id for r in missed]
            due = sa.or_(
                sa.and_(c_.status == AnnouncementStatus.SCHEDULED.value, c_.send_at <= now),
                sa.and_(c_.status == AnnouncementStatus.RESOLVING.value, c_.claimed_until < now),
            )
            claimed = await c.execute(
                sa.update(announcements)
                .where(c_.tenant_id == self.tenant_id, due)
                .values(
                    status=AnnouncementStatus.RESOLVING.value,
                    claimed_until=now + self.lease,
                    started_at=sa.func.coalesce(c_.started_at, now),
                    updated_at=now,
                )
                .returning(c_.id)
            )
            claimed_ids = sorted(r.id for r in claimed)
        for ann_id in missed_ids:
            log.warning("announcement missed", extra={"announcement": ann_id, "grace": str(self.grace)})
        for ann_id in claimed_ids:
            try:
                await self._start(ann_id)
            except Exception:
                # The claim's lease runs out and the next run tries again; deliveries are deduplicated.
                log.exception("starting announcement failed", extra={"announcement": ann_id})
        return claimed_ids

    async def _start(self, ann_id: str) -> None:
        announcement = await self.get(ann_id)
        recipients = await self.resolve(announcement.audience)
        requests = await self._requests(announcement, recipients)
        await self.engine.enqueue(requests)
        now = self.clock.now()
        async with self._tx(immediate=True) as c:
            await c.execute(
                sa.update(announcements)
                .where(announcements.c.tenant_id == self.tenant_id, announcements.c.id == ann_id)
                .values(status=AnnouncementStatus.SENT.value, claimed_until=None, updated_at=now)
            )
        log.info("announcement queued", extra={"announcement": ann_id, "recipients": len(requests)})

    async def resolve(self, audience: Audience) -> list[tuple[Recipient, DirectoryUser | None]]:
        """The recipients of an audience as of now (disabled and guests excluded unless named)."""
        out: dict[str, tuple[Recipient, DirectoryUser | None]] = {}

        def add(user: DirectoryUser) -> None:
            out.setdefault(user.id, (Recipient(self.tenant_id, "user", user.id, user.display_name), user))

        if audience.kind == "channel":
            return [(Recipient(self.tenant_id, "channel", v, v), None) for v in audience.values]
        if audience.kind == "users":
            for value in audience.values:
                user = await self.directory.get(value)
                if user is None:
                    log.warning("announcement audience names an unknown user", extra={"user": value})
                    continue
                add(user)
            return list(out.values())
        users = await self.directory.all_users()
        wanted = {v.casefold() for v in audience.values}
        for user in users:
            if audience.kind in ("wave", "everyone"):
                wave_key = resolve_wave(self.plan, user).wave_key
                if wave_key is None or (audience.kind == "wave" and wave_key.casefold() not in wanted):
                    continue
            else:
                if not user.enabled or user.is_guest:
                    continue
                field_value = user.department if audience.kind == "department" else user.office
                if (field_value or "").casefold() not in wanted:
                    continue
            add(user)
        return list(out.values())

    async def _requests(
        self, announcement: Announcement, recipients: list[tuple[Recipient, DirectoryUser | None]]
    ) -> list[DeliveryRequest]:
        user_keys = [r.key for r, _ in recipients if r.kind == "user"]
        records = await self.conversations.personal_for_users(self.tenant_id, user_keys) if user_keys else {}
        dates = await self.wave_dates(announcement.wave_key) if announcement.wave_key else None
        to_do: dict[str, tuple[str, ...]] = {}
        if self.readiness is not None and self._reminds_before_cutover(announcement, dates) and user_keys:
            to_do = await self.readiness.to_do_for(user_keys)  # the last sync, in one pass
        requests = []
        for recipient, _user in recipients:
            record = records.get(recipient.key)
            zone = _zone(record.time_zone if record else None) or self.plan.zone
            teams_ids = [record.user_id] if record is not None and record.user_id else []
            card = self.render(
                announcement,
                zone=zone,
                dates=dates,
                refresh_user_ids=teams_ids,
                to_do=to_do.get(recipient.key, ()) if recipient.kind == "user" else (),
            )
            requests.append(
                DeliveryRequest(
                    recipient=recipient,
                    message=OutgoingMessage(card=card, summary=announcement.title),
                    purpose=PURPOSE,
                    subject_id=announcement.id,
                    dedupe_key=f"announcement:{announcement.id}:{recipient.kind}:{recipient.key}",
                )
            )
        return requests

    def _reminds_before_cutover(self, announcement: Announcement, dates: WaveDates | None) -> bool:
        """A wave calendar message going out before the wave's cutover starts ("one week to go", "tomorrow")."""
        return announcement.kind == "calendar" and dates is not None and self.clock.now() < dates.start

    async def _to_do(self, announcement: Announcement, dates: WaveDates | None, user_id: str) -> tuple[str, ...]:
        """What one recipient must still do before cutover, for their card (last sync; empty when ready or unknown)."""
        if self.readiness is None or not self._reminds_before_cutover(announcement, dates):
            return ()
        return (await self.readiness.to_do_for([user_id])).get(user_id, ())

    def render(
        self,
        announcement: Announcement,
        *,
        zone: ZoneInfo,
        dates: WaveDates | None,
        refresh_user_ids: Sequence[str] = (),
        acknowledged_at: dt.datetime | None = None,
        old_dates: WaveDates | None = None,
        to_do: Sequence[str] = (),
        notice: str | None = None,
        notice_good: bool = False,
    ) -> dict[str, Any]:
        """The card a recipient sees, dates in their time zone.

        Args:
            announcement: what is sent.
            zone: the recipient's time zone.
            dates: the wave's cutover window (with any reschedule), None for no wave.
            refresh_user_ids: Teams ids whose clients refresh the card (Universal Actions).
            acknowledged_at: when the recipient acknowledged it; the buttons give way to a thank-you.
            old_dates: a reschedule notice's previous window.
            to_do: a calendar card before cutover: what this recipient must still do
                (``ReadinessService.to_do``), shown as "Before your cutover on ...".
            notice: one line answering the recipient's last button press.
            notice_good: show ``notice`` as good news (else as needing attention).
        """
        content = announcement.content
        ack_text = None
        if acknowledged_at is not None:
            ack_text = f"Acknowledged {acknowledged_at.astimezone(zone):%a %d %b %H:%M} - thank you"
        buttons = [b.view() for b in content.buttons]
        if acknowledged_at is not None:
            buttons = [b for b in buttons if b["verb"] not in ACK_VERBS]
        refresh = list(refresh_user_ids)[:REFRESH_LIMIT]
        if old_dates is None and content.previous_cutover is not None:
            old_dates = WaveDates(*content.previous_cutover)
        if announcement.kind == "reschedule" and dates is not None and old_dates is not None:
            return render_card(
                "reschedule",
                announcement_id=announcement.id,
                wave_title=self.plan.wave(announcement.wave_key or "").title,
                old_when=_when(old_dates, zone),
                new_when=_when(dates, zone),
                note=content.summary,
            )
        if announcement.kind == "freeform":
            return render_card(
                "freeform",
                announcement_id=announcement.id,
                title=announcement.title,
                body=content.body or content.summary,
                urgency=content.urgency.value,
                image_url=str(content.image_url) if content.image_url else None,
                buttons=buttons,
                acknowledged_text=ack_text,
                correction=content.correction,
                refresh_user_ids=refresh,
            )
        wave = self.plan.wave(announcement.wave_key) if announcement.wave_key else None
        readiness = ReadinessNotice(tuple(to_do), dates.start.astimezone(zone)) if to_do and dates else None
        return render_card(
            "announcement",
            announcement_id=announcement.id,
            wave_title=wave.title if wave else None,
            title=announcement.title,
            when_text=f"Your cutover: {_when(dates, zone)}" if dates else None,
            summary=content.summary,
            points=list(content.points),
            buttons=buttons,
            acknowledged_text=ack_text,
            correction=content.correction,
            refresh_user_ids=refresh,
            readiness_title=readiness.title if readiness else None,
            readiness_text=readiness.text if readiness else None,
            notice=notice,
            notice_color="Good" if notice_good else "Attention",
        )

    # -- after sending: acknowledgements, corrections, recall -------------------

    async def _delivery_for(self, ann_id: str, user_id: str) -> Any:
        outcomes = await self.engine.outcomes(self.tenant_id, PURPOSE, ann_id)
        for outcome in outcomes:
            if outcome.recipient.kind == "user" and outcome.recipient.key == user_id:
                return outcome
        return None

    async def acknowledge(
        self, ann_id: str, user_id: str, verb: str, *, time_zone: str | None = None
    ) -> dict[str, Any]:
        """Record that a recipient pressed "Got it" (or "I've set up Authenticator", see :meth:`confirm_mfa`).

        Returns:
            The card to show that user instead (acknowledged, buttons gone).

        Raises:
            NotARecipient: the user was never sent this announcement (a forged action).
            AnnouncementError: unknown announcement or verb.
        """
        if verb not in ACK_VERBS:
            raise AnnouncementError(f"unknown acknowledgement {verb!r}")
        if verb == "mfa_done":
            return (await self.confirm_mfa(ann_id, user_id, time_zone=time_zone)).card
        announcement = await self.get(ann_id)
        await self._check_recipient(ann_id, user_id)
        first = await self._record_acknowledgement(ann_id, user_id, verb)
        return await self.card_for_user(announcement, user_id, acknowledged_at=first, time_zone=time_zone)

    async def confirm_mfa(self, ann_id: str, user_id: str, *, time_zone: str | None = None) -> MfaConfirmation:
        """Check "I've set up Authenticator" against Microsoft Graph now.

        Registered: recorded, and the card thanks them. Not registered: nothing is recorded and
        the card says what to do, so they can press again later. Unknown (CSV roster, no
        readiness service, Graph cannot say): recorded at its word.

        Raises:
            NotARecipient: the user was never sent this announcement (a forged action).
            AnnouncementError: unknown announcement.
        """
        announcement = await self.get(ann_id)
        await self._check_recipient(ann_id, user_id)  # before asking Graph anything
        registered, message = await self._mfa_registered(user_id)
        if registered is False:
            log.info("MFA not registered yet; acknowledgement not recorded", extra={"announcement": ann_id})
            card = await self.card_for_user(announcement, user_id, time_zone=time_zone, notice=message)
            return MfaConfirmation(False, message, False, card)
        first = await self._record_acknowledgement(ann_id, user_id, "mfa_done")
        notice = message if registered else None
        card = await self.card_for_user(
            announcement, user_id, acknowledged_at=first, time_zone=time_zone, notice=notice, notice_good=True
        )
        return MfaConfirmation(registered, message, True, card)

    async def _mfa_registered(self, user_id: str) -> tuple[bool | None, str]:
        if self.readiness is None:
            return None, ""
        try:
            user = await self.directory.get(user_id)
            if user is None:
                return None, ""
            return await self.readiness.confirm_mfa(user)
        except Exception:
            # Graph failing beyond what the directory absorbs: take the person at their word.
            log.exception("MFA registration could not be checked; recorded as told", extra={"user": user_id})
            return None, ""

    async def _check_recipient(self, ann_id: str, user_id: str) -> None:
        delivery = await self._delivery_for(ann_id, user_id)
        if delivery is None or delivery.status not in (DeliveryStatus.SENT,):
            raise NotARecipient(f"user {user_id} was not sent announcement {ann_id}")

    async def _record_acknowledgement(self, ann_id: str, user_id: str, verb: str) -> dt.datetime:
        """Store the acknowledgement (once per verb) and return the user's first one."""
        now = self.clock.now()
        ins = _insert_for(self.db.dialect)
        async with self._tx(immediate=True) as c:
            await c.execute(
                ins(acknowledgements)
                .values(tenant_id=self.tenant_id, announcement_id=ann_id, user_id=user_id, verb=verb, at=now)
                .on_conflict_do_nothing()
            )
            first = await c.scalar(
                sa.select(sa.func.min(acknowledgements.c.at)).where(
                    acknowledgements.c.tenant_id == self.tenant_id,
                    acknowledgements.c.announcement_id == ann_id,
                    acknowledgements.c.user_id == user_id,
                )
            )
        return first or now

    async def card_for_user(
        self,
        announcement: Announcement,
        user_id: str,
        *,
        acknowledged_at: dt.datetime | None = None,
        time_zone: str | None = None,
        notice: str | None = None,
        notice_good: bool = False,
    ) -> dict[str, Any]:
        """The card as this user should see it now (for refresh and acknowledgement).

        ``notice`` answers the button they just pressed (see :meth:`render`).
        """
        if acknowledged_at is None:
            async with self._tx() as c:
                acknowledged_at = await c.scalar(
                    sa.select(sa.func.min(acknowledgements.c.at)).where(
                        acknowledgements.c.tenant_id == self.tenant_id,
                        acknowledgements.c.announcement_id == announcement.id,
                        acknowledgements.c.user_id == user_id,
                    )
                )
        record = await self.conversations.personal_for_user(self.tenant_id, user_id)
        zone = _zone(time_zone) or _zone(record.time_zone if record else None) or self.plan.zone
        dates = await self.wave_dates(announcement.wave_key) if announcement.wave_key else None
        teams_ids = [record.user_id] if record is not None and record.user_id else []
        return self.render(
            announcement,
            zone=zone,
            dates=dates,
            refresh_user_ids=teams_ids,
            acknowledged_at=acknowledged_at,
            to_do=await self._to_do(announcement, dates, user_id),
            notice=notice,
            notice_good=notice_good,
        )

    async def correct(self, ann_id: str, *, title: str | None = None, content: Content | None = None) -> int:
        """Correct a sent announcement: every delivered card is updated in place.

        Returns:
            How many cards were updated.
        """
        values: dict[str, Any] = {"updated_at": self.clock.now()}
        if title is not None:
            values["title"] = title
        if content is not None:
            values["content"] = content.model_dump(mode="json")
        await self._transition(ann_id, (AnnouncementStatus.SENT,), values, "corrected")
        return await self._update_delivered(await self.get(ann_id))

    async def _update_delivered(self, announcement: Announcement, *, old_dates: WaveDates | None = None) -> int:
        updated = 0
        for outcome in await self.engine.outcomes(self.tenant_id, PURPOSE, announcement.id):
            if outcome.status is not DeliveryStatus.SENT:
                continue
            if outcome.recipient.kind == "user":
                card = await self.card_for_user(announcement, outcome.recipient.key)
            else:
                dates = await self.wave_dates(announcement.wave_key) if announcement.wave_key else None
                card = self.render(announcement, zone=self.plan.zone, dates=dates)
            try:
                await self.engine.update_sent(outcome.id, OutgoingMessage(card=card, summary=announcement.title))
                updated += 1
            except Exception:
                log.exception("updating a delivered card failed", extra={"delivery": outcome.id})
        return updated

    async def recall(self, ann_id: str) -> int:
        """Delete every delivered card of an announcement and cancel what has not gone.

        Returns:
            How many delivered cards were deleted.
        """
        await self.engine.cancel(self.tenant_id, PURPOSE, ann_id)
        await self._transition(
            ann_id,
            (AnnouncementStatus.SENT, AnnouncementStatus.RESOLVING),
            {
                "status": AnnouncementStatus.RECALLED.value,
                "reason": "recalled by a lead",
                "updated_at": self.clock.now(),
            },
            "recalled",
        )
        deleted = 0
        for outcome in await self.engine.outcomes(self.tenant_id, PURPOSE, ann_id):
            if outcome.status is DeliveryStatus.SENT:
                try:
                    await self.engine.delete_sent(outcome.id)
                    deleted += 1
                except Exception:
                    log.exception("recalling a delivered card failed", extra={"delivery": outcome.id})
        return deleted

    async def reschedule_wave(self, wave_key: str, new_day: dt.date, *, by: str | None = None) -> RescheduleResult:
        """Move a wave's cutover to ``new_day`` (same local times).

        Pending announcements of the wave move with it; cards already delivered are
        updated in place (new date) and followed by a reschedule notice to the wave.
        """
        zone = self.plan.zone
        old = await self.wave_dates(wave_key)
        old_local_start, old_local_end = old.start.astimezone(zone), old.end.astimezone(zone)
        shift = new_day - old_local_start.date()
        new = WaveDates(
            dt.datetime.combine(new_day, old_local_start.time(), tzinfo=zone).astimezone(dt.UTC),
            dt.datetime.combine(old_local_end.date() + shift, old_local_end.time(), tzinfo=zone).astimezone(dt.UTC),
        )
        now = self.clock.now()
        ins = _insert_for(self.db.dialect)
        async with self._tx(immediate=True) as c:
            stmt = ins(wave_moves).values(
                tenant_id=self.tenant_id,
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
        self._moves = None  # answers pick the new window up with their next question
        result = await self.reconcile_plan()
        moved = tuple(a for a in result.moved if a.startswith(f"{wave_key}/"))
        delivered = [
            a
            for a in await self.list(statuses=[AnnouncementStatus.SENT])
            if a.wave_key == wave_key and a.kind == "calendar"
        ]
        updated = 0
        for announcement in delivered:
            updated += await self._update_delivered(announcement)
        notice_id = None
        if delivered:
            notice_id = f"{wave_key}/reschedule-{new_day.isoformat()}"
            content = Content(
                previous_cutover=(old.start, old.end),
                summary=(
                    "Everything else stays the same: the messages you already have now show the new date, "
                    "and reminders will come at the right time."
                ),
                buttons=(Button(title="Got it", verb="acknowledge"),),
            )
            async with self._tx(immediate=True) as c:
                exists = await c.scalar(
                    sa.select(sa.func.count())
                    .select_from(announcements)
                    .where(announcements.c.tenant_id == self.tenant_id, announcements.c.id == notice_id)
                )
                if not exists:
                    await c.execute(
                        sa.insert(announcements).values(
                            tenant_id=self.tenant_id,
                            id=notice_id,
                            kind="reschedule",
                            wave_key=wave_key,
                            title=f"{self.plan.wave(wave_key).title}: new cutover date",
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
            await self.run_due()
        log.info(
            "wave rescheduled",
            extra={"wave": wave_key, "new_day": new_day.isoformat(), "moved": moved, "updated_cards": updated},
        )
        return RescheduleResult(wave_key, old, new, moved, updated, notice_id)

    async def on_read_receipt(self, conversation_id: str, last_read_message_id: str) -> int:
        """A read receipt from a 1:1 chat: deliveries up to that message were read."""
        return await self.engine.mark_read(self.tenant_id, conversation_id, last_read_message_id)

    # -- figures ----------------------------------------------------------------

    async def report(self, ann_id: str) -> Report:
        """Recipients, sent, failed by reason, unreachable, read, acknowledged; per department and office."""
        announcement = await self.get(ann_id)
        outcomes = await self.engine.outcomes(self.tenant_id, PURPOSE, ann_id)
        async with self._tx() as c:
            acked = {
                r.user_id
                for r in await c.execute(
                    sa.select(acknowledgements.c.user_id).where(
                        acknowledgements.c.tenant_id == self.tenant_id, acknowledgements.c.announcement_id == ann_id
                    )
                )
            }
        report = Report(announcement=announcement, recipients=len(outcomes))
        failed_by: Counter[str] = Counter()
        unreachable_by: Counter[str] = Counter()
        by_dept: dict[str, Counter[str]] = defaultdict(Counter)
        by_office: dict[str, Counter[str]] = defaultdict(Counter)
        for o in outcomes:
            user = await self.directory.get(o.recipient.key) if o.recipient.kind == "user" else None
            dept = (user.department if user else None) or ("(channel)" if o.recipient.kind == "channel" else "(none)")
            office = (user.office if user else None) or ("(channel)" if o.recipient.kind == "channel" else "(none)")
            flags = {"recipients": 1}
            if o.status is DeliveryStatus.SENT:
                report.sent += 1
                flags["sent"] = 1
            elif o.status is DeliveryStatus.FAILED:
                report.failed += 1
                failed_by[_reason_code(o.reason)] += 1
                flags["failed"] = 1
            elif o.status is DeliveryStatus.UNREACHABLE:
                report.unreachable += 1
                unreachable_by[_reason_code(o.reason)] += 1
                flags["unreachable"] = 1
            elif o.status is DeliveryStatus.IN_DOUBT:
                report.in_doubt += 1
            elif o.status is DeliveryStatus.RECALLED:
                report.recalled += 1
            elif o.status is DeliveryStatus.CANCELLED:
                report.cancelled += 1
            else:
                report.pending += 1
                flags["pending"] = 1
            if o.read_at is not None:
                report.read += 1
                flags["read"] = 1
            if o.recipient.key in acked:
                report.acknowledged += 1
                flags["acknowledged"] = 1
            for name, n in flags.items():
                by_dept[dept][name] += n
                by_office[office][name] += n
            report.rows.append(
                {
                    "recipient": o.recipient.key,
                    "name": o.recipient.display_name or "",
                    "kind": o.recipient.kind,
                    "department": dept,
                    "office": office,
                    "status": o.status.value,
                    "reason": o.reason or "",
                    "attempts": o.attempts,
                    "sent_at": o.sent_at.isoformat() if o.sent_at else "",
                    "read_at": o.read_at.isoformat() if o.read_at else "",
                    "acknowledged": "yes" if o.recipient.key in acked else "no",
                }
            )
        report.failed_by_reason = dict(failed_by)
        report.unreachable_by_reason = dict(unreachable_by)
        report.by_department = {k: dict(v) for k, v in sorted(by_dept.items())}
        report.by_office = {k: dict(v) for k, v in sorted(by_office.items())}
        return report

    def report_card(self, report: Report) -> dict[str, Any]:
        """The report as a card for a project lead."""
        a = report.announcement
        when = f" at {a.send_at.astimezone(self.plan.zone):%a %d %b %Y %H:%M}" if a.send_at else ""
        breakdown = [
            f"{name}: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}"
            for name, counts in (("Failed", report.failed_by_reason), ("Unreachable", report.unreachable_by_reason))
            if counts
        ]
        for dept, figures in report.by_department.items():
            breakdown.append(
                f"{dept}: {figures.get('sent', 0)}/{figures.get('recipients', 0)} sent, "
                f"{figures.get('read', 0)} read, {figures.get('acknowledged', 0)} acknowledged"
            )
        return render_card(
            "announcement-report",
            title=f"{a.title} ({a.id})",
            status_text=f"{a.status.value}{when}; audience {a.audience.describe()}",
            totals=report.totals(),
            breakdown=breakdown[:40],
        )


def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _when(dates: WaveDates, zone: ZoneInfo) -> str:
    start, end = dates.start.astimezone(zone), dates.end.astimezone(zone)
    return f"{start:%A %d %B %Y}, {start:%H:%M}-{end:%H:%M} ({start.tzname()})"


def _announcement(row: Any) -> Announcement:
    return Announcement(
        id=row.id,
        tenant_id=row.tenant_id,
        kind=row.kind,
        wave_key=row.wave_key,
        calendar_key=row.calendar_key,
        title=row.title,
        content=Content.model_validate(row.content),
        audience=Audience.model_validate(row.audience),
        send_at=row.send_at,
        status=AnnouncementStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        started_at=row.started_at,
        reason=row.reason,
    )
