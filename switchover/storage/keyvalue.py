"""A small key-value document store with optimistic concurrency (e-tags).

Backs botbuilder's dialog/conversation state (``bot/state.py``) and is usable
by any feature that needs "a JSON document under a key". Knows nothing of
botbuilder.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import JSON, String, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from switchover.clock import Clock, SystemClock
from switchover.storage.base import Base, TenantMixin, UtcDateTime
from switchover.storage.db import Database, rowcount

ANY_ETAG = "*"


class KeyValueDocument(TenantMixin, Base):
    """One stored document (``tenant_id`` is "" for botbuilder's own keys, which embed the conversation)."""

    __tablename__ = "bot_state"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    key: Mapped[str] = mapped_column(String, primary_key=True)
    # Plain JSON (not JSONB) on PostgreSQL: it keeps key order, which jsonpickle
    # documents rely on to resolve their internal references.
    document: Mapped[Any] = mapped_column(JSON, nullable=False)
    e_tag: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)


# The table itself: the store runs Core statements (see Database.begin).
_documents = cast(Table, KeyValueDocument.__table__)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as read back, with the e-tag to pass to the next write."""

    key: str
    document: Any
    e_tag: str
    updated_at: dt.datetime


class ETagConflict(Exception):
    """The document changed (or vanished) since it was read; re-read and retry."""

    def __init__(self, tenant_id: str, key: str, expected: str) -> None:
        super().__init__(f"e-tag conflict on {key!r}: expected {expected!r}")
        self.tenant_id = tenant_id
        self.key = key
        self.expected = expected


def new_etag() -> str:
    """A fresh, unguessable e-tag."""
    return uuid.uuid4().hex


class KeyValueStore:
    """JSON documents under (tenant_id, key), written with e-tag checks.

    Args:
        db: The database.
        clock: Where ``updated_at`` comes from; defaults to the system clock.
    """

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def read(self, tenant_id: str, keys: Iterable[str]) -> dict[str, StoredDocument]:
        """The stored documents among ``keys``; missing keys are absent from the result."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, StoredDocument] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            stmt = select(_documents).where(_documents.c.tenant_id == tenant_id, _documents.c.key.in_(chunk))
            async with self._db.begin(read_only=True) as conn:
                rows = (await conn.execute(stmt)).all()
            for row in rows:
                found[row.key] = StoredDocument(row.key, row.document, row.e_tag, row.updated_at)
        return found

    async def write(self, tenant_id: str, key: str, document: Any, *, if_match: str | None = None) -> str:
        """Store ``document`` under ``key`` and return its new e-tag.

        Args:
            tenant_id: The tenant ("" for keys that are global or embed their scope).
            key: The document's key.
            document: Anything JSON can hold.
            if_match: ``None`` or ``"*"``: write unconditionally (create or replace).
                Any other value: replace only if the stored e-tag is exactly this,
                otherwise raise :class:`ETagConflict` (also when the key is gone).
        """
        etags = await self.write_many(tenant_id, [(key, document, if_match)])
        return etags[key]

    async def write_many(self, tenant_id: str, items: Iterable[tuple[str, Any, str | None]]) -> dict[str, str]:
        """Write several ``(key, document, if_match)`` items in one transaction.

        All or nothing: if any e-tag does not match, :class:`ETagConflict` is
        raised and none of the items is written.

        Returns:
            The new e-tag of each key.
        """
        now = self._clock.now()
        etags: dict[str, str] = {}
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        async with self._db.begin() as conn:
            for key, document, if_match in items:
                etag = new_etag()
                if if_match in (None, ANY_ETAG):
                    stmt = insert(_documents).values(
                        tenant_id=tenant_id, key=key, document=document, e_tag=etag, updated_at=now
                    )
                    stmt = stmt.on_conflict_do_update(
                        index_elements=[_documents.c.tenant_id, _documents.c.key],
                        set_={"document": stmt.excluded.document, "e_tag": etag, "updated_at": now},
                    )
                    await conn.execute(stmt)
                else:
                    result = await conn.execute(
                        update(_documents)
                        .where(
                            _documents.c.tenant_id == tenant_id,
                            _documents.c.key == key,
                            _documents.c.e_tag == if_match,
                        )
                        .values(document=document, e_tag=etag, updated_at=now)
                    )
                    if rowcount(result) != 1:
                        raise ETagConflict(tenant_id, key, if_match)
                etags[key] = etag
        return etags

    async def delete(self, tenant_id: str, keys: Iterable[str]) -> int:
        """Remove the documents (missing keys are fine). Returns how many were removed."""
        wanted = list(dict.fromkeys(keys))
        removed = 0
        async with self._db.begin() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                result = await conn.execute(
                    delete(_documents).where(_documents.c.tenant_id == tenant_id, _documents.c.key.in_(chunk))
                )
                removed += rowcount(result)
        return removed
