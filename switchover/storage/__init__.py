"""Storage: the database handle, declarative base, migrations and core tables."""

from switchover.storage.base import Base, TenantMixin, UtcDateTime
from switchover.storage.conversations import ConversationRecord, ConversationStore
from switchover.storage.db import Database
from switchover.storage.keyvalue import ETagConflict, KeyValueStore, StoredDocument

__all__ = [
    "Base",
    "ConversationRecord",
    "ConversationStore",
    "Database",
    "ETagConflict",
    "KeyValueStore",
    "StoredDocument",
    "TenantMixin",
    "UtcDateTime",
]
