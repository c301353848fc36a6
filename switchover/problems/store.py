"""Problem reports in the database: every read and write of reports, their timeline, cards and incidents.

Each method is one transaction through :meth:`~switchover.storage.db.Database.begin`:
reads pass ``read_only=True`` (they never queue behind this process's writers),
writes pass ``immediate=True`` (a read-then-write claim waits for SQLite's write
lock instead of failing with "database is locked"). Nothing here sends, renders
or waits for another task while it holds the write turn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from switchover.plan.model import Impact, Priority, Urgency
from switchover.problems.model import (
    EventKind,
    Incident,
    ProblemError,
    ProblemReport,
    Reporter,
    ReportStatus,
    TimelineEntry,
)
from switchover.problems.tables import cards, events, incidents, replies_owed, reports
from switchover.storage.db import Database, insert_for, rowcount


class ReportStore:
    """Reads and writes problem reports, their events, their remembered cards and incidents.

    Args:
        db: The database (migrated with ``0004_problems``).
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reports ---------------------------------------------------------------------

    async def get(self, tenant_id: str, report_id: int) -> ProblemReport:
        """One report with its timeline (:class:`ProblemError` when there is none in this tenant)."""
        async with self.db.begin(read_only=True) as c:
            row = (
                await c.execute(sa.select(reports).where(reports.c.tenant_id == tenant_id, reports.c.id == report_id))
            ).first()
            if row is None:
                raise ProblemError(f"no problem report {report_id}")
            evs = (
                await c.execute(
                    sa.select(events)
                    .where(events.c.tenant_id == tenant_id, events.c.report_id == report_id)
                    .order_by(events.c.id)
                )
            ).all()
        return _report(row, evs)

    async def id_by_submission(self, tenant_id: str, key: str) -> int | None:
        """The report filed from a confirmed draft, if any."""
        async with self.db.begin(read_only=True) as c:
            return (
                await c.execute(
                    sa.select(reports.c.id).where(reports.c.tenant_id == tenant_id, reports.c.submission_key == key)
                )
            ).scalar()

    async def insert(self, values: dict[str, Any], *, actor: str | None, detail: str) -> int:
        """Store a new report with its ``created`` event and a reply owed to its reporter; returns its id.

        Raises:
            IntegrityError: a report with the same ``submission_key`` exists.
        """
        async with self.db.begin(immediate=True, durable=True) as c:
            report_id: int = (await c.execute(sa.insert(reports).values(**values).returning(reports.c.id))).scalar_one()
            await _event(c, values["tenant_id"], report_id, values["created_at"], EventKind.CREATED, actor, detail)
            await c.execute(
                sa.insert(replies_owed).values(
                    tenant_id=values["tenant_id"], report_id=report_id, owed_since=values["created_at"]
                )
            )
        return report_id

    async def replies_owed(self, before: dt.datetime) -> list[tuple[str, int]]:
        """Reports stored before ``before`` whose reporter may not have been told: (tenant, id)."""
        async with self.db.begin(read_only=True) as c:
            rows = await c.execute(
                sa.select(replies_owed.c.tenant_id, replies_owed.c.report_id)
                .where(replies_owed.c.owed_since < before)
                .order_by(replies_owed.c.owed_since)
            )
            return [(row.tenant_id, row.report_id) for row in rows]

    async def reply_given(self, tenant_id: str, report_id: int) -> None:
        """The reporter's message is in the outbox: nothing is owed any more."""
        async with self.db.begin() as c:
            await c.execute(
                sa.delete(replies_owed).where(
                    replies_owed.c.tenant_id == tenant_id, replies_owed.c.report_id == report_id
                )
            )

    async def update(
        self,
        report: ProblemReport,
        at: dt.datetime,
        kind: EventKind,
        actor: str | None,
        detail: str | None,
        **values: Any,
    ) -> None:
        """Change a report's columns and note why on its timeline, in one transaction."""
        async with self.db.begin(immediate=True, durable=True) as c:
            await c.execute(
                sa.update(reports)
                .where(reports.c.tenant_id == report.tenant_id, reports.c.id == report.id)
                .values(updated_at=at, **values)
            )
            await _event(c, report.tenant_id, report.id, at, kind, actor, detail)

    async def add_event(
        self, tenant_id: str, report_id: int, at: dt.datetime, kind: EventKind, actor: str | None, detail: str | None
    ) -> None:
        """One line on a report's timeline."""
        async with self.db.begin(immediate=True) as c:
            await _event(c, tenant_id, report_id, at, kind, actor, detail)

    async def clock_started(self, tenant_id: str, report_id: int) -> dt.datetime:
        """When the report's acknowledgement clock started (created, rerouted or reopened)."""
        async with self.db.begin(read_only=True) as c:
            started: dt.datetime = (
                await c.execute(
                    sa.select(reports.c.clock_started_at).where(
                        reports.c.tenant_id == tenant_id, reports.c.id == report_id
                    )
                )
            ).scalar_one()
        return started

    async def tenants(self) -> list[str]:
        """The tenants that have reports."""
        async with self.db.begin(read_only=True) as c:
            return list((await c.execute(sa.select(reports.c.tenant_id).distinct())).scalars())

    async def find(
        self,
        tenant_id: str,
        *,
        status: str | None = None,
        area: str | None = None,
        priority: str | None = None,
        wave: str | None = None,
        reporter_id: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 200,
        with_timeline: bool = False,
    ) -> list[ProblemReport]:
        """Reports matching every given filter, newest first (without timelines unless asked)."""
        c = reports.c
        where = [c.tenant_id == tenant_id]
        for column, value in (
            (c.status, status),
            (c.area, area),
            (c.priority, priority),
            (c.wave, wave),
            (c.reporter_id, reporter_id),
        ):
            if value is not None:
                where.append(column == value)
        if since is not None:
            where.append(c.created_at >= since)
        if until is not None:
            where.append(c.created_at < until)
        async with self.db.begin(read_only=True) as conn:
            # A report nobody on its chain could be reached for tops the list until someone takes it.
            untaken = sa.case((sa.and_(c.unrouted_at.is_not(None), c.status == ReportStatus.OPEN.value), 0), else_=1)
            query = sa.select(reports).where(*where).order_by(untaken, c.id.desc()).limit(limit)
            rows = (await conn.execute(query)).all()
        if not with_timeline:
            return [_report(r, ()) for r in rows]
        return [await self.get(tenant_id, r.id) for r in rows]

    async def counts_by_site(self, tenant_id: str, sites: list[str]) -> dict[str, dict[str, int]]:
        """How many reports people at each of ``sites`` filed, by status (numbers only, no contents)."""
        c = reports.c
        counts: dict[str, dict[str, int]] = {site: {} for site in sites}
        if not sites:
            return counts
        async with self.db.begin(read_only=True) as conn:
            rows = (
                await conn.execute(
                    sa.select(c.site, c.status, sa.func.count())
                    .where(c.tenant_id == tenant_id, c.site.in_(sites))
                    .group_by(c.site, c.status)
                )
            ).all()
        for site, status, n in rows:
            counts[site][status] = n
        return counts

    # -- duplicates ------------------------------------------------------------------

    async def linked(self, report: ProblemReport) -> list[ProblemReport]:
        """The reports linked to ``report`` as duplicates of it, oldest first."""
        async with self.db.begin(read_only=True) as c:
            ids = list(
                (
                    await c.execute(
                        sa.select(reports.c.id)
                        .where(reports.c.tenant_id == report.tenant_id, reports.c.duplicate_of == report.id)
                        .order_by(reports.c.id)
                    )
                ).scalars()
            )
        return [await self.get(report.tenant_id, rid) for rid in ids]

    async def open_since(self, report: ProblemReport, since: dt.datetime) -> list[tuple[int, str]]:
        """``(id, text)`` of the tenant's other open reports filed since ``since`` that are no one's
        duplicate, oldest first (the candidates ``report`` may duplicate)."""
        async with self.db.begin(read_only=True) as c:
            rows = (
                await c.execute(
                    sa.select(reports.c.id, reports.c.text)
                    .where(
                        reports.c.tenant_id == report.tenant_id,
                        reports.c.id != report.id,
                        reports.c.status != ReportStatus.RESOLVED.value,
                        reports.c.duplicate_of.is_(None),
                        reports.c.created_at >= since,
                    )
                    .order_by(reports.c.id)
                )
            ).all()
        return [(row.id, row.text) for row in rows]

    async def link_duplicate(self, report: ProblemReport, root: ProblemReport, at: dt.datetime) -> None:
        """Make ``report`` a duplicate of ``root`` (its area, no escalation of its own), on both timelines."""
        async with self.db.begin(immediate=True, durable=True) as c:
            await c.execute(
                sa.update(reports)
                .where(reports.c.id == report.id)
                .values(duplicate_of=root.id, area=root.area, next_due_at=None, updated_at=at)
            )
            await _event(c, report.tenant_id, report.id, at, EventKind.LINKED, None, f"same as {root.reference}")
            await _event(c, report.tenant_id, root.id, at, EventKind.LINKED, report.reporter.name, report.reference)

    # -- escalation ------------------------------------------------------------------

    async def due(self, now: dt.datetime, *, limit: int = 500) -> list[tuple[str, int]]:
        """``(tenant_id, report_id)`` of open reports whose next escalation step is due, earliest first."""
        async with self.db.begin(read_only=True) as c:
            rows = (
                await c.execute(
                    sa.select(reports.c.tenant_id, reports.c.id)
                    .where(reports.c.status == ReportStatus.OPEN.value, reports.c.next_due_at <= now)
                    .order_by(reports.c.next_due_at)
                    .limit(limit)
                )
            ).all()
        return [(row.tenant_id, row.id) for row in rows]

    async def claim_escalation(
        self, report: ProblemReport, level: int, following: dt.datetime | None, at: dt.datetime, detail: str
    ) -> bool:
        """Record escalation step ``level`` unless someone else did (or the report moved on).

        A conditional update on the level and cycle: of two instances escalating the same
        report, exactly one gets True.
        """
        async with self.db.begin(immediate=True) as c:
            claimed = await c.execute(
                sa.update(reports)
                .where(
                    reports.c.id == report.id,
                    reports.c.status == ReportStatus.OPEN.value,
                    reports.c.escalation_level == level,
                    reports.c.cycle == report.cycle,
                )
                .values(escalation_level=level + 1, next_due_at=following, updated_at=at)
            )
            if rowcount(claimed) != 1:
                return False
            await _event(c, report.tenant_id, report.id, at, EventKind.ESCALATED, None, detail)
        return True

    # -- routing along the chain -----------------------------------------------------

    async def route_due(self, now: dt.datetime, *, limit: int = 500) -> list[tuple[str, int]]:
        """``(tenant_id, report_id)`` of reports whose chain card's outcome is due to be looked at."""
        async with self.db.begin(read_only=True) as c:
            rows = (
                await c.execute(
                    sa.select(reports.c.tenant_id, reports.c.id)
                    .where(reports.c.route_due_at <= now)
                    .order_by(reports.c.route_due_at)
                    .limit(limit)
                )
            ).all()
        return [(row.tenant_id, row.id) for row in rows]

    async def set_route_due(self, report: ProblemReport, due: dt.datetime | None, *, routed: bool = False) -> None:
        """When the chain's current card is next looked at (None: nothing to look at);
        ``routed`` also clears the unrouted mark (the chain starts again)."""
        values: dict[str, Any] = {"route_due_at": due}
        if routed:
            values["unrouted_at"] = None
        async with self.db.begin(immediate=True, durable=True) as c:
            await c.execute(
                sa.update(reports)
                .where(reports.c.tenant_id == report.tenant_id, reports.c.id == report.id)
                .values(**values)
            )

    async def claim_unrouted(self, report: ProblemReport, at: dt.datetime, detail: str) -> bool:
        """Mark the report unrouted unless it already is (of two claims, exactly one gets True)."""
        async with self.db.begin(immediate=True, durable=True) as c:
            claimed = await c.execute(
                sa.update(reports)
                .where(
                    reports.c.tenant_id == report.tenant_id,
                    reports.c.id == report.id,
                    reports.c.unrouted_at.is_(None),
                    reports.c.cycle == report.cycle,
                )
                .values(unrouted_at=at, route_due_at=None, updated_at=at)
            )
            if rowcount(claimed) != 1:
                return False
            await _event(c, report.tenant_id, report.id, at, EventKind.UNROUTED, None, detail)
        return True

    async def chain_cards(self, report: ProblemReport, roles: Sequence[str]) -> list[tuple[int, int]]:
        """``(chain_index, delivery_id)`` of the report's working cards along its chain, furthest first."""
        c = cards.c
        where = [
            c.tenant_id == report.tenant_id,
            c.report_id == report.id,
            c.actionable.is_(True),
            c.chain_index >= 0,
            c.role.in_(list(roles)),
        ]
        async with self.db.begin(read_only=True) as conn:
            rows = await conn.execute(
                sa.select(c.chain_index, c.delivery_id).where(*where).order_by(c.chain_index.desc(), c.id.desc())
            )
            return [(row.chain_index, row.delivery_id) for row in rows]

    # -- cards sent about reports ----------------------------------------------------

    async def card(self, tenant_id: str, delivery_id: int) -> Any | None:
        """The remembered card row of a delivery (``report_id``, ``role``, ``chain_index``,
        ``actionable``...), or None when the delivery is not a report's card."""
        async with self.db.begin(read_only=True) as c:
            where = [cards.c.tenant_id == tenant_id, cards.c.delivery_id == delivery_id]
            return (await c.execute(sa.select(cards).where(*where))).first()

    async def remember_card(
        self,
        tenant_id: str,
        delivery_id: int,
        *,
        role: str,
        chain_index: int,
        recipient_kind: str,
        recipient_key: str,
        actionable: bool,
        at: dt.datetime,
        report_id: int | None = None,
        incident_id: int | None = None,
    ) -> None:
        """Remember a card sent about a report or an incident (once per delivery), to update it later.

        Idempotent: two instances recording the same delivery's outcome keep one row (no check-then-insert,
        which races on PostgreSQL where ``immediate`` takes no lock)."""
        ins = insert_for(self.db.dialect)
        async with self.db.begin() as c:
            await c.execute(
                ins(cards)
                .values(
                    tenant_id=tenant_id,
                    report_id=report_id,
                    incident_id=incident_id,
                    role=role,
                    chain_index=chain_index,
                    delivery_id=delivery_id,
                    recipient_kind=recipient_kind,
                    recipient_key=recipient_key,
                    actionable=actionable,
                    created_at=at,
                )
                .on_conflict_do_nothing(index_elements=["tenant_id", "delivery_id"])
            )

    async def working_cards(self, report: ProblemReport, *, recipient_key: str | None = None) -> list[int]:
        """Delivery ids of the report's actionable cards (optionally only one recipient's)."""
        where = [cards.c.tenant_id == report.tenant_id, cards.c.report_id == report.id, cards.c.actionable.is_(True)]
        if recipient_key is not None:
            where.append(cards.c.recipient_key == recipient_key)
        async with self.db.begin(read_only=True) as c:
            return list((await c.execute(sa.select(cards.c.delivery_id).where(*where))).scalars())

    async def retire_cards(self, report: ProblemReport) -> list[int]:
        """Make the report's actionable cards plain records; returns their delivery ids."""
        async with self.db.begin(immediate=True) as c:
            rows = (
                await c.execute(
                    sa.select(cards.c.id, cards.c.delivery_id).where(
                        cards.c.tenant_id == report.tenant_id,
                        cards.c.report_id == report.id,
                        cards.c.actionable.is_(True),
                    )
                )
            ).all()
            if rows:
                await c.execute(sa.update(cards).where(cards.c.id.in_([r.id for r in rows])).values(actionable=False))
        return [row.delivery_id for row in rows]

    async def incident_cards(self, tenant_id: str, incident_id: int) -> list[int]:
        """Delivery ids of the cards sent about an incident."""
        async with self.db.begin(read_only=True) as c:
            return list(
                (
                    await c.execute(
                        sa.select(cards.c.delivery_id).where(
                            cards.c.tenant_id == tenant_id, cards.c.incident_id == incident_id
                        )
                    )
                ).scalars()
            )

    # -- major incidents -------------------------------------------------------------

    async def incident(self, tenant_id: str, incident_id: int) -> Incident | None:
        """One incident, or None when there is none in this tenant."""
        async with self.db.begin(read_only=True) as c:
            row = (
                await c.execute(
                    sa.select(incidents).where(incidents.c.tenant_id == tenant_id, incidents.c.id == incident_id)
                )
            ).first()
        if row is None:
            return None
        return Incident(row.id, row.tenant_id, row.area, row.wave, row.status, row.resolution_note)

    async def incident_reports(self, tenant_id: str, incident_id: int) -> list[ProblemReport]:
        """Every report linked to an incident, oldest first."""
        async with self.db.begin(read_only=True) as c:
            ids = list(
                (
                    await c.execute(
                        sa.select(reports.c.id)
                        .where(reports.c.tenant_id == tenant_id, reports.c.incident_id == incident_id)
                        .order_by(reports.c.id)
                    )
                ).scalars()
            )
        return [await self.get(tenant_id, rid) for rid in ids]

    async def group_into_incident(
        self,
        report: ProblemReport,
        at: dt.datetime,
        *,
        since: dt.datetime,
        same_area: bool,
        same_wave: bool,
        form_at: int | None,
    ) -> tuple[int, bool] | None:
        """Put ``report`` in an open incident of its area and/or wave, or form one.

        In one transaction: when such an incident is open, the report joins it. Otherwise,
        when ``form_at`` is given and at least that many open reports alike (filed since
        ``since``, in no incident) exist, a new incident groups them all.

        Returns:
            ``(incident id, newly formed)``, or None when the report is in no incident.
        """
        where = [
            reports.c.tenant_id == report.tenant_id,
            reports.c.status != ReportStatus.RESOLVED.value,
            reports.c.created_at >= since,
        ]
        inc_where = [incidents.c.tenant_id == report.tenant_id, incidents.c.status == "open"]
        wave = report.reporter.wave
        if same_area:
            where.append(reports.c.area == report.area)
            inc_where.append(incidents.c.area == report.area)
        if same_wave:
            where.append(reports.c.wave.is_(None) if wave is None else reports.c.wave == wave)
            inc_where.append(incidents.c.wave.is_(None) if wave is None else incidents.c.wave == wave)
        async with self.db.begin(immediate=True) as c:
            open_incident = (await c.execute(sa.select(incidents.c.id).where(*inc_where))).scalar()
            if open_incident is not None:
                if report.incident_id is None:
                    await c.execute(
                        sa.update(reports)
                        .where(reports.c.id == report.id)
                        .values(incident_id=open_incident, next_due_at=None, updated_at=at)
                    )
                    detail = f"part of major incident INC-{open_incident}"
                    await _event(c, report.tenant_id, report.id, at, EventKind.INCIDENT, None, detail)
                return open_incident, False
            if form_at is None:
                return None
            ids = list(
                (await c.execute(sa.select(reports.c.id).where(*where, reports.c.incident_id.is_(None)))).scalars()
            )
            if len(ids) < form_at:
                return None
            incident_id: int = (
                await c.execute(
                    sa.insert(incidents)
                    .values(tenant_id=report.tenant_id, area=report.area, wave=wave, status="open", created_at=at)
                    .returning(incidents.c.id)
                )
            ).scalar_one()
            await c.execute(
                sa.update(reports)
                .where(reports.c.id.in_(ids))
                .values(incident_id=incident_id, next_due_at=None, updated_at=at)
            )
            for rid in ids:
                detail = f"grouped into major incident INC-{incident_id}"
                await _event(c, report.tenant_id, rid, at, EventKind.INCIDENT, None, detail)
        return incident_id, True

    async def resolve_incident(self, tenant_id: str, incident_id: int, at: dt.datetime, note: str) -> None:
        """Mark an open incident resolved with ``note`` (a resolved one stays as it was).

        Raises:
            ProblemError: no such incident in this tenant.
        """
        async with self.db.begin(immediate=True, durable=True) as c:
            row = (
                await c.execute(
                    sa.select(incidents.c.status).where(
                        incidents.c.tenant_id == tenant_id, incidents.c.id == incident_id
                    )
                )
            ).first()
            if row is None:
                raise ProblemError(f"no incident INC-{incident_id}")
            if row.status == "open":
                await c.execute(
                    sa.update(incidents)
                    .where(incidents.c.id == incident_id)
                    .values(status="resolved", resolved_at=at, resolution_note=note)
                )


async def _event(
    c: AsyncConnection,
    tenant_id: str,
    report_id: int,
    at: dt.datetime,
    kind: EventKind,
    actor: str | None,
    detail: str | None,
) -> None:
    await c.execute(
        sa.insert(events).values(
            tenant_id=tenant_id, report_id=report_id, at=at, kind=kind.value, actor=actor, detail=detail
        )
    )


def _report(row: Any, evs: Sequence[Any]) -> ProblemReport:
    return ProblemReport(
        id=row.id,
        tenant_id=row.tenant_id,
        reporter=Reporter(
            tenant_id=row.tenant_id,
            id=row.reporter_id,
            name=row.reporter_name,
            upn=row.reporter_upn,
            wave=row.wave,
            site=row.site,
            department=row.department,
            city=row.city,
            country=row.country,
        ),
        text=row.text,
        area=row.area,
        area_confidence=row.area_confidence,
        impact=Impact(row.impact),
        urgency=Urgency(row.urgency),
        priority=Priority(row.priority),
        status=ReportStatus(row.status),
        created_at=row.created_at,
        ack_due_at=row.ack_due_at,
        next_due_at=row.next_due_at,
        escalation_level=row.escalation_level,
        cycle=row.cycle,
        assignee=row.assignee,
        incident_id=row.incident_id,
        duplicate_of=row.duplicate_of,
        resolution_note=row.resolution_note,
        screenshot_url=row.screenshot_url,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        unrouted_at=row.unrouted_at,
        timeline=tuple(TimelineEntry(e.at, EventKind(e.kind), e.actor, e.detail) for e in evs),
    )
