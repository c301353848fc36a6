"""botbuilder ``Storage`` on our database, so dialog and conversation state survive restarts.

Serialization follows botbuilder-azure's Cosmos DB storage: each item is
flattened with jsonpickle (so ``DialogState``, ``DialogInstance`` and any
``StoreItem`` subclass round-trip with their types) and restored on read. The
e-tag lives in its own column and is put back on the item when read
(``item["e_tag"]`` for dicts, ``item.e_tag`` for objects).

Like theirs, it cannot store dicts with keys starting ``"py/"`` (jsonpickle's
markers) and reserves a top-level ``"e_tag"`` key for the e-tag.

E-tag rules (those of botbuilder's ``MemoryStorage`` and Cosmos storage):
- no e-tag, or ``"*"``: last write wins;
- any other e-tag: written only if it is still the stored one, else
  :class:`~switchover.storage.keyvalue.ETagConflict`;
- an empty e-tag is a caller bug and raises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from switchover.storage.db import Database
from switchover.storage.keyvalue import ETagConflict, KeyValueStore

log = logging.getLogger(__name__)

__all__ = ["DatabaseStorage", "ETagConflict"]


def _etag_of(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_etag(item: Any, etag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = etag
    elif hasattr(item, "__dict__"):
        item.e_tag = etag


class DatabaseStorage(Storage):
    """botbuilder ``Storage`` backed by the ``bot_state`` table.

    Args:
        db: The database.
        tenant_id: The tenant column for every key (botbuilder's keys already
            embed channel and conversation, so the default is "").
        clock: Optional clock for ``updated_at``.
    """

    def __init__(self, db: Database, *, tenant_id: str = "", clock: Any = None) -> None:
        super().__init__()
        self._store = KeyValueStore(db, clock)
        self._tenant_id = tenant_id

    async def read(self, keys: Iterable[str] | None) -> dict[str, Any]:
        """The stored items among ``keys``, restored to their types; unknown keys are absent."""
        if not keys:
            return {}
        found = await self._store.read(self._tenant_id, keys)
        items: dict[str, Any] = {}
        for key, stored in found.items():
            document = stored.document
            if isinstance(document, dict):
                document = {**document, "e_tag": stored.e_tag}
            items[key] = Unpickler().restore(document)
        return items

    async def write(self, changes: dict[str, Any] | None) -> None:
        """Save the items (all in one transaction); see the module doc for e-tag rules.

        After a successful write each item carries its new e-tag, so saving the
        same state again in the same turn does not conflict with itself.
        """
        if changes is None:
            raise ValueError("Changes are required when writing")
        if not changes:
            return
        rows: list[tuple[str, Any, str | None]] = []
        for key, item in changes.items():
            etag = _etag_of(item)
            if etag == "":
                raise ValueError(f"bot state {key!r}: an empty e_tag is not allowed (use None or '*')")
            document = Pickler().flatten(item)
            if isinstance(document, dict):
                document.pop("e_tag", None)
            rows.append((key, document, etag))
        try:
            etags = await self._store.write_many(self._tenant_id, rows)
        except ETagConflict as conflict:
            log.warning("bot state changed underneath this turn", extra={"state_key": conflict.key})
            raise
        for key, item in changes.items():
            _set_etag(item, etags[key])

    async def delete(self, keys: Iterable[str]) -> None:
        """Remove the items; unknown keys are fine."""
        await self._store.delete(self._tenant_id, keys)
