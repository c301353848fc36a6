"""The guided report dialog with botbuilder's TestAdapter: asks only what triage cannot tell, and
a new process over the same storage carries on where the last one stopped."""

from __future__ import annotations

from botbuilder.core import MemoryStorage, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes

from dialogs.report_problem import ReportProblemConversation
from tests.switchover.problems.plan_fixture import fabrikam_plan


def card_of(activity: Activity) -> dict:
    return activity.attachments[0].content


def heading(activity: Activity) -> str:
    return card_of(activity)["body"][0]["text"]


def answer(**data: str) -> Activity:
    # An Action.Submit-style answer: a message whose value carries the button's data.
    return Activity(type=ActivityTypes.message, value=data)


async def no_screenshot(context: TurnContext) -> None:
    return None


async def draft_key(context: TurnContext, screenshot: str | None) -> str:
    return "draft-key"


def bot(storage: MemoryStorage):
    conversation = ReportProblemConversation(fabrikam_plan(), storage, no_screenshot, draft_key)

    async def logic(context: TurnContext) -> None:
        if not await conversation.resume(context):
            await conversation.start(context, text=context.activity.text)

    return logic


async def test_asks_who_is_affected_then_confirms_what_it_inferred():
    adapter = TestAdapter(bot(MemoryStorage()))
    step = await adapter.send("my H drive files are missing")
    step = await step.assert_reply(lambda a, d=None: _assert_heading(a, "Who is affected?"))
    await step.test(
        answer(step="impact", impact="several"), lambda a, d=None: _assert_confirm(a, "several", "cant_work")
    )


async def test_a_clear_report_goes_straight_to_the_confirmation():
    adapter = TestAdapter(bot(MemoryStorage()))
    await adapter.test(
        "the whole Tacoma clinic cannot print anything", lambda a, d=None: _assert_confirm(a, "site", "cant_work")
    )


async def test_a_restart_between_question_and_answer_loses_nothing():
    storage = MemoryStorage()  # stands for the database: what survives the process
    first = TestAdapter(bot(storage))
    step = await first.send("Outlook is acting up")
    await step.assert_reply(lambda a, d=None: _assert_heading(a, "Who is affected?"))
    # A new process: new dialog objects, the same stored state and conversation.
    second = TestAdapter(bot(storage), first.template)
    step = await second.send(answer(step="impact", impact="me"))
    await step.assert_reply(lambda a, d=None: _assert_heading(a, "How bad is it?"))


def _assert_heading(activity: Activity, text: str) -> None:
    assert heading(activity) == text, heading(activity)


def _assert_confirm(activity: Activity, impact: str, urgency: str) -> None:
    card = card_of(activity)
    inputs = {e["id"]: e.get("value") for e in card["body"] if str(e.get("type", "")).startswith("Input.")}
    assert inputs["impact"] == impact and inputs["urgency"] == urgency, inputs
    assert any(a.get("verb") == "problem_submit" for a in card["actions"])
    # The Submit carries the server-side draft's key and nothing else of the draft.
    [submit] = [a for a in card["actions"] if a.get("verb") == "problem_submit"]
    assert submit["data"] == {"draft": "draft-key"}
