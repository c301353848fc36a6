"""One announcement's deliveries, one row per recipient: delivered, read and acknowledged, with their times.

The rows come from the delivery outbox (the announcement's ``send`` rows) joined with the first
acknowledgement of each person, read a batch at a time in delivery order; who each person is
(UPN, wave, department, office) comes from the directory and the plan as they stand. The figures
agree with the status card's and the announcement's report: *delivered* is a delivery whose
status is ``sent`` (a recalled card is no longer delivered, but keeps its ``delivered_at``),
*read* has a read receipt, *acknowledged* has an acknowledgement of any kind. The *channel* that
reached the person is the announcement report's: ``teams``, ``email`` (the email fallback's sent
email, when Teams could not), ``teams+email`` (a Teams send in doubt, then the email), else empty;
``email_status`` and ``emailed_at`` are the fallback email's, when there is one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from typing import Any

import sqlalchemy as sa

from switchover.announcements.model import PURPOSE, Announcement
from switchover.announcements.reports import reached_by
from switchover.announcements.tables import acknowledgements
from switchover.delivery.engine import DeliveryStatus
from switchover.delivery.tables import deliveries
from switchover.directory.base import Directory
from switchover.exports.table import BATCH, Export, Row
from switchover.mail.tables import emails
from switchover.membership import resolve_wave
from switchover.plan.model import Plan
from switchover.storage import Database

COLUMNS = (
    "recipient_id",
    "upn",
    "name",
    "kind",
    "wave",
    "department",
    "office",
    "status",
    "delivered",
    "delivered_at",
    "channel",
    "email_status",
    "emailed_at",
    "read",
    "read_at",
    "acknowledged",
    "acknowledged_at",
    "attempts",
    "reason",
)
EMAIL_KIND = "announcement"  # the fallback email of the announcement itself (not a reminder's)


def delivery_export(
    db: Database, plan: Plan, directory: Directory, announcement: Announcement, *, batch: int = BATCH
) -> Export:
    """The export of ``announcement``'s deliveries (its tenant's), one row per recipient."""
    return Export(
        name="deliveries-" + announcement.id.replace("/", "-").replace("@", "-"),
        kind="deliveries",
        columns=COLUMNS,
        batches=_batches(db, plan, directory, announcement, batch),
        about={
            "announcement": {
                "id": announcement.id,
                "title": announcement.title,
                "status": announcement.status.value,
                "wave": announcement.wave_key,
                "sent_at": announcement.started_at,
            }
        },
    )


async def _batches(
    db: Database, plan: Plan, directory: Directory, announcement: Announcement, batch: int
) -> AsyncGenerator[list[Row], None]:
    tenant_id, ann_id = announcement.tenant_id, announcement.id
    d, a = deliveries.c, acknowledgements.c
    first_ack = (
        sa.select(a.user_id, sa.func.min(a.at).label("acknowledged_at"))
        .where(a.tenant_id == tenant_id, a.announcement_id == ann_id)
        .group_by(a.user_id)
        .subquery()
    )
    acked = sa.and_(d.recipient_kind == "user", first_ack.c.user_id == d.recipient_key)
    m = emails.c
    mailed = sa.and_(
        d.recipient_kind == "user",
        m.tenant_id == tenant_id,
        m.purpose == PURPOSE,
        m.subject_id == ann_id,
        m.kind == EMAIL_KIND,
        m.person_id == d.recipient_key,
    )
    joined = deliveries.outerjoin(first_ack, acked).outerjoin(emails, mailed)
    query = (
        sa.select(
            d.id,
            d.recipient_kind,
            d.recipient_key,
            d.recipient_name,
            d.status,
            d.reason,
            d.attempts,
            d.sent_at,
            d.read_at,
            first_ack.c.acknowledged_at,
            m.status.label("email_status"),
            m.sent_at.label("emailed_at"),
        )
        .select_from(joined)
        .where(d.tenant_id == tenant_id, d.purpose == PURPOSE, d.subject_id == ann_id, d.operation == "send")
        .order_by(d.id)
        .limit(batch)
    )
    after = 0
    while True:
        async with db.begin(read_only=True) as c:
            rows = (await c.execute(query.where(d.id > after))).all()
        if not rows:
            return
        after = rows[-1].id
        yield [await _row(plan, directory, r) for r in rows]
        if len(rows) < batch:
            return


async def _row(plan: Plan, directory: Directory, r: Any) -> Row:
    user = await directory.get(r.recipient_key) if r.recipient_kind == "user" else None
    delivered = r.status == DeliveryStatus.SENT.value
    return {
        "recipient_id": r.recipient_key,
        "upn": user.upn if user else None,
        "name": r.recipient_name or (user.display_name if user else None),
        "kind": r.recipient_kind,
        "wave": resolve_wave(plan, user).wave_key if user else None,
        "department": user.department if user else None,
        "office": user.office if user else None,
        "status": r.status,
        "delivered": delivered,
        "delivered_at": _utc(r.sent_at),
        "channel": reached_by(r.status, r.email_status),
        "email_status": r.email_status,
        "emailed_at": _utc(r.emailed_at),
        "read": r.read_at is not None,
        "read_at": _utc(r.read_at),
        "acknowledged": r.acknowledged_at is not None,
        "acknowledged_at": _utc(r.acknowledged_at),
        "attempts": r.attempts,
        "reason": r.reason,
    }


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    return at.astimezone(dt.UTC) if at is not None else None
