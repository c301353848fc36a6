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


# -- which tenants may talk to this instance ------------------------------------------------


def _plan(tenant_id: str | None):  # noqa: ANN202 - only organisation.tenant_id is read
    from types import SimpleNamespace

    return SimpleNamespace(organisation=SimpleNamespace(tenant_id=tenant_id))


def _settings(**values: object):  # noqa: ANN202
    from switchover.settings import Settings

    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_plans_tenant_is_the_only_one_served_even_when_told_any_tenant() -> None:
    from switchover.tenant import served_tenants

    settings = _settings(app_id="a-bot", allow_any_tenant=True)
    assert served_tenants(settings, _plan("6B1C7A5E-0000-0000-0000-000000000001")) == {  # type: ignore[arg-type]
        "6b1c7a5e-0000-0000-0000-000000000001"
    }


def test_an_allow_list_that_is_not_the_plans_tenant_is_refused() -> None:
    from switchover.tenant import TenantConfigurationError, served_tenants

    with pytest.raises(TenantConfigurationError, match=r"is not the plan's tenant \(organisation.tenant_id: t-plan\)"):
        served_tenants(_settings(allowed_tenants="t-plan,t-other"), _plan("t-plan"))  # type: ignore[arg-type]
    assert served_tenants(_settings(allowed_tenants="T-PLAN"), _plan("t-plan")) == {"t-plan"}  # type: ignore[arg-type]


def test_without_a_plan_tenant_the_allow_list_is_served_in_every_mode() -> None:
    from switchover.tenant import served_tenants

    for app_id in ("", "a-bot"):
        settings = _settings(app_id=app_id, allowed_tenants=" t-1 ,T-2,, ")
        assert served_tenants(settings, _plan(None)) == {"t-1", "t-2"}  # type: ignore[arg-type]


def test_local_mode_with_no_tenant_named_serves_any_tenant() -> None:
    from switchover.tenant import TenantConfigurationError, served_tenants

    assert served_tenants(_settings(app_id=""), _plan(None)) == frozenset()  # type: ignore[arg-type]
    with pytest.raises(TenantConfigurationError):
        served_tenants(_settings(app_id="a-bot"), _plan(None))  # type: ignore[arg-type]
    assert served_tenants(_settings(app_id="a-bot", allow_any_tenant=True), _plan(None)) == frozenset()  # type: ignore[arg-type]
