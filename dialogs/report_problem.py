"""The guided "report a problem" conversation (botbuilder-dialogs waterfall).

Steps: what is wrong (skipped when the first message already says it) ->
triage proposes area, impact and urgency -> ask only what triage is unsure of
-> the confirmation card, where everything can be corrected before submitting.
Answers come back as ``Action.Execute`` presses (verb :data:`STEP_VERB`), or as
typed text for the description. The dialog state lives in the database through
``bot.state.DatabaseStorage``, so a bot restart in the middle loses nothing.

In a group chat or a channel every person has their own report in progress
(:class:`ReportState`), and the question cards carry who is drafting (``by``), so
nobody answers someone else's questions (the confirmation card's draft is theirs
on the server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import CardFactory, ConversationState, MessageFactory, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    Dialog,
    DialogContext,
    DialogReason,
    DialogSet,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import ActivityTypes

from cards.render import render_card
from switchover.i18n import gettext as _
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Impact, Plan, Urgency
from switchover.problems import views
from switchover.problems.triage import triage
from switchover.storage.conversations import conversation_kind

DIALOG_ID = "report_problem"
STEP_VERB = "problem_dialog"


def step_input(context: TurnContext, name: str) -> Any:
    """A value the user gave this turn: a card input (universal action or Submit) or typed text."""
    activity = context.activity
    value = activity.value if isinstance(activity.value, dict) else {}
    action = value.get("action") if isinstance(value.get("action"), dict) else None
    data = (action or {}).get("data") if action else value
    if isinstance(data, dict) and isinstance(data.get(name), str) and data[name]:
        return data[name]  # checked by the verb's model (bot.actions.DialogStep) before the dialog runs
    if name == "text" and activity.type == "message" and (activity.text or "").strip():
        return activity.text.strip()
    return None


def drafter_of(context: TurnContext) -> str:
    """Who is drafting this turn's report: the asker's Entra object id, else their Teams id."""
    sender = context.activity.from_property
    return (getattr(sender, "aad_object_id", None) or getattr(sender, "id", None) or "") if sender else ""


def is_personal(context: TurnContext) -> bool:
    """Whether the turn is in a 1:1 chat, as Teams says (see :func:`conversation_kind`)."""
    conv = context.activity.conversation
    return conv is None or conversation_kind(conv.conversation_type, conv.is_group, conv.id or "") == "personal"


class ReportState(ConversationState):
    """Where a report in progress is kept: the conversation's in a 1:1 chat, the person's in a shared one.

    botbuilder's ``ConversationState`` keys state by conversation alone, so in a group chat
    or a channel everyone shared one draft and anyone could carry it on. A 1:1 chat keeps
    ``ConversationState``'s key (a draft begun before this keying carries on); a shared
    conversation adds the sender's Teams id.
    """

    def get_storage_key(self, turn_context: TurnContext) -> object:
        key = super().get_storage_key(turn_context)
        if is_personal(turn_context):
            return key
        sender = turn_context.activity.from_property
        if sender is None or not sender.id:
            raise TypeError("invalid activity-missing from.id in a shared conversation")
        return f"{key}/users/{sender.id}"


TakeScreenshot = Callable[[TurnContext], Awaitable[str | None]]
"""Fetches and keeps the picture attached this turn; returns its token (None: no picture)."""

OpenDraft = Callable[[TurnContext, str | None], Awaitable[str]]
"""Stores a draft for the person of this turn with a screenshot token; returns the draft's key."""


class _CardAnswerWaterfall(WaterfallDialog):
    """A waterfall that also moves on when the answer is a card button (an invoke), not only a message."""

    async def continue_dialog(  # type: ignore[override]
        self, dialog_context: DialogContext = None, reason: DialogReason = None, result: object = None
    ) -> DialogTurnResult:
        activity = dialog_context.context.activity
        if activity.type not in (ActivityTypes.message, ActivityTypes.invoke):
            return Dialog.end_of_turn
        return await self.resume_dialog(dialog_context, DialogReason.ContinueCalled, activity.text)


class ReportProblemDialog(ComponentDialog):
    """Ask only what triage cannot tell, then show the confirmation card."""

    def __init__(self, plan: Plan | CurrentPlan, take_screenshot: TakeScreenshot, open_draft: OpenDraft) -> None:
        super().__init__(DIALOG_ID)
        self.current = CurrentPlan.of(plan)
        self.take_screenshot = take_screenshot
        self.open_draft = open_draft
        self.add_dialog(
            _CardAnswerWaterfall(
                "report_problem.steps",
                [self._describe, self._impact, self._urgency, self._confirm],
            )
        )
        self.initial_dialog_id = "report_problem.steps"

    @property
    def plan(self) -> Plan:
        """The plan as it stands (areas and their words, priorities)."""
        return self.current.plan

    async def _ask(self, wf: WaterfallStepContext, **view: Any) -> DialogTurnResult:
        card = render_card("problem-ask", verb=STEP_VERB, by=drafter_of(wf.context), **view)
        await wf.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
        return Dialog.end_of_turn

    async def _describe(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = step.options if isinstance(step.options, dict) else {}
        step.values["screenshot"] = options.get("screenshot")
        # The starting message's pictures were already taken (or refused) by whoever started the report.
        step.values["started_by"] = step.context.activity.id
        text = (options.get("text") or "").strip()
        if text:
            return await step.next(text)
        return await self._ask(
            step,
            heading=_("Report a problem"),
            prompt=_('What is wrong? Say it in your own words, e.g. "my H drive files are missing".'),
            text_input="text",
            placeholder=_("What happened, and since when?"),
            step="describe",
            field="describe",
            choices=[{"title": _("Next"), "value": "1"}],
        )

    async def _impact(self, step: WaterfallStepContext) -> DialogTurnResult:
        text = step.result if isinstance(step.result, str) and step.result else step_input(step.context, "text")
        if not text:
            return await step.replace_dialog(self.initial_dialog_id, {})
        step.values["text"] = str(text)[:4000]
        if not step.values.get("screenshot") and step.context.activity.id != step.values.get("started_by"):
            step.values["screenshot"] = await self.take_screenshot(step.context)
        t = triage(self.plan, step.values["text"])
        step.values.update(
            area=t.area,
            impact=t.impact.value.value,
            urgency=t.urgency.value.value,
            urgency_sure=t.urgency.sure,
        )
        if t.impact.sure:
            return await step.next(None)
        return await self._ask(
            step,
            heading=_("Who is affected?"),
            prompt=_("Is it just you, or others too?"),
            text_input=None,
            placeholder="",
            step="impact",
            field="impact",
            choices=[{"title": _(title), "value": i.value} for i, title in views.IMPACT_TITLES.items()],
        )

    async def _urgency(self, step: WaterfallStepContext) -> DialogTurnResult:
        impact = step_input(step.context, "impact")
        if impact in {i.value for i in Impact}:
            step.values["impact"] = impact
        if step.values.get("urgency_sure"):
            return await step.next(None)
        return await self._ask(
            step,
            heading=_("How bad is it?"),
            prompt=_("Can you still work?"),
            text_input=None,
            placeholder="",
            step="urgency",
            field="urgency",
            choices=[{"title": _(title), "value": u.value} for u, title in views.URGENCY_TITLES.items()],
        )

    async def _confirm(self, step: WaterfallStepContext) -> DialogTurnResult:
        urgency = step_input(step.context, "urgency")
        if urgency in {u.value for u in Urgency}:
            step.values["urgency"] = urgency
        v = step.values
        # The card carries the draft's key only; the draft (whose it is, its screenshot) stays here.
        card = views.confirm_card(
            self.plan,
            draft_id=await self.open_draft(step.context, v.get("screenshot")),
            text=v["text"],
            area=v["area"],
            impact=Impact(v["impact"]),
            urgency=Urgency(v["urgency"]),
            intro=_("Here is what I understood. Correct anything that is wrong, then submit."),
            has_screenshot=bool(v.get("screenshot")),
        )
        await step.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
        return await step.end_dialog(dict(v))


class ReportProblemConversation:
    """Runs :class:`ReportProblemDialog` over a turn with its state in ``storage``."""

    def __init__(
        self, plan: Plan | CurrentPlan, storage: Any, take_screenshot: TakeScreenshot, open_draft: OpenDraft
    ) -> None:
        self.dialog = ReportProblemDialog(plan, take_screenshot, open_draft)
        self.state = ReportState(storage)
        self.accessor = self.state.create_property("ReportProblemDialogState")

    async def start(self, context: TurnContext, *, text: str | None = None, screenshot: str | None = None) -> None:
        """Begin (or restart) the report in this conversation (``screenshot``: a kept screenshot's token)."""
        dialog_set = DialogSet(self.accessor)
        dialog_set.add(self.dialog)
        dc = await dialog_set.create_context(context)
        await dc.cancel_all_dialogs()
        await dc.begin_dialog(self.dialog.id, {"text": text, "screenshot": screenshot})
        await self.state.save_changes(context)

    async def resume(self, context: TurnContext) -> bool:
        """Feed this turn's answer to the dialog; False when no report is in progress here."""
        dialog_set = DialogSet(self.accessor)
        dialog_set.add(self.dialog)
        dc = await dialog_set.create_context(context)
        if dc.active_dialog is None:
            return False
        result = await dc.continue_dialog()
        await self.state.save_changes(context)
        return result.status is not DialogTurnStatus.Empty

    async def active(self, context: TurnContext) -> bool:
        """Whether a report is in progress in this conversation."""
        dialog_set = DialogSet(self.accessor)
        dialog_set.add(self.dialog)
        dc = await dialog_set.create_context(context)
        return dc.active_dialog is not None


__all__ = ["DIALOG_ID", "STEP_VERB", "ReportProblemConversation", "ReportProblemDialog", "ReportState", "drafter_of"]
