"""The problem desk: every command the bot, the dialog and the API give about problem reports.

:class:`ProblemDesk` files a report (triage, store, known problem or route,
start the clock) and hands everything else to the module that does it:

- :mod:`~switchover.problems.store`: the SQL (reports, timeline, cards, incidents);
- :mod:`~switchover.problems.chain`: who owns a report next (owner -> backup -> lead -> Service Desk);
- :mod:`~switchover.problems.notify`: cards and reporter messages through the delivery engine;
- :mod:`~switchover.problems.escalation`: acknowledgement deadlines that pass;
- :mod:`~switchover.problems.incidents`: major incidents and duplicate reports;
- :mod:`~switchover.problems.actions`: acknowledge, assign, reroute, comment, resolve, reopen;
- :mod:`~switchover.problems.views` and :mod:`~switchover.problems.export`: cards and CSV.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from switchover import access
from switchover.clock import Clock
from switchover.delivery import DeliveryEngine
from switchover.directory.base import Directory
from switchover.i18n import gettext as _
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Impact, Plan, Urgency
from switchover.problems import export, views
from switchover.problems.actions import SEE_LINKED, ReportActions, not_yours
from switchover.problems.chain import OwnerChain, has_area
from switchover.problems.deadlines import ack_deadline, escalation_times, schedule_for
from switchover.problems.drafts import DraftStore
from switchover.problems.escalation import Escalation
from switchover.problems.incidents import Incidents
from switchover.problems.model import Actor, ProblemError, ProblemReport, ReportDraft, ReportStatus
from switchover.problems.notify import PURPOSE, STATUS_PURPOSE, Notifier
from switchover.problems.store import ReportStore
from switchover.problems.triage import looks_like_problem, triage
from switchover.storage.conversations import ConversationStore
from switchover.storage.db import Database

log = logging.getLogger(__name__)

# How old a reply-owed mark must be before a sweep takes it as left by a crash: a filing in
# progress (routing, duplicates, incidents) finishes well within this.
OWED_REPLY_GRACE = dt.timedelta(minutes=1)


class ProblemDesk:
    """Problem reports from submission to resolution.

    Args:
        db: The database (migrated with ``0004_problems``).
        plan: The migration plan (areas, owners, service levels, hours, incident rule).
        directory: Finds the Entra object id of plan people (cards go to object ids).
        delivery: The delivery engine every card and message goes through.
        clock: The one source of "now".
    """

    def __init__(
        self, db: Database, plan: Plan | CurrentPlan, directory: Directory, delivery: DeliveryEngine, clock: Clock
    ) -> None:
        self.current = CurrentPlan.of(plan)
        self.clock = clock
        self.delivery = delivery
        self.store = ReportStore(db)
        self.drafts = DraftStore(db, clock)
        # Each person's Teams language, for what they are sent later (the 1:1 chat's stored locale).
        conversations = ConversationStore(db)
        self.notifier = notifier = Notifier(self.current, directory, delivery, self.store, clock, conversations)
        self.chain = OwnerChain(self.current, self.store, notifier, clock)
        self.escalation = Escalation(self.current, self.store, notifier, clock)
        self.incidents = Incidents(self.current, self.store, notifier, clock)
        self.actions = ReportActions(self.current, self.store, notifier, self.chain, clock)
        delivery.on_outcome(PURPOSE, self.chain.on_card_outcome)

    @property
    def plan(self) -> Plan:
        """The plan as it stands (read through the shared :class:`CurrentPlan`)."""
        return self.current.plan

    # -- filing ---------------------------------------------------------------------

    async def submit(self, draft: ReportDraft) -> ProblemReport:
        """File a report: triage what the reporter did not say, store, link or route, start the clock.

        Submitting the same ``submission_key`` twice returns the first report, to the same reporter
        only: anyone else's key is refused as not found.
        """
        r = draft.reporter
        if draft.submission_key:
            existing = await self._by_submission(r.tenant_id, draft.submission_key)
            if existing is not None:
                if existing.reporter.id != r.id:
                    raise ProblemError(
                        _("I found no report form of yours like that. Say **report a problem** to start.")
                    )
                return existing
        t = triage(self.plan, draft.text)
        area = draft.area if draft.area and has_area(self.plan, draft.area) else t.area
        confidence = 1.0 if draft.area and area == draft.area else t.confidence
        impact = Impact(draft.impact or t.impact.value)
        urgency = Urgency(draft.urgency or t.urgency.value)
        priority = self.plan.priority_for(impact, urgency)
        now = self.clock.now()
        # The clock runs in the hours of the area, else of the desk that serves the reporter.
        schedule = schedule_for(self.plan, area=area, site=r.site, city=r.city, country=r.country)
        steps = escalation_times(self.plan, priority, now, area=area, schedule=schedule)
        values = {
            "tenant_id": r.tenant_id,
            "reporter_id": r.id,
            "reporter_name": r.name,
            "reporter_upn": r.upn,
            "text": draft.text.strip()[:4000],
            "area": area,
            "area_confidence": confidence,
            "impact": impact.value,
            "urgency": urgency.value,
            "priority": priority.value,
            "wave": r.wave,
            "site": r.site,
            "department": r.department,
            "city": r.city,
            "country": r.country,
            "screenshot_url": draft.screenshot_url,
            "submission_key": draft.submission_key,
            "status": ReportStatus.OPEN.value,
            "created_at": now,
            "clock_started_at": now,
            "ack_due_at": ack_deadline(self.plan, priority, now, area=area, schedule=schedule),
            "next_due_at": steps[0][0] if steps else None,
            "escalation_level": 0,
            "cycle": 0,
            "updated_at": now,
        }
        detail = f"{self.plan.area(area).name} ({round(confidence * 100)}%), {priority.value}"
        try:
            report_id = await self.store.insert(values, actor=r.name, detail=detail)
        except IntegrityError:
            # The same confirmed draft raced in twice; the first one wins.
            existing = await self._by_submission(r.tenant_id, draft.submission_key or "")
            if existing is None:
                raise
            return existing
        log.info("problem reported", extra={"report": report_id, "area": area, "priority": priority.value})
        await self._file(await self.get(r.tenant_id, report_id), now)
        return await self.get(r.tenant_id, report_id)

    async def _file(self, report: ProblemReport, now: dt.datetime) -> None:
        """What follows storing a report: known problem or route, and the reporter told.

        Safe to run again for a report a crash interrupted: every card and message goes through
        the outbox under a key, so one already queued is not sent twice.
        """
        # Known problems first: an open major incident, then an open report in nearly the same words.
        if not await self.incidents.check(report, now, form=False) and not await self.incidents.link_duplicate(report):
            await self.chain.route(report, now)
            await self.incidents.check(report, now, form=True)
        await self.store.reply_given(report.tenant_id, report.id)

    async def settle_owed_replies(self, now: dt.datetime | None = None) -> int:
        """Tell every reporter a crash left untold their reference; returns how many were told.

        A report is stored with a "reply owed" mark, cleared once its reporter's message is in
        the outbox. A mark older than ``OWED_REPLY_GRACE`` means the process filing it stopped
        in between (a filing in progress elsewhere is younger): the filing is finished now, and
        the reporter gets their reference through the outbox.
        """
        now = now or self.clock.now()
        told = 0
        for tenant_id, report_id in await self.store.replies_owed(before=now - OWED_REPLY_GRACE):
            try:
                report = await self.get(tenant_id, report_id)
                if not await self.delivery.outcomes(tenant_id, STATUS_PURPOSE, str(report_id)):
                    if report.is_open:
                        await self._file(report, now)
                    if not await self.delivery.outcomes(tenant_id, STATUS_PURPOSE, str(report_id)):
                        await self.notifier.tell_reporter(
                            report,
                            lambda ref=report.reference: _("Thanks, your report is {reference}.").format(reference=ref),
                            "created",
                        )
                    told += 1
                await self.store.reply_given(tenant_id, report_id)
                log.warning("reply owed to a reporter settled", extra={"report": report_id})
            except ProblemError:  # the report is gone (erased): nobody is owed anything
                await self.store.reply_given(tenant_id, report_id)
            except Exception:
                log.exception("could not settle a reply owed to a reporter", extra={"report": report_id})
        return told

    async def _by_submission(self, tenant_id: str, key: str) -> ProblemReport | None:
        report_id = await self.store.id_by_submission(tenant_id, key)
        return await self.get(tenant_id, report_id) if report_id is not None else None

    # -- escalation -----------------------------------------------------------------

    async def run_due(self, now: dt.datetime | None = None) -> int:
        """Move on every report whose chain card failed (or was delivered) unnoticed, then escalate
        every report whose next step is due; returns how many escalation steps were taken.

        The plan is read again first when another instance changed it (hours, owners, staffed days)."""
        await self.current.refresh()
        await self.advance_routing(now)
        return await self.escalation.run_due(now)

    async def advance_routing(self, now: dt.datetime | None = None) -> int:
        """Move every report along its chain from its cards' stored outcomes (at start and on every
        wake-up: a stop between a failed card and the next step loses nothing); returns how many moved."""
        return await self.chain.run_due(now)

    # -- actions on a report --------------------------------------------------------

    async def acknowledge(self, tenant_id: str, report_id: int, actor: Actor) -> ProblemReport:
        """Stop escalation: someone accountable has it."""
        return await self.actions.acknowledge(tenant_id, report_id, actor)

    async def assign(self, tenant_id: str, report_id: int, actor: Actor, person_key: str) -> ProblemReport:
        """Hand a report to another owner or Service Desk member (acknowledges it too)."""
        return await self.actions.assign(tenant_id, report_id, actor, person_key)

    async def resolve(self, tenant_id: str, report_id: int, actor: Actor, note: str) -> ProblemReport:
        """Resolve with a note the reporter sees; linked reports are resolved with it."""
        return await self.actions.resolve(tenant_id, report_id, actor, note)

    async def not_mine(self, tenant_id: str, report_id: int, actor: Actor, area_key: str | None) -> ProblemReport:
        """Reroute to another area (the catch-all when none is given); the new owner's clock starts now."""
        return await self.actions.not_mine(tenant_id, report_id, actor, area_key)

    async def comment(self, tenant_id: str, report_id: int, actor: Actor, text: str) -> ProblemReport:
        """Add a comment; a reporter commenting on a resolved report reopens it."""
        return await self.actions.comment(tenant_id, report_id, actor, text)

    async def reporter_fixed(self, tenant_id: str, report_id: int, actor: Actor) -> ProblemReport:
        """The reporter says it is fixed: resolve it in their words."""
        return await self.actions.reporter_fixed(tenant_id, report_id, actor)

    async def reopen(self, tenant_id: str, report_id: int, actor: Actor, why: str = "") -> ProblemReport:
        """Staff who work a resolved report reopen it; the reporter is told ("reopened by ...")."""
        return await self.actions.staff_reopen(tenant_id, report_id, actor, why)

    # -- major incidents ------------------------------------------------------------

    async def incident_reports(self, tenant_id: str, incident_id: int) -> list[ProblemReport]:
        """Every report linked to an incident, oldest first."""
        return await self.store.incident_reports(tenant_id, incident_id)

    async def resolve_incident(self, tenant_id: str, incident_id: int, actor: Actor, note: str) -> list[ProblemReport]:
        """Resolve a major incident: every linked report is resolved and its reporter told."""
        await self._incident_for_staff(tenant_id, incident_id, actor)
        note = note.strip() or views.RESOLVED_NOTE
        await self.store.resolve_incident(tenant_id, incident_id, self.clock.now(), note)
        # The owner works the one incident card; updating every member's card at once would only
        # spend the conversation's rate limit on cards nobody is looking at.
        members = await self.store.incident_reports(tenant_id, incident_id)
        resolved = [await self.actions.close(r, actor.name, note, refresh=False) for r in members]
        await self.incidents.refresh_cards(tenant_id, incident_id)
        return resolved

    async def _incident_for_staff(self, tenant_id: str, incident_id: int, actor: Actor) -> None:
        try:
            incident = await self.incidents.get(tenant_id, incident_id)
        except ProblemError:
            incident = None
        if incident is None or not access.works_area(self.plan, actor.person_key, incident.area):
            # One answer for an incident that does not exist and one that is not the actor's.
            raise ProblemError(_("I found no incident INC-{incident} that you work on.").format(incident=incident_id))

    # -- what people see ------------------------------------------------------------

    async def view_for(
        self, tenant_id: str, report_id: int, actor: Actor, message: str | None = None
    ) -> dict[str, Any]:
        """The card ``actor`` may see for a report: the owner's card for those who work it (or the
        sponsor, read-only), the status card for its reporter; "not found" for anyone else."""
        report, rights = await self.actions.visible(tenant_id, report_id, actor)
        if rights.reporter and not rights.work:
            return views.status_card(self.plan, report, message or views.status_title(report.status))
        return views.owner_card(self.plan, report, linked=await self.store.linked(report), actions=rights.work)

    async def incident_view_for(self, tenant_id: str, incident_id: int, actor: Actor) -> dict[str, Any]:
        """The incident card for someone who works the incident's area."""
        await self._incident_for_staff(tenant_id, incident_id, actor)
        return await self.incident_view(tenant_id, incident_id)

    async def linked_view(
        self,
        tenant_id: str,
        actor: Actor,
        *,
        report_id: int | None = None,
        incident_id: int | None = None,
        page: int = 1,
    ) -> dict[str, Any]:
        """The whole list behind an owner card's "and 96 more linked reports" (or an incident's), a page
        at a time, for those who may see that card (a reporter sees only their own reports)."""
        if incident_id is not None:
            await self._incident_for_staff(tenant_id, incident_id, actor)
            members = await self.store.incident_reports(tenant_id, incident_id)
            lines = [views.incident_line(r, self.plan.zone) for r in members]
            return views.report_list_card(
                _("Reports of major incident INC-{incident}").format(incident=incident_id),
                lines,
                page=page,
                say=views.linked_say(f"INC-{incident_id}"),
            )
        report, rights = await self.actions.visible(tenant_id, report_id or 0, actor)
        if rights.reporter and not rights.work:
            raise ProblemError(not_yours(report.reference, SEE_LINKED))
        lines = [views.linked_line(r) for r in await self.store.linked(report)]
        return views.report_list_card(
            _("Reports linked to {reference}").format(reference=report.reference),
            lines,
            page=page,
            say=views.linked_say(report.reference),
        )

    async def owner_view(self, tenant_id: str, report_id: int) -> dict[str, Any]:
        """The owner's card for a report as it stands now (the answer to a card action)."""
        report = await self.get(tenant_id, report_id)
        return views.owner_card(self.plan, report, linked=await self.store.linked(report))

    async def status_view(self, tenant_id: str, report_id: int, message: str) -> dict[str, Any]:
        """The reporter's status card for a report as it stands now."""
        return views.status_card(self.plan, await self.get(tenant_id, report_id), message)

    async def incident_view(self, tenant_id: str, incident_id: int) -> dict[str, Any]:
        """The incident card as it stands now."""
        return await self.incidents.card(await self.incidents.get(tenant_id, incident_id))

    async def looks_like_problem(self, text: str) -> float:
        """How likely a free-text message reports a problem (0..1); route to reporting at
        :data:`switchover.problems.triage.PROBLEM_THRESHOLD` or above."""
        return looks_like_problem(self.plan, text)

    # -- reading --------------------------------------------------------------------

    async def get(self, tenant_id: str, report_id: int) -> ProblemReport:
        """One report with its timeline (:class:`ProblemError` when there is none in this tenant)."""
        return await self.store.get(tenant_id, report_id)

    async def tenants(self) -> list[str]:
        """The tenants that have reports (the API's default when the plan names none)."""
        return await self.store.tenants()

    async def site_counts(self, tenant_id: str, sites: list[str]) -> dict[str, dict[str, int]]:
        """Report counts per site and status, for champions (who see numbers, never contents)."""
        return await self.store.counts_by_site(tenant_id, sites)

    async def mine(self, tenant_id: str, reporter_id: str, *, limit: int = 10) -> list[ProblemReport]:
        """A reporter's reports, newest first."""
        return await self.store.find(tenant_id, reporter_id=reporter_id, limit=limit)

    async def export_csv(self, tenant_id: str, **filters: Any) -> str:
        """Matching reports as CSV (one row per report, for spreadsheets)."""
        return export.reports_csv(await self.store.find(tenant_id, **filters))

    # Last in the class: below a method named ``list``, an annotation ``list[...]`` would name the method.
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
        return await self.store.find(
            tenant_id,
            status=status,
            area=area,
            priority=priority,
            wave=wave,
            reporter_id=reporter_id,
            since=since,
            until=until,
            limit=limit,
            with_timeline=with_timeline,
        )
