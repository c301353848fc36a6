"""Who owns a report next: the area's owner, then the backup, the project leads, the Service Desk channel.

Routing follows the plan: the area's owner (a person gets a 1:1 card, a
channel a new thread), outside business hours P1/P2 straight to a person (the
Service Desk channel is not watched then) and P3/P4 held until the desk opens.
A card that cannot be delivered moves the report on along the chain. The
chain's state is in the database (the cards sent, their outcomes in the
outbox, ``route_due_at``), so a stop between one step's failure and the next
loses nothing: :meth:`OwnerChain.run_due` finds it. After the last step fails
the report is marked unrouted, every project lead is alerted and it tops the
desk's list until someone takes it. The reporter hears whom it reached (or that
nobody was) only once the delivery is known.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from switchover.clock import Clock
from switchover.delivery import DeliveryOutcome, DeliveryStatus
from switchover.i18n import gettext as _
from switchover.plan.current import CurrentPlan
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
_FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE)
# How long after a chain card is queued (or found not sent yet) its stored outcome is looked at by
# run_due; the delivery engine's callback usually moves the chain long before.
ROUTE_LOOK = dt.timedelta(minutes=1)


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


def contact_shown(plan: Plan, contact: Contact) -> str:
    """A contact as the reader says it (:func:`contact_name` is what the timeline keeps, in the plan's words)."""
    if contact.channel is not None:
        return _("the {channel} channel").format(channel=contact.channel.channel)
    return contact_name(plan, contact)


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

    def __init__(self, plan: Plan | CurrentPlan, store: ReportStore, notifier: Notifier, clock: Clock) -> None:
        self.current = CurrentPlan.of(plan)
        self.store = store
        self.notifier = notifier
        self.clock = clock

    @property
    def plan(self) -> Plan:
        """The plan as it stands (read through the shared :class:`CurrentPlan`)."""
        return self.current.plan

    async def route(self, report: ProblemReport, now: dt.datetime) -> None:
        """Send a new report's card to its owner (or the first reachable hop), and tell the reporter.

        The reporter hears only what is known: the report is filed. Whom it reached is told once
        the card's delivery is known (:meth:`advance`), never before.
        """
        chain = hops(self.plan, report)
        start, not_before = 0, None
        schedule = report_schedule(self.plan, report)
        if not is_business_time(self.plan, now, schedule):
            if report.priority in self.plan.business_hours.direct_to_owner_after_hours:
                # Nobody watches the Service Desk channel after hours: go to the first person.
                start = next((i for i, h in enumerate(chain) if h.contact.person), 0)
            else:
                not_before = next_opening(self.plan, now, schedule)

        def message() -> str:
            if not_before:
                return _(
                    "Your report {reference} is filed; the Service Desk picks it up when it opens ({opens})."
                ).format(reference=report.reference, opens=views.when(not_before, self.plan.zone))
            return _("Your report {reference} is filed; I'm finding the right person.").format(
                reference=report.reference
            )

        await self.notifier.tell_reporter(report, message, "created")
        await self._send_along(report, chain, start, not_before=not_before)
        level = service_level(self.plan, report.priority, report.area)
        for target in level.notify_at_once:
            for i, hop in enumerate(targets(self.plan, report, target)):
                await self.notifier.send_card(
                    report, hop.role, hop.contact, chain_index=-1, actionable=False, suffix=f"now-{target.value}-{i}"
                )

    async def route_again(self, report: ProblemReport) -> None:
        """A rerouted or reopened report: its chain from the top, then the cards brought up to date."""
        await self.store.set_route_due(report, None, routed=True)
        await self._send_along(report, hops(self.plan, report), 0)
        await self.notifier.refresh_cards(report.tenant_id, report.id)

    async def on_card_outcome(self, outcome: DeliveryOutcome) -> None:
        """The delivery engine's verdict on a card: note it, and move the chain on from the stored outcome.

        This is the quick path; :meth:`run_due` finds what it missed (a stop between the outcome's
        commit and this callback) from the same stored outcome.
        """
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
        elif outcome.status in _FAILED:
            detail = f"{name}: {outcome.status.value} ({outcome.reason or 'no reason given'})"
            await self.store.add_event(report.tenant_id, report.id, now, EventKind.DELIVERY_FAILED, None, detail)
        else:
            return
        if not row.actionable:
            return
        if row.role in _OWNER_ROLES:
            await self.advance(report.tenant_id, report.id, now)
        elif outcome.status in _FAILED and report.is_open:
            # An escalation card failed: make sure someone further along has it.
            start = max(row.chain_index + 1 if row.chain_index >= 0 else 0, 1)
            await self._send_along(report, hops(self.plan, report), start)

    async def run_due(self, now: dt.datetime | None = None) -> int:
        """Look at every report whose chain card is due a look; returns how many moved on or were settled."""
        now = now or self.clock.now()
        moved = 0
        for tenant_id, report_id in await self.store.route_due(now):
            try:
                moved += await self.advance(tenant_id, report_id, now)
            except Exception:
                log.exception("could not move a report along its chain", extra={"report": report_id})
        return moved

    async def advance(self, tenant_id: str, report_id: int, now: dt.datetime) -> int:
        """From the stored outcome of the report's furthest chain card: delivered (tell the reporter
        whom), failed (the next step, or unrouted after the last), or not known yet (look again later).

        Returns 1 when something was settled or moved on, else 0. Safe to repeat: cards and messages
        carry dedupe keys, the unrouted mark is claimed once.
        """
        report = await self.store.get(tenant_id, report_id)
        if not report.is_open or report.unrouted_at is not None:
            await self.store.set_route_due(report, None)
            return 0
        furthest = await self.store.chain_cards(report, _OWNER_ROLES)
        if not furthest:
            await self.store.set_route_due(report, None)
            return 0
        index, delivery_id = furthest[0]
        outcome = await self.notifier.delivery.get(delivery_id)
        chain = hops(self.plan, report)
        if outcome.status is DeliveryStatus.SENT:
            await self.store.set_route_due(report, None)
            if 0 <= index < len(chain):
                await self._tell_delivered(report, chain[index])
            return 1
        if outcome.status in _FAILED:
            await self._send_along(report, chain, index + 1)
            return 1
        # Not sent yet (queued, held until the desk opens, being retried): look again later.
        await self.store.set_route_due(report, now + ROUTE_LOOK)
        return 0

    async def _tell_delivered(self, report: ProblemReport, hop: Hop) -> None:
        def message() -> str:
            who = contact_shown(self.plan, hop.contact)
            if report.ack_due_at is not None:
                return _("{reference} is with {who}, to acknowledge by {due}.").format(
                    reference=report.reference, who=who, due=views.when(report.ack_due_at, self.plan.zone)
                )
            return _("{reference} is with {who}.").format(reference=report.reference, who=who)

        await self.notifier.tell_reporter(report, message, "delivered")

    async def _unrouted(self, report: ProblemReport) -> None:
        """The last step failed: mark the report, alert every project lead once, tell the reporter."""
        now = self.clock.now()
        if not await self.store.claim_unrouted(report, now, "nobody on the chain could be reached"):
            return
        log.error("problem report could not be routed anywhere", extra={"report": report.id})

        def alert() -> str:
            return _(
                "**{reference}** ({priority}, {area}) reached nobody: its owner, backup, the project leads and "
                "the Service Desk channel could not be reached. It tops the problem list until someone takes "
                "it. Say **problem {reference}** to see it."
            ).format(
                reference=report.reference,
                priority=report.priority.value,
                area=views.area_title(self.plan, report.area),
            )

        def told() -> str:
            return _("We could not reach the {area} team about {reference}; the project lead has it.").format(
                area=views.area_title(self.plan, report.area), reference=report.reference
            )

        for key in self.plan.project_leads:
            await self.notifier.send_text(report, Contact(person=key), alert, f"unrouted-{key}")
        await self.notifier.tell_reporter(report, told, f"unrouted-c{report.cycle}")

    async def _send_along(
        self, report: ProblemReport, chain: list[Hop], start: int, *, not_before: dt.datetime | None = None
    ) -> Hop | None:
        """Send the actionable card to the first hop from ``start`` that resolves to a recipient;
        past the last hop, the report is unrouted."""
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
                # Durable before anything else: a stop from here on leaves the report for run_due.
                await self.store.set_route_due(report, (not_before or now) + ROUTE_LOOK)
                await self.store.add_event(report.tenant_id, report.id, now, EventKind.ROUTED, None, detail)
                return hop
            detail = f"{name} cannot be reached by the bot"
            await self.store.add_event(
                report.tenant_id, report.id, self.clock.now(), EventKind.DELIVERY_FAILED, None, detail
            )
        await self._unrouted(report)
        return None
