"""Personal means personal: only a conversation Teams calls a 1:1 chat is stored as someone's personal chat.

A person's private notices (problem receipts, their announcements) go to the conversation
stored as their personal chat, and broadcasts go to every stored personal chat; a meeting
chat or a channel thread taken for one would show private notices to a room.
Shapes from real Teams payloads (a meeting chat: ``isGroup: true`` and no type).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.turn import Turn
from switchover.storage.conversations import conversation_kind
from tests.support.app import TeamsClient, person

MEETING = "19:meeting_MWJlNGViOTgtMGExYi00NDA3LWExODgtOTZhMWNlYjM4ZTRj@thread.v2"
CHANNEL = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
TEAM = "19:66P469zibfbsGI-_a0aN_toLTZpyzS6u7CT3TsXdgPw1@thread.tacv2"


def _in(teams: TeamsClient, who: str, conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
    activity = teams.activity(person(who), text="help", **extra)
    activity["conversation"] = {"tenantId": teams.tenant_id, **conversation}
    return activity


async def _stored_kinds(teams: TeamsClient) -> dict[str, str]:
    import sqlalchemy as sa

    async with teams.app.services.db.begin(read_only=True) as conn:
        result = await conn.execute(sa.text("SELECT conversation_id, kind FROM conversation_refs"))
        return dict(result.all())


async def test_a_meeting_chat_without_a_conversation_type_is_not_stored_as_a_personal_chat(teams: TeamsClient) -> None:
    who = person("wesley.grant")
    resp = await teams.post(_in(teams, "wesley.grant", {"isGroup": True, "id": MEETING}))
    assert resp.status == 202
    assert await _stored_kinds(teams) == {MEETING: "groupChat"}
    conversations = teams.app.services.conversations
    assert await conversations.personal_for_user(teams.tenant_id, who.aad_object_id) is None
    assert await conversations.all_personal(teams.tenant_id) == []  # broadcasts do not go there
    stored = await conversations.get(teams.tenant_id, MEETING)
    assert stored is not None and stored.aad_object_id is None and stored.user_id is None


async def test_a_meeting_chats_member_added_event_is_not_stored_as_a_personal_chat(teams: TeamsClient) -> None:
    activity = _in(teams, "omar.reyes", {"isGroup": True, "id": MEETING}, type="conversationUpdate")
    del activity["text"]
    activity["membersAdded"] = [{"id": activity["from"]["id"], "aadObjectId": activity["from"]["aadObjectId"]}]
    activity["channelData"]["meeting"] = {"id": "MCMxOTptZWV0aW5n"}
    assert (await teams.post(activity)).status == 202
    assert await _stored_kinds(teams) == {MEETING: "groupChat"}


@pytest.mark.parametrize(
    ("conversation", "channel_data"),
    [
        ({"id": f"{CHANNEL};messageid=1759881511856", "isGroup": True, "conversationType": "channel"}, True),
        ({"id": f"{CHANNEL};messageid=1759881511856", "isGroup": True}, True),  # no type
        ({"id": f"{CHANNEL};messageid=1759881511856"}, False),  # neither type nor channelData.channel
    ],
    ids=["as Teams sends it", "without a type", "without a type or a channel"],
)
async def test_a_channel_thread_is_not_stored_as_the_channels_broadcast_reference(
    teams: TeamsClient, conversation: dict[str, Any], channel_data: bool
) -> None:
    activity = _in(teams, "vanessa.fox", conversation)
    if channel_data:
        activity["channelData"].update({"channel": {"id": CHANNEL}, "team": {"id": TEAM}})
    assert (await teams.post(activity)).status == 202
    assert await _stored_kinds(teams) == {CHANNEL: "channel"}  # the channel, never the thread
    assert await teams.app.services.conversations.all_personal(teams.tenant_id) == []


async def test_a_one_to_one_chat_is_personal_with_or_without_a_type(teams: TeamsClient) -> None:
    plain = person("wesley.grant")
    typed = person("vanessa.fox")
    await teams.post(_in(teams, "wesley.grant", {"id": plain.personal_conversation}))  # no type, no isGroup
    await teams.post(_in(teams, "vanessa.fox", {"id": typed.personal_conversation, "conversationType": "personal"}))
    assert await _stored_kinds(teams) == {
        plain.personal_conversation: "personal",
        typed.personal_conversation: "personal",
    }
    assert len(await teams.app.services.conversations.all_personal(teams.tenant_id)) == 2


@pytest.mark.parametrize(
    ("conversation_type", "is_group", "conversation_id", "kind"),
    [
        ("personal", None, "a:1", "personal"),
        (None, None, "a:1", "personal"),
        (None, False, "a:1", "personal"),
        (None, True, MEETING, "groupChat"),
        ("groupChat", True, "19:chat@thread.v2", "groupChat"),
        ("channel", True, CHANNEL, "channel"),
        (None, True, f"{CHANNEL};messageid=1", "channel"),
        ("personal", None, f"{CHANNEL};messageid=1", "channel"),
        ("somethingNew", None, "19:x@thread.v2", "groupChat"),
    ],
)
def test_conversation_kind_is_personal_only_when_teams_says_so(
    conversation_type: str | None, is_group: bool | None, conversation_id: str, kind: str
) -> None:
    assert conversation_kind(conversation_type, is_group, conversation_id) == kind


def test_a_turn_in_a_meeting_chat_is_not_personal() -> None:
    from types import SimpleNamespace

    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

    activity = Activity(
        type="message",
        from_property=ChannelAccount(id="29:x"),
        conversation=ConversationAccount(id=MEETING, is_group=True),
    )
    turn = Turn(SimpleNamespace(activity=activity), None)  # type: ignore[arg-type]
    assert turn.is_personal is False
    activity.conversation = ConversationAccount(id="a:1")
    assert Turn(SimpleNamespace(activity=activity), None).is_personal is True  # type: ignore[arg-type]
