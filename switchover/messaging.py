"""The messaging seam: how the domain sends, updates and deletes Teams messages.

The domain builds cards (plain dicts) and asks a :class:`Messenger` to deliver
them. The botbuilder implementation lives in ``bot/messenger.py``; tests use
that same implementation against a loopback Bot Connector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ConversationTarget:
    """Everything needed to post into a conversation proactively."""

    tenant_id: str
    service_url: str
    conversation_id: str
    channel_id: str = "msteams"
    user_id: str | None = None  # the member's Teams id (29:...), for 1:1 chats
    bot_id: str | None = None
    is_channel: bool = False


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to send: text, an Adaptive Card, or both."""

    text: str | None = None
    card: dict[str, Any] | None = None
    summary: str | None = None  # notification preview text
    attachments: tuple[dict[str, Any], ...] = field(default_factory=tuple)


class FailureKind(StrEnum):
    THROTTLED = "throttled"  # 429: retry after a wait
    TRANSIENT = "transient"  # 412, 5xx, connection errors: retry with backoff
    GONE = "gone"  # blocked, uninstalled, conversation not found: reopen once, else unreachable
    REJECTED = "rejected"  # other 4xx: do not retry (bad payload, too big, unauthorised)


class DeliveryError(Exception):
    """A send/update/delete failed; ``kind`` says what the caller should do."""

    def __init__(
        self,
        kind: FailureKind,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(f"{kind.value}: HTTP {status} {code or ''} {detail}".strip())
        self.kind = kind
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.detail = detail


GONE_CODES = frozenset(
    {
        "ConversationBlockedByUser",
        "BotNotInConversationRoster",
        "BotDisabledByAdmin",
        "MessageWritesBlocked",
        "ConversationNotFound",
    }
)


def classify_failure(status: int, code: str | None = None, sub_code: str | None = None) -> FailureKind:
    """Map a Bot Connector error response to what to do about it (PLATFORM.md)."""
    if status == 429:
        return FailureKind.THROTTLED
    if status in (412, 500, 502, 503, 504):
        return FailureKind.TRANSIENT
    if (code in GONE_CODES) or (sub_code in GONE_CODES) or (status == 404 and code in (None, "", "NotFound")):
        return FailureKind.GONE
    if status == 403 and code is None:
        return FailureKind.GONE
    return FailureKind.REJECTED


class Messenger(Protocol):
    """Sends into Teams conversations. Every method raises :class:`DeliveryError`
    on failure; none retries by itself (the delivery engine decides)."""

    async def send(self, target: ConversationTarget, message: OutgoingMessage) -> str:
        """Post a new message; returns the sent activity id."""
        ...

    async def update(self, target: ConversationTarget, activity_id: str, message: OutgoingMessage) -> None:
        """Replace a sent message in place."""
        ...

    async def delete(self, target: ConversationTarget, activity_id: str) -> None:
        """Delete (recall) a sent message."""
        ...

    async def open_personal(
        self, *, tenant_id: str, service_url: str, user_id: str, bot_id: str | None = None
    ) -> ConversationTarget:
        """Create (or fetch) the 1:1 conversation with a user who has the app installed."""
        ...
