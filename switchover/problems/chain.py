"""Who owns a report next: the area's owner, then the backup, the project leads, the Service Desk channel.

Routing follows the plan: the area's owner (a person gets a 1:1 card, a
channel a new thread), outside business hours P1/P2 straight to a person (the
Service Desk channel is not watched then) and P3/P4 held until the desk opens.
A card that cannot be delivered moves the report on along the chain, so a
report is never left unrouted.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from switchover.clock import Clock
from switchover.delivery import DeliveryOutcome, DeliveryStatus
from switchover.plan.desks import desk_for
from switchover.plan.model import Contact, EscalationTarget, Plan
from switchover.problems import views
from switchover.problems.deadlines import is_business_time, next_opening, report_schedule, service_level
from switchover.problems.model import EventKind, ProblemReport
from switchover.problems.notify import Notifier
from switchover.problems.store import ReportStore

log = logging.getLogger(__name__)

# The roles of the chain itself; a failed card of any other role (an escalation's) moves past the owner.
_OWNER_ROLES = ("owner", "backup", "project_lead", "service_desk")


@dataclass(frozen=True, slots=True)
class Hop:
    """One place a report's card can go: a role and a plan contact."""

    role: str
    contact: Contact


def hops(plan: Plan, report: ProblemReport) -> list[Hop]:
    """The report's chain: owner, backup, project leads, Service Desk channel (each contact once)."""
    area = plan.area(report.area)
    chain = [Hop("owner", area.owner), Hop("backup", area.backup)]
    chain += [Hop("project_lead", Contact(person=k)) for k in plan.project_leads]
    r = report.reporter
    desk = desk_for(plan, site=r.site, city=r.city, country=r.country)  # the reporter's own desk's channel
    chain.append(Hop("service_desk", Contact(channel=desk.channel)))
    seen: set[str] = set()
    unique = []
    for hop in chain:
        key = hop.contact.person or str(hop.contact.channel)
        if key not in seen:
            seen.add(key)
            unique.append(hop)
    return unique


def targets(plan: Plan, report: ProblemReport, target: EscalationTarget) -> list[Hop]:
    """Who an escalation step (or a priority's "notify at once") goes to."""
    if target is EscalationTarget.BACKUP:
        return [Hop("backup", plan.area(report.area).backup)]
    if target is EscalationTarget.PROJECT_LEAD:
        return [Hop("project_lead", Contact(person=k)) for k in plan.project_leads]
    return [Hop("sponsor", Contact(person=plan.sponsor))]


def contact_name(plan: Plan, contact: Contact) -> str:
    """A contact as people say it: a person's name, or "the <name> channel"."""
    if contact.channel is not None:
        return f"the {contact.channel.channel} channel"
    try:
        return plan.person(contact.person or "").name
    except KeyError:
        return contact.person or "?"


def has_area(plan: Plan, key: str) -> bool:
    """Whether the plan has an area ``key``."""
    return any(a.key == key for a in plan.areas)


class OwnerChain:
    """Sends a report's working card along its chain until someone can be reached.

    Args:
        plan: The migration plan (areas, owners, leads, hours, service levels).
        store: The reports.
        notifier: Sends the cards and tells the reporter.
        clock: The one source of "now".
    """

    def __init__(self, plan: Plan, store: ReportStore, notifier: Notifier, clock: Clock) -> None:
        self.plan = plan
        self.store = store
        self.notifier = notifier
        self.clock = clock

    async def route(self, report: ProblemReport, now: dt.datetime) -> None:
        """Send a new report's card to its owner (or the first reachable hop), and tell the reporter."""
        chain = hops(self.plan, report)
        start, not_before = 0, None
        schedule = report_schedule(self.plan, report)
        if not is_business_time(self.plan, now, schedule):
            if report.priority in self.plan.business_hours.direct_to_owner_after_hours:
                # Nobody watches the Service Desk channel after hours: go to the first person.
                start = next((i for i, h in enumerate(chain) if h.contact.person), 0)
            else:
                not_before = next_opening(self.plan, now, schedule)
        routed = await self._send_along(report, chain, start, not_before=not_before)
        level = service_level(self.plan, report.priority, report.area)
        for target in level.notify_at_once:
            for i, hop in enumerate(targets(self.plan, report, target)):
                await self.notifier.send_card(
                    report, hop.role, hop.contact, chain_index=-1, actionable=False, suffix=f"now-{target.value}-{i}"
                )
        message = f"Thanks, your report is {report.reference}. "
        if routed is not None:
            message += f"It went to {contact_name(self.plan, routed.contact)} ({self.plan.area(report.area).name})"
            message += (
                f", who will pick it up when the Service Desk opens ({views.when(not_before, self.plan.zone)})."
                if not_before
                else f"; they are asked to acknowledge it by {views.when(report.ack_due_at, self.plan.zone)}."
            )
        await self.notifier.tell_reporter(report, message, "created")

    async def route_again(self, report: ProblemReport) -> None:
        """A rerouted or reopened report: its chain from the top, then the cards brought up to date."""
        await self._send_along(report, hops(self.plan, report), 0)
        await self.notifier.refresh_cards(report.tenant_id, report.id)

    async def on_card_outcome(self, outcome: DeliveryOutcome) -> None:
        """The delivery engine's verdict on a card: note it, or move on along the chain."""
        row = await self.store.card(outcome.tenant_id, outcome.id)
        if row is None or row.report_id is None:
            return
        report = await self.store.get(outcome.tenant_id, row.report_id)
        now = self.clock.now()
        name = outcome.recipient.display_name or outcome.recipient.key
        if outcome.status is DeliveryStatus.SENT:
            await self.store.add_event(
                report.tenant_id, report.id, now, EventKind.NOTIFIED, None, f"card delivered to {name}"
            )
            return
        if outcome.status not in (DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE):
            return
        detail = f"{name}: {outcome.status.value} ({outcome.reason or 'no reason given'})"
        await self.store.add_event(report.tenant_id, report.id, now, EventKind.DELIVERY_FAILED, None, detail)
        if not report.is_open or not row.actionable:
            return
        start = row.chain_index + 1 if row.chain_index >= 0 else 0
        if row.role not in _OWNER_ROLES:
            # An escalation card failed: make sure someone further along has it.
            start = max(start, 1)
        await self._send_along(report, hops(self.plan, report), start)

    async def _send_along(
        self, report: ProblemReport, chain: list[Hop], start: int, *, not_before: dt.datetime | None = None
    ) -> Hop | None:
        """Send the actionable card to the first hop from ``start`` that resolves to a recipient."""
        for index in range(start, len(chain)):
            hop = chain[index]
            sent = await self.notifier.send_card(
                report,
                hop.role,
                hop.contact,
                chain_index=index,
                actionable=True,
                suffix=f"route-{index}",
                not_before=not_before,
            )
            name = contact_name(self.plan, hop.contact)
            if sent:
                detail = f"{hop.role.replace('_', ' ')}: {name}"
                now = self.clock.now()
                await self.store.add_event(report.tenant_id, report.id, now, EventKind.ROUTED, None, detail)
                return hop
            detail = f"{name} cannot be reached by the bot"
            await self.store.add_event(
                report.tenant_id, report.id, self.clock.now(), EventKind.DELIVERY_FAILED, None, detail
            )
        log.error("problem report could not be routed anywhere", extra={"report": report.id})
        return None
