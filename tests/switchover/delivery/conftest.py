"""Fixtures for delivery engine tests: a scriptable fake Messenger and stored conversations."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field, replace

import pytest

from switchover.clock import ManualClock
from switchover.delivery import DeliveryEngine, DeliveryRequest, Recipient
from switchover.delivery.conversations import StoredConversations
from switchover.messaging import ConversationTarget, DeliveryError, OutgoingMessage
from switchover.storage import ConversationRecord, ConversationStore, Database

TENANT = "tenant-fabrikam"
SERVICE_URL = "https://smba.example.invalid/amer/"
START = dt.datetime(2027, 1, 2, 17, 0, tzinfo=dt.UTC)


@dataclass
class Sent:
    conversation_id: str
    activity_id: str
    message: OutgoingMessage
    at: dt.datetime


@dataclass
class FakeMessenger:
    """Records what it sends; ``failures[conversation_id]`` lists errors to raise, in order, before succeeding."""

    clock: ManualClock
    failures: dict[str, list[DeliveryError]] = field(default_factory=dict)
    open_failures: dict[str, DeliveryError | list[DeliveryError]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    updated: list[tuple[str, str, OutgoingMessage]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    calls: int = 0
    # Called after a successful send is recorded but before it returns (to simulate a crash in the window).
    after_send: object = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1_700_000_000_000))

    async def send(self, target: ConversationTarget, message: OutgoingMessage) -> str:
        self.calls += 1
        await asyncio.sleep(0)  # a real send yields to the loop
        queued = self.failures.get(target.conversation_id)
        if queued:
            raise queued.pop(0)
        activity_id = str(next(self._ids))
        self.sent.append(Sent(target.conversation_id, activity_id, message, self.clock.now()))
        if callable(self.after_send):
            self.after_send(self)
        return activity_id

    async def update(self, target: ConversationTarget, activity_id: str, message: OutgoingMessage) -> None:
        queued = self.failures.get(target.conversation_id)
        if queued:
            raise queued.pop(0)
        self.updated.append((target.conversation_id, activity_id, message))

    async def delete(self, target: ConversationTarget, activity_id: str) -> None:
        self.deleted.append((target.conversation_id, activity_id))

    async def open_personal(
        self, *, tenant_id: str, service_url: str, user_id: str, bot_id: str | None = None
    ) -> ConversationTarget:
        self.opened.append(user_id)
        failure = self.open_failures.get(user_id)
        if isinstance(failure, list):  # a queue of failures, then success
            if failure:
                raise failure.pop(0)
        elif failure is not None:
            raise failure
        return ConversationTarget(
            tenant_id=tenant_id, service_url=service_url, conversation_id=f"a:fresh-{user_id}", user_id=user_id
        )

    def per_conversation(self) -> Counter[str]:
        return Counter(s.conversation_id for s in self.sent)


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
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def messenger(clock: ManualClock) -> FakeMessenger:
    return FakeMessenger(clock)


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
