"""The database handle: one async engine, its one transaction helper, and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

# Which databases the current task is writing to (makes Database.writing re-entrant).
_HOLDING_WRITE_TURN: ContextVar[dict[int, bool]] = ContextVar("switchover_holding_write_turn", default={})  # noqa: B039

# Milliseconds a SQLite writer waits for another writer before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 15_000
# How SQLite makes a commit durable. NORMAL (in WAL mode): synced at checkpoints, so a power cut
# or OS crash may lose the last commits (a process crash loses nothing). FULL: the write-ahead
# log is synced at the commit itself. Transactions that store what a user is told (a report's
# reference, an acknowledgement, a resolution) ask for FULL (``begin(durable=True)``); the rest
# keep NORMAL, because a sync costs a few milliseconds inside SQLite's one write lock.
# docs/durability.md has the measurements behind the choice.
SQLITE_SYNCHRONOUS = "NORMAL"
SQLITE_DURABLE_SYNCHRONOUS = "FULL"
# Execution option asking for a durable commit (SQLite: synchronous=FULL for that transaction).
SQLITE_DURABLE_OPTION = "switchover_durable"
# Execution option naming the SQLite BEGIN flavour for a transaction ("DEFERRED" or "IMMEDIATE").
SQLITE_BEGIN_OPTION = "switchover_sqlite_begin"


class Database:
    """An ``AsyncEngine`` and the one way services run SQL on it: :meth:`begin`.

    Args:
        url: An async SQLAlchemy URL: ``sqlite+aiosqlite:///path/to/file.db`` or
            ``postgresql+asyncpg://user@host/db`` (see ``Settings.async_database_url``).
        echo: Log every SQL statement (debugging only).
        **engine_options: Passed on to ``create_async_engine``.

    SQLite files get WAL journaling (readers never block the writer), durable commits
    where asked (``begin(durable=True)``), a busy timeout, foreign keys, and real
    transactions: SQLAlchemy emits BEGIN itself so a SELECT followed by an UPDATE is one
    transaction, as on PostgreSQL.
    """

    def __init__(self, url: str | URL, *, echo: bool = False, **engine_options: Any) -> None:
        self.url: URL = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        options: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            _create_sqlite_folder(self.url)
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        else:
            options["pool_pre_ping"] = True
        options.update(engine_options)
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
        self._write_turn = asyncio.Lock()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``: for the few dialect-aware statements (upserts)."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def begin(
        self, *, immediate: bool = False, read_only: bool = False, durable: bool = False
    ) -> AsyncIterator[AsyncConnection]:
        """A Core connection inside one transaction: committed on success, rolled back on error.

        The services' one way to run SQL. On SQLite, a writing transaction first takes
        its turn with this process's other writers (:meth:`writing`), which is much
        faster under concurrency than letting them poll SQLite's file lock;
        ``read_only=True`` skips the turn, for reads that must not queue behind writers
        (a read-only transaction never needs SQLite's write lock).

        Args:
            immediate: On SQLite, take the write lock at BEGIN (``BEGIN IMMEDIATE``).
                Use it for read-then-write work (claiming rows): a deferred
                transaction that reads and then writes fails at once with
                "database is locked" if another writer committed in between,
                whereas an immediate one waits its turn. No effect on PostgreSQL.
            read_only: The transaction only reads: no write turn. Not with ``immediate``.
            durable: What it writes is what a user is about to be told (a reference, an
                acknowledgement, a resolution): on SQLite, the commit is synced to disk before
                it returns (``synchronous=FULL``), so a power cut cannot take it back. PostgreSQL
                commits are always durable (``synchronous_commit=on``).
        """
        if read_only and (immediate or durable):
            raise ValueError("an immediate or durable transaction is a writing one; drop read_only")
        async with contextlib.AsyncExitStack() as stack:
            if not read_only:
                await stack.enter_async_context(self.writing())
            conn = await stack.enter_async_context(self.engine.connect())
            if self.is_sqlite and (immediate or durable):
                options: dict[str, Any] = {}
                if immediate:
                    options[SQLITE_BEGIN_OPTION] = "IMMEDIATE"
                if durable:
                    options[SQLITE_DURABLE_OPTION] = True
                conn = await conn.execution_options(**options)
            await stack.enter_async_context(conn.begin())
            yield conn

    @property
    def holds_write_turn(self) -> bool:
        """Whether the current task is inside :meth:`writing` (or a writing :meth:`begin`) on this SQLite database."""
        return bool(_HOLDING_WRITE_TURN.get().get(id(self)))

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """On SQLite, wait for this process's other writers to finish; on PostgreSQL, nothing.

        SQLite admits one writer at a time and makes the others poll with
        growing sleeps (up to 100 ms each); queueing them on an asyncio lock
        hands the turn over at once. Re-entrant within a task, so a write
        nested in another one does not wait for itself.
        """
        if not self.is_sqlite or self.holds_write_turn:
            yield
            return
        async with self._write_turn:
            token = _HOLDING_WRITE_TURN.set({**_HOLDING_WRITE_TURN.get(), id(self): True})
            try:
                yield
            finally:
                _HOLDING_WRITE_TURN.reset(token)

    async def migrate(self, *, version_locations: list[str] | None = None) -> list[str]:
        """Bring the schema up to every head (core plus each feature's branch).

        Args:
            version_locations: Extra folders of revision files (tests use this).

        Returns:
            The revisions the database is at afterwards.
        """
        from switchover.storage.migrate import current_heads, upgrade_heads

        async with self.engine.begin() as conn:
            await conn.run_sync(upgrade_heads, version_locations=version_locations)
        async with self.engine.connect() as conn:
            heads = await conn.run_sync(current_heads)
        log.info("database migrated", extra={"database": self.safe_url, "revisions": heads})
        return heads

    async def ping(self) -> None:
        """Raise if the database cannot answer ``SELECT 1`` (for ``/readyz``)."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for logs."""
        return self.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"Database({self.safe_url!r})"


def _create_sqlite_folder(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Take BEGIN away from the sqlite3 driver (it skips it before SELECT and
        # DDL); the "begin" hook below emits it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        finally:
            cursor.close()
        record.info["synchronous"] = SQLITE_SYNCHRONOUS

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        # SQLite refuses to change the setting inside a transaction: it is set before BEGIN,
        # and only when it changes (the connection remembers what it has).
        level = SQLITE_DURABLE_SYNCHRONOUS if options.get(SQLITE_DURABLE_OPTION) else SQLITE_SYNCHRONOUS
        info = conn.connection.info
        if info.get("synchronous") != level:
            conn.exec_driver_sql(f"PRAGMA synchronous={level}")
            info["synchronous"] = level
        mode = options.get(SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE/DELETE (``execute`` is typed as returning a plain ``Result``)."""
    return cast(CursorResult[Any], result).rowcount


def insert_for(dialect: str) -> Any:
    """The dialect's ``insert`` (for ``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
