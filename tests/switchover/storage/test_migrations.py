"""Migrations: from empty, idempotent, every branch head applied, tenant_id everywhere."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from switchover.storage import Base, Database
from switchover.storage.migrate import CORE_REVISION, VERSIONS_DIR, alembic_config, current_heads, import_all_models

REPO_ROOT = Path(__file__).resolve().parents[3]
CORE_TABLES = {"conversation_refs", "bot_state"}


async def _tables(db: Database) -> dict[str, list[tuple[str, str, bool]]]:
    """Every table's columns as (name, type, nullable)."""

    def read(conn):
        inspector = inspect(conn)
        return {
            name: [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)]
            for name in inspector.get_table_names()
        }

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def test_migrate_from_empty_creates_core_tables(empty_database: Database) -> None:
    assert await _tables(empty_database) == {}

    heads = await empty_database.migrate()

    assert heads == sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
    tables = await _tables(empty_database)
    assert CORE_TABLES <= set(tables)
    assert "alembic_version" in tables


async def test_migrate_twice_changes_nothing(database: Database) -> None:
    before_tables = await _tables(database)
    async with database.engine.connect() as conn:
        before_heads = await conn.run_sync(current_heads)

    after_heads = await database.migrate()

    assert after_heads == before_heads
    assert await _tables(database) == before_tables


async def test_every_stored_table_has_a_non_null_tenant_id(database: Database) -> None:
    tables = await _tables(database)
    tables.pop("alembic_version")

    assert tables, "migrations created no tables"
    missing = {
        name: [column for column in columns if column[0] == "tenant_id"]
        for name, columns in tables.items()
        if ("tenant_id", False) not in {(column[0], column[2]) for column in columns}
    }
    assert missing == {}, f"tables without a NOT NULL tenant_id column: {missing}"


def test_every_declared_table_has_a_non_null_tenant_id() -> None:
    import_all_models()

    offenders = [
        table.name for table in Base.metadata.sorted_tables if "tenant_id" not in table.c or table.c.tenant_id.nullable
    ]

    assert offenders == []


def _revision(rev_id: str, table: str) -> str:
    return textwrap.dedent(
        f'''
        import sqlalchemy as sa
        from alembic import op

        revision = "{rev_id}"
        down_revision = "{CORE_REVISION}"
        branch_labels = ("{table}",)
        depends_on = None


        def upgrade():
            op.create_table(
                "{table}",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("tenant_id", sa.String(64), nullable=False),
            )


        def downgrade():
            op.drop_table("{table}")
        '''
    )


async def test_upgrade_applies_every_branch_head(empty_database: Database, tmp_path: Path) -> None:
    extra = tmp_path / "versions"
    extra.mkdir()
    (extra / "9001_alpha.py").write_text(_revision("9001_alpha", "alpha_things"))
    (extra / "9002_beta.py").write_text(_revision("9002_beta", "beta_things"))

    heads = await empty_database.migrate(version_locations=[str(extra)])

    assert {"9001_alpha", "9002_beta"} <= set(heads)
    assert {"alpha_things", "beta_things", *CORE_TABLES} <= set(await _tables(empty_database))


def test_shipped_revisions_all_branch_from_core() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    base = scripts.get_revision(CORE_REVISION)

    assert base.down_revision is None
    assert scripts.get_bases() == [CORE_REVISION]
    for script in scripts.walk_revisions():
        if script.revision != CORE_REVISION:
            assert script.branch_labels, f"{script.revision} needs its own branch_labels"
    assert (VERSIONS_DIR / f"{CORE_REVISION}.py").exists()


async def test_command_line_upgrade_uses_database_url(tmp_path: Path) -> None:
    target = tmp_path / "cli" / "switchover.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{target}"}
    alembic = Path(sys.executable).with_name("alembic")
    proc = await asyncio.create_subprocess_exec(
        str(alembic),
        "-c",
        "switchover/storage/alembic.ini",
        "upgrade",
        "heads",
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()

    db = Database(f"sqlite+aiosqlite:///{target}")
    try:
        assert CORE_TABLES <= set(await _tables(db))
    finally:
        await db.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_database_reports_its_dialect(dialect: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}" if dialect == "sqlite" else "postgresql+asyncpg://u@127.0.0.1/x"
    db = Database(url)
    assert db.dialect == dialect
    assert "secret" not in Database("postgresql+asyncpg://u:secret@127.0.0.1/x").safe_url


async def test_migrations_create_exactly_what_the_models_declare(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import_all_models()

    def differences(conn) -> list:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as conn:
        diffs = await conn.run_sync(differences)

    assert diffs == [], "a migration and its models disagree (write the missing revision or fix the model)"
