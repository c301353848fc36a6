"""Stored conversation references: where the bot can post proactively.

Every activity the bot sees carries a conversation reference; we persist it the
moment we see it (never only in memory), so announcements, problem
notifications and digests can reach people and channels after a restart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Boolean, Executable, Index, String, Table, bindparam, case, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.orm import Mapped, mapped_column

from switchover.messaging import ConversationTarget
from switchover.storage.base import Base, TenantMixin, UtcDateTime
from switchover.storage.db import Database

log = logging.getLogger(__name__)

ConversationKind = Literal["personal", "channel", "groupChat"]
CONVERSATION_KINDS: tuple[str, ...] = ("personal", "channel", "groupChat")
# A channel message's conversation id names the thread it was posted in: "19:...@thread.tacv2;messageid=17".
THREAD_MARK = ";messageid="


def conversation_kind(conversation_type: str | None, is_group: bool | None, conversation_id: str) -> ConversationKind:
    """What kind of conversation Teams says this is; personal only when Teams says so.

    A person's private notices go to the conversation stored as their personal chat, so
    nothing that might be shared is ever taken for one: a conversation is personal when
    ``conversationType`` is ``personal``, or when there is no type and no ``isGroup``.
    Meeting chats arrive with ``isGroup: true`` and no type: a group chat. A channel
    thread (an id with ``;messageid=``) is a channel whatever else is said; an unknown
    type is a group chat.
    """
    if THREAD_MARK in conversation_id or conversation_type == "channel":
        return "channel"
    if conversation_type == "personal" or (not conversation_type and not is_group):
        return "personal"
    return "groupChat"


class ConversationRef(TenantMixin, Base):
    """One conversation the bot is (or was) part of."""

    __tablename__ = "conversation_refs"
    __table_args__ = (
        Index("ix_conversation_refs_tenant_aad", "tenant_id", "aad_object_id"),
        Index("ix_conversation_refs_tenant_team_channel", "tenant_id", "team_name", "channel_name"),
    )

    conversation_id: Mapped[str] = mapped_column(String, primary_key=True)
    # Part of the key: one conversation id could in theory repeat across tenants.
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    service_url: Mapped[str] = mapped_column(String, nullable=False)
    channel_id: Mapped[str] = mapped_column(String(32), nullable=False, default="msteams")
    bot_id: Mapped[str | None] = mapped_column(String)
    user_id: Mapped[str | None] = mapped_column(String)
    aad_object_id: Mapped[str | None] = mapped_column(String(64))
    upn: Mapped[str | None] = mapped_column(String)
    user_name: Mapped[str | None] = mapped_column(String)
    team_id: Mapped[str | None] = mapped_column(String)
    team_name: Mapped[str | None] = mapped_column(String)
    channel_name: Mapped[str | None] = mapped_column(String)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(35))  # the client's language, BCP 47 (es-US)
    installed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    first_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    last_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    uninstalled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """A conversation reference as the domain sees it.

    Built by the bot layer from an incoming activity (``first_seen``,
    ``last_seen`` and ``uninstalled_at`` are filled in by the store).
    """

    tenant_id: str
    kind: ConversationKind
    conversation_id: str
    service_url: str
    channel_id: str = "msteams"
    bot_id: str | None = None
    user_id: str | None = None  # the member's Teams id (29:...), personal chats only
    aad_object_id: str | None = None
    upn: str | None = None
    user_name: str | None = None
    team_id: str | None = None
    team_name: str | None = None
    channel_name: str | None = None
    time_zone: str | None = None  # IANA name from the client's localTimezone
    locale: str | None = None  # the client's language (activity.locale), what proactive messages are written in
    installed: bool = True
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    uninstalled_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in CONVERSATION_KINDS:
            raise ValueError(f"unknown conversation kind {self.kind!r}")
        if not self.conversation_id or not self.service_url:
            raise ValueError("a conversation record needs a conversation id and a service URL")

    def to_target(self) -> ConversationTarget:
        """Where a :class:`~switchover.messaging.Messenger` should post."""
        return ConversationTarget(
            tenant_id=self.tenant_id,
            service_url=self.service_url,
            conversation_id=self.conversation_id,
            channel_id=self.channel_id,
            user_id=self.user_id,
            bot_id=self.bot_id,
            is_channel=self.kind == "channel",
        )


_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(ConversationRecord))
_TIMESTAMPS = ("first_seen", "last_seen", "uninstalled_at")
# Fields an activity may simply not carry (a channel message has no team name,
# a bot-sent event no UPN): a missing value never erases a known one.
_KEEP_IF_MISSING = (
    "bot_id",
    "user_id",
    "aad_object_id",
    "upn",
    "user_name",
    "team_id",
    "team_name",
    "channel_name",
    "time_zone",
    "locale",
)


# The fields compared to decide whether an upsert changes anything.
_FINGERPRINT = tuple(name for name in _RECORD_FIELDS if name not in _TIMESTAMPS)


# The table itself: the store runs Core statements (see Database.begin).
_refs = cast(Table, ConversationRef.__table__)


def _from_row(row: Row[Any]) -> ConversationRecord:
    return ConversationRecord(**{name: getattr(row, name) for name in _RECORD_FIELDS})


@functools.cache
def _upsert_statement(dialect: str) -> Executable:
    """INSERT .. ON CONFLICT DO UPDATE for one conversation, built once per dialect.

    Built from bind parameters rather than values so that the hot path (every
    activity) neither rebuilds the expression nor misses the compiled cache.
    """
    table = _refs
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values({column.name: bindparam(column.name, type_=column.type) for column in table.columns})
    excluded = stmt.excluded
    set_: dict[str, Any] = {
        "kind": excluded.kind,
        "service_url": excluded.service_url,
        "channel_id": excluded.channel_id,
        "installed": excluded.installed,
        "first_seen": case((table.c.first_seen <= excluded.first_seen, table.c.first_seen), else_=excluded.first_seen),
        "last_seen": case((table.c.last_seen >= excluded.last_seen, table.c.last_seen), else_=excluded.last_seen),
        # Re-installing clears the mark; a repeated uninstall keeps the first time.
        "uninstalled_at": case(
            (excluded.installed, None), else_=func.coalesce(table.c.uninstalled_at, excluded.uninstalled_at)
        ),
    }
    for name in _KEEP_IF_MISSING:
        set_[name] = func.coalesce(excluded[name], table.c[name])
    return stmt.on_conflict_do_update(index_elements=[table.c.tenant_id, table.c.conversation_id], set_=set_)


class ConversationStore:
    """Reads and writes conversation references.

    Args:
        db: The database.
        cache_size: How many "already stored, unchanged" fingerprints to remember.
        refresh_after: Write anyway when the stored ``last_seen`` is older than
            this, so ``last_seen`` stays roughly current and another instance's
            change (an uninstall it recorded) is corrected within this time.

    ``upsert`` is called for every activity the bot sees, so it remembers what
    it last wrote and skips the round trip when nothing changed. The database
    stays the truth: the memory only avoids redundant writes.
    """

    def __init__(
        self, db: Database, *, cache_size: int = 10_000, refresh_after: dt.timedelta = dt.timedelta(hours=1)
    ) -> None:
        self._db = db
        self._cache_size = cache_size
        self._refresh_after = refresh_after
        self._written: OrderedDict[tuple[str, str], tuple[tuple[Any, ...], dt.datetime]] = OrderedDict()
        self.writes = 0  # round trips made by upsert (for tests and the benchmark)
        self.skipped = 0  # upserts answered from memory

    async def upsert(self, record: ConversationRecord, seen_at: dt.datetime, *, force: bool = False) -> bool:
        """Insert or update the conversation, keyed by (tenant_id, conversation_id).

        Args:
            record: What the activity told us.
            seen_at: When (aware). Becomes ``last_seen``; ``first_seen`` on insert.
            force: Skip the "unchanged" shortcut (installation events should pass True).

        Returns:
            True if the database was written, False if the write was skipped as redundant.
        """
        if seen_at.tzinfo is None:
            raise ValueError("seen_at must be timezone-aware")
        key = (record.tenant_id, record.conversation_id)
        fingerprint = tuple(getattr(record, name) for name in _FINGERPRINT)
        cached = self._written.get(key)
        if cached is not None:
            # What the row will hold after this upsert: a value the activity did not carry
            # (an invoke from a card action has no localTimezone) keeps the stored one.
            fingerprint = tuple(
                known if new is None and name in _KEEP_IF_MISSING else new
                for name, new, known in zip(_FINGERPRINT, fingerprint, cached[0], strict=True)
            )
        if not force and cached is not None and cached[0] == fingerprint and seen_at - cached[1] < self._refresh_after:
            self._written.move_to_end(key)
            self.skipped += 1
            return False

        values = {name: getattr(record, name) for name in _RECORD_FIELDS if name not in _TIMESTAMPS}
        values.update(first_seen=seen_at, last_seen=seen_at, uninstalled_at=None if record.installed else seen_at)
        async with self._db.begin() as conn:
            await conn.execute(_upsert_statement(self._db.dialect), values)
        self.writes += 1
        self._remember(key, fingerprint, seen_at)
        return True

    async def mark_uninstalled(self, tenant_id: str, conversation_id: str, at: dt.datetime) -> bool:
        """Record that the bot was removed from a conversation (the row stays).

        Returns:
            True if the conversation was known.
        """
        found = bool(
            await self._mark_gone(at, _refs.c.tenant_id == tenant_id, _refs.c.conversation_id == conversation_id)
        )
        if not found:
            log.warning(
                "uninstall for an unknown conversation",
                extra={"tenant_id": tenant_id, "conversation_id": conversation_id},
            )
        return found

    async def mark_team_uninstalled(self, tenant_id: str, team_id: str, at: dt.datetime) -> int:
        """Record that the bot was removed from a whole team: every channel of it is gone.

        Returns:
            How many channels were marked.
        """
        return len(
            await self._mark_gone(
                at, _refs.c.tenant_id == tenant_id, _refs.c.kind == "channel", _refs.c.team_id == team_id
            )
        )

    async def _mark_gone(self, at: dt.datetime, *where: Any) -> list[str]:
        """Mark the matching rows uninstalled at ``at`` (rows stay); returns their conversation ids."""
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        table = _refs
        # Typed explicitly: inside coalesce/case a bare datetime would bypass UtcDateTime.
        when = literal(at, UtcDateTime())
        stmt = (
            update(table)
            .where(*where)
            .values(
                installed=False,
                uninstalled_at=func.coalesce(table.c.uninstalled_at, when),
                last_seen=case((table.c.last_seen >= when, table.c.last_seen), else_=when),
            )
            .returning(table.c.tenant_id, table.c.conversation_id)
        )
        async with self._db.begin() as conn:
            gone = (await conn.execute(stmt)).all()
        for tenant_id, conversation_id in gone:
            self._written.pop((tenant_id, conversation_id), None)
        return [conversation_id for _, conversation_id in gone]

    async def get(self, tenant_id: str, conversation_id: str) -> ConversationRecord | None:
        """The conversation, installed or not; None if never seen."""
        stmt = select(_refs).where(_refs.c.tenant_id == tenant_id, _refs.c.conversation_id == conversation_id)
        async with self._db.begin(read_only=True) as conn:
            row = (await conn.execute(stmt)).first()
        return _from_row(row) if row is not None else None

    async def personal_for_user(self, tenant_id: str, aad_object_id: str) -> ConversationRecord | None:
        """The user's 1:1 chat with the bot (an installed one first, then the most recent)."""
        found = await self.personal_for_users(tenant_id, [aad_object_id])
        return found.get(aad_object_id)

    async def personal_for_users(self, tenant_id: str, ids: Iterable[str]) -> dict[str, ConversationRecord]:
        """1:1 chats for many users at once, keyed by AAD object id; users without one are absent."""
        wanted = sorted(set(ids))
        result: dict[str, ConversationRecord] = {}
        # Stay well below SQLite's and asyncpg's bound-parameter limits.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            stmt = (
                select(_refs)
                .where(_refs.c.tenant_id == tenant_id, _refs.c.kind == "personal", _refs.c.aad_object_id.in_(chunk))
                .order_by(_refs.c.installed.asc(), _refs.c.last_seen.asc())
            )
            async with self._db.begin(read_only=True) as conn:
                rows = (await conn.execute(stmt)).all()
            # Ordered worst first, so the best (installed, most recent) wins.
            for row in rows:
                assert row.aad_object_id is not None
                result[row.aad_object_id] = _from_row(row)
        return result

    async def channel_by_name(self, tenant_id: str, team_name: str, channel_name: str) -> ConversationRecord | None:
        """A channel the bot is in, by team and channel display name (case-insensitive).

        An installed channel wins over one the bot was removed from; then the most recently seen.
        """
        # Compared in Python: SQLite's lower() only folds ASCII, and names here are
        # often not ("Équipe Santé"). A tenant has few channels with the bot in them.
        stmt = (
            select(_refs)
            .where(_refs.c.tenant_id == tenant_id, _refs.c.kind == "channel")
            .order_by(_refs.c.installed.desc(), _refs.c.last_seen.desc())
        )
        wanted = (team_name.casefold(), channel_name.casefold())
        async with self._db.begin(read_only=True) as conn:
            rows = (await conn.execute(stmt)).all()
        for row in rows:
            if ((row.team_name or "").casefold(), (row.channel_name or "").casefold()) == wanted:
                return _from_row(row)
        return None

    async def all_personal(self, tenant_id: str, installed_only: bool = True) -> list[ConversationRecord]:
        """Every 1:1 chat in the tenant (for broadcasts), oldest first."""
        stmt = select(_refs).where(_refs.c.tenant_id == tenant_id, _refs.c.kind == "personal")
        if installed_only:
            stmt = stmt.where(_refs.c.installed.is_(True))
        stmt = stmt.order_by(_refs.c.first_seen, _refs.c.conversation_id)
        async with self._db.begin(read_only=True) as conn:
            rows = (await conn.execute(stmt)).all()
        return [_from_row(row) for row in rows]

    def forget_cache(self) -> None:
        """Drop every remembered fingerprint (the next upserts all write)."""
        self._written.clear()

    def _remember(self, key: tuple[str, str], fingerprint: tuple[Any, ...], seen_at: dt.datetime) -> None:
        self._written[key] = (fingerprint, seen_at)
        self._written.move_to_end(key)
        while len(self._written) > self._cache_size:
            self._written.popitem(last=False)
