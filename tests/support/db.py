"""Database fixtures: every storage-backed test runs on SQLite and on PostgreSQL.

Fixtures:
    database: a migrated :class:`~switchover.storage.Database`, parametrised over
        ``sqlite`` (a temp file) and ``postgresql`` (a fresh schema of its own in
        the ``test`` database on 127.0.0.1:5432, dropped afterwards even if the
        test fails).
    sqlite_database: a migrated SQLite database, for tests that need one backend.
    empty_database: like ``database`` but not migrated (for migration tests).

PostgreSQL being unreachable FAILS the postgres variants with a clear message,
unless ``SWITCHOVER_SKIP_POSTGRES=1`` is set (then they are skipped). The
server can be changed with ``SWITCHOVER_TEST_POSTGRES_URL`` (a URL whose user
may create schemas in its database).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from switchover.storage import Database

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_admin_url() -> str:
    """The admin URL the fixtures create and drop databases through."""
    return os.environ.get("SWITCHOVER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _asyncpg_dsn(database: str | None = None) -> str:
    url = make_url(postgres_admin_url()).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


async def _admin_connect() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(_asyncpg_dsn(), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        where = make_url(postgres_admin_url()).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL is not reachable at {where} ({type(exc).__name__}: {exc}). "
            "Start it, point SWITCHOVER_TEST_POSTGRES_URL at one, or set SWITCHOVER_SKIP_POSTGRES=1 "
            "to skip the PostgreSQL variants."
        )
        if os.environ.get("SWITCHOVER_SKIP_POSTGRES") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)


@asynccontextmanager
async def postgres_database(*, migrate: bool = True) -> AsyncIterator[Database]:
    """A fresh, empty PostgreSQL schema of its own, dropped on exit whatever happened.

    A schema, not a database: CREATE/DROP DATABASE cost seconds each on a busy
    server (they checkpoint), a schema costs milliseconds, and the isolation is
    the same for our purposes: every connection's ``search_path`` is the schema,
    so tables, indexes and Alembic's version table all land there.
    """
    schema = f"switchover_test_{uuid.uuid4().hex[:16]}"
    admin = await _admin_connect()
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    url = make_url(postgres_admin_url()).set(drivername="postgresql+asyncpg")
    db = Database(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        if migrate:
            await db.migrate()
        yield db
    finally:
        await db.dispose()
        admin = await _admin_connect()
        try:
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await admin.close()


@asynccontextmanager
async def sqlite_database_at(folder: Path, *, migrate: bool = True) -> AsyncIterator[Database]:
    """A SQLite database file in ``folder`` (the folder is created if missing)."""
    db = Database(f"sqlite+aiosqlite:///{folder / 'switchover.db'}")
    try:
        if migrate:
            await db.migrate()
        yield db
    finally:
        await db.dispose()


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path, *, migrate: bool = True) -> AsyncIterator[Database]:
    """A fresh database of the given backend (``"sqlite"`` or ``"postgresql"``)."""
    if backend == "sqlite":
        async with sqlite_database_at(tmp_path / "db", migrate=migrate) as db:
            yield db
    elif backend == "postgresql":
        async with postgres_database(migrate=migrate) as db:
            yield db
    else:
        raise ValueError(f"unknown backend {backend!r}")


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    async with fresh_database(request.param, tmp_path) as db:
        yield db


@pytest.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables yet, once on SQLite and once on PostgreSQL."""
    async with fresh_database(request.param, tmp_path, migrate=False) as db:
        yield db


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database in a temp folder."""
    async with sqlite_database_at(tmp_path / "db") as db:
        yield db
