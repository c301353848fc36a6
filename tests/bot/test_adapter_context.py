"""ReplyingTurnContext addresses replies exactly as botbuilder's TurnContext does.

Both contexts send the same replies through a recording adapter; the activities
that reach the adapter must be the same, field for field, for every kind of
incoming activity the bot sees. If botbuilder changes how it addresses replies,
these fail and bot/adapter.py needs revisiting.
"""

from __future__ import annotations

import pytest
from botbuilder.core import BotAdapter, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    DeliveryModes,
    ResourceResponse,
)

from bot.adapter import ReplyingTurnContext
from bot.turn import card_reply, text_reply
from bot.wire import to_wire


class RecordingAdapter(BotAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Activity] = []

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        self.sent.extend(activities)
        return [ResourceResponse(id=f"sent-{len(self.sent) - len(activities) + i}") for i in range(len(activities))]

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        raise NotImplementedError

    async def delete_activity(self, context: TurnContext, reference: object) -> None:
        raise NotImplementedError


def incoming(**changes: object) -> Activity:
    fields: dict[str, object] = {
        "type": ActivityTypes.message,
        "id": "1700000000001",
        "channel_id": "msteams",
        "service_url": "https://smba.trafficmanager.net/amer/",
        "locale": "en-US",
        "text": "when is my migration?",
        "from_property": ChannelAccount(id="29:user", name="Omar Reyes", aad_object_id="aad-omar"),
        "recipient": ChannelAccount(id="28:bot", name="Switchover"),
        "conversation": ConversationAccount(id="a:personal", conversation_type="personal", tenant_id="t-1"),
    }
    fields.update(changes)
    return Activity(**fields)


CASES = {
    "personal message": incoming(),
    "channel message": incoming(
        conversation=ConversationAccount(
            id="19:general@thread.tacv2;messageid=17", conversation_type="channel", is_group=True, tenant_id="t-1"
        )
    ),
    "conversation update": incoming(type=ActivityTypes.conversation_update, text=None),
    "web chat": incoming(channel_id="webchat"),
    "direct line": incoming(channel_id="directline"),
    "no locale, no id": incoming(locale=None, id=None),
    "expect replies": incoming(delivery_mode=DeliveryModes.expect_replies),
}


def replies() -> list[Activity]:
    untyped = Activity(text="no type given")
    trace = Activity(type=ActivityTypes.trace, name="debug", value={"k": 1})
    hinted = MessageFactory.text("hinted", input_hint="expectingInput")
    card = card_reply({"type": "AdaptiveCard", "version": "1.5", "body": []}, summary="card")
    return [text_reply("hello"), card, untyped, trace, hinted]


async def send_both(activity: Activity, *, handler: bool = False) -> tuple[list, list, TurnContext, TurnContext]:
    results = []
    for cls in (TurnContext, ReplyingTurnContext):
        adapter = RecordingAdapter()
        context = cls(adapter, incoming_copy(activity))
        if handler:

            async def stamp(ctx: TurnContext, activities: list[Activity], next_send):  # noqa: ANN001, ANN202
                for a in activities:
                    a.summary = "stamped"
                return await next_send()

            context.on_send_activities(stamp)
        responses = [await context.send_activity(r) for r in replies()[:2]]
        responses += await context.send_activities(replies()[2:])
        results.append((adapter.sent, responses, context))
    (lib_sent, lib_resp, lib_ctx), (ours_sent, ours_resp, ours_ctx) = results
    return [to_wire(a) for a in lib_sent], [to_wire(a) for a in ours_sent], lib_ctx, ours_ctx


def incoming_copy(activity: Activity) -> Activity:
    return Activity().deserialize(activity.serialize())


@pytest.mark.parametrize("case", list(CASES))
async def test_replies_are_addressed_as_botbuilder_addresses_them(case: str) -> None:
    library, ours, lib_ctx, our_ctx = await send_both(CASES[case])
    assert ours == library
    assert our_ctx.responded == lib_ctx.responded
    assert our_ctx.buffered_reply_activities == lib_ctx.buffered_reply_activities


async def test_a_personal_reply_goes_to_the_asker_as_a_reply_to_their_message() -> None:
    _, ours, _, context = await send_both(CASES["personal message"])
    first = ours[0]
    assert first["replyToId"] == "1700000000001"
    assert first["recipient"]["id"] == "29:user" and first["from"]["id"] == "28:bot"
    assert first["serviceUrl"] == "https://smba.trafficmanager.net/amer/"
    assert first["inputHint"] == "acceptingInput" and "id" not in first
    assert ours[2]["type"] == "message"  # an untyped activity is sent as a message
    assert context.responded


async def test_send_handlers_still_run() -> None:
    library, ours, _, _ = await send_both(CASES["personal message"], handler=True)
    assert ours == library
    assert all(a["summary"] == "stamped" for a in ours)


async def test_replies_do_not_share_accounts_with_the_incoming_activity() -> None:
    adapter = RecordingAdapter()
    activity = incoming()
    context = ReplyingTurnContext(adapter, activity)
    await context.send_activity(text_reply("hello"))
    sent = adapter.sent[0]
    sent.conversation.id = "changed"
    sent.recipient.name = "changed"
    assert activity.conversation.id == "a:personal"
    assert activity.from_property.name == "Omar Reyes"
