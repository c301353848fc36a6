"""KeyValueStore: documents under (tenant, key) with e-tag checks."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from switchover.clock import ManualClock
from switchover.storage import Database, ETagConflict, KeyValueStore

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


async def test_write_read_and_updated_at_from_the_clock(database: Database) -> None:
    clock = ManualClock(T0)
    store = KeyValueStore(database, clock)

    etag = await store.write("t", "wizard", {"step": 1, "answers": ["a", "ü"]})
    clock.advance(dt.timedelta(minutes=5))
    second = await store.write("t", "wizard", {"step": 2, "answers": ["a", "ü"]}, if_match=etag)

    found = await store.read("t", ["wizard", "missing"])
    assert list(found) == ["wizard"]
    assert found["wizard"].document == {"step": 2, "answers": ["a", "ü"]}
    assert found["wizard"].e_tag == second != etag
    assert found["wizard"].updated_at == T0 + dt.timedelta(minutes=5)


async def test_if_match_on_a_missing_key_is_a_conflict(database: Database) -> None:
    store = KeyValueStore(database)

    with pytest.raises(ETagConflict):
        await store.write("t", "never-written", {"x": 1}, if_match="abc")
    assert await store.read("t", ["never-written"]) == {}


async def test_concurrent_writers_with_the_same_etag_exactly_one_wins(database: Database) -> None:
    store = KeyValueStore(database)
    etag = await store.write("t", "k", {"n": 0})

    results = await asyncio.gather(
        *(store.write("t", "k", {"n": i}, if_match=etag) for i in range(1, 7)), return_exceptions=True
    )

    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1
    assert all(isinstance(r, ETagConflict) for r in results if not isinstance(r, str))
    assert (await store.read("t", ["k"]))["k"].e_tag == winners[0]


async def test_many_keys_read_and_delete_across_query_chunks(database: Database) -> None:
    store = KeyValueStore(database)
    await store.write_many("t", [(f"k{i}", {"i": i}, None) for i in range(1100)])

    assert len(await store.read("t", [f"k{i}" for i in range(1200)])) == 1100
    assert await store.delete("t", [f"k{i}" for i in range(0, 1200, 2)]) == 550
    assert len(await store.read("t", [f"k{i}" for i in range(1200)])) == 550
