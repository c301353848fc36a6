"""Database: SQLite set-up, transactions, ping."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from switchover.settings import Settings
from switchover.storage import ConversationRecord, ConversationStore, Database

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


async def test_sqlite_file_gets_its_folder_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'a' / 'b' / 'switchover.db'}")
    try:
        async with db.engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            }
    finally:
        await db.dispose()

    assert (tmp_path / "a" / "b" / "switchover.db").exists()
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 15000, "foreign_keys": 1}


async def test_a_reference_the_user_was_told_survives_a_power_cut(tmp_path: Path) -> None:
    # The finding: SQLite ran with synchronous=NORMAL, which in WAL mode syncs only at
    # checkpoints, so a commit the user was told about (a report's reference) could vanish in a
    # power cut. A durable transaction syncs at its commit (FULL = 2); the others stay NORMAL
    # (1), on every pooled connection, whatever ran on it before.
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'switchover.db'}")
    seen = []
    try:
        for durable in (True, False, True, True, False, False):
            async with db.begin(durable=durable) as conn, db.begin(read_only=True) as other:
                seen.append((await conn.exec_driver_sql("PRAGMA synchronous")).scalar())
                seen.append((await other.exec_driver_sql("PRAGMA synchronous")).scalar())
            async with db.begin(immediate=True, durable=durable) as conn:
                seen.append((await conn.exec_driver_sql("PRAGMA synchronous")).scalar())
    finally:
        await db.dispose()
    assert seen == [2, 1, 2, 1, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1, 1, 1, 1, 1]
    with pytest.raises(ValueError, match="durable"):
        async with db.begin(read_only=True, durable=True):
            pass


def test_settings_url_opens_as_an_async_database(tmp_path: Path) -> None:
    settings = Settings(SWITCHOVER_DATA_DIR=tmp_path / "data")
    assert Database(settings.async_database_url).url.drivername == "sqlite+aiosqlite"
    assert Database(Settings(DATABASE_URL="postgresql://u@127.0.0.1/db").async_database_url).dialect == "postgresql"


async def test_begin_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    async with database.engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t_tx (tenant_id VARCHAR(64) NOT NULL, n INTEGER)")

    async with database.begin() as conn:
        await conn.execute(text("INSERT INTO t_tx VALUES ('t', 1)"))
    with pytest.raises(RuntimeError):
        async with database.begin() as conn:
            await conn.execute(text("INSERT INTO t_tx VALUES ('t', 2)"))
            raise RuntimeError("boom")

    async with database.begin(read_only=True) as conn:
        assert (await conn.scalars(text("SELECT n FROM t_tx"))).all() == [1]


async def test_read_then_write_transactions_serialise_on_sqlite(sqlite_database: Database) -> None:
    # Two handles on one file, like two processes: each has its own in-process write turn,
    # so only BEGIN IMMEDIATE keeps their read-then-write transactions apart.
    other = Database(sqlite_database.url)
    async with sqlite_database.engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t_counter (tenant_id VARCHAR(64) NOT NULL, n INTEGER)")
        await conn.exec_driver_sql("INSERT INTO t_counter VALUES ('t', 0)")

    async def increment(db: Database) -> None:
        async with db.begin(immediate=True) as conn:
            n = await conn.scalar(text("SELECT n FROM t_counter"))
            await asyncio.sleep(0)  # let the others run in between the read and the write
            await conn.execute(text("UPDATE t_counter SET n = :n"), {"n": n + 1})

    try:
        await asyncio.gather(*(increment((sqlite_database, other)[i % 2]) for i in range(12)))
    finally:
        await other.dispose()

    async with sqlite_database.begin(read_only=True) as conn:
        assert await conn.scalar(text("SELECT n FROM t_counter")) == 12


async def test_concurrent_writers_in_one_process_take_turns(sqlite_database: Database) -> None:
    db = sqlite_database
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t_counter (tenant_id VARCHAR(64) NOT NULL, n INTEGER)")
        await conn.exec_driver_sql("INSERT INTO t_counter VALUES ('t', 0)")

    async def increment() -> None:
        # Deferred BEGIN: safe only because transactions of one Database take turns.
        async with db.begin() as conn:
            n = await conn.scalar(text("SELECT n FROM t_counter"))
            await asyncio.sleep(0)
            await conn.execute(text("UPDATE t_counter SET n = :n"), {"n": n + 1})

    await asyncio.gather(*(increment() for _ in range(20)))

    async with db.begin(read_only=True) as conn:
        assert await conn.scalar(text("SELECT n FROM t_counter")) == 20


async def test_a_write_nested_in_a_transaction_does_not_wait_for_itself(database: Database) -> None:
    store = ConversationStore(database)
    record = ConversationRecord(tenant_id="t", kind="personal", conversation_id="a:1", service_url="https://s/")

    async def nested() -> None:
        async with database.begin():
            await store.upsert(record, T0)

    await asyncio.wait_for(nested(), timeout=30)  # a deadlock would hang here

    assert await store.get("t", "a:1") is not None


async def test_ping_answers_and_fails_loudly(database: Database) -> None:
    await database.ping()

    unreachable = Database("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(OSError):
            await unreachable.ping()
    finally:
        await unreachable.dispose()


async def test_begin_commits_rolls_back_and_writers_take_turns(sqlite_database: Database) -> None:
    db = sqlite_database
    async with db.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t_begin (tenant_id VARCHAR(64) NOT NULL, n INTEGER)")
        await conn.exec_driver_sql("INSERT INTO t_begin VALUES ('t', 0)")
    with pytest.raises(RuntimeError):
        async with db.begin() as conn:
            await conn.exec_driver_sql("UPDATE t_begin SET n = 99")
            raise RuntimeError("boom")

    async def increment() -> None:
        # Deferred BEGIN, read then write: safe only because begin() takes the write turn.
        async with db.begin() as conn:
            n = (await conn.exec_driver_sql("SELECT n FROM t_begin")).scalar_one()
            await asyncio.sleep(0)
            await conn.exec_driver_sql(f"UPDATE t_begin SET n = {n + 1}")

    await asyncio.gather(*(increment() for _ in range(20)))
    async with db.begin(read_only=True) as conn:
        assert (await conn.exec_driver_sql("SELECT n FROM t_begin")).scalar_one() == 20
        assert not db.holds_write_turn  # a read does not queue behind writers
    with pytest.raises(ValueError, match="immediate"):
        async with db.begin(immediate=True, read_only=True):
            pass
