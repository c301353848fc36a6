"""The announcement rows of one tenant: create, read and list them, change their status only from
the states a change is allowed in (edit, confirm, cancel, send now), and record acknowledgements.

Calendar reconcile (:mod:`~switchover.announcements.calendar`) and the due claim
(:mod:`~switchover.announcements.sending`) write their own bulk statements; everything that
touches one announcement goes through here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from switchover.announcements.model import (
    Announcement,
    AnnouncementError,
    AnnouncementStatus,
    Audience,
    Content,
)
from switchover.announcements.tables import acknowledgements, announcements
from switchover.clock import Clock
from switchover.storage.db import Database, insert_for, rowcount


class AnnouncementStore:
    """One tenant's announcements in the database.

    Args:
        db: The database.
        clock: The source of "now" (``created_at``, ``updated_at``).
        tenant_id: The tenant. Every part of the service reads it from here: when the plan
            names none, the Teams layer sets it once it has seen the tenant.
    """

    def __init__(self, db: Database, clock: Clock, *, tenant_id: str) -> None:
        self.db = db
        self.clock = clock
        self.tenant_id = tenant_id

    async def get(self, ann_id: str) -> Announcement:
        """One announcement (``AnnouncementError`` if unknown)."""
        c_ = announcements.c
        async with self.db.begin(read_only=True) as c:
            row = (
                await c.execute(sa.select(announcements).where(c_.tenant_id == self.tenant_id, c_.id == ann_id))
            ).first()
        if row is None:
            raise AnnouncementError(f"no announcement {ann_id!r}")
        return announcement_from_row(row)

    async def all(self, *, statuses: Iterable[AnnouncementStatus] | None = None) -> list[Announcement]:
        """Announcements, soonest first (manual ones last)."""
        c_ = announcements.c
        query = sa.select(announcements).where(c_.tenant_id == self.tenant_id)
        if statuses is not None:
            query = query.where(c_.status.in_([s.value for s in statuses]))
        async with self.db.begin(read_only=True) as c:
            rows = (await c.execute(query)).all()
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        return sorted((announcement_from_row(r) for r in rows), key=lambda a: (a.send_at or far, a.id))

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
        async with self.db.begin(immediate=True) as c:
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
        await self.transition(
            ann_id,
            (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED, AnnouncementStatus.MANUAL),
            values,
            "edited",
        )
        return await self.get(ann_id)

    async def confirm(self, ann_id: str) -> None:
        """Schedule a draft a lead confirmed (a time already passed means now)."""
        now = self.clock.now()
        current = await self.get(ann_id)
        values: dict[str, Any] = {"status": AnnouncementStatus.SCHEDULED.value, "updated_at": now}
        if current.send_at is None or current.send_at < now:
            values["send_at"] = now
        await self.transition(ann_id, (AnnouncementStatus.DRAFT,), values, "confirmed")

    async def cancel(self, ann_id: str) -> Announcement:
        """Cancel an announcement that has not gone yet (or discard a draft)."""
        await self.transition(
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

    async def schedule_now(self, ann_id: str) -> None:
        """Make a manual (or missed, or scheduled) announcement due now."""
        now = self.clock.now()
        await self.transition(
            ann_id,
            (AnnouncementStatus.MANUAL, AnnouncementStatus.MISSED, AnnouncementStatus.SCHEDULED),
            {"status": AnnouncementStatus.SCHEDULED.value, "send_at": now, "reason": None, "updated_at": now},
            "sent now",
        )

    async def transition(
        self, ann_id: str, allowed: Sequence[AnnouncementStatus], values: dict[str, Any], verb: str
    ) -> None:
        """Update the announcement with ``values`` if it is in one of the ``allowed`` states.

        Raises:
            AnnouncementError: unknown, or in another state ("... it cannot be <verb>").
        """
        c_ = announcements.c
        async with self.db.begin(immediate=True) as c:
            result = await c.execute(
                sa.update(announcements)
                .where(c_.tenant_id == self.tenant_id, c_.id == ann_id, c_.status.in_([s.value for s in allowed]))
                .values(**values)
            )
        if rowcount(result) != 1:
            current = await self.get(ann_id)  # raises for an unknown id
            raise AnnouncementError(f"announcement {ann_id} is {current.status.value}; it cannot be {verb}")

    async def record_acknowledgement(self, ann_id: str, user_id: str, verb: str) -> dt.datetime:
        """Store the acknowledgement (once per verb) and return the user's first one."""
        now = self.clock.now()
        ins = insert_for(self.db.dialect)
        async with self.db.begin(immediate=True, durable=True) as c:
            await c.execute(
                ins(acknowledgements)
                .values(tenant_id=self.tenant_id, announcement_id=ann_id, user_id=user_id, verb=verb, at=now)
                .on_conflict_do_nothing()
            )
            first = await c.scalar(self._first_acknowledgement(ann_id, user_id))
        return first or now

    async def first_acknowledgement(self, ann_id: str, user_id: str) -> dt.datetime | None:
        """When the user first acknowledged the announcement, if ever."""
        async with self.db.begin(read_only=True) as c:
            return await c.scalar(self._first_acknowledgement(ann_id, user_id))

    async def acknowledged_by(self, ann_id: str) -> set[str]:
        """Everyone who acknowledged the announcement (user ids)."""
        a_ = acknowledgements.c
        async with self.db.begin(read_only=True) as c:
            rows = await c.execute(
                sa.select(a_.user_id).where(a_.tenant_id == self.tenant_id, a_.announcement_id == ann_id)
            )
            return {r.user_id for r in rows}

    def _first_acknowledgement(self, ann_id: str, user_id: str) -> sa.Select[Any]:
        a_ = acknowledgements.c
        return sa.select(sa.func.min(a_.at)).where(
            a_.tenant_id == self.tenant_id, a_.announcement_id == ann_id, a_.user_id == user_id
        )


def announcement_from_row(row: Any) -> Announcement:
    """An ``announcement_announcements`` row as an :class:`Announcement`."""
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
