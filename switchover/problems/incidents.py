"""Known problems: major incidents (many reports alike, worked as one) and duplicate reports.

A new report first looks for what is already known: an open major incident of
its area and wave (the plan's ``major_incident`` rule), then an open report in
nearly the same words. Either way its reporter is told it is known and no
owner gets a second card. Once routed, a report can tip its area and wave over
the rule's count: a new incident groups the reports, alerts the owner and the
project leads, and tells every reporter.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz

from switchover.clock import Clock
from switchover.i18n import gettext as _
from switchover.messaging import OutgoingMessage
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Contact, Plan
from switchover.problems import views
from switchover.problems.chain import Hop
from switchover.problems.model import Incident, ProblemError, ProblemReport
from switchover.problems.notify import Notifier
from switchover.problems.store import ReportStore
from switchover.problems.triage import normalise

log = logging.getLogger(__name__)

# Reports this alike (rapidfuzz token-set ratio on normalised words) are the same problem.
SIMILAR_TEXT = 88
SIMILAR_WITHIN = dt.timedelta(hours=24)
# Shorter normalised texts say too little to call two reports the same.
_SIMILAR_MIN_CHARS = 12


class Incidents:
    """Links reports to major incidents and to the open report they duplicate.

    Args:
        plan: The migration plan (the major-incident rule, areas, leads).
        store: The reports and incidents.
        notifier: Sends the incident cards and tells reporters.
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

    async def check(self, report: ProblemReport, now: dt.datetime, *, form: bool) -> bool:
        """Link ``report`` to an open major incident of its area and wave, or (``form``) form one
        when the plan's count is reached in its window. True when the report is now part of one."""
        rule = self.plan.major_incident
        if rule is None:
            return False
        grouped = await self.store.group_into_incident(
            report,
            now,
            since=now - dt.timedelta(minutes=rule.within.minutes),
            same_area="area" in rule.same,
            same_wave="wave" in rule.same,
            form_at=rule.reports if form else None,
        )
        if grouped is None:
            return False
        incident_id, new = grouped
        if not new:
            await self.notifier.tell_reporter(
                await self.store.get(report.tenant_id, report.id),
                lambda: views.in_incident(report, incident_id),
                f"incident-{incident_id}",
            )
            await self.refresh_cards(report.tenant_id, incident_id)
            return True
        log.warning(
            "major incident formed", extra={"incident": incident_id, "area": report.area, "wave": report.reporter.wave}
        )
        await self._alert(report, incident_id)
        return True

    async def _alert(self, report: ProblemReport, incident_id: int) -> None:
        """A new incident: its card to the area's owner and the project leads, word to every reporter."""
        members = await self.store.incident_reports(report.tenant_id, incident_id)
        area = self.plan.area(report.area)

        def message() -> OutgoingMessage:
            card = views.incident_card(self.plan, incident_id, report.area, report.reporter.wave, members)
            summary = _("Major incident INC-{incident}: {area}").format(
                incident=incident_id, area=views.area_title(self.plan, report.area)
            )
            return OutgoingMessage(card=card, summary=summary)

        hops = [Hop("owner", area.owner)] + [Hop("project_lead", Contact(person=k)) for k in self.plan.project_leads]
        for i, hop in enumerate(hops):
            await self.notifier.send_incident_card(report.tenant_id, incident_id, hop.role, hop.contact, i, message)
        for member in members:
            await self.notifier.tell_reporter(
                member, self._part_of(member, incident_id, len(members) - 1), f"incident-{incident_id}"
            )

    @staticmethod
    def _part_of(member: ProblemReport, incident_id: int, similar: int) -> Callable[[], str]:
        def words() -> str:
            return _(
                "Your report {reference} is part of a wider problem, INC-{incident} (a major incident with "
                "{similar} similar reports); the project lead knows, and you'll hear here when it's fixed."
            ).format(reference=member.reference, incident=incident_id, similar=similar)

        return words

    async def link_duplicate(self, report: ProblemReport) -> bool:
        """Link a report to an open one in nearly the same words; tell the reporter it is known.

        Returns:
            Whether the report was linked.
        """
        mine = " ".join(normalise(report.text))
        if len(mine) < _SIMILAR_MIN_CHARS:
            return False
        for root_id, text in await self.store.open_since(report, report.created_at - SIMILAR_WITHIN):
            if fuzz.token_set_ratio(mine, " ".join(normalise(text))) < SIMILAR_TEXT:
                continue
            root = await self.store.get(report.tenant_id, root_id)
            await self.store.link_duplicate(report, root, self.clock.now())
            await self.notifier.tell_reporter(
                await self.store.get(report.tenant_id, report.id),
                lambda ref=root.reference: _(
                    "Thanks. This is already known as {reference} and being looked at; "
                    "we will tell you here when it is fixed."
                ).format(reference=ref),
                "linked",
            )
            await self.notifier.refresh_cards(root.tenant_id, root.id)
            return True
        return False

    async def get(self, tenant_id: str, incident_id: int) -> Incident:
        """One incident (:class:`ProblemError` when there is none in this tenant)."""
        incident = await self.store.incident(tenant_id, incident_id)
        if incident is None:
            raise ProblemError(_("no incident INC-{incident}").format(incident=incident_id))
        return incident

    async def card(self, incident: Incident) -> dict[str, Any]:
        """The incident card as it stands now."""
        members = await self.store.incident_reports(incident.tenant_id, incident.id)
        return views.incident_card(
            self.plan, incident.id, incident.area, incident.wave, members, resolved_note=incident.resolved_note
        )

    async def refresh_cards(self, tenant_id: str, incident_id: int) -> None:
        """Update every card sent about an incident in place."""
        incident = await self.store.incident(tenant_id, incident_id)
        if incident is None:
            return
        delivery_ids = await self.store.incident_cards(tenant_id, incident_id)
        members = await self.store.incident_reports(incident.tenant_id, incident.id)
        await self.notifier.update_each(
            delivery_ids,
            lambda: OutgoingMessage(
                card=views.incident_card(
                    self.plan, incident.id, incident.area, incident.wave, members, resolved_note=incident.resolved_note
                )
            ),
        )
