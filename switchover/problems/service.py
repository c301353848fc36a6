"""The problem desk: submit, route, escalate, act on and report on problem reports.

A report is stored with its triage, its acknowledgement deadline and its next
escalation time; every card about it goes through the one delivery engine and
is remembered (``problem_cards``) so it can be updated in place. Timers live in
the database: :meth:`ProblemDesk.run_due` is what a wake-up calls, and claims
each due step with a conditional update so two instances never escalate twice.

Routing follows the plan: the area's owner (a person gets a 1:1 card, a channel
a new thread), outside business hours P1/P2 straight to a person (the Service
Desk channel is not watched then) and P3/P4 held until the desk opens. A
delivery that fails moves on along the chain owner -> backup -> project lead ->
Service Desk channel, so a report is never left unrouted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.exc import IntegrityError

from switchover.clock import Clock
from switchover.delivery import DeliveryEngine, DeliveryOutcome, DeliveryRequest, DeliveryStatus, Recipient
from switchover.directory.base import Directory
from switchover.messaging import OutgoingMessage
from switchover.plan.model import Contact, EscalationTarget, Impact, Plan, Priority, Urgency
from switchover.problems import views
from switchover.problems.deadlines import ack_deadline, escalation_times, is_business_time, next_opening
from switchover.problems.model import (
    Actor,
    EventKind,
    ProblemReport,
    ReportDraft,
    Reporter,
    ReportStatus,
    TimelineEntry,
)
from switchover.problems.tables import cards, events, incidents, reports
from switchover.problems.triage import looks_like_problem, normalise, triage
from switchover.storage.db import SQLITE_BEGIN_OPTION

log = logging.getLogger(__name__)

PURPOSE = "problem"  # cards to owners, backups, leads (failures move along the chain)
STATUS_PURPOSE = "problem-status"  # messages to reporters
# Reports this alike (rapidfuzz token-set ratio on normalised words) are the same problem.
SIMILAR_TEXT = 88
SIMILAR_WITHIN = dt.timedelta(hours=24)
_OWNER_ROLES = ("owner", "backup", "project_lead", "service_desk")


class ProblemError(Exception):
    """An action that cannot be done (unknown report, not allowed, already resolved)."""


@dataclass(frozen=True, slots=True)
class _Hop:
    """One place a report's card can go: a role and a plan contact."""

    role: str
    contact: Contact


class ProblemDesk:
    """Problem reports from submission to resolution.

    Args:
        db: ``switchover.storage.Database`` (migrated with ``0004_problems``).
        plan: The migration plan (areas, owners, service levels, hours, incident rule).
        directory: Finds the Entra object id of plan people (cards go to object ids).
        delivery: The delivery engine every card and message goes through.
        clock: The one source of "now".
    """

    def __init__(self, db: Any, plan: Plan, directory: Directory, delivery: DeliveryEngine, clock: Clock) -> None:
        self.db = db
        self.plan = plan
        self.directory = directory
        self.delivery = delivery
        self.clock = clock
        delivery.on_outcome(PURPOSE, self._on_card_outcome)

    # -- database plumbing ------------------------------------------------------

    def _tx(self, *, immediate: bool = False) -> Any:
        return _Tx(self.db, immediate)

    # -- submitting ---------------------------------------------------------------

    async def submit(self, draft: ReportDraft) -> ProblemReport:
        """File a report: triage what the reporter did not say, store, link or route, start the clock.

        Submitting the same ``submission_key`` twice returns the first report.
        """
        r = draft.reporter
        if draft.submission_key:
            existing = await self._by_submission(r.tenant_id, draft.submission_key)
            if existing is not None:
                return existing
        t = triage(self.plan, draft.text)
        area = draft.area if draft.area and _has_area(self.plan, draft.area) else t.area
        confidence = 1.0 if draft.area and area == draft.area else t.confidence
        impact = draft.impact or t.impact.value
        urgency = draft.urgency or t.urgency.value
        priority = self.plan.priority_for(Impact(impact), Urgency(urgency))
        now = self.clock.now()
        due = ack_deadline(self.plan, priority, now)
        steps = escalation_times(self.plan, priority, now)
        values = {
            "tenant_id": r.tenant_id,
            "reporter_id": r.id,
            "reporter_name": r.name,
            "reporter_upn": r.upn,
            "text": draft.text.strip()[:4000],
            "area": area,
            "area_confidence": confidence,
            "impact": Impact(impact).value,
            "urgency": Urgency(urgency).value,
            "priority": priority.value,
            "wave": r.wave,
            "site": r.site,
            "department": r.department,
            "screenshot_url": draft.screenshot_url,
            "submission_key": draft.submission_key,
            "status": ReportStatus.OPEN.value,
            "created_at": now,
            "clock_started_at": now,
            "ack_due_at": due,
            "next_due_at": steps[0][0] if steps else None,
            "escalation_level": 0,
            "cycle": 0,
            "updated_at": now,
        }
        try:
            async with self._tx(immediate=True) as s:
                report_id = (await s.execute(sa.insert(reports).values(**values).returning(reports.c.id))).scalar_one()
                detail = f"{self.plan.area(area).name} ({round(confidence * 100)}%), {priority.value}"
                await _event(s, r.tenant_id, report_id, now, EventKind.CREATED, r.name, detail)
        except IntegrityError:
            # The same confirmed draft raced in twice; the first one wins.
            existing = await self._by_submission(r.tenant_id, draft.submission_key or "")
            if existing is None:
                raise
            return existing
        log.info("problem reported", extra={"report": report_id, "area": area, "priority": priority.value})
        report = await self.get(r.tenant_id, report_id)
        # Known problems first: an open major incident, then an open report in nearly the same words.
        if not await self._check_incident(report, now, form=False) and await self._link_if_known(report) is None:
            await self._route(report, now)
            await self._check_incident(report, now, form=True)
        return await self.get(r.tenant_id, report_id)

    async def _by_submission(self, tenant_id: str, key: str) -> ProblemReport | None:
        async with self._tx() as s:
            rid = (
                await s.execute(
                    sa.select(reports.c.id).where(reports.c.tenant_id == tenant_id, reports.c.submission_key == key)
                )
            ).scalar()
        return await self.get(tenant_id, rid) if rid is not None else None

    async def _link_if_known(self, report: ProblemReport) -> ProblemReport | None:
        """Link a report to an open one with nearly the same words; tell the reporter it is known."""
        since = report.created_at - SIMILAR_WITHIN
        async with self._tx() as s:
            rows = (
                await s.execute(
                    sa.select(reports.c.id, reports.c.text, reports.c.area)
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
        mine = " ".join(normalise(report.text))
        for row in rows:
            if fuzz.token_set_ratio(mine, " ".join(normalise(row.text))) >= SIMILAR_TEXT and len(mine) >= 12:
                root = await self.get(report.tenant_id, row.id)
                now = self.clock.now()
                async with self._tx(immediate=True) as s:
                    await s.execute(
                        sa.update(reports)
                        .where(reports.c.id == report.id)
                        .values(duplicate_of=root.id, area=root.area, next_due_at=None, updated_at=now)
                    )
                    await _event(
                        s, report.tenant_id, report.id, now, EventKind.LINKED, None, f"same as {root.reference}"
                    )
                    await _event(
                        s, report.tenant_id, root.id, now, EventKind.LINKED, report.reporter.name, report.reference
                    )
                await self._tell_reporter(
                    await self.get(report.tenant_id, report.id),
                    f"Thanks. This is already known as {root.reference} and being looked at; "
                    "we will tell you here when it is fixed.",
                    "linked",
                )
                await self._refresh_cards(root.tenant_id, root.id)
                return root
        return None

    # -- routing ------------------------------------------------------------------

    def _chain(self, report: ProblemReport) -> list[_Hop]:
        area = self.plan.area(report.area)
        hops = [_Hop("owner", area.owner), _Hop("backup", area.backup)]
        hops += [_Hop("project_lead", Contact(person=k)) for k in self.plan.project_leads]
        hops.append(_Hop("service_desk", Contact(channel=self.plan.service_desk.channel)))
        seen: set[str] = set()
        unique = []
        for hop in hops:
            key = hop.contact.person or str(hop.contact.channel)
            if key not in seen:
                seen.add(key)
                unique.append(hop)
        return unique

    async def _route(self, report: ProblemReport, now: dt.datetime) -> None:
        """Send the owner's card (or the first reachable hop's), and tell the reporter."""
        chain = self._chain(report)
        start, not_before = 0, None
        if not is_business_time(self.plan, now):
            if report.priority in self.plan.business_hours.direct_to_owner_after_hours:
                # Nobody watches the Service Desk channel after hours: go to the first person.
                start = next((i for i, h in enumerate(chain) if h.contact.person), 0)
            else:
                not_before = next_opening(self.plan, now)
        routed = await self._send_along(report, chain, start, not_before=not_before)
        level = self.plan.service_level(report.priority)
        for target in level.notify_at_once:
            for i, hop in enumerate(self._targets(report, target)):
                await self._send_card(report, hop, chain_index=-1, actionable=False, suffix=f"now-{target.value}-{i}")
        message = f"Thanks, your report is {report.reference}. "
        if routed is not None:
            message += f"It went to {self._contact_name(routed.contact)} ({self.plan.area(report.area).name})"
            message += (
                f", who will pick it up when the Service Desk opens ({views.when(not_before, self.plan.zone)})."
                if not_before
                else f"; they are asked to acknowledge it by {views.when(report.ack_due_at, self.plan.zone)}."
            )
        await self._tell_reporter(report, message, "created")

    async def _send_along(
        self, report: ProblemReport, chain: list[_Hop], start: int, *, not_before: dt.datetime | None = None
    ) -> _Hop | None:
        """Send the actionable card to the first hop from ``start`` that resolves to a recipient."""
        for index in range(start, len(chain)):
            hop = chain[index]
            sent = await self._send_card(
                report, hop, chain_index=index, actionable=True, suffix=f"route-{index}", not_before=not_before
            )
            if sent:
                now = self.clock.now()
                async with self._tx(immediate=True) as s:
                    await _event(
                        s,
                        report.tenant_id,
                        report.id,
                        now,
                        EventKind.ROUTED,
                        None,
                        f"{hop.role.replace('_', ' ')}: {self._contact_name(hop.contact)}",
                    )
                return hop
            async with self._tx(immediate=True) as s:
                await _event(
                    s,
                    report.tenant_id,
                    report.id,
                    self.clock.now(),
                    EventKind.DELIVERY_FAILED,
                    None,
                    f"{self._contact_name(hop.contact)} cannot be reached by the bot",
                )
        log.error("problem report could not be routed anywhere", extra={"report": report.id})
        return None

    async def _recipient(self, tenant_id: str, contact: Contact) -> Recipient | None:
        if contact.channel is not None:
            return Recipient(tenant_id, "channel", str(contact.channel), str(contact.channel))
        if contact.person is None:
            return None
        try:
            person = self.plan.person(contact.person)
        except KeyError:
            return None
        user = await self.directory.get(person.upn)
        if user is None and person.email:
            user = await self.directory.get(person.email)
        if user is None:
            log.warning("plan person not in the directory", extra={"person": person.key})
            return None
        return Recipient(tenant_id, "user", user.id, person.name)

    async def _send_card(
        self,
        report: ProblemReport,
        hop: _Hop,
        *,
        chain_index: int,
        actionable: bool,
        suffix: str,
        not_before: dt.datetime | None = None,
    ) -> bool:
        recipient = await self._recipient(report.tenant_id, hop.contact)
        if recipient is None:
            return False
        if actionable and await self._holds_card(report, recipient):
            return True
        linked = await self._linked(report)
        card = views.owner_card(self.plan, report, actions=actionable, linked=linked)
        summary = f"{report.priority.value} {report.reference}: {self.plan.area(report.area).name}"
        request = DeliveryRequest(
            recipient=recipient,
            message=OutgoingMessage(card=card, summary=summary),
            purpose=PURPOSE,
            subject_id=str(report.id),
            dedupe_key=f"problem:{report.id}:c{report.cycle}:{suffix}",
            not_before=not_before,
        )
        [delivery_id] = await self.delivery.enqueue([request])
        async with self._tx(immediate=True) as s:
            exists = (
                await s.execute(
                    sa.select(cards.c.id).where(
                        cards.c.tenant_id == report.tenant_id, cards.c.delivery_id == delivery_id
                    )
                )
            ).first()
            if exists is None:
                await s.execute(
                    sa.insert(cards).values(
                        tenant_id=report.tenant_id,
                        report_id=report.id,
                        role=hop.role,
                        chain_index=chain_index,
                        delivery_id=delivery_id,
                        recipient_kind=recipient.kind,
                        recipient_key=recipient.key,
                        actionable=actionable,
                        created_at=self.clock.now(),
                    )
                )
        return True

    async def _holds_card(self, report: ProblemReport, recipient: Recipient) -> bool:
        """Whether this recipient already has a working card for this report (this cycle)."""
        async with self._tx() as s:
            rows = (
                await s.execute(
                    sa.select(cards.c.delivery_id).where(
                        cards.c.tenant_id == report.tenant_id,
                        cards.c.report_id == report.id,
                        cards.c.recipient_key == recipient.key,
                        cards.c.actionable.is_(True),
                    )
                )
            ).all()
        for row in rows:
            outcome = await self.delivery.get(row.delivery_id)
            if outcome.status not in (DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE, DeliveryStatus.CANCELLED):
                return True
        return False

    def _targets(self, report: ProblemReport, target: EscalationTarget) -> list[_Hop]:
        if target is EscalationTarget.BACKUP:
            return [_Hop("backup", self.plan.area(report.area).backup)]
        if target is EscalationTarget.PROJECT_LEAD:
            return [_Hop("project_lead", Contact(person=k)) for k in self.plan.project_leads]
        return [_Hop("sponsor", Contact(person=self.plan.sponsor))]

    def _contact_name(self, contact: Contact) -> str:
        if contact.channel is not None:
            return f"the {contact.channel.channel} channel"
        try:
            return self.plan.person(contact.person or "").name
        except KeyError:
            return contact.person or "?"

    async def _on_card_outcome(self, outcome: DeliveryOutcome) -> None:
        """The delivery engine's verdict on a card: note it, or move on along the chain."""
        async with self._tx() as s:
            row = (
                await s.execute(
                    sa.select(cards).where(cards.c.tenant_id == outcome.tenant_id, cards.c.delivery_id == outcome.id)
                )
            ).first()
        if row is None or row.report_id is None:
            return
        report = await self.get(outcome.tenant_id, row.report_id)
        now = self.clock.now()
        name = outcome.recipient.display_name or outcome.recipient.key
        if outcome.status is DeliveryStatus.SENT:
            async with self._tx(immediate=True) as s:
                await _event(s, report.tenant_id, report.id, now, EventKind.NOTIFIED, None, f"card delivered to {name}")
            return
        if outcome.status not in (DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE):
            return
        async with self._tx(immediate=True) as s:
            await _event(
                s,
                report.tenant_id,
                report.id,
                now,
                EventKind.DELIVERY_FAILED,
                None,
                f"{name}: {outcome.status.value} ({outcome.reason or 'no reason given'})",
            )
        if not report.is_open or not row.actionable:
            return
        chain = self._chain(report)
        start = row.chain_index + 1 if row.chain_index >= 0 else 0
        if row.role not in _OWNER_ROLES:
            # An escalation card failed: make sure someone further along has it.
            start = max(start, 1)
        await self._send_along(report, chain, start)

    # -- escalation ---------------------------------------------------------------

    async def run_due(self, now: dt.datetime | None = None) -> int:
        """Escalate every report whose next step is due; returns how many steps were taken."""
        now = now or self.clock.now()
        async with self._tx() as s:
            due = (
                await s.execute(
                    sa.select(reports.c.tenant_id, reports.c.id)
                    .where(reports.c.status == ReportStatus.OPEN.value, reports.c.next_due_at <= now)
                    .order_by(reports.c.next_due_at)
                    .limit(500)
                )
            ).all()
        taken = 0
        for row in due:
            taken += await self._escalate(row.tenant_id, row.id, now)
        return taken

    async def _escalate(self, tenant_id: str, report_id: int, now: dt.datetime) -> int:
        report = await self.get(tenant_id, report_id)
        clock_start = await self._clock_started(tenant_id, report_id)
        steps = escalation_times(self.plan, report.priority, clock_start)
        level = report.escalation_level
        if level >= len(steps):
            return 0
        _, step = steps[level]
        # Enqueue first: the dedupe key makes a repeat after a crash (or a second
        # instance) harmless; the conditional update below decides who records it.
        names = []
        for i, hop in enumerate(self._targets(report, step.to)):
            ok = await self._send_card(report, hop, chain_index=-1, actionable=True, suffix=f"esc{level}-{i}")
            if ok:
                names.append(self._contact_name(hop.contact))
        following = steps[level + 1][0] if level + 1 < len(steps) else None
        async with self._tx(immediate=True) as s:
            claimed = await s.execute(
                sa.update(reports)
                .where(
                    reports.c.id == report_id,
                    reports.c.status == ReportStatus.OPEN.value,
                    reports.c.escalation_level == level,
                    reports.c.cycle == report.cycle,
                )
                .values(escalation_level=level + 1, next_due_at=following, updated_at=now)
            )
            if claimed.rowcount != 1:
                return 0
            detail = f"not acknowledged by {views.when(report.ack_due_at, self.plan.zone)}; "
            detail += f"sent to {', '.join(names) or 'nobody reachable'} ({step.to.value.replace('_', ' ')})"
            await _event(s, tenant_id, report_id, now, EventKind.ESCALATED, None, detail)
        log.info("problem escalated", extra={"report": report_id, "level": level + 1, "to": step.to.value})
        await self._refresh_cards(tenant_id, report_id)
        return 1

    async def _clock_started(self, tenant_id: str, report_id: int) -> dt.datetime:
        async with self._tx() as s:
            return (
                await s.execute(
                    sa.select(reports.c.clock_started_at).where(
                        reports.c.tenant_id == tenant_id, reports.c.id == report_id
                    )
                )
            ).scalar_one()

    async def next_due(self) -> dt.datetime | None:
        """The earliest pending escalation time (for scheduling the next wake-up)."""
        async with self._tx() as s:
            return (
                await s.execute(
                    sa.select(sa.func.min(reports.c.next_due_at)).where(reports.c.status == ReportStatus.OPEN.value)
                )
            ).scalar()

    # -- actions --------------------------------------------------------------------

    async def acknowledge(self, tenant_id: str, report_id: int, actor: Actor) -> ProblemReport:
        """Stop escalation: someone accountable has it."""
        report = await self._for_staff(tenant_id, report_id, actor)
        if report.status is ReportStatus.OPEN:
            now = self.clock.now()
            await self._set(
                report,
                EventKind.ACKNOWLEDGED,
                actor.name,
                None,
                status=ReportStatus.ACKNOWLEDGED.value,
                acknowledged_at=now,
                next_due_at=None,
                assignee=report.assignee or actor.person_key,
            )
            report = await self.get(tenant_id, report_id)
            await self._tell_reporter(report, f"{actor.name} is looking at your problem.", "ack")
        await self._refresh_cards(tenant_id, report_id)
        return await self.get(tenant_id, report_id)

    async def assign(self, tenant_id: str, report_id: int, actor: Actor, person_key: str) -> ProblemReport:
        """Hand a report to another owner or Service Desk member (acknowledges it too)."""
        report = await self._for_staff(tenant_id, report_id, actor)
        try:
            person = self.plan.person(person_key)
        except KeyError:
            raise ProblemError(f"{person_key!r} is not a person in the plan") from None
        now = self.clock.now()
        await self._set(
            report,
            EventKind.ASSIGNED,
            actor.name,
            f"to {person.name}",
            status=ReportStatus.ACKNOWLEDGED.value,
            acknowledged_at=report.acknowledged_at or now,
            next_due_at=None,
            assignee=person.key,
        )
        report = await self.get(tenant_id, report_id)
        await self._send_card(
            report,
            _Hop("assignee", Contact(person=person.key)),
            chain_index=-1,
            actionable=True,
            suffix=f"assign-{person.key}-{now.timestamp():.0f}",
        )
        await self._tell_reporter(report, f"Your problem is now with {person.name}.", f"assign-{now.timestamp():.0f}")
        await self._refresh_cards(tenant_id, report_id)
        return await self.get(tenant_id, report_id)

    async def resolve(self, tenant_id: str, report_id: int, actor: Actor, note: str) -> ProblemReport:
        """Resolve with a note the reporter sees; linked reports are resolved with it."""
        report = await self._for_staff(tenant_id, report_id, actor)
        return await self._resolve(report, actor.name, note.strip() or "Resolved.")

    async def _resolve(
        self, report: ProblemReport, actor_name: str | None, note: str, *, refresh: bool = True
    ) -> ProblemReport:
        if report.status is ReportStatus.RESOLVED:
            return report
        now = self.clock.now()
        await self._set(
            report,
            EventKind.RESOLVED,
            actor_name,
            note,
            status=ReportStatus.RESOLVED.value,
            resolved_at=now,
            next_due_at=None,
            resolution_note=note,
        )
        report = await self.get(report.tenant_id, report.id)
        await self._tell_reporter(report, f"Your problem {report.reference} is resolved.", f"resolved-c{report.cycle}")
        if refresh:
            await self._refresh_cards(report.tenant_id, report.id)
        for dup in await self._linked(report):
            await self._resolve(dup, actor_name, note, refresh=refresh)
        return report

    async def not_mine(self, tenant_id: str, report_id: int, actor: Actor, area_key: str | None) -> ProblemReport:
        """Reroute to another area (the catch-all when none is given); the new owner's clock starts now."""
        report = await self._for_staff(tenant_id, report_id, actor)
        if not report.is_open:
            raise ProblemError(f"{report.reference} is already resolved")
        new_area = area_key if area_key and _has_area(self.plan, area_key) else self.plan.catch_all_area.key
        if new_area == report.area:
            new_area = self.plan.catch_all_area.key if new_area != self.plan.catch_all_area.key else new_area
        now = self.clock.now()
        await self._retire_cards(report)
        steps = escalation_times(self.plan, report.priority, now)
        await self._set(
            report,
            EventKind.REROUTED,
            actor.name,
            f"from {self.plan.area(report.area).name} to {self.plan.area(new_area).name}",
            area=new_area,
            status=ReportStatus.OPEN.value,
            cycle=report.cycle + 1,
            escalation_level=0,
            clock_started_at=now,
            ack_due_at=ack_deadline(self.plan, report.priority, now),
            next_due_at=steps[0][0] if steps else None,
            assignee=None,
            acknowledged_at=None,
        )
        report = await self.get(tenant_id, report_id)
        await self._route_again(report, now)
        return await self.get(tenant_id, report_id)

    async def comment(self, tenant_id: str, report_id: int, actor: Actor, text: str) -> ProblemReport:
        """Add a comment; the reporter's comment reaches the card holders, staff's reaches the reporter.

        A reporter commenting on a resolved report reopens it.
        """
        report = await self.get(tenant_id, report_id)
        text = text.strip()[:2000]
        if not text:
            raise ProblemError("an empty comment")
        is_reporter = actor.id == report.reporter.id
        if not is_reporter and actor.person_key is None:
            raise ProblemError("only the reporter and the project's people can comment")
        async with self._tx(immediate=True) as s:
            await _event(s, tenant_id, report_id, self.clock.now(), EventKind.COMMENTED, actor.name, text)
        if is_reporter and report.status is ReportStatus.RESOLVED:
            return await self.reopen(tenant_id, report_id, actor, text)
        if not is_reporter:
            await self._tell_reporter(report, f"{actor.name} wrote: {text}", f"comment-{self.clock.now().timestamp()}")
        await self._refresh_cards(tenant_id, report_id)
        return await self.get(tenant_id, report_id)

    async def reporter_fixed(self, tenant_id: str, report_id: int, actor: Actor) -> ProblemReport:
        """The reporter says it is fixed: resolve it in their words."""
        report = await self.get(tenant_id, report_id)
        if actor.id != report.reporter.id and actor.person_key is None:
            raise ProblemError("only the reporter can say their problem is fixed")
        return await self._resolve(report, actor.name, "The reporter says it is fixed.")

    async def reopen(self, tenant_id: str, report_id: int, actor: Actor, why: str = "") -> ProblemReport:
        """A resolved report comes back: the clock and escalation start again and the owner is told."""
        report = await self.get(tenant_id, report_id)
        if report.is_open:
            return report
        now = self.clock.now()
        # The old cards stay as a record; the owner gets a fresh one (a notification) to work.
        await self._retire_cards(report)
        steps = escalation_times(self.plan, report.priority, now)
        await self._set(
            report,
            EventKind.REOPENED,
            actor.name,
            why or None,
            status=ReportStatus.OPEN.value,
            cycle=report.cycle + 1,
            escalation_level=0,
            clock_started_at=now,
            ack_due_at=ack_deadline(self.plan, report.priority, now),
            next_due_at=steps[0][0] if steps else None,
            resolved_at=None,
            acknowledged_at=None,
            resolution_note=None,
        )
        report = await self.get(tenant_id, report_id)
        await self._route_again(report, now)
        return report

    async def _route_again(self, report: ProblemReport, now: dt.datetime) -> None:
        chain = self._chain(report)
        await self._send_along(report, chain, 0)
        await self._refresh_cards(report.tenant_id, report.id)

    async def _for_staff(self, tenant_id: str, report_id: int, actor: Actor) -> ProblemReport:
        report = await self.get(tenant_id, report_id)
        if actor.person_key is None:
            raise ProblemError("only the project's owners, Service Desk and leads can act on reports")
        return report

    async def _set(
        self, report: ProblemReport, kind: EventKind, actor: str | None, detail: str | None, **values: Any
    ) -> None:
        now = self.clock.now()
        async with self._tx(immediate=True) as s:
            await s.execute(
                sa.update(reports)
                .where(reports.c.tenant_id == report.tenant_id, reports.c.id == report.id)
                .values(updated_at=now, **values)
            )
            await _event(s, report.tenant_id, report.id, now, kind, actor, detail)

    # -- keeping cards and reporters up to date -----------------------------------------

    async def _refresh_cards(self, tenant_id: str, report_id: int) -> None:
        """Update every working card about a report in place (those already sent)."""
        report = await self.get(tenant_id, report_id)
        linked = await self._linked(report)
        async with self._tx() as s:
            rows = (
                await s.execute(
                    sa.select(cards).where(
                        cards.c.tenant_id == tenant_id, cards.c.report_id == report_id, cards.c.actionable.is_(True)
                    )
                )
            ).all()
        card = views.owner_card(self.plan, report, actions=True, linked=linked)
        message = OutgoingMessage(card=card, summary=f"{report.reference}: {views.STATUS_TITLES[report.status]}")
        for row in rows:
            await self._update(row.delivery_id, message)

    async def _retire_cards(self, report: ProblemReport) -> None:
        """Cards of a previous owner: show the report without actions."""
        async with self._tx(immediate=True) as s:
            rows = (
                await s.execute(
                    sa.select(cards.c.id, cards.c.delivery_id).where(
                        cards.c.tenant_id == report.tenant_id,
                        cards.c.report_id == report.id,
                        cards.c.actionable.is_(True),
                    )
                )
            ).all()
            if rows:
                await s.execute(sa.update(cards).where(cards.c.id.in_([r.id for r in rows])).values(actionable=False))
        message = OutgoingMessage(card=views.owner_card(self.plan, report, actions=False))
        for row in rows:
            await self._update(row.delivery_id, message)

    async def _update(self, delivery_id: int, message: OutgoingMessage) -> None:
        outcome = await self.delivery.get(delivery_id)
        if outcome.status is not DeliveryStatus.SENT:
            return  # not delivered (yet): nothing on screen to update
        try:
            await self.delivery.update_sent(delivery_id, message)
        except Exception:
            # The stored report is the truth; a stale card is a cosmetic loss.
            log.exception("could not update a problem card in place", extra={"delivery": delivery_id})

    async def _tell_reporter(self, report: ProblemReport, message: str, event: str) -> None:
        card = views.status_card(self.plan, report, message)
        request = DeliveryRequest(
            recipient=Recipient(report.tenant_id, "user", report.reporter.id, report.reporter.name),
            message=OutgoingMessage(card=card, summary=message[:120]),
            purpose=STATUS_PURPOSE,
            subject_id=str(report.id),
            dedupe_key=f"problem:{report.id}:reporter:{event}",
        )
        await self.delivery.enqueue([request])

    # -- major incidents -------------------------------------------------------------

    async def _check_incident(self, report: ProblemReport, now: dt.datetime, *, form: bool) -> bool:
        """Link ``report`` to an open major incident of its area and wave, or (``form``) form one
        when the plan's count is reached in its window. True when the report is now part of one."""
        rule = self.plan.major_incident
        if rule is None:
            return False
        window_start = now - dt.timedelta(minutes=rule.within.minutes)
        where = [
            reports.c.tenant_id == report.tenant_id,
            reports.c.status != ReportStatus.RESOLVED.value,
            reports.c.created_at >= window_start,
        ]
        inc_where = [
            incidents.c.tenant_id == report.tenant_id,
            incidents.c.status == "open",
        ]
        if "area" in rule.same:
            where.append(reports.c.area == report.area)
            inc_where.append(incidents.c.area == report.area)
        if "wave" in rule.same:
            where.append(
                reports.c.wave.is_(None) if report.reporter.wave is None else reports.c.wave == report.reporter.wave
            )
            inc_where.append(
                incidents.c.wave.is_(None) if report.reporter.wave is None else incidents.c.wave == report.reporter.wave
            )
        async with self._tx(immediate=True) as s:
            open_incident = (await s.execute(sa.select(incidents.c.id).where(*inc_where))).scalar()
            if open_incident is not None:
                if report.incident_id is None:
                    await s.execute(
                        sa.update(reports)
                        .where(reports.c.id == report.id)
                        .values(incident_id=open_incident, next_due_at=None, updated_at=now)
                    )
                    await _event(
                        s,
                        report.tenant_id,
                        report.id,
                        now,
                        EventKind.INCIDENT,
                        None,
                        f"part of major incident INC-{open_incident}",
                    )
                incident_id, new = open_incident, False
            elif not form:
                return False
            else:
                ids = (
                    await s.execute(sa.select(reports.c.id).where(*where, reports.c.incident_id.is_(None)))
                ).scalars()
                ids = list(ids)
                if len(ids) < rule.reports:
                    return False
                incident_id = (
                    await s.execute(
                        sa.insert(incidents)
                        .values(
                            tenant_id=report.tenant_id,
                            area=report.area,
                            wave=report.reporter.wave,
                            status="open",
                            created_at=now,
                        )
                        .returning(incidents.c.id)
                    )
                ).scalar_one()
                await s.execute(
                    sa.update(reports)
                    .where(reports.c.id.in_(ids))
                    .values(incident_id=incident_id, next_due_at=None, updated_at=now)
                )
                for rid in ids:
                    await _event(
                        s,
                        report.tenant_id,
                        rid,
                        now,
                        EventKind.INCIDENT,
                        None,
                        f"grouped into major incident INC-{incident_id}",
                    )
                new = True
        if not new:
            await self._tell_reporter(
                await self.get(report.tenant_id, report.id),
                f"Thanks, your report is {report.reference}. It is part of a known major incident "
                f"(INC-{incident_id}) that is being worked on; we will tell you here when it is fixed.",
                f"incident-{incident_id}",
            )
            await self._refresh_incident_cards(report.tenant_id, incident_id)
            return True
        log.warning(
            "major incident formed", extra={"incident": incident_id, "area": report.area, "wave": report.reporter.wave}
        )
        members = await self.incident_reports(report.tenant_id, incident_id)
        card = views.incident_card(self.plan, incident_id, report.area, report.reporter.wave, members)
        area = self.plan.area(report.area)
        hops = [_Hop("owner", area.owner)] + [_Hop("project_lead", Contact(person=k)) for k in self.plan.project_leads]
        for i, hop in enumerate(hops):
            recipient = await self._recipient(report.tenant_id, hop.contact)
            if recipient is None:
                continue
            [delivery_id] = await self.delivery.enqueue(
                [
                    DeliveryRequest(
                        recipient=recipient,
                        message=OutgoingMessage(card=card, summary=f"Major incident INC-{incident_id}: {area.name}"),
                        purpose="problem-incident",
                        subject_id=f"incident-{incident_id}",
                        dedupe_key=f"incident:{incident_id}:{hop.role}:{i}",
                    )
                ]
            )
            async with self._tx(immediate=True) as s:
                await s.execute(
                    sa.insert(cards).values(
                        tenant_id=report.tenant_id,
                        incident_id=incident_id,
                        role=f"incident_{hop.role}",
                        chain_index=i,
                        delivery_id=delivery_id,
                        recipient_kind=recipient.kind,
                        recipient_key=recipient.key,
                        actionable=True,
                        created_at=now,
                    )
                )
        for member in members:
            await self._tell_reporter(
                member,
                f"Your report {member.reference} is part of a major incident (INC-{incident_id}) with "
                f"{len(members) - 1} similar reports; the project lead knows, and we will tell you here "
                "when it is fixed.",
                f"incident-{incident_id}",
            )
        return True

    async def incident_reports(self, tenant_id: str, incident_id: int) -> list[ProblemReport]:
        """Every report linked to an incident, oldest first."""
        async with self._tx() as s:
            ids = (
                (
                    await s.execute(
                        sa.select(reports.c.id)
                        .where(reports.c.tenant_id == tenant_id, reports.c.incident_id == incident_id)
                        .order_by(reports.c.id)
                    )
                )
                .scalars()
                .all()
            )
        return [await self.get(tenant_id, rid) for rid in ids]

    async def resolve_incident(self, tenant_id: str, incident_id: int, actor: Actor, note: str) -> list[ProblemReport]:
        """Resolve a major incident: every linked report is resolved and its reporter told."""
        if actor.person_key is None:
            raise ProblemError("only the project's owners, Service Desk and leads can resolve incidents")
        note = note.strip() or "Resolved."
        now = self.clock.now()
        async with self._tx(immediate=True) as s:
            row = (
                await s.execute(
                    sa.select(incidents).where(incidents.c.tenant_id == tenant_id, incidents.c.id == incident_id)
                )
            ).first()
            if row is None:
                raise ProblemError(f"no incident INC-{incident_id}")
            if row.status == "open":
                await s.execute(
                    sa.update(incidents)
                    .where(incidents.c.id == incident_id)
                    .values(status="resolved", resolved_at=now, resolution_note=note)
                )
        # The owner works the one incident card; updating every member's card at once would only
        # spend the conversation's rate limit on cards nobody is looking at.
        members = await self.incident_reports(tenant_id, incident_id)
        resolved = [await self._resolve(r, actor.name, note, refresh=False) for r in members]
        await self._refresh_incident_cards(tenant_id, incident_id)
        return resolved

    async def _refresh_incident_cards(self, tenant_id: str, incident_id: int) -> None:
        async with self._tx() as s:
            inc = (await s.execute(sa.select(incidents).where(incidents.c.id == incident_id))).first()
            rows = (
                await s.execute(
                    sa.select(cards.c.delivery_id).where(
                        cards.c.tenant_id == tenant_id, cards.c.incident_id == incident_id
                    )
                )
            ).all()
        if inc is None:
            return
        members = await self.incident_reports(tenant_id, incident_id)
        card = views.incident_card(
            self.plan,
            incident_id,
            inc.area,
            inc.wave,
            members,
            resolved_note=inc.resolution_note if inc.status == "resolved" else None,
        )
        for row in rows:
            await self._update(row.delivery_id, OutgoingMessage(card=card))

    # -- what people see -------------------------------------------------------------------

    async def owner_view(self, tenant_id: str, report_id: int) -> dict[str, Any]:
        """The owner's card for a report as it stands now (the answer to a card action)."""
        report = await self.get(tenant_id, report_id)
        return views.owner_card(self.plan, report, linked=await self._linked(report))

    async def status_view(self, tenant_id: str, report_id: int, message: str) -> dict[str, Any]:
        """The reporter's status card for a report as it stands now."""
        return views.status_card(self.plan, await self.get(tenant_id, report_id), message)

    async def incident_view(self, tenant_id: str, incident_id: int) -> dict[str, Any]:
        """The incident card as it stands now."""
        async with self._tx() as s:
            inc = (
                await s.execute(
                    sa.select(incidents).where(incidents.c.tenant_id == tenant_id, incidents.c.id == incident_id)
                )
            ).first()
        if inc is None:
            raise ProblemError(f"no incident INC-{incident_id}")
        members = await self.incident_reports(tenant_id, incident_id)
        note = inc.resolution_note if inc.status == "resolved" else None
        return views.incident_card(self.plan, incident_id, inc.area, inc.wave, members, resolved_note=note)

    async def looks_like_problem(self, text: str) -> float:
        """How likely a free-text message reports a problem (0..1); route to reporting at
        :data:`switchover.problems.triage.PROBLEM_THRESHOLD` or above."""
        return looks_like_problem(self.plan, text)

    # -- reading ------------------------------------------------------------------------

    async def get(self, tenant_id: str, report_id: int) -> ProblemReport:
        """One report with its timeline (:class:`ProblemError` when there is none in this tenant)."""
        async with self._tx() as s:
            row = (
                await s.execute(sa.select(reports).where(reports.c.tenant_id == tenant_id, reports.c.id == report_id))
            ).first()
            if row is None:
                raise ProblemError(f"no problem report {report_id}")
            evs = (
                await s.execute(
                    sa.select(events)
                    .where(events.c.tenant_id == tenant_id, events.c.report_id == report_id)
                    .order_by(events.c.id)
                )
            ).all()
        return _report(row, evs)

    async def _linked(self, report: ProblemReport) -> list[ProblemReport]:
        async with self._tx() as s:
            ids = (
                (
                    await s.execute(
                        sa.select(reports.c.id)
                        .where(reports.c.tenant_id == report.tenant_id, reports.c.duplicate_of == report.id)
                        .order_by(reports.c.id)
                    )
                )
                .scalars()
                .all()
            )
        return [await self.get(report.tenant_id, rid) for rid in ids]

    async def tenants(self) -> list[str]:
        """The tenants that have reports (the API's default when the plan names none)."""
        async with self._tx() as s:
            return list((await s.execute(sa.select(reports.c.tenant_id).distinct())).scalars())

    async def mine(self, tenant_id: str, reporter_id: str, *, limit: int = 10) -> list[ProblemReport]:
        """A reporter's reports, newest first."""
        return await self.list(tenant_id, reporter_id=reporter_id, limit=limit)

    async def list(
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
        """Reports matching every given filter, newest first."""
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
        async with self._tx() as s:
            rows = (await s.execute(sa.select(reports).where(*where).order_by(c.id.desc()).limit(limit))).all()
        if not with_timeline:
            return [_report(r, ()) for r in rows]
        return [await self.get(tenant_id, r.id) for r in rows]

    async def export_csv(self, tenant_id: str, **filters: Any) -> str:
        """Matching reports as CSV (one row per report, for spreadsheets)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "reference",
                "created_at",
                "status",
                "priority",
                "area",
                "impact",
                "urgency",
                "wave",
                "site",
                "department",
                "reporter",
                "reporter_upn",
                "assignee",
                "ack_due_at",
                "acknowledged_at",
                "resolved_at",
                "escalation_level",
                "incident",
                "duplicate_of",
                "text",
                "resolution_note",
            ]
        )
        for r in await self.list(tenant_id, **filters):
            writer.writerow(
                [
                    r.reference,
                    _iso(r.created_at),
                    r.status.value,
                    r.priority.value,
                    r.area,
                    r.impact.value,
                    r.urgency.value,
                    r.reporter.wave or "",
                    r.reporter.site or "",
                    r.reporter.department or "",
                    r.reporter.name or "",
                    r.reporter.upn or "",
                    r.assignee or "",
                    _iso(r.ack_due_at),
                    _iso(r.acknowledged_at),
                    _iso(r.resolved_at),
                    r.escalation_level,
                    f"INC-{r.incident_id}" if r.incident_id else "",
                    views.reference(r.duplicate_of) if r.duplicate_of else "",
                    _csv_safe(r.text),
                    _csv_safe(r.resolution_note or ""),
                ]
            )
        return out.getvalue()


# -- helpers ----------------------------------------------------------------------------


class _Tx:
    """``async with`` one Core transaction (SQLite: ``BEGIN IMMEDIATE`` for writers)."""

    def __init__(self, db: Any, immediate: bool) -> None:
        self._db, self._immediate = db, immediate

    async def __aenter__(self) -> Any:
        self._conn_cm = self._db.engine.connect()
        conn = await self._conn_cm.__aenter__()
        if self._immediate and self._db.dialect == "sqlite":
            conn = await conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        self._tx_cm = conn.begin()
        await self._tx_cm.__aenter__()
        return conn

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self._tx_cm.__aexit__(*exc)
        finally:
            await self._conn_cm.__aexit__(*exc)


async def _event(
    s: Any, tenant_id: str, report_id: int, at: dt.datetime, kind: EventKind, actor: str | None, detail: str | None
) -> None:
    await s.execute(
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
        timeline=tuple(TimelineEntry(e.at, EventKind(e.kind), e.actor, e.detail) for e in evs),
    )


def _has_area(plan: Plan, key: str) -> bool:
    return any(a.key == key for a in plan.areas)


def _iso(at: dt.datetime | None) -> str:
    return at.isoformat() if at else ""


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is a formula in Excel: neutralise it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


__all__ = ["Actor", "ProblemDesk", "ProblemError", "ReportDraft", "Reporter"]
