"""Which tenant this instance serves: the plan's, else the first one Teams shows, else the most conversations'."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchover.storage import Database
from switchover.storage.conversations import ConversationRecord, ConversationStore
from switchover.tenant import ServedTenant

NOW = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)


class Announcements:
    """The part of the announcement service a tenant is settled on."""

    def __init__(self, tenant_id: str = "") -> None:
        self.tenant_id = tenant_id
        self.reconciled: list[str] = []

    async def reconcile_plan(self) -> None:
        self.reconciled.append(self.tenant_id)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'switchover.db'}")
    await database.migrate()
    try:
        yield database
    finally:
        await database.dispose()


async def _seen(db: Database, tenant_id: str, conversation_id: str) -> None:
    record = ConversationRecord(tenant_id, "personal", conversation_id, "https://smba.example/amer/")
    await ConversationStore(db).upsert(record, NOW)


async def test_the_plans_tenant_stays_and_is_not_reconciled_again(db: Database) -> None:
    announcements = Announcements("plan-tenant")
    tenant = ServedTenant(db, announcements)  # type: ignore[arg-type]
    assert await tenant.settle("someone-else") == "plan-tenant"
    assert tenant.id == "plan-tenant" and announcements.reconciled == []


async def test_the_first_tenant_seen_is_served_and_its_calendar_reconciled_once(db: Database) -> None:
    announcements = Announcements()
    tenant = ServedTenant(db, announcements)  # type: ignore[arg-type]
    assert await tenant.settle("seen-tenant") == "seen-tenant"
    assert await tenant.settle("another") == "seen-tenant"
    assert announcements.reconciled == ["seen-tenant"]


async def test_without_one_seen_the_tenant_most_conversations_belong_to(db: Database) -> None:
    announcements = Announcements()
    tenant = ServedTenant(db, announcements)  # type: ignore[arg-type]
    assert await tenant.settle() == ""  # nobody has talked to the bot: nothing can be delivered
    assert announcements.reconciled == []
    await _seen(db, "small", "a:1")
    for n in range(3):
        await _seen(db, "big", f"a:big-{n}")
    assert await tenant.settle() == "big"
    assert announcements.reconciled == ["big"]
