"""Problem reports in Teams: ``report a problem``, ``my problems``, the owner's card actions.

Wiring (``register``): the guided dialog with its state in the database, the
commands and the ``Action.Execute`` verbs, on the app's
:class:`~switchover.problems.desk.ProblemDesk` (``services.problems``; the
scheduler wakes its ``run_due``). ``register`` returns the dialog.

For the free-text fallback: ``await desk.looks_like_problem(text)`` >=
:data:`PROBLEM_THRESHOLD` means "this reports something broken"; then call
:func:`report_from_text` with the dialog, the turn and the text.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from botbuilder.core import TurnContext

from bot.actions import (
    ActionData,
    AssignReport,
    CommentReport,
    DialogStep,
    NotMine,
    ReopenReport,
    ReportAction,
    ResolveIncident,
    ResolveReport,
    StartReport,
    SubmitReport,
)
from bot.attachments import screenshot_address, take_screenshot
from bot.routing import Router
from bot.state import DatabaseStorage
from bot.turn import Turn, asker_from
from cards.render import render_card
from dialogs.report_problem import STEP_VERB, ReportProblemConversation
from switchover import access, i18n
from switchover.i18n import N_
from switchover.i18n import gettext as _
from switchover.plan.languages import area_name
from switchover.plan.model import Plan
from switchover.problems import views
from switchover.problems.desk import ProblemDesk
from switchover.problems.model import Actor, ProblemError, ReportDraft, Reporter
from switchover.problems.triage import PROBLEM_THRESHOLD
from switchover.services import Services

log = logging.getLogger(__name__)

_LEADING_REFERENCE = re.compile(r"^\s*(?:pr\W*)?(\d{1,9})\b\W*", re.IGNORECASE)
_LINKED = re.compile(r"^\W*(pr|inc)\W*(\d{1,9})\b(?:\W*(?:page|p[aá]gina|strona)\W*(\d{1,4}))?", re.IGNORECASE)
# The commands in the languages the bot speaks (typed words are matched folded: lower case, no
# punctuation); the help card's "report a problem" and "my problems" read as these in each language.
REPORT_WORDS = ("report a problem", "reportar un problema", "informar de un problema", "zgłoś problem")
MINE_WORDS = ("my problems", "mis problemas", "moje problemy", "moje zgłoszenia")
# "linked PR-00042 [page 2]", what "Show them all" under a list of linked reports posts (views.linked_say).
LINKED_WORDS = ("linked", "vinculados", "powiązane")
_COMMAND = re.compile(
    r"^\W*(?:report(\W+a\W+problem)?|reportar\W+un\W+problema|informar\W+de\W+un\W+problema|zgłoś\W+problem)\b"
    r"[\s:,.!-]*",
    re.IGNORECASE,
)

DRAFT_NOT_FOUND = N_("I found no report form of yours like that. Say **report a problem** to start again.")

__all__ = ["PROBLEM_THRESHOLD", "register", "report_from_text"]


def register(router: Router, services: Services) -> ReportProblemConversation:
    """Add the problem-report commands and card actions to ``router``; returns the report dialog."""
    drafts = services.problems.drafts

    async def screenshot(context: TurnContext) -> str | None:
        asker = asker_from(context.activity)
        return await take_screenshot(context, drafts, asker.tenant_id, asker.aad_object_id or asker.teams_id)

    async def open_draft(context: TurnContext, screenshot_token: str | None) -> str:
        asker = asker_from(context.activity)
        return await drafts.create(asker.tenant_id, asker.aad_object_id or asker.teams_id, screenshot_token)

    conversation = ReportProblemConversation(
        services.current_plan, DatabaseStorage(services.db, clock=services.clock), screenshot, open_draft
    )
    h = _Handlers(services, services.problems, conversation)
    router.command("report a problem", h.report, help="tell the right person about something that broke")
    router.command("report", h.report)
    for words in REPORT_WORDS[1:]:
        router.command(words, h.report)
    router.command("my problems", h.mine, help="the status of what you reported")
    for words in MINE_WORDS[1:]:
        router.command(words, h.mine)
    router.command("it's fixed", h.fixed)
    router.command("it is fixed", h.fixed)
    router.command("comment", h.comment)
    router.command("site problems", h.site_counts, help="for site champions: how many problems your site reported")
    router.command("problem", h.show_command, help="problem PR-00042: where a report stands")
    for words in LINKED_WORDS:
        router.command(words, h.linked)
    router.action("report_problem", h.start_from_card, data=StartReport)
    router.action(STEP_VERB, h.dialog_step, data=DialogStep)
    router.action("problem_submit", h.submit, data=SubmitReport)
    router.action("problem_cancel", h.cancel)
    router.action("problem_ack", h.acknowledge, data=ReportAction)
    router.action("problem_assign", h.assign, data=AssignReport)
    router.action("problem_resolve", h.resolve, data=ResolveReport)
    router.action("problem_not_mine", h.not_mine, data=NotMine)
    router.action("problem_fixed", h.fixed_action, data=ReportAction)
    router.action("problem_comment", h.comment_action, data=CommentReport)
    router.action("problem_reopen", h.reopen, data=ReopenReport)
    router.action("problem_show", h.show, data=ReportAction)
    router.action("incident_resolve", h.resolve_incident, data=ResolveIncident)
    return conversation


async def report_from_text(conversation: ReportProblemConversation, turn: Turn, text: str) -> None:
    """Start a report from a one-message description (the free-text fallback calls this)."""
    token = await conversation.dialog.take_screenshot(turn.context)
    await conversation.start(turn.context, text=text, screenshot=token)


def leading_reference(text: str) -> tuple[int | None, str]:
    """``"PR-00042 still broken"`` (or ``"pr 00042 ..."``, ``"42 ..."``) -> ``(42, "still broken")``."""
    found = _LEADING_REFERENCE.match(text)
    if found is None:
        return None, text.strip()
    return int(found.group(1)), text[found.end() :].strip()


def notice(heading: str, text: str) -> dict[str, Any]:
    """A small card that replaces the one whose button was pressed."""
    return render_card("problem-notice", heading=heading, text=text)


def _someone_elses(turn: Turn, data: DialogStep) -> dict[str, Any] | None:
    """A notice when the pressed question card belongs to another person's draft (``by``), else None.

    In a group chat or a channel everyone sees a draft's question cards; the notice replaces
    the card only for the person who pressed it. (The confirmation card names a draft kept
    on the server, which only its reporter can submit.) Cards sent before questions named
    their author carry no ``by``: the presser's own report in progress is looked for.
    """
    by = data.by
    if not by or by == (turn.asker.aad_object_id or turn.asker.teams_id):
        return None
    return notice(
        _("Report a problem"),
        _('This is someone else\'s draft: only they can answer its questions. Say "report a problem" to start yours.'),
    )


class _Handlers:
    def __init__(self, services: Services, desk: ProblemDesk, conversation: ReportProblemConversation) -> None:
        self.services = services
        self.settings = services.settings
        self.desk = desk
        self.conversation = conversation

    @property
    def plan(self) -> Plan:
        """The plan as it stands."""
        return self.services.plan

    # -- who is asking ----------------------------------------------------------------

    async def actor(self, turn: Turn) -> Actor:
        """The person acting, from the authenticated activity (object id) resolved through the directory;
        never from anything the card carries."""
        user = await turn.user()
        key = access.plan_person(self.plan, (user.upn if user else None, user.mail if user else None, turn.asker.upn))
        name = self.plan.person(key).name if key else (user.display_name if user else turn.asker.name) or _("someone")
        return Actor(id=turn.asker.aad_object_id or turn.asker.teams_id, name=name, person_key=key)

    async def reporter(self, turn: Turn) -> Reporter:
        from switchover.membership import resolve_wave

        user = await turn.user()
        wave = None
        if user is not None:
            assignment = resolve_wave(self.plan, user)
            wave = assignment.wave.key if assignment is not None and assignment.wave is not None else None
        return Reporter(
            tenant_id=turn.asker.tenant_id,
            id=turn.asker.aad_object_id or turn.asker.teams_id,
            name=(user.display_name if user else None) or turn.asker.name,
            upn=(user.upn if user else None) or turn.asker.upn,
            wave=wave,
            site=user.office if user else None,
            department=user.department if user else None,
            city=user.city if user else None,
            country=user.country_name if user else None,
        )

    # -- reporting ----------------------------------------------------------------------

    async def report(self, turn: Turn, rest: str) -> None:
        # The router hands over folded words; keep what the reporter actually typed.
        typed = _COMMAND.sub("", turn.text, count=1).strip() if rest else ""
        token = await self.conversation.dialog.take_screenshot(turn.context)
        await self.conversation.start(turn.context, text=typed or rest or None, screenshot=token)

    async def start_from_card(self, turn: Turn, data: StartReport) -> dict[str, Any] | None:
        # An answer card's button carries the question that was asked: the report starts from it.
        text = (data.text or "").strip() or None  # the dialog keeps at most what a report holds
        await self.conversation.start(turn.context, text=text)
        return None

    async def dialog_step(self, turn: Turn, data: DialogStep) -> dict[str, Any] | None:
        if (refused := _someone_elses(turn, data)) is not None:
            return refused
        if not await self.conversation.resume(turn.context):
            return notice(_("Report a problem"), _('That question has expired. Say "report a problem" to start again.'))
        if data.impact is not None:
            return notice(_("Who is affected?"), _(views.IMPACT_TITLES[data.impact]))
        if data.urgency is not None:
            return notice(_("How bad is it?"), _(views.URGENCY_TITLES[data.urgency]))
        return notice(_("Report a problem"), data.text or _("Thanks."))

    async def submit(self, turn: Turn, data: SubmitReport) -> dict[str, Any] | None:
        text = data.text.strip()
        if not text:
            return notice(_("Report a problem"), _("Please describe the problem before submitting."))
        reporter = await self.reporter(turn)
        # The card names a draft; the draft (whose it is, its screenshot) is ours. Anyone else's key,
        # or a key that never was, gets the same answer. A screenshot_url in the card is not read.
        key = data.draft or ""
        found = await self.desk.drafts.get(reporter.tenant_id, key, reporter.id)
        if found is None:
            return notice(_("Report a problem"), _(DRAFT_NOT_FOUND))
        shot = found.screenshot
        draft = ReportDraft(
            text=text,
            reporter=reporter,
            area=data.area or None,
            impact=data.impact,
            urgency=data.urgency,
            screenshot_url=screenshot_address(self.settings.bot_domain, self.settings.port, shot) if shot else None,
            submission_key=found.key,
        )

        async def file() -> dict[str, Any]:
            report = await self.desk.submit(draft)
            log.info("problem submitted from Teams", extra={"report": report.id})
            # Their own report, just filed: the reporter's card, whatever else they are.
            return await self.desk.status_view(
                report.tenant_id,
                report.id,
                _("Submitted. Your reference is {reference}.").format(reference=report.reference),
            )

        return await self._guard(turn, file())

    async def cancel(self, turn: Turn, data: ActionData) -> dict[str, Any] | None:
        return notice(_("Report a problem"), _("Cancelled; nothing was reported."))

    async def mine(self, turn: Turn, rest: str) -> None:
        reporter = await self.reporter(turn)
        reports = await self.desk.mine(reporter.tenant_id, reporter.id)
        await turn.reply_card(
            views.my_problems_card(self.plan, reports, zone=turn.asker.zone), summary=_("Your reports")
        )

    async def site_counts(self, turn: Turn, rest: str) -> None:
        user = await turn.user()
        sites = access.champion_sites(
            self.plan, (user.upn if user else None, user.mail if user else None, turn.asker.upn)
        )
        if not sites:
            await turn.reply_text(_("That is for the plan's site champions. Say **my problems** for your own reports."))
            return
        counts = await self.desk.site_counts(turn.asker.tenant_id, sites)
        lines = []
        for site in sites:
            by_status = counts.get(site, {})
            total = sum(by_status.values())
            still_open = total - by_status.get("resolved", 0)
            counted = i18n.ngettext("{total} reported", "{total} reported", total).format(total=total)
            open_now = i18n.ngettext("{open} still open", "{open} still open", still_open).format(open=still_open)
            lines.append(f"- **{site}**: {counted}, {open_now}")
        await turn.reply_text(_("Problems reported by people at your site:") + "\n\n" + "\n".join(lines))

    async def _own_report(self, turn: Turn, rest: str) -> int | None:
        wanted, _rest = leading_reference(rest)
        reporter = await self.reporter(turn)
        mine = await self.desk.mine(reporter.tenant_id, reporter.id, limit=50)
        if wanted is not None:
            return wanted if any(r.id == wanted for r in mine) else None
        open_ = [r for r in mine if r.is_open]
        return open_[0].id if open_ else None

    async def show_command(self, turn: Turn, rest: str) -> None:
        report_id, _rest = leading_reference(rest)
        if report_id is None:
            # "problem with my printer": that is a report, not a look-up.
            await self.report(turn, turn.text)
            return
        # Typed words, read by leading_reference: "problem 0" is simply no such report, not bad card data.
        card = await self._guard(turn, self.show(turn, ReportAction.model_construct(report_id=report_id)))
        if card is not None:
            await turn.reply_card(card, summary=f"PR-{report_id:05d}")

    async def linked(self, turn: Turn, rest: str) -> None:
        """``linked PR-00042 [page 2]`` / ``linked INC-7``: the whole list behind "and 96 more" (for
        those who may see the report's owner card or the incident)."""
        found = _LINKED.match(rest)
        if found is None:
            # "linked files are gone": that is a report, not a look-up.
            await self.report(turn, turn.text)
            return
        kind, number, page = found.group(1).lower(), int(found.group(2)), int(found.group(3) or 1)

        async def act() -> dict[str, Any]:
            actor, tenant_id = await self.actor(turn), turn.asker.tenant_id
            if kind == "inc":
                return await self.desk.linked_view(tenant_id, actor, incident_id=number, page=page)
            return await self.desk.linked_view(tenant_id, actor, report_id=number, page=page)

        card = await self._guard(turn, act())
        if card is not None:
            await turn.reply_card(card, summary=_("Linked reports"))

    async def fixed(self, turn: Turn, rest: str) -> None:
        report_id = await self._own_report(turn, rest)
        if report_id is None:
            await turn.reply_text(_("I found no open report of yours. Say **my problems** to see them."))
            return
        report = await self.desk.reporter_fixed(turn.asker.tenant_id, report_id, await self.actor(turn))
        await turn.reply_text(
            _("Great, I've closed {reference}. Thanks for letting us know.").format(reference=report.reference)
        )

    async def comment(self, turn: Turn, rest: str) -> None:
        # The typed words, not the folded ones the router matched on.
        typed = re.sub(r"^\W*comment\b\W*", "", turn.text, count=1, flags=re.IGNORECASE)
        report_id = await self._own_report(turn, typed)
        _ref, text = leading_reference(typed)
        if report_id is None or not text:
            await turn.reply_text(_("Say **comment PR-00042 what you want to add** (see **my problems** for numbers)."))
            return
        report = await self.desk.comment(turn.asker.tenant_id, report_id, await self.actor(turn), text)
        await turn.reply_text(_("Added to {reference}.").format(reference=report.reference))

    # -- card actions ---------------------------------------------------------------------

    async def _guard(self, turn: Turn, call: Any) -> dict[str, Any] | None:
        try:
            return await call
        except ProblemError as exc:
            return notice(_("Not done"), str(exc))

    async def acknowledge(self, turn: Turn, data: ReportAction) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            actor = await self.actor(turn)
            await self.desk.acknowledge(turn.asker.tenant_id, rid, actor)
            return await self.desk.view_for(turn.asker.tenant_id, rid, actor)

        return await self._guard(turn, act())

    async def assign(self, turn: Turn, data: AssignReport) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            actor = await self.actor(turn)
            await self.desk.assign(turn.asker.tenant_id, rid, actor, data.assignee)
            return await self.desk.view_for(turn.asker.tenant_id, rid, actor)

        return await self._guard(turn, act())

    async def resolve(self, turn: Turn, data: ResolveReport) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            actor = await self.actor(turn)
            await self.desk.resolve(turn.asker.tenant_id, rid, actor, data.note)
            return await self.desk.view_for(turn.asker.tenant_id, rid, actor)

        return await self._guard(turn, act())

    async def not_mine(self, turn: Turn, data: NotMine) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            report = await self.desk.not_mine(turn.asker.tenant_id, rid, await self.actor(turn), data.area or None)
            area = area_name(self.plan.area(report.area), i18n.current().code, self.plan.organisation.language)
            return notice(report.reference, _("Sent on to {area}. Thanks.").format(area=area))

        return await self._guard(turn, act())

    async def fixed_action(self, turn: Turn, data: ReportAction) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            actor = await self.actor(turn)
            report = await self.desk.reporter_fixed(turn.asker.tenant_id, rid, actor)
            return await self.desk.view_for(report.tenant_id, rid, actor, _("Thanks, closed as fixed."))

        return await self._guard(turn, act())

    async def comment_action(self, turn: Turn, data: CommentReport) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            actor = await self.actor(turn)
            report = await self.desk.comment(turn.asker.tenant_id, rid, actor, data.comment)
            said = _("Reopened with your comment.") if report.cycle and report.is_open else _("Comment added.")
            return await self.desk.view_for(report.tenant_id, rid, actor, said)

        return await self._guard(turn, act())

    async def reopen(self, turn: Turn, data: ReopenReport) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            actor = await self.actor(turn)
            report = await self.desk.reopen(turn.asker.tenant_id, rid, actor, data.why)
            return notice(report.reference, _("Reopened. Its reporter has been told, and its owner has it again."))

        return await self._guard(turn, act())

    async def show(self, turn: Turn, data: ReportAction) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            rid = data.report_id
            return await self.desk.view_for(turn.asker.tenant_id, rid, await self.actor(turn))

        return await self._guard(turn, act())

    async def resolve_incident(self, turn: Turn, data: ResolveIncident) -> dict[str, Any] | None:
        async def act() -> dict[str, Any]:
            incident_id = data.incident_id
            await self.desk.resolve_incident(turn.asker.tenant_id, incident_id, await self.actor(turn), data.note)
            return await self.desk.incident_view_for(turn.asker.tenant_id, incident_id, await self.actor(turn))

        return await self._guard(turn, act())
