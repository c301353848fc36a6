"""Storage: the database handle, declarative base, migrations and core tables.

How a feature stores things:

1. Models: subclass ``TenantMixin, Base`` (``tenant_id`` comes with it; a test
   fails any table without a NOT NULL ``tenant_id``), prefix table names with the
   feature's name, and use ``UtcDateTime`` for every timestamp.
2. One migration: ``switchover/storage/migrations/versions/<rev>.py`` with
   ``down_revision = "0001_core"``, its own ``branch_labels`` and explicit
   ``op.create_table`` calls (``alembic.ini`` shows the command that writes the
   skeleton). ``Database.migrate()`` upgrades to every head; a test checks that
   the migrations create exactly what the models declare, on both databases.
3. Queries: Core statements on ``async with db.begin() as conn:``, one
   transaction committed on success. Writes use ``begin()`` (on SQLite, writers
   of one process take turns), read-then-write claims ``begin(immediate=True)``,
   reads ``begin(read_only=True)`` (no turn to wait for). Many small writes from
   concurrent callers go through ``batch.GroupWriter`` instead.
4. Tests: take the ``database`` fixture (tests/support/db.py) to run on SQLite
   and PostgreSQL; ``sqlite_database`` for one backend.
"""

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
