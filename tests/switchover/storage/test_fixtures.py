"""The shared database fixtures hand every test an empty, migrated database, even after reuse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect

from switchover.storage import ConversationRecord, ConversationStore, Database
from tests.support.db import fresh_database

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: set(inspect(c).get_table_names()))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_the_next_test_sees_no_rows_and_no_extra_tables(backend: str, tmp_path: Path) -> None:
    record = ConversationRecord(tenant_id="t", kind="personal", conversation_id="a:1", service_url="https://s/")
    async with fresh_database(backend, tmp_path / "first") as db:
        tables = await _tables(db)
        await ConversationStore(db).upsert(record, T0)
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE scratch_things (tenant_id VARCHAR(64) NOT NULL)")

    async with fresh_database(backend, tmp_path / "second") as db:
        assert await ConversationStore(db).get("t", "a:1") is None
        assert await _tables(db) == tables


@pytest.mark.postgres
async def test_a_reshaped_postgres_schema_is_replaced(tmp_path: Path) -> None:
    async with fresh_database("postgresql", tmp_path) as db:
        tables = await _tables(db)
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("DROP TABLE conversation_refs")

    async with fresh_database("postgresql", tmp_path) as db:
        assert await _tables(db) == tables
