"""bot.wire must produce exactly what msrest produces, for the activities Teams and the bot exchange."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ResourceResponse
from botframework.connector import models as connector_models
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest import Deserializer, Serializer

from bot.wire import dumps, from_wire, to_wire

MODELS = {k: v for k, v in connector_models.__dict__.items() if isinstance(v, type)}
SERIALIZER = Serializer(MODELS)
DESERIALIZER = Deserializer(MODELS)

TEAMS_MESSAGE = {
    "type": "message",
    "id": "1700000000000",
    "timestamp": "2027-01-04T17:00:00.123Z",
    "localTimestamp": "2027-01-04T09:00:00.123-08:00",
    "localTimezone": "America/Los_Angeles",
    "serviceUrl": "https://smba.trafficmanager.net/amer/",
    "channelId": "msteams",
    "from": {"id": "29:1abc", "name": "Vanessa Fox", "aadObjectId": "c65adfd9-b2a5-46fa-88f4-527544f75dd3"},
    "conversation": {"conversationType": "personal", "tenantId": "t1", "id": "a:1xyz"},
    "recipient": {"id": "28:bot", "name": "Switchover"},
    "textFormat": "plain",
    "locale": "en-US",
    "text": "<at>Switchover</at> when is my migration?",
    "entities": [
        {
            "type": "clientInfo",
            "locale": "en-US",
            "country": "US",
            "platform": "Web",
            "timezone": "America/Los_Angeles",
        },
        {"type": "mention", "mentioned": {"id": "28:bot", "name": "Switchover"}, "text": "<at>Switchover</at>"},
    ],
    "attachments": [{"contentType": "image/png", "contentUrl": "https://x/y.png", "name": "screenshot.png"}],
    "channelData": {"tenant": {"id": "t1"}, "team": {"id": "19:t"}, "channel": {"id": "19:c", "name": "General"}},
}
TEAMS_INVOKE = {
    "type": "invoke",
    "name": "adaptiveCard/action",
    "id": "f:1",
    "serviceUrl": "https://smba.trafficmanager.net/amer/",
    "channelId": "msteams",
    "from": {"id": "29:1abc", "aadObjectId": "c65adfd9"},
    "conversation": {"id": "a:1xyz", "conversationType": "personal", "tenantId": "t1"},
    "recipient": {"id": "28:bot"},
    "replyToId": "act-9",
    "value": {
        "action": {"type": "Action.Execute", "verb": "acknowledge", "data": {"announcement": 7}},
        "trigger": "manual",
    },
}


@pytest.mark.parametrize("payload", [TEAMS_MESSAGE, TEAMS_INVOKE], ids=["message", "invoke"])
def test_reading_an_activity_matches_msrest(payload: dict) -> None:
    assert from_wire(Activity, payload) == Activity().deserialize(payload)


def _reply() -> Activity:
    incoming = Activity().deserialize(TEAMS_MESSAGE)
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": 'quote " and \u00e9'}]}
    reply = MessageFactory.attachment(CardFactory.adaptive_card(card))
    reply.summary = "Your move"
    reply.timestamp = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)
    return TurnContext.apply_conversation_reference(reply, TurnContext.get_conversation_reference(incoming))


@pytest.mark.parametrize(
    ("model", "type_name"),
    [
        (_reply(), "Activity"),
        (Activity().deserialize(TEAMS_MESSAGE), "Activity"),
        (Activity().deserialize(TEAMS_INVOKE), "Activity"),
        (MessageFactory.text("hello **world**"), "Activity"),
        (
            ConversationParameters(
                is_group=False,
                bot=ChannelAccount(id="28:bot"),
                members=[ChannelAccount(id="29:u")],
                tenant_id="t1",
                channel_data={"tenant": {"id": "t1"}},
            ),
            "ConversationParameters",
        ),
    ],
)
def test_writing_a_model_matches_msrest(model, type_name: str) -> None:
    assert to_wire(model) == SERIALIZER.body(model, type_name)


def test_resource_response_round_trip() -> None:
    assert from_wire(ResourceResponse, {"id": "act-1"}) == DESERIALIZER("ResourceResponse", {"id": "act-1"})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=50), value=json_values, channel_data=json_values)
def test_arbitrary_text_and_json_values_match_msrest(text: str, value, channel_data) -> None:
    payload = dict(TEAMS_MESSAGE, text=text, value=value, channelData=channel_data)
    ours = from_wire(Activity, payload)
    assert ours == Activity().deserialize(payload)
    assert json.dumps(to_wire(ours), sort_keys=True) == json.dumps(SERIALIZER.body(ours, "Activity"), sort_keys=True)
    # The bytes we POST decode to exactly what msrest's body would be.
    assert json.loads(dumps(to_wire(ours))) == json.loads(json.dumps(SERIALIZER.body(ours, "Activity")))


def test_posted_bytes_write_nested_datetimes_as_msrest_does() -> None:
    when = dt.datetime(2027, 1, 9, 6, 30, tzinfo=dt.UTC)
    reply = MessageFactory.text("Déménagement ✓")
    reply.channel_data = {"notification": {"alert": True}, "at": when}
    reply.timestamp = when
    sent = json.loads(dumps(to_wire(reply)))
    assert sent["channelData"]["at"] == Serializer.serialize_iso(when) == sent["timestamp"]
    assert sent["text"] == "Déménagement ✓"
    assert dumps({"a": 1}) == b'{"a":1}'  # compact, as the Bot Connector is sent it
