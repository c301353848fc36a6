"""The one durable delivery engine (outbox) used by announcements, problem notifications,
escalations and digests. See :mod:`switchover.delivery.engine`."""

from switchover.delivery.engine import (
    ChangeRequest,
    ConversationLookup,
    DeliveryEngine,
    DeliveryOutcome,
    DeliveryRequest,
    DeliveryStatus,
    Recipient,
)
from switchover.delivery.limits import RateLimiter, TeamsLimits

__all__ = [
    "ChangeRequest",
    "ConversationLookup",
    "DeliveryEngine",
    "DeliveryOutcome",
    "DeliveryRequest",
    "DeliveryStatus",
    "RateLimiter",
    "Recipient",
    "TeamsLimits",
]
