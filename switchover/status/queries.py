"""The problem desk's figures for the status picture: grouped, set-based reads of the report tables.

Read-only; each function is one transaction and one or two statements, whatever the number of
reports. A report is open until resolved (acknowledged reports are still open); an overdue
acknowledgement is an open, unacknowledged report past its ``ack_due_at``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from switchover.announcements.model import PURPOSE
from switchover.announcements.tables import acknowledgements
from switchover.delivery import DeliveryStatus
from switchover.delivery.tables import deliveries
from switchover.problems.model import ReportStatus
from switchover.problems.tables import incidents, reports
from switchover.storage.conversations import ConversationRef
from switchover.storage.db import Database

OpenCounts = dict[tuple[str | None, str, str], int]
"""Open reports by (wave key or None, priority, area key)."""


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Which open reports a number on the card stands for (every given field must match)."""

    wave: str | None = None
    priority: str | None = None
    area: str | None = None
    overdue: bool = False  # only those nobody acknowledged by their deadline


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """One announcement's deliveries, as its report counts them (``announcements.reports``)."""

    recipients: int  # every delivery of it
    delivered: int  # sent
    read: int  # with a read receipt
    acknowledged: int  # recipients who pressed "Got it" (or its like)


async def reachable(db: Database, tenant_id: str) -> set[str]:
    """Everyone the bot can message: the Entra ids of installed 1:1 chats (one query, ids only)."""
    r = ConversationRef.__table__.c
    async with db.begin(read_only=True) as conn:
        rows = await conn.execute(
            sa.select(r.aad_object_id)
            .where(r.tenant_id == tenant_id, r.kind == "personal", r.installed.is_(True), r.aad_object_id.is_not(None))
            .distinct()
        )
        return {row[0] for row in rows}


async def delivery_counts(db: Database, tenant_id: str, announcement_id: str) -> DeliveryCounts:
    """Recipients, delivered, read and acknowledged of one announcement (one grouped query)."""
    d, a = deliveries.c, acknowledgements.c
    acked = sa.select(a.user_id).where(a.tenant_id == tenant_id, a.announcement_id == announcement_id)
    query = sa.select(
        sa.func.count(),
        sa.func.count().filter(d.status == DeliveryStatus.SENT.value),
        sa.func.count().filter(d.read_at.is_not(None)),
        sa.func.count().filter(d.recipient_key.in_(acked)),
    ).where(d.tenant_id == tenant_id, d.purpose == PURPOSE, d.subject_id == announcement_id)
    async with db.begin(read_only=True) as conn:
        recipients, delivered, read, acknowledged = (await conn.execute(query)).one()
    return DeliveryCounts(recipients, delivered, read, acknowledged)


def _open(tenant_id: str) -> list[Any]:
    c = reports.c
    return [c.tenant_id == tenant_id, c.status != ReportStatus.RESOLVED.value]


def _overdue(now: dt.datetime) -> list[Any]:
    c = reports.c
    return [c.status == ReportStatus.OPEN.value, c.ack_due_at.is_not(None), c.ack_due_at < now]


def _where(tenant_id: str, which: ReportFilter, now: dt.datetime) -> list[Any]:
    c = reports.c
    where = _open(tenant_id)
    if which.wave is not None:
        where.append(c.wave == which.wave)
    if which.priority is not None:
        where.append(c.priority == which.priority)
    if which.area is not None:
        where.append(c.area == which.area)
    if which.overdue:
        where.extend(_overdue(now))
    return where


async def open_counts(db: Database, tenant_id: str) -> OpenCounts:
    """Open reports counted by wave, priority and area (one grouped query)."""
    c = reports.c
    async with db.begin(read_only=True) as conn:
        rows = (
            await conn.execute(
                sa.select(c.wave, c.priority, c.area, sa.func.count())
                .where(*_open(tenant_id))
                .group_by(c.wave, c.priority, c.area)
            )
        ).all()
    return {(wave, priority, area): n for wave, priority, area, n in rows}


async def overdue(db: Database, tenant_id: str, now: dt.datetime) -> list[Any]:
    """Open reports nobody acknowledged by their deadline, most overdue first."""
    c = reports.c
    async with db.begin(read_only=True) as conn:
        return list(
            (
                await conn.execute(
                    sa.select(c.id, c.priority, c.area, c.wave, c.assignee, c.ack_due_at)
                    .where(*_open(tenant_id), *_overdue(now))
                    .order_by(c.ack_due_at, c.id)
                )
            ).all()
        )


async def open_incidents(db: Database, tenant_id: str) -> list[Any]:
    """Open major incidents with how many open reports each holds, oldest first."""
    i, c = incidents.c, reports.c
    held = (
        sa.select(sa.func.count())
        .where(*_open(tenant_id), c.incident_id == i.id)
        .correlate(incidents)
        .scalar_subquery()
    )
    async with db.begin(read_only=True) as conn:
        return list(
            (
                await conn.execute(
                    sa.select(i.id, i.area, i.wave, i.created_at, held.label("reports"))
                    .where(i.tenant_id == tenant_id, i.status == "open")
                    .order_by(i.created_at, i.id)
                )
            ).all()
        )


async def count_reports(db: Database, tenant_id: str, which: ReportFilter, now: dt.datetime) -> int:
    """How many open reports ``which`` stands for."""
    async with db.begin(read_only=True) as conn:
        return int(
            await conn.scalar(sa.select(sa.func.count()).select_from(reports).where(*_where(tenant_id, which, now)))
            or 0
        )


async def find_reports(
    db: Database, tenant_id: str, which: ReportFilter, now: dt.datetime, *, offset: int, limit: int
) -> list[Any]:
    """One page of the open reports ``which`` stands for, newest first."""
    c = reports.c
    async with db.begin(read_only=True) as conn:
        return list(
            (
                await conn.execute(
                    sa.select(c.id, c.priority, c.area, c.status, c.text, c.assignee, c.created_at)
                    .where(*_where(tenant_id, which, now))
                    .order_by(c.id.desc())
                    .offset(offset)
                    .limit(limit)
                )
            ).all()
        )
