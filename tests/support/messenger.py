"""The one fake Messenger for domain tests: records what is sent, updated, deleted and opened,
and fails on cue, so the real delivery engine can run against it without Teams.

Fixture:
    messenger: a :class:`FakeMessenger` on the test's ``clock``; a package that needs it scripted
        differently (e.g. no 1:1 conversation can be reopened) overrides it in its conftest.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from switchover.clock import Clock, ManualClock
from switchover.messaging import ConversationTarget, DeliveryError, OutgoingMessage


@dataclass
class Sent:
    """One message the fake sent: where, under which activity id, what, and when (by the test's clock)."""

    conversation_id: str
    activity_id: str
    message: OutgoingMessage
    at: dt.datetime

    @property
    def text(self) -> str:
        """Every text in the card (and the message's own text), for asserting on what a person sees."""
        found: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    if k in ("text", "title", "value") and isinstance(v, str):
                        found.append(v)
                    else:
                        walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(self.message.card)
        return "\n".join(found + [self.message.text or ""])


@dataclass
class FakeMessenger:
    """A scriptable Messenger.

    Failures, by conversation id unless said otherwise:
        ``failures[id]``: errors raised in order by ``send`` and ``update``, then they succeed.
        ``fail[id]``: an error raised by every ``send`` there.
        ``open_failures[user_id]``: an error raised by every ``open_personal`` for that user,
            or a list raised in order before it succeeds.
        ``open_refused``: an error raised by ``open_personal`` for any user not in ``open_failures``;
            without it a fresh conversation ``a:fresh-<user_id>`` is opened.
    ``conversation_of`` maps a person's key to their 1:1 conversation id, for :meth:`to_person`.
    """

    clock: Clock
    failures: dict[str, list[DeliveryError]] = field(default_factory=dict)
    fail: dict[str, DeliveryError] = field(default_factory=dict)
    open_failures: dict[str, DeliveryError | list[DeliveryError]] = field(default_factory=dict)
    open_refused: DeliveryError | None = None
    conversation_of: Callable[[str], str] | None = None
    sent: list[Sent] = field(default_factory=list)
    updated: list[tuple[str, str, OutgoingMessage]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    calls: int = 0
    # Called after a successful send is recorded but before it returns (to simulate a crash in the window).
    after_send: Callable[[FakeMessenger], object] | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1_700_000_000_000))

    async def send(self, target: ConversationTarget, message: OutgoingMessage) -> str:
        self.calls += 1
        await asyncio.sleep(0)  # a real send yields to the loop
        queued = self.failures.get(target.conversation_id)
        if queued:
            raise queued.pop(0)
        if target.conversation_id in self.fail:
            raise self.fail[target.conversation_id]
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
        failure = self.open_failures.get(user_id, self.open_refused)
        if isinstance(failure, list):  # a queue of failures, then success
            if failure:
                raise failure.pop(0)
        elif failure is not None:
            raise failure
        return ConversationTarget(
            tenant_id=tenant_id, service_url=service_url, conversation_id=f"a:fresh-{user_id}", user_id=user_id
        )

    def per_conversation(self) -> Counter[str]:
        """How many messages went to each conversation."""
        return Counter(s.conversation_id for s in self.sent)

    def to(self, conversation_id: str) -> list[Sent]:
        """What was sent to one conversation, in order."""
        return [s for s in self.sent if s.conversation_id == conversation_id]

    def to_person(self, key: str) -> list[Sent]:
        """What was sent to a person's 1:1 conversation (named by ``conversation_of``)."""
        if self.conversation_of is None:
            raise AssertionError("this FakeMessenger was built without conversation_of")
        return self.to(self.conversation_of(key))


@pytest.fixture
def messenger(clock: ManualClock) -> FakeMessenger:
    return FakeMessenger(clock)
