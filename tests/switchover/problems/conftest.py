"""Fixtures for the problem-report tests: the Fabrikam plan's problem parts, a small directory,
stored conversations for everyone involved, the shared fake Messenger and the real delivery engine."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import pytest

from switchover.clock import ManualClock
from switchover.delivery import DeliveryEngine
from switchover.delivery.conversations import StoredConversations
from switchover.directory.base import DirectoryUser, Readiness
from switchover.messaging import DeliveryError, FailureKind
from switchover.plan.model import Plan
from switchover.problems.desk import ProblemDesk
from switchover.problems.model import Actor, Reporter
from switchover.storage import ConversationRecord, ConversationStore, Database
from tests.support.messenger import FakeMessenger
from tests.switchover.problems.plan_fixture import LA, TENANT, fabrikam_plan

SERVICE_URL = "https://smba.example.invalid/amer/"
# A Wednesday in Wave 2's hypercare, 10:00 Pacific: the Service Desk is staffed.
WEDNESDAY_10 = dt.datetime(2027, 2, 17, 10, 0, tzinfo=LA)

STAFF = {
    "priya.raman": "c676d873-08e8-4ebc-955a-ab4ebcf8f437",
    "tom.becker": "c5bbf2ec-1f5b-4b4a-aa98-5bf043bc6f6f",
    "luis.ortega": "900e9482-7bdf-4285-9d69-f6a6dc2ca89a",
    "ana.silva": "515d67d7-4d94-48cf-bdbb-af829302f4e6",
    "marcus.chen": "40a6f12e-b928-415f-8047-51055ce98128",
    "jordan.lee": "4df40c78-c88b-4618-967e-8ff93cd808bd",
    "kevin.obrien": "39f70139-154b-4846-9b8b-1a592be879a9",
    "sara.novak": "cee94d14-acc9-4ade-9ed8-2c2b4b71d008",
    "dana.whitfield": "ca171f98-7d3f-4bb4-b66a-3ddcecb362d6",
    "robert.kim": "ddcb8588-d5be-478b-b811-20a3fd01a780",
}
DESK_CONVERSATION = "19:desk@thread.tacv2"


def conversation_of(person_key: str) -> str:
    return f"a:1on1-{person_key}"


def reporter(n: int = 1, *, wave: str = "wave-2", site: str = "Tacoma Clinic") -> Reporter:
    return Reporter(
        tenant_id=TENANT,
        id=f"00000000-0000-4000-8000-{n:012d}",
        name=f"Reporter {n}",
        upn=f"reporter{n}@fabrikamhealth.com",
        wave=wave,
        site=site,
        department="Clinical Operations",
    )


def reporter_conversation(n: int) -> str:
    return f"a:1on1-reporter-{n}"


def actor(person_key: str) -> Actor:
    return Actor(id=STAFF[person_key], name=fabrikam_plan().person(person_key).name, person_key=person_key)


class PlanDirectory:
    """The plan's people, by Entra object id and UPN."""

    def __init__(self, plan: Plan) -> None:
        self.users = {
            key: DirectoryUser(id=oid, upn=plan.person(key).upn, display_name=plan.person(key).name)
            for key, oid in STAFF.items()
        }

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        needle = id_or_upn.casefold()
        return next((u for u in self.users.values() if needle in (u.id.casefold(), u.upn.casefold())), None)

    async def all_users(self) -> list[DirectoryUser]:
        return list(self.users.values())

    async def readiness(self, user_id: str) -> Readiness | None:
        return None


@pytest.fixture
def plan() -> Plan:
    return fabrikam_plan()


@pytest.fixture
def clock_start() -> dt.datetime:
    return WEDNESDAY_10


@pytest.fixture
def messenger(clock: ManualClock) -> FakeMessenger:
    # Nobody's 1:1 conversation can be opened afresh: a gone conversation stays gone.
    return FakeMessenger(
        clock, open_refused=DeliveryError(FailureKind.GONE, status=403), conversation_of=conversation_of
    )


async def store_conversations(store: ConversationStore, now: dt.datetime, reporters: int = 8) -> None:
    for key, oid in STAFF.items():
        await store.upsert(
            ConversationRecord(
                tenant_id=TENANT,
                kind="personal",
                conversation_id=conversation_of(key),
                service_url=SERVICE_URL,
                user_id=f"29:{key}",
                aad_object_id=oid,
                user_name=key,
            ),
            now,
        )
    for n in range(1, reporters + 1):
        r = reporter(n)
        await store.upsert(
            ConversationRecord(
                tenant_id=TENANT,
                kind="personal",
                conversation_id=reporter_conversation(n),
                service_url=SERVICE_URL,
                user_id=f"29:reporter-{n}",
                aad_object_id=r.id,
                user_name=r.name,
            ),
            now,
        )
    await store.upsert(
        ConversationRecord(
            tenant_id=TENANT,
            kind="channel",
            conversation_id=DESK_CONVERSATION,
            service_url=SERVICE_URL,
            team_id="19:team@thread.tacv2",
            team_name="Fabrikam IT",
            channel_name="Service Desk",
        ),
        now,
    )


@dataclass
class Desk:
    """A problem desk wired to the real delivery engine over a test database."""

    desk: ProblemDesk
    engine: DeliveryEngine
    messenger: FakeMessenger
    clock: ManualClock
    plan: Plan

    async def settle(self) -> None:
        """Deliver everything due now (outcome callbacks may enqueue more)."""
        await self.engine.drain()


@pytest.fixture
async def make_desk(database: Database, clock: ManualClock, messenger: FakeMessenger, plan: Plan):
    store = ConversationStore(database)
    await store_conversations(store, clock.now())

    async def manual_sleep(seconds: float) -> None:
        clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)

    def build() -> Desk:
        engine = DeliveryEngine(
            database, messenger, StoredConversations(store, clock), clock, sleep=manual_sleep, max_attempts=3
        )
        return Desk(ProblemDesk(database, plan, PlanDirectory(plan), engine, clock), engine, messenger, clock, plan)

    return build


@pytest.fixture
async def desk(make_desk) -> Desk:
    return make_desk()
