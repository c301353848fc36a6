"""What people do to a filed report: acknowledge, assign, reroute, comment, resolve, reopen (staff or reporter).

Each action is a status change noted on the report's timeline, followed by
what it causes: the reporter is told, the cards are updated in place, and a
report that changes hands (rerouted, reopened) starts a new cycle: the old
cards are retired, the clock and escalation start again and the chain is
walked from the top.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from switchover import access
from switchover.clock import Clock
from switchover.i18n import gettext as _
from switchover.i18n import pgettext
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Contact, Plan
from switchover.problems import views
from switchover.problems.chain import OwnerChain, has_area
from switchover.problems.deadlines import ack_deadline, escalation_times, report_schedule
from switchover.problems.model import Actor, EventKind, ProblemError, ProblemReport, ReportStatus, reference
from switchover.problems.notify import Notifier
from switchover.problems.store import ReportStore


def not_found(reference: str) -> str:
    """The one answer for a report that does not exist and for one the asker may not see."""
    return _("I found no report {reference} that you can see. Say **my problems** for yours.").format(
        reference=reference
    )


def not_yours(reference: str, doing: str) -> str:
    """The answer for a report the asker may see but not do ``doing`` (one of :data:`DOING`) to."""
    shown = DOING[doing]() if doing in DOING else doing
    # Translators: {doing} is one of the phrases with the context "not yours to" (acknowledge, comment on...).
    return _("{reference} is not yours to {doing}.").format(reference=reference, doing=shown)


# What a person may not do to a report; the English words are the ones the refusal always said.
ACKNOWLEDGE, ASSIGN, RESOLVE, SEND_ON = "acknowledge", "assign", "resolve", "send on"
COMMENT_ON, CLOSE, REOPEN = "comment on", "close", "reopen"
SEE_LINKED = "see the reports linked to it"
DOING: dict[str, Callable[[], str]] = {
    ACKNOWLEDGE: lambda: pgettext("not yours to", "acknowledge"),
    ASSIGN: lambda: pgettext("not yours to", "assign"),
    RESOLVE: lambda: pgettext("not yours to", "resolve"),
    SEND_ON: lambda: pgettext("not yours to", "send on"),
    COMMENT_ON: lambda: pgettext("not yours to", "comment on"),
    CLOSE: lambda: pgettext("not yours to", "close"),
    REOPEN: lambda: pgettext("not yours to", "reopen"),
    SEE_LINKED: lambda: pgettext("not yours to", "see the reports linked to it"),
}


class ReportActions:
    """The status changes of a report, by its owners, the Service Desk, leads and its reporter.

    Args:
        plan: The migration plan (people, areas, service levels).
        store: The reports.
        notifier: Tells reporters and updates cards.
        chain: Routes a report that changed hands.
        clock: The one source of "now".
    """

    def __init__(
        self, plan: Plan | CurrentPlan, store: ReportStore, notifier: Notifier, chain: OwnerChain, clock: Clock
    ) -> None:
        self.current = CurrentPlan.of(plan)
        self.store = store
        self.notifier = notifier
        self.chain = chain
        self.clock = clock

    @property
    def plan(self) -> Plan:
        """The plan as it stands (read through the shared :class:`CurrentPlan`)."""
        return self.current.plan

    async def acknowledge(self, tenant_id: str, report_id: int, actor: Actor) -> ProblemReport:
        """Stop escalation: someone accountable has it."""
        report = await self._for_staff(tenant_id, report_id, actor, ACKNOWLEDGE)
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
            report = await self.store.get(tenant_id, report_id)
            await self.notifier.tell_reporter(report, lambda: views.acknowledged(actor.name), f"ack-c{report.cycle}")
        await self.notifier.refresh_cards(tenant_id, report_id)
        return await self.store.get(tenant_id, report_id)

    async def assign(self, tenant_id: str, report_id: int, actor: Actor, person_key: str) -> ProblemReport:
        """Hand a report to another owner or Service Desk member (acknowledges it too)."""
        report = await self._for_staff(tenant_id, report_id, actor, ASSIGN)
        try:
            person = self.plan.person(person_key)
        except KeyError:
            raise ProblemError(_("{key} is not a person in the plan").format(key=repr(person_key))) from None
        if not access.is_staff(self.plan, person.key):
            raise ProblemError(_("{name} works no area's reports, so cannot be given one").format(name=person.name))
        if report.status is ReportStatus.ACKNOWLEDGED and report.assignee == person.key:
            return report  # already theirs: a retried assignment changes nothing and tells nobody again
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
        report = await self.store.get(tenant_id, report_id)
        await self.notifier.send_card(
            report,
            "assignee",
            Contact(person=person.key),
            chain_index=-1,
            actionable=True,
            suffix=f"assign-{person.key}-{now.timestamp():.0f}",
        )
        await self.notifier.tell_reporter(
            report, lambda: views.assigned(person.name), f"assign-c{report.cycle}-{person.key}-{now.timestamp():.0f}"
        )
        await self.notifier.refresh_cards(tenant_id, report_id)
        return await self.store.get(tenant_id, report_id)

    async def resolve(self, tenant_id: str, report_id: int, actor: Actor, note: str) -> ProblemReport:
        """Resolve with a note the reporter sees; linked reports are resolved with it."""
        report = await self._for_staff(tenant_id, report_id, actor, RESOLVE)
        return await self.close(report, actor.name, note.strip() or views.RESOLVED_NOTE)

    async def close(
        self, report: ProblemReport, actor_name: str | None, note: str, *, refresh: bool = True
    ) -> ProblemReport:
        """Resolve ``report`` and its duplicates with ``note`` and tell their reporters (no permission check).

        Args:
            refresh: Update the owners' cards too (resolving an incident updates its one card instead).
        """
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
        report = await self.store.get(report.tenant_id, report.id)
        await self.notifier.tell_reporter(report, lambda: views.resolved(report, note), f"resolved-c{report.cycle}")
        if refresh:
            await self.notifier.refresh_cards(report.tenant_id, report.id)
        for dup in await self.store.linked(report):
            await self.close(dup, actor_name, note, refresh=refresh)
        return report

    async def not_mine(self, tenant_id: str, report_id: int, actor: Actor, area_key: str | None) -> ProblemReport:
        """Reroute to another area (the catch-all when none is given); the new owner's clock starts now."""
        report = await self._for_staff(tenant_id, report_id, actor, SEND_ON)
        if not report.is_open:
            raise ProblemError(_("{reference} is already resolved").format(reference=report.reference))
        catch_all = self.plan.catch_all_area.key
        new_area = area_key if area_key and has_area(self.plan, area_key) else catch_all
        if new_area == report.area:
            new_area = catch_all
        now = self.clock.now()
        await self.notifier.retire_cards(report)
        await self._set(
            report,
            EventKind.REROUTED,
            actor.name,
            f"from {self.plan.area(report.area).name} to {self.plan.area(new_area).name}",
            area=new_area,
            status=ReportStatus.OPEN.value,
            assignee=None,
            **self._new_cycle(report, now),
        )
        report = await self.store.get(tenant_id, report_id)
        # Told before the chain is walked: the new area's name is what stays true whatever the chain does.
        await self.notifier.tell_reporter(
            report, lambda: views.rerouted(self.plan, report, actor.name), f"rerouted-c{report.cycle}"
        )
        await self.chain.route_again(report)
        return await self.store.get(tenant_id, report_id)

    async def comment(self, tenant_id: str, report_id: int, actor: Actor, text: str) -> ProblemReport:
        """Add a comment; the reporter's comment reaches the card holders, staff's reaches the reporter.

        A reporter commenting on a resolved report reopens it.
        """
        report, rights = await self.visible(tenant_id, report_id, actor)
        text = text.strip()[:2000]
        if not text:
            raise ProblemError(_("an empty comment"))
        is_reporter = rights.reporter
        if not (rights.reporter or rights.work):
            raise ProblemError(not_yours(report.reference, COMMENT_ON))
        await self.store.add_event(tenant_id, report_id, self.clock.now(), EventKind.COMMENTED, actor.name, text)
        if is_reporter and report.status is ReportStatus.RESOLVED:
            return await self.reopen(tenant_id, report_id, actor, text)
        if not is_reporter:
            await self.notifier.tell_reporter(
                report, lambda: views.commented(actor.name, text), f"comment-{self.clock.now().timestamp()}"
            )
        await self.notifier.refresh_cards(tenant_id, report_id)
        return await self.store.get(tenant_id, report_id)

    async def reporter_fixed(self, tenant_id: str, report_id: int, actor: Actor) -> ProblemReport:
        """The reporter says it is fixed: resolve it in their words."""
        report, rights = await self.visible(tenant_id, report_id, actor)
        if not (rights.reporter or rights.work):
            raise ProblemError(not_yours(report.reference, CLOSE))
        return await self.close(report, actor.name, views.REPORTER_FIXED_NOTE)

    async def staff_reopen(self, tenant_id: str, report_id: int, actor: Actor, why: str = "") -> ProblemReport:
        """Someone who works the report (its owner or backup, the Service Desk, a lead, its assignee)
        reopens a resolved one; the reporter is told who did and why.

        Reopening a report that is open already changes nothing (a retried button, or two people at once).
        """
        await self._for_staff(tenant_id, report_id, actor, REOPEN)
        return await self.reopen(tenant_id, report_id, actor, why.strip()[:2000])

    async def reopen(self, tenant_id: str, report_id: int, actor: Actor, why: str = "") -> ProblemReport:
        """A resolved report comes back: the clock and escalation start again and the owner is told.

        No permission check here: :meth:`staff_reopen` and a reporter's comment (:meth:`comment`) ask first.
        """
        report = await self.store.get(tenant_id, report_id)
        if report.is_open:
            return report
        now = self.clock.now()
        # The old cards stay as a record; the owner gets a fresh one (a notification) to work.
        await self.notifier.retire_cards(report)
        await self._set(
            report,
            EventKind.REOPENED,
            actor.name,
            why or None,
            status=ReportStatus.OPEN.value,
            resolved_at=None,
            resolution_note=None,
            **self._new_cycle(report, now),
        )
        report = await self.store.get(tenant_id, report_id)
        if not access.report_rights(self.plan, actor, report).reporter:
            # The reporter who reopened it knows; anyone else reopening it tells them.
            await self.notifier.tell_reporter(
                report, lambda: views.reopened(actor.name, why), f"reopened-c{report.cycle}"
            )
        await self.chain.route_again(report)
        return report

    def _new_cycle(self, report: ProblemReport, now: dt.datetime) -> dict[str, Any]:
        """The columns of a report that starts over at ``now``: next cycle, fresh deadline and steps."""
        schedule = report_schedule(self.plan, report)
        steps = escalation_times(self.plan, report.priority, now, area=report.area, schedule=schedule)
        return {
            "cycle": report.cycle + 1,
            "escalation_level": 0,
            "clock_started_at": now,
            "ack_due_at": ack_deadline(self.plan, report.priority, now, area=report.area, schedule=schedule),
            "next_due_at": steps[0][0] if steps else None,
            "acknowledged_at": None,
        }

    async def visible(self, tenant_id: str, report_id: int, actor: Actor) -> tuple[ProblemReport, access.ReportRights]:
        """The report and what ``actor`` may do with it; one "not found" for a missing report and a hidden one."""
        try:
            report = await self.store.get(tenant_id, report_id)
        except ProblemError:
            raise ProblemError(not_found(reference(report_id))) from None
        rights = access.report_rights(self.plan, actor, report)
        if not rights.see:
            raise ProblemError(not_found(report.reference))
        return report, rights

    async def _for_staff(self, tenant_id: str, report_id: int, actor: Actor, doing: str) -> ProblemReport:
        report, rights = await self.visible(tenant_id, report_id, actor)
        if not rights.work:
            raise ProblemError(not_yours(report.reference, doing))
        return report

    async def _set(
        self, report: ProblemReport, kind: EventKind, actor: str | None, detail: str | None, **values: Any
    ) -> None:
        await self.store.update(report, self.clock.now(), kind, actor, detail, **values)
