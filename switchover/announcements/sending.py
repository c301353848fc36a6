"""Sending announcements: claim what is due, resolve its audience *then* (not when it was
scheduled), and hand one delivery per recipient, with that person's card in their language, to the
delivery engine (which keeps the language with the delivery, for corrections and the report).

Each delivery carries the dedupe key ``announcement:<id>:<kind>:<recipient>``, so a crash in
the middle and a second run (or a second instance) never send anyone a second copy.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from switchover.announcements.calendar import WaveCalendar
from switchover.announcements.model import PURPOSE, Announcement, AnnouncementStatus, Audience
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.tables import announcements
from switchover.announcements.views import RecipientCards
from switchover.delivery import DeliveryEngine, DeliveryOutcome, DeliveryRequest, Recipient
from switchover.directory.base import Directory, DirectoryUser
from switchover.membership import resolve_wave
from switchover.messaging import OutgoingMessage
from switchover.storage.db import rowcount

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

CHUNK = 500  # recipients rendered and queued per transaction

# (transaction, the announcement, its recipients, the moment it was marked sent)
SentHook = Callable[["AsyncConnection", Announcement, Sequence[Recipient], dt.datetime], Awaitable[None]]


class Sending:
    """Starts due announcements for one tenant.

    Args:
        store: The tenant's announcements.
        calendar: The plan (wave membership) and wave windows.
        cards: Each recipient's card.
        directory: Who is in an audience.
        engine: The delivery engine that sends.
        grace: An announcement whose time passed while the bot was down is still sent
            if it is at most this late; later than that it is reported as missed.
        lease: How long a claim on a due announcement holds (two instances never both send it).
    """

    def __init__(
        self,
        store: AnnouncementStore,
        calendar: WaveCalendar,
        cards: RecipientCards,
        directory: Directory,
        engine: DeliveryEngine,
        *,
        grace: dt.timedelta,
        lease: dt.timedelta,
    ) -> None:
        self.store = store
        self.calendar = calendar
        self.cards = cards
        self.directory = directory
        self.engine = engine
        self.grace = grace
        self.lease = lease
        # Told how many people an announcement goes to once its audience is resolved (the lead's
        # Send job records it; see :mod:`switchover.announcements.jobs`).
        self.on_resolved: Callable[[str, int], Awaitable[None]] | None = None
        # Called in the transaction that marks an announcement sent (the chasers' schedule).
        self.on_sent: list[SentHook] = []

    async def run_due(self) -> list[str]:
        """Start every announcement that is due: resolve recipients now and queue their deliveries.

        An announcement later than the grace period (the bot was down) is marked
        missed and reported, never silently dropped; a lead can still send it.

        Returns:
            The ids started by this call.
        """
        now = self.store.clock.now()
        tenant_id = self.store.tenant_id
        c_ = announcements.c
        async with self.store.db.begin(immediate=True) as c:
            missed = await c.execute(
                sa.update(announcements)
                .where(
                    c_.tenant_id == tenant_id,
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
                .where(c_.tenant_id == tenant_id, due)
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
        announcement = await self.store.get(ann_id)
        recipients = [recipient for recipient, _ in await self.resolve(announcement.audience)]
        if self.on_resolved is not None:
            await self.on_resolved(ann_id, len(recipients))
        # A chunk at a time: the first cards go out while the rest are still being rendered,
        # and a large audience never holds every card in memory at once.
        for start in range(0, len(recipients), CHUNK):
            chunk = recipients[start : start + CHUNK]
            cards = await self.cards.for_recipients(announcement, chunk)
            requests = [
                DeliveryRequest(
                    recipient=recipient,
                    message=OutgoingMessage(card=shown.card, summary=shown.title),
                    purpose=PURPOSE,
                    subject_id=announcement.id,
                    dedupe_key=f"announcement:{announcement.id}:{recipient.kind}:{recipient.key}",
                    language=shown.language,
                )
                for recipient, shown in zip(chunk, cards, strict=True)
            ]
            await self.engine.enqueue(requests)
            if not await self._still_resolving(ann_id):
                # Recalled meanwhile (its status changes before it cancels): what this chunk
                # queued after the recall's cancel is cancelled here, and the rest is not queued.
                await self.engine.cancel(self.store.tenant_id, PURPOSE, ann_id)
                log.info("announcement stopped while queueing", extra={"announcement": ann_id})
                return
        c_ = announcements.c
        now = self.store.clock.now()
        async with self.store.db.begin(immediate=True) as c:
            result = await c.execute(
                sa.update(announcements)
                .where(
                    c_.tenant_id == self.store.tenant_id,
                    c_.id == ann_id,
                    c_.status == AnnouncementStatus.RESOLVING.value,  # not if recalled meanwhile
                )
                .values(status=AnnouncementStatus.SENT.value, claimed_until=None, updated_at=now)
            )
            if rowcount(result) == 1:
                # In the same transaction: an announcement sent always has its chasers recorded.
                for hook in self.on_sent:
                    await hook(c, announcement, recipients, now)
        log.info("announcement queued", extra={"announcement": ann_id, "recipients": len(recipients)})

    async def _still_resolving(self, ann_id: str) -> bool:
        return (await self.store.get(ann_id)).status is AnnouncementStatus.RESOLVING

    async def resolve(self, audience: Audience) -> list[tuple[Recipient, DirectoryUser | None]]:
        """The recipients of an audience as of now (disabled and guests excluded unless named)."""
        tenant_id = self.store.tenant_id
        out: dict[str, tuple[Recipient, DirectoryUser | None]] = {}

        def add(user: DirectoryUser) -> None:
            out.setdefault(user.id, (Recipient(tenant_id, "user", user.id, user.display_name), user))

        if audience.kind == "channel":
            return [(Recipient(tenant_id, "channel", v, v), None) for v in audience.values]
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
                wave_key = resolve_wave(self.calendar.plan, user).wave_key
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

    async def delivery_for(self, ann_id: str, user_id: str) -> DeliveryOutcome | None:
        """The delivery of an announcement to one user, if it was ever queued for them."""
        for outcome in await self.engine.outcomes(self.store.tenant_id, PURPOSE, ann_id):
            if outcome.recipient.kind == "user" and outcome.recipient.key == user_id:
                return outcome
        return None
