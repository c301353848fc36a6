"""BotMessenger against the loopback connector: one attempt, classified failures, ids for update and delete."""

from __future__ import annotations

import pytest

from bot.messenger import BotMessenger
from switchover.messaging import ConversationTarget, DeliveryError, FailureKind, OutgoingMessage
from tests.support.app import TeamsClient

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Wave 2 moves Saturday"}]}


def target(teams: TeamsClient, conversation_id: str = "a:proactive-1") -> ConversationTarget:
    return ConversationTarget(
        tenant_id=teams.tenant_id, service_url=teams.connector.url, conversation_id=conversation_id
    )


async def test_send_update_delete_round_trip(teams: TeamsClient) -> None:
    messenger: BotMessenger = teams.app.services.messenger
    to = target(teams)
    activity_id = await messenger.send(to, OutgoingMessage(card=CARD, summary="Your move"))
    sent = teams.connector.to(to.conversation_id, "send")
    assert len(sent) == 1 and sent[0].card == CARD and sent[0].body["summary"] == "Your move"

    await messenger.update(to, activity_id, OutgoingMessage(text="Moved to 6 March"))
    assert teams.connector.activities[(to.conversation_id, activity_id)]["text"] == "Moved to 6 March"
    await messenger.delete(to, activity_id)
    assert (to.conversation_id, activity_id) in teams.connector.deleted


@pytest.mark.parametrize(
    ("status", "code", "sub_code", "kind"),
    [
        (429, "TooManyRequests", None, FailureKind.THROTTLED),
        (503, "ServiceUnavailable", None, FailureKind.TRANSIENT),
        (412, "PreconditionFailed", None, FailureKind.TRANSIENT),
        (403, "ConversationBlockedByUser", None, FailureKind.GONE),
        (403, "BotNotInConversationRoster", None, FailureKind.GONE),
        (403, "Forbidden", "MessageWritesBlocked", FailureKind.GONE),
        (404, "ConversationNotFound", None, FailureKind.GONE),
        (413, "MessageSizeTooBig", None, FailureKind.REJECTED),
        (400, "BadArgument", None, FailureKind.REJECTED),
    ],
)
async def test_failures_are_classified_and_not_retried(
    teams: TeamsClient, status: int, code: str, sub_code: str | None, kind: FailureKind
) -> None:
    teams.connector.fail(status, code, retry_after=2 if status == 429 else None, sub_code=sub_code)
    with pytest.raises(DeliveryError) as caught:
        await teams.app.services.messenger.send(target(teams), OutgoingMessage(text="hi"))
    assert caught.value.kind is kind
    assert caught.value.status == status
    if status == 429:
        assert caught.value.retry_after == 2
    assert teams.connector.stats.calls == 1  # the delivery engine owns retries


async def test_open_personal_creates_the_conversation_with_tenant(teams: TeamsClient) -> None:
    to = await teams.app.services.messenger.open_personal(
        tenant_id=teams.tenant_id, service_url=teams.connector.url, user_id="29:abc", bot_id="28:bot"
    )
    created = teams.connector.to(to.conversation_id, "create")
    assert created and created[0].body["channelData"]["tenant"]["id"] == teams.tenant_id
    assert created[0].body["members"] == [{"id": "29:abc"}]
    await teams.app.services.messenger.send(to, OutgoingMessage(text="hello"))
    assert teams.connector.to(to.conversation_id, "send")
