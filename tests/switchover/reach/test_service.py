"""Reach per person from stored state, on SQLite and PostgreSQL: chats, removals, Teams' refusals in the
delivery outbox, installation outcomes and disabled accounts, each to its state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from switchover.delivery.tables import deliveries
from switchover.directory.base import DirectoryUser
from switchover.plan.loader import load_plan
from switchover.reach import ReachService, ReachState
from switchover.reach.tables import installs
from switchover.storage import ConversationStore, Database
from switchover.storage.conversations import ConversationRecord

PLAN = Path(__file__).resolve().parents[3] / "examples" / "fabrikam" / "plan.yaml"
TENANT = "reach-tenant"
NOW = dt.datetime(2027, 1, 20, 18, 0, tzinfo=dt.UTC)


class Directory:
    def __init__(self, users: list[DirectoryUser]) -> None:
        self.users = users

    async def all_users(self) -> list[DirectoryUser]:
        return list(self.users)


def user(n: int, **kw: object) -> DirectoryUser:
    return DirectoryUser(id=f"u{n}", upn=f"p{n}@example.test", display_name=f"Person {n}", office="Tacoma Clinic", **kw)  # type: ignore[arg-type]


async def test_each_person_gets_the_state_their_stored_facts_say(database: Database) -> None:
    people = [user(n) for n in range(10)] + [user(10, enabled=False), user(11, user_type="Guest")]
    store = ConversationStore(database)
    before, later = NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=1)

    async def chat(n: int, *, installed: bool = True, seen: dt.datetime = before) -> None:
        record = ConversationRecord(
            tenant_id=TENANT, kind="personal", conversation_id=f"a:{n}", service_url="https://s/", aad_object_id=f"u{n}"
        )
        await store.upsert(record, seen)
        if not installed:
            await store.mark_uninstalled(TENANT, f"a:{n}", seen)

    await chat(0)  # a chat: conversation
    await chat(1, installed=False)  # removed the app: blocked
    await chat(2)  # Teams refused the last message since (403 blocked): blocked
    await chat(3)  # refused once, delivered since: conversation
    rows = [
        (2, "unreachable", "HTTP 403 BotDisabledByUser", later, None),
        (3, "unreachable", "HTTP 403 BotDisabledByUser", before + dt.timedelta(hours=1), None),
        (3, "sent", None, later, later),
        (
            4,
            "unreachable",
            "NoConversation: the bot has no conversation with this person (app not installed?)",
            later,
            None,
        ),
    ]
    async with database.begin() as c:
        await c.execute(
            sa.insert(deliveries),
            [
                {
                    "tenant_id": TENANT, "dedupe_key": f"d{i}", "purpose": "announcement", "subject_id": "a1",
                    "recipient_kind": "user", "recipient_key": f"u{n}", "message": {}, "status": status,
                    "reason": reason, "next_attempt_at": at, "created_at": at, "updated_at": at, "sent_at": sent,
                }
                for i, (n, status, reason, at, sent) in enumerate(rows)
            ],
        )  # fmt: skip
        await c.execute(
            sa.insert(installs),
            [
                {
                    "tenant_id": TENANT, "user_id": f"u{n}", "app_id": "app", "upn": f"p{n}@example.test",
                    "state": state, "attempts": 1, "throttled": 0, "next_attempt_at": before,
                    "created_at": before, "updated_at": before, "done_at": before,
                }
                for n, state in (
                    (5, "installed"), (6, "already_installed"), (7, "forbidden"), (8, "not_found"), (9, "pending")
                )
            ],
        )  # fmt: skip

    plan = load_plan(PLAN)

    async def first_sends() -> dict[str, dt.datetime]:
        return {}

    service = ReachService(database, _Clock(), Directory(people), store, lambda: plan, first_sends)  # type: ignore[arg-type]
    wave = await service.wave(TENANT, "wave-2")
    states = {p.user_id: p.state for p in wave.people}
    assert states == {
        "u0": ReachState.CONVERSATION,
        "u1": ReachState.BLOCKED,
        "u2": ReachState.BLOCKED,
        "u3": ReachState.CONVERSATION,
        "u4": ReachState.UNKNOWN,  # no chat is not a refusal
        "u5": ReachState.INSTALLED,
        "u6": ReachState.INSTALLED,
        "u7": ReachState.NO_TEAMS,
        "u8": ReachState.NO_TEAMS,
        "u9": ReachState.UNKNOWN,
        "u10": ReachState.DISABLED,
    }  # the guest is nobody's wave member here
    assert wave.counts == {"conversation": 2, "installed": 2, "blocked": 2, "no_teams": 2, "disabled": 1, "unknown": 2}
    assert wave.members == 10 and wave.reachable == 4
    assert [p.state for p in wave.people] == sorted((p.state for p in wave.people), key=list(ReachState).index)
    assert service.queue is None and await service.queue_due(TENANT) == 0  # no installer: reach is only read
    detail = {p.user_id: p.detail for p in wave.people}
    assert "BotDisabledByUser" in detail["u2"] and detail["u1"] == "removed the app"


class _Clock:
    def now(self) -> dt.datetime:
        return NOW
