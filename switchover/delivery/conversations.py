"""Finds a recipient's conversation in the stored conversation references."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchover.messaging import ConversationTarget
from switchover.storage.conversations import ConversationRecord, ConversationStore

if TYPE_CHECKING:
    from switchover.clock import Clock
    from switchover.delivery.engine import Recipient


def split_channel_key(key: str) -> tuple[str, str]:
    """``"Contoso IT / Service Desk"`` -> ``("Contoso IT", "Service Desk")`` (``str(ChannelRef)``)."""
    team, sep, channel = key.partition(" / ")
    if not sep or not team.strip() or not channel.strip():
        raise ValueError(f"a channel recipient key looks like 'Team / Channel', not {key!r}")
    return team.strip(), channel.strip()


class StoredConversations:
    """The delivery engine's :class:`~switchover.delivery.engine.ConversationLookup` over a ConversationStore."""

    def __init__(self, store: ConversationStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def target_for(self, recipient: Recipient) -> ConversationTarget | None:
        """The 1:1 chat of a user (by Entra object id) or a channel (by team and channel name)."""
        if recipient.kind == "channel":
            team, channel = split_channel_key(recipient.key)
            record = await self.store.channel_by_name(recipient.tenant_id, team, channel)
        else:
            record = await self.store.personal_for_user(recipient.tenant_id, recipient.key)
        return record.to_target() if record is not None else None

    async def remember(self, recipient: Recipient, target: ConversationTarget) -> None:
        """Store the 1:1 chat the engine just opened, so the next send goes straight there."""
        await self.store.upsert(
            ConversationRecord(
                tenant_id=target.tenant_id,
                kind="personal",
                conversation_id=target.conversation_id,
                service_url=target.service_url,
                channel_id=target.channel_id,
                bot_id=target.bot_id,
                user_id=target.user_id,
                aad_object_id=recipient.key,
                user_name=recipient.display_name,
            ),
            self.clock.now(),
            force=True,
        )
