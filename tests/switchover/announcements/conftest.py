"""Fixtures for announcement tests: the Fabrikam plan and roster, every roster user with a 1:1 chat."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchover.announcements import AnnouncementService
from switchover.delivery import DeliveryEngine
from switchover.delivery.conversations import StoredConversations
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan
from switchover.storage import ConversationRecord, ConversationStore, Database

FABRIKAM = Path(__file__).resolve().parents[3] / "examples" / "fabrikam"
TENANT = "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11"
SERVICE_URL = "https://smba.example.invalid/amer/"
# Two days before the pilot's T-14 message (2027-01-02 09:00 Pacific).
START = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)


def personal_conversation(aad: str) -> str:
    return f"a:personal-{aad}"


@pytest.fixture(scope="session")
def plan():
    return load_plan(FABRIKAM / "plan.yaml")


@pytest.fixture(scope="session")
def directory():
    return RosterDirectory.from_csv(FABRIKAM / "roster.csv")


@pytest.fixture
def clock_start() -> dt.datetime:
    return START


@pytest.fixture
async def store(database: Database, directory: RosterDirectory) -> ConversationStore:
    """Every enabled roster user has installed the app (1:1 chat stored), plus the Service Desk channel."""
    store = ConversationStore(database)
    for user in await directory.all_users():
        await store.upsert(
            ConversationRecord(
                tenant_id=TENANT,
                kind="personal",
                conversation_id=personal_conversation(user.id),
                service_url=SERVICE_URL,
                user_id=f"29:{user.id}",
                aad_object_id=user.id,
                user_name=user.display_name,
                time_zone="America/Boise" if user.office == "Remote - Boise" else None,
            ),
            START,
        )
    await store.upsert(
        ConversationRecord(
            tenant_id=TENANT,
            kind="channel",
            conversation_id="19:service-desk@thread.tacv2",
            service_url=SERVICE_URL,
            team_name="Fabrikam IT",
            channel_name="Service Desk",
        ),
        START,
    )
    return store


@pytest.fixture
def engine(database, store, clock, messenger) -> DeliveryEngine:
    async def manual_sleep(seconds: float) -> None:
        clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)

    return DeliveryEngine(
        database, messenger, StoredConversations(store, clock), clock, sleep=manual_sleep, concurrency=8
    )


@pytest.fixture
async def service(database, plan, directory, store, engine, clock) -> AsyncIterator[AnnouncementService]:
    svc = AnnouncementService(database, plan, directory, store, engine, clock, tenant_id=TENANT)
    yield svc
    await svc.jobs.idle()  # bulk jobs' last checks finish before the database closes
