"""Database fixtures: every storage-backed test runs on SQLite and on PostgreSQL.

Fixtures:
    database: a migrated :class:`~switchover.storage.Database` with no rows,
        parametrised over ``sqlite`` and ``postgresql`` (127.0.0.1:5432).
    sqlite_database: a migrated SQLite database, for tests that need one backend.
    empty_database: like ``database`` but without any table (for migration tests).

Migrating costs one to three seconds per database on a busy machine, so each
test process migrates once per backend and then:
- SQLite: copies the migrated file into the test's ``tmp_path``;
- PostgreSQL: hands every test the same migrated schema (its own to this
  process) and empties it afterwards: every table truncated, tables a test
  created dropped. If a test changed the schema's shape (a table or revision
  missing or added), the schema is thrown away and the next test gets a new one.
Schemas are dropped when the session ends, and ones left by killed test
processes are dropped by the next run.

PostgreSQL being unreachable FAILS the postgres variants with a clear message,
unless ``SWITCHOVER_SKIP_POSTGRES=1`` is set (then they are skipped). The
server can be changed with ``SWITCHOVER_TEST_POSTGRES_URL`` (a URL whose user
may create schemas in its database).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from switchover.storage import Database

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
SCHEMA_PREFIX = "switchover_test_"
_OWNED_SCHEMA = re.compile(rf"^{SCHEMA_PREFIX}p(\d+)_[0-9a-f]+$")

# Per-process state: what this process migrated once and reuses.
_created_schemas: set[str] = set()
_migrated_pg: dict[str, tuple[str, frozenset[str], list[str]]] = {}
_sqlite_template: dict[str, Path] = {}


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
    schema = await _create_schema()
    db = _schema_database(schema)
    try:
        if migrate:
            await db.migrate()
        yield db
    finally:
        await db.dispose()
        await _drop_schemas([schema])


def _schema_database(schema: str) -> Database:
    url = make_url(postgres_admin_url()).set(drivername="postgresql+asyncpg")
    return Database(url, connect_args={"server_settings": {"search_path": schema}})


async def _create_schema() -> str:
    schema = f"{SCHEMA_PREFIX}p{os.getpid()}_{uuid.uuid4().hex[:12]}"
    admin = await _admin_connect()
    try:
        await _drop_orphaned_schemas(admin)
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    _created_schemas.add(schema)
    return schema


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _drop_orphaned_schemas(admin: asyncpg.Connection) -> None:
    """Schemas of test processes that were killed before they could clean up."""
    rows = await admin.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", SCHEMA_PREFIX + "p%")
    for row in rows:
        match = _OWNED_SCHEMA.match(row["nspname"])
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            try:
                await admin.execute(f'DROP SCHEMA IF EXISTS "{row["nspname"]}" CASCADE')
            except asyncpg.PostgresError:
                pass  # another process is dropping it too


async def _drop_schemas(schemas: list[str]) -> None:
    admin = await _admin_connect()
    try:
        # A connection a test forgot to close may hold a lock; never hang on it.
        await admin.execute("SET lock_timeout = '15s'")
        for schema in schemas:
            try:
                await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            except asyncpg.PostgresError:
                continue  # dropped at session end, or as an orphan by the next run
            _created_schemas.discard(schema)
    finally:
        await admin.close()


async def _migrated_postgres_schema() -> tuple[str, frozenset[str], list[str]]:
    """This process's migrated schema: (name, its tables, its revisions)."""
    if "pg" not in _migrated_pg:
        schema = await _create_schema()
        db = _schema_database(schema)
        try:
            heads = await db.migrate()
            async with db.engine.connect() as conn:
                tables = await conn.run_sync(lambda c: frozenset(inspect(c).get_table_names()))
        finally:
            await db.dispose()
        _migrated_pg["pg"] = (schema, tables, heads)
    return _migrated_pg["pg"]


async def _empty_postgres_schema(schema: str, tables: frozenset[str], heads: list[str]) -> bool:
    """Remove every row and every extra table; False if the schema no longer has its migrated shape."""
    admin = await _admin_connect()
    try:
        await admin.execute("SET lock_timeout = '15s'")
        async with admin.transaction():
            present = {
                row["tablename"]
                for row in await admin.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
            }
            if not tables <= present:
                return False
            for extra in sorted(present - tables):
                await admin.execute(f'DROP TABLE "{schema}"."{extra}" CASCADE')
            data_tables = sorted(tables - {"alembic_version"})
            if data_tables:
                names = ", ".join(f'"{schema}"."{name}"' for name in data_tables)
                await admin.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            versions = await admin.fetch(f'SELECT version_num FROM "{schema}".alembic_version')
            return sorted(row["version_num"] for row in versions) == heads
    except asyncpg.PostgresError:
        return False
    finally:
        await admin.close()


@asynccontextmanager
async def migrated_postgres_database() -> AsyncIterator[Database]:
    """A migrated PostgreSQL schema with no rows (reused across tests, emptied after each)."""
    schema, tables, heads = await _migrated_postgres_schema()
    db = _schema_database(schema)
    try:
        yield db
    finally:
        await db.dispose()
        if not await _empty_postgres_schema(schema, tables, heads):
            _migrated_pg.pop("pg", None)
            await _drop_schemas([schema])


async def _migrated_sqlite_template() -> Path:
    if "sqlite" not in _sqlite_template:
        path = Path(tempfile.mkdtemp(prefix="switchover-sqlite-template-")) / "switchover.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await db.migrate()
            async with db.engine.connect() as conn:
                # Everything into the main file, so a plain copy is the whole database.
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await db.dispose()
        _sqlite_template["sqlite"] = path
    return _sqlite_template["sqlite"]


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop this process's schemas and SQLite template."""
    for path in _sqlite_template.values():
        shutil.rmtree(path.parent, ignore_errors=True)
    _sqlite_template.clear()
    if _created_schemas:
        try:
            asyncio.run(_drop_schemas(sorted(_created_schemas)))
        except Exception as exc:  # the next run drops orphans anyway
            print(f"could not drop test schemas {sorted(_created_schemas)}: {exc}")  # noqa: T201


@asynccontextmanager
async def sqlite_database_at(folder: Path, *, migrate: bool = True) -> AsyncIterator[Database]:
    """A SQLite database file in ``folder`` (the folder is created if missing)."""
    target = folder / "switchover.db"
    if migrate:
        template = await _migrated_sqlite_template()
        await asyncio.to_thread(_copy_file, template, target)
    db = Database(f"sqlite+aiosqlite:///{target}")
    try:
        yield db
    finally:
        await db.dispose()


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path, *, migrate: bool = True) -> AsyncIterator[Database]:
    """A fresh database of the given backend (``"sqlite"`` or ``"postgresql"``)."""
    if backend == "sqlite":
        async with sqlite_database_at(tmp_path / "db", migrate=migrate) as db:
            yield db
    elif backend == "postgresql" and migrate:
        async with migrated_postgres_database() as db:
            yield db
    elif backend == "postgresql":
        async with postgres_database(migrate=False) as db:
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


@asynccontextmanager
async def app_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The app's database: a SQLite file, or a PostgreSQL database of its own, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'switchover.db'}"
        return
    admin_url = make_url(postgres_admin_url())
    name = f"switchover_test_app_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
