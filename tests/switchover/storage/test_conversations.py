"""ConversationStore: upsert, uninstall/reinstall, lookups, the redundant-write shortcut, concurrency."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select

from switchover.messaging import ConversationTarget
from switchover.storage import ConversationRecord, ConversationStore, Database
from switchover.storage.conversations import ConversationRef

TENANT = "72f988bf-0000-4000-8000-000000000001"
OTHER_TENANT = "72f988bf-0000-4000-8000-000000000002"
T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
SERVICE = "https://smba.trafficmanager.net/emea/"


def personal(n: int = 1, **changes) -> ConversationRecord:
    record = ConversationRecord(
        tenant_id=TENANT,
        kind="personal",
        conversation_id=f"a:1personal{n}",
        service_url=SERVICE,
        bot_id="28:bot",
        user_id=f"29:user{n}",
        aad_object_id=f"aad-{n}",
        upn=f"user{n}@fabrikamhealth.example",
        user_name=f"User {n}",
        time_zone="Europe/London",
    )
    return dataclasses.replace(record, **changes)


def channel(team: str = "Fabrikam IT", name: str = "Migration", n: int = 1, **changes) -> ConversationRecord:
    record = ConversationRecord(
        tenant_id=TENANT,
        kind="channel",
        conversation_id=f"19:channel{n}@thread.tacv2",
        service_url=SERVICE,
        bot_id="28:bot",
        team_id=f"19:team{n}@thread.tacv2",
        team_name=team,
        channel_name=name,
    )
    return dataclasses.replace(record, **changes)


async def _row_count(db: Database) -> int:
    async with db.begin(read_only=True) as conn:
        return await conn.scalar(select(func.count()).select_from(ConversationRef))


async def test_first_upsert_inserts_with_first_and_last_seen(database: Database) -> None:
    store = ConversationStore(database)

    assert await store.upsert(personal(), T0) is True

    stored = await store.get(TENANT, "a:1personal1")
    assert stored == dataclasses.replace(personal(), first_seen=T0, last_seen=T0, uninstalled_at=None)


async def test_later_upsert_updates_but_keeps_first_seen(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(personal(), T0)

    moved = personal(service_url="https://smba.trafficmanager.net/amer/", time_zone="America/New_York")
    await store.upsert(moved, T0 + dt.timedelta(days=2))

    stored = await store.get(TENANT, "a:1personal1")
    assert stored.service_url == "https://smba.trafficmanager.net/amer/"
    assert stored.time_zone == "America/New_York"
    assert stored.first_seen == T0
    assert stored.last_seen == T0 + dt.timedelta(days=2)
    assert await _row_count(database) == 1


async def test_a_missing_detail_never_erases_a_known_one(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(channel(), T0)

    # A channel message carries no team or channel name. (Forced: unforced, nothing new would
    # not even be written; the database itself must keep what it knows.)
    await store.upsert(
        channel(team_name=None, channel_name=None, team_id=None), T0 + dt.timedelta(minutes=5), force=True
    )

    stored = await store.get(TENANT, "19:channel1@thread.tacv2")
    assert (stored.team_name, stored.channel_name, stored.team_id) == (
        "Fabrikam IT",
        "Migration",
        "19:team1@thread.tacv2",
    )
    assert stored.last_seen == T0 + dt.timedelta(minutes=5)


async def test_an_older_sighting_never_moves_last_seen_back(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(personal(), T0 + dt.timedelta(hours=3))

    await store.upsert(personal(user_name="User One"), T0)

    stored = await store.get(TENANT, "a:1personal1")
    assert stored.first_seen == T0
    assert stored.last_seen == T0 + dt.timedelta(hours=3)
    assert stored.user_name == "User One"


async def test_uninstall_keeps_the_row_and_reinstall_clears_the_mark(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(personal(), T0)

    assert await store.mark_uninstalled(TENANT, "a:1personal1", T0 + dt.timedelta(days=1)) is True

    gone = await store.get(TENANT, "a:1personal1")
    assert gone.installed is False
    assert gone.uninstalled_at == T0 + dt.timedelta(days=1)
    assert await store.all_personal(TENANT) == []
    assert [r.conversation_id for r in await store.all_personal(TENANT, installed_only=False)] == ["a:1personal1"]

    # A second uninstall notice keeps the first time.
    await store.mark_uninstalled(TENANT, "a:1personal1", T0 + dt.timedelta(days=2))
    assert (await store.get(TENANT, "a:1personal1")).uninstalled_at == T0 + dt.timedelta(days=1)

    assert await store.upsert(personal(), T0 + dt.timedelta(days=3)) is True

    back = await store.get(TENANT, "a:1personal1")
    assert back.installed is True
    assert back.uninstalled_at is None
    assert back.first_seen == T0
    assert [r.conversation_id for r in await store.all_personal(TENANT)] == ["a:1personal1"]


async def test_uninstalling_an_unknown_conversation_reports_false(database: Database) -> None:
    store = ConversationStore(database)

    assert await store.mark_uninstalled(TENANT, "a:never-seen", T0) is False
    assert await _row_count(database) == 0


async def test_an_uninstall_recorded_by_upsert_sets_the_mark(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(personal(), T0)

    await store.upsert(personal(installed=False), T0 + dt.timedelta(hours=1), force=True)

    stored = await store.get(TENANT, "a:1personal1")
    assert (stored.installed, stored.uninstalled_at) == (False, T0 + dt.timedelta(hours=1))


async def test_unchanged_conversation_is_not_written_again(database: Database) -> None:
    store = ConversationStore(database)

    assert await store.upsert(personal(), T0) is True
    assert await store.upsert(personal(), T0 + dt.timedelta(seconds=30)) is False
    assert await store.upsert(personal(time_zone="Asia/Kolkata"), T0 + dt.timedelta(seconds=40)) is True
    assert await store.upsert(personal(time_zone="Asia/Kolkata"), T0 + dt.timedelta(seconds=50), force=True) is True

    assert (store.writes, store.skipped) == (3, 1)
    assert (await store.get(TENANT, "a:1personal1")).time_zone == "Asia/Kolkata"


async def test_an_activity_without_a_time_zone_changes_nothing_and_is_not_written(database: Database) -> None:
    # Messages carry localTimezone; card actions (invokes) often do not. Alternating must not
    # cost a write each time, and the stored zone stays.
    store = ConversationStore(database)
    assert await store.upsert(personal(time_zone="America/Los_Angeles"), T0) is True
    for n in range(1, 5):
        zone = None if n % 2 else "America/Los_Angeles"
        assert await store.upsert(personal(time_zone=zone), T0 + dt.timedelta(seconds=n)) is False
    assert (store.writes, store.skipped) == (1, 4)
    assert (await store.get(TENANT, "a:1personal1")).time_zone == "America/Los_Angeles"
    # A different zone is a change.
    assert await store.upsert(personal(time_zone="America/Denver"), T0 + dt.timedelta(seconds=9)) is True


async def test_unchanged_conversation_is_refreshed_after_a_while(database: Database) -> None:
    store = ConversationStore(database, refresh_after=dt.timedelta(minutes=10))
    await store.upsert(personal(), T0)

    assert await store.upsert(personal(), T0 + dt.timedelta(minutes=9)) is False
    assert await store.upsert(personal(), T0 + dt.timedelta(minutes=11)) is True
    assert (await store.get(TENANT, "a:1personal1")).last_seen == T0 + dt.timedelta(minutes=11)


async def test_another_instances_uninstall_is_corrected_by_a_forced_upsert(database: Database) -> None:
    here, there = ConversationStore(database), ConversationStore(database)
    await here.upsert(personal(), T0)
    await there.mark_uninstalled(TENANT, "a:1personal1", T0 + dt.timedelta(minutes=1))

    # The reinstall event reaches the instance that still remembers "installed".
    assert await here.upsert(personal(), T0 + dt.timedelta(minutes=2), force=True) is True

    assert (await here.get(TENANT, "a:1personal1")).installed is True


async def test_the_memory_of_written_conversations_is_bounded(sqlite_database: Database) -> None:
    store = ConversationStore(sqlite_database, cache_size=2)
    for n in (1, 2, 3):
        await store.upsert(personal(n), T0)

    # 1 was evicted (oldest), 3 is remembered.
    assert await store.upsert(personal(1), T0 + dt.timedelta(seconds=1)) is True
    assert await store.upsert(personal(3), T0 + dt.timedelta(seconds=1)) is False
    assert len(store._written) == 2


async def test_concurrent_upserts_of_one_conversation_never_raise(database: Database) -> None:
    stores = [ConversationStore(database) for _ in range(4)]
    sightings = [T0 + dt.timedelta(seconds=i) for i in range(40)]

    results = await asyncio.gather(
        *(
            stores[i % 4].upsert(personal(user_name=f"User {i}"), seen, force=True)
            for i, seen in enumerate(reversed(sightings))
        ),
        return_exceptions=True,
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await _row_count(database) == 1
    stored = await stores[0].get(TENANT, "a:1personal1")
    assert (stored.first_seen, stored.last_seen) == (sightings[0], sightings[-1])


async def test_concurrent_upserts_of_many_conversations_all_land(database: Database) -> None:
    store = ConversationStore(database)

    await asyncio.gather(*(store.upsert(personal(n), T0) for n in range(60)))

    assert await _row_count(database) == 60


async def test_personal_lookup_by_user_and_in_bulk(database: Database) -> None:
    store = ConversationStore(database)
    for n in (1, 2, 3):
        await store.upsert(personal(n), T0)
    await store.upsert(channel(), T0)

    assert (await store.personal_for_user(TENANT, "aad-2")).conversation_id == "a:1personal2"
    assert await store.personal_for_user(TENANT, "aad-404") is None
    assert await store.personal_for_user(OTHER_TENANT, "aad-2") is None

    wanted = [f"aad-{n}" for n in range(1200)]  # more than one query's worth of ids
    found = await store.personal_for_users(TENANT, wanted)
    assert {k: v.conversation_id for k, v in found.items()} == {
        "aad-1": "a:1personal1",
        "aad-2": "a:1personal2",
        "aad-3": "a:1personal3",
    }


async def test_personal_lookup_prefers_an_installed_chat(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(personal(conversation_id="a:old"), T0)
    await store.upsert(personal(conversation_id="a:new"), T0 + dt.timedelta(days=1))
    await store.mark_uninstalled(TENANT, "a:new", T0 + dt.timedelta(days=2))

    assert (await store.personal_for_user(TENANT, "aad-1")).conversation_id == "a:old"

    await store.mark_uninstalled(TENANT, "a:old", T0 + dt.timedelta(days=3))
    # None installed: the most recently seen one.
    assert (await store.personal_for_user(TENANT, "aad-1")).conversation_id == "a:old"


async def test_channel_by_name_ignores_case_and_other_kinds(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(channel("Fabrikam IT", "Migration", n=1), T0)
    await store.upsert(channel("Fabrikam IT", "Helpdesk", n=2), T0)
    await store.upsert(
        ConversationRecord(
            tenant_id=TENANT,
            kind="groupChat",
            conversation_id="19:group@thread.v2",
            service_url=SERVICE,
            team_name="Fabrikam IT",
            channel_name="Migration",
        ),
        T0 + dt.timedelta(minutes=1),
    )

    found = await store.channel_by_name(TENANT, "fabrikam it", "MIGRATION")
    assert found.conversation_id == "19:channel1@thread.tacv2"
    assert (await store.channel_by_name(TENANT, "Fabrikam IT", "Helpdesk")).conversation_id == (
        "19:channel2@thread.tacv2"
    )
    assert await store.channel_by_name(TENANT, "Fabrikam IT", "General") is None
    assert await store.channel_by_name(OTHER_TENANT, "Fabrikam IT", "Migration") is None


async def test_tenants_are_kept_apart(database: Database) -> None:
    store = ConversationStore(database)
    await store.upsert(personal(), T0)
    await store.upsert(personal(tenant_id=OTHER_TENANT, upn="someone@contoso.example"), T0)

    assert (await store.get(TENANT, "a:1personal1")).upn == "user1@fabrikamhealth.example"
    assert (await store.get(OTHER_TENANT, "a:1personal1")).upn == "someone@contoso.example"
    assert len(await store.all_personal(TENANT)) == 1
    assert await _row_count(database) == 2


async def test_unicode_and_quotes_survive(database: Database) -> None:
    store = ConversationStore(database)
    odd = channel(team='Équipe "Santé" 🏥 \'; DROP TABLE x; --', name="Migração\nÜbergang {{x}}")

    await store.upsert(odd, T0)

    found = await store.channel_by_name(TENANT, odd.team_name, odd.channel_name)
    assert found is not None
    assert (found.team_name, found.channel_name) == (odd.team_name, odd.channel_name)


def test_record_to_target() -> None:
    assert personal().to_target() == ConversationTarget(
        tenant_id=TENANT,
        service_url=SERVICE,
        conversation_id="a:1personal1",
        channel_id="msteams",
        user_id="29:user1",
        bot_id="28:bot",
        is_channel=False,
    )
    assert channel().to_target().is_channel is True


def test_record_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="kind"):
        personal(kind="meeting")
    with pytest.raises(ValueError, match="service URL"):
        personal(service_url="")


async def test_naive_times_are_refused(sqlite_database: Database) -> None:
    store = ConversationStore(sqlite_database)
    naive = dt.datetime(2026, 11, 20, 8, 0)  # noqa: DTZ001 - the point of the test

    with pytest.raises(ValueError, match="aware"):
        await store.upsert(personal(), naive)
    with pytest.raises(ValueError, match="aware"):
        await store.mark_uninstalled(TENANT, "a:1personal1", naive)
