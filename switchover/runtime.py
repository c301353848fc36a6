"""The wired-up services of one running Switchover, passed explicitly to every feature.

Built once by ``app.create_app``; no module-level singletons. Domain code takes
only the pieces it needs (a plan, a directory, a database, a clock, a
messenger) through its own constructor; this container is for the edges
(bot features, HTTP API, scheduler) that wire them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchover.clock import Clock
    from switchover.directory.base import Directory
    from switchover.messaging import Messenger
    from switchover.plan.model import Plan
    from switchover.settings import Settings


@dataclass
class Runtime:
    """Shared services. Feature services are set by each feature's ``register``."""

    settings: Settings
    plan: Plan
    directory: Directory
    clock: Clock
    db: Any = None  # switchover.storage.Database
    conversations: Any = None  # switchover.storage.conversations.ConversationStore
    messenger: Messenger | None = None
    # Feature services, keyed by feature name ("answers", "announcements", "problems", ...).
    features: dict[str, Any] = field(default_factory=dict)
