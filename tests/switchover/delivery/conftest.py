"""Fixtures for delivery engine tests: the shared fake Messenger and stored conversations."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

import pytest

from switchover.clock import ManualClock
from switchover.delivery import DeliveryEngine, DeliveryRequest, Recipient
from switchover.delivery.conversations import StoredConversations
from switchover.messaging import ConversationTarget, DeliveryError, OutgoingMessage
from switchover.storage import ConversationRecord, ConversationStore, Database
from tests.support.messenger import FakeMessenger

TENANT = "tenant-fabrikam"
SERVICE_URL = "https://smba.example.invalid/amer/"
START = dt.datetime(2027, 1, 2, 17, 0, tzinfo=dt.UTC)


def user_conversation(n: int) -> str:
    return f"a:personal-{n:05d}"


async def add_users(store: ConversationStore, count: int, *, start: int = 0) -> list[Recipient]:
    """Store a 1:1 conversation for ``count`` synthetic users; return them as recipients."""
    recipients = []
    for n in range(start, start + count):
        aad = f"00000000-0000-0000-0000-{n:012d}"
        await store.upsert(
            ConversationRecord(
                tenant_id=TENANT,
                kind="personal",
                conversation_id=user_conversation(n),
                service_url=SERVICE_URL,
                user_id=f"29:user-{n}",
                aad_object_id=aad,
                user_name=f"User {n}",
            ),
            START,
        )
        recipients.append(Recipient(TENANT, "user", aad, f"User {n}"))
    return recipients


def requests_for(recipients: list[Recipient], subject: str = "ann-1", **kw: object) -> list[DeliveryRequest]:
    return [
        DeliveryRequest(
            recipient=r,
            message=OutgoingMessage(text=f"Hello {r.display_name}", summary="Cutover notice"),
            purpose="announcement",
            subject_id=subject,
            dedupe_key=f"announcement:{subject}:{r.key}",
            **kw,  # type: ignore[arg-type]
        )
        for r in recipients
    ]


@pytest.fixture
def clock_start() -> dt.datetime:
    return START


@pytest.fixture
def store(database: Database) -> ConversationStore:
    return ConversationStore(database)


@pytest.fixture
def make_engine(database: Database, store: ConversationStore, clock: ManualClock, messenger: FakeMessenger):
    """Build engines on the shared database; their waits move the ManualClock instead of sleeping."""

    async def manual_sleep(seconds: float) -> None:
        clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)

    def build(**options: object) -> DeliveryEngine:
        options.setdefault("sleep", manual_sleep)
        return DeliveryEngine(database, messenger, StoredConversations(store, clock), clock, **options)  # type: ignore[arg-type]

    return build


def gone(code: str, status: int = 403) -> DeliveryError:
    from switchover.messaging import classify_failure

    return DeliveryError(classify_failure(status, code), status=status, code=code)


def with_target(target: ConversationTarget, **changes: object) -> ConversationTarget:
    return replace(target, **changes)  # type: ignore[arg-type]
