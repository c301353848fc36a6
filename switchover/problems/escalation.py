"""Escalation: a report not acknowledged in time goes up its priority's steps (backup, lead, sponsor).

Timers live in the database (``next_due_at``): :meth:`Escalation.run_due` is
what a wake-up calls. Each due step is claimed with a conditional update, so
two instances never record the same step twice; the cards themselves carry a
dedupe key, so a repeat after a crash never sends twice either.
"""

from __future__ import annotations

import datetime as dt
import logging

from switchover.clock import Clock
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Plan
from switchover.problems import views
from switchover.problems.chain import contact_name, targets
from switchover.problems.deadlines import escalation_times, report_schedule
from switchover.problems.notify import Notifier
from switchover.problems.store import ReportStore

log = logging.getLogger(__name__)


class Escalation:
    """Takes the escalation steps that are due.

    Args:
        plan: The migration plan (service levels, areas, leads, sponsor).
        store: The reports.
        notifier: Sends the escalation cards and updates the others.
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

    async def run_due(self, now: dt.datetime | None = None) -> int:
        """Escalate every report whose next step is due; returns how many steps were taken."""
        now = now or self.clock.now()
        taken = 0
        for tenant_id, report_id in await self.store.due(now):
            taken += await self._escalate(tenant_id, report_id, now)
        return taken

    async def _escalate(self, tenant_id: str, report_id: int, now: dt.datetime) -> int:
        report = await self.store.get(tenant_id, report_id)
        clock_start = await self.store.clock_started(tenant_id, report_id)
        steps = escalation_times(
            self.plan,
            report.priority,
            clock_start,
            area=report.area,
            schedule=report_schedule(self.plan, report),
        )
        level = report.escalation_level
        if level >= len(steps):
            return 0
        _, step = steps[level]
        # Enqueue first: the dedupe key makes a repeat after a crash (or a second
        # instance) harmless; the conditional update below decides who records it.
        names = []
        for i, hop in enumerate(targets(self.plan, report, step.to)):
            ok = await self.notifier.send_card(
                report, hop.role, hop.contact, chain_index=-1, actionable=True, suffix=f"esc{level}-{i}"
            )
            if ok:
                names.append(contact_name(self.plan, hop.contact))
        following = steps[level + 1][0] if level + 1 < len(steps) else None
        detail = f"not acknowledged by {views.when(report.ack_due_at, self.plan.zone)}; "
        detail += f"sent to {', '.join(names) or 'nobody reachable'} ({step.to.value.replace('_', ' ')})"
        if not await self.store.claim_escalation(report, level, following, now, detail):
            return 0
        # Told once the step is ours: a report acknowledged meanwhile is not claimed, and the
        # dedupe key keeps a repeat harmless.
        await self.notifier.tell_reporter(
            report, lambda: views.escalated(step.to.value, names), f"escalated-c{report.cycle}-{level}"
        )
        log.info("problem escalated", extra={"report": report_id, "level": level + 1, "to": step.to.value})
        await self.notifier.refresh_cards(tenant_id, report_id)
        return 1
