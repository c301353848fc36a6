"""The last good snapshot in the database: a restart during a Graph outage still has a directory."""

from __future__ import annotations

import datetime as dt

from switchover.clock import ManualClock
from switchover.directory.graph import GraphDirectory
from switchover.directory.graph_client import build_graph_client
from switchover.directory.store import DirectoryStore
from switchover.plan.model import ReadinessChecks
from switchover.storage import Database
from tests.support.fake_graph import FakeGraph, StaticTokenCredential

GRACE = "grace.okafor@fabrikamhealth.com"


def _directory(fake: FakeGraph, clock: ManualClock, db: Database) -> GraphDirectory:
    client = build_graph_client(StaticTokenCredential(), base_url=fake.base_url, max_retries=1)
    return GraphDirectory(
        client,
        clock=clock,
        tenant_id="fabrikam",
        checks=ReadinessChecks(mfa=True, device_compliance=True),
        store=DirectoryStore(db),
        timeout_seconds=2,
    )


async def test_restart_during_an_outage_uses_the_stored_snapshot(
    database: Database, fake_graph: FakeGraph, clock: ManualClock, retry_waits: list[float]
) -> None:
    first = _directory(fake_graph, clock, database)
    try:
        await first.start()
        assert await first.sync() is True
        before = {u.id: u for u in await first.all_users()}
        grace_ready = await first.readiness(fake_graph.data.upn_id(GRACE))
    finally:
        await first.aclose()

    # The process restarts three hours later while Graph is down.
    fake_graph.down = True
    clock.advance(dt.timedelta(hours=3))
    second = _directory(fake_graph, clock, database)
    try:
        await second.start()
        assert await second.sync() is False
        after = {u.id: u for u in await second.all_users()}
        assert after == before  # groups, departments, everything
        grace = await second.get(GRACE)
        assert grace is not None and "Migration Champions" in grace.groups
        assert await second.readiness(grace.id) == grace_ready
        health = second.health()
        assert health.state == "degraded"
        assert health.last_sync == dt.datetime(2027, 1, 2, 9, 0, tzinfo=dt.UTC)
        last_success, last_error = await DirectoryStore(database).last_sync("fabrikam")
        assert last_success == health.last_sync and last_error and "503" in last_error
    finally:
        await second.aclose()


async def test_a_new_sync_replaces_the_stored_rows(
    database: Database, fake_graph: FakeGraph, clock: ManualClock
) -> None:
    directory = _directory(fake_graph, clock, database)
    try:
        await directory.sync()
        gone = fake_graph.data.upn_id("omar.reyes@fabrikamhealth.com")
        del fake_graph.data.users[gone]
        clock.advance(dt.timedelta(hours=1))
        await directory.sync()
    finally:
        await directory.aclose()
    stored = await DirectoryStore(database).load("fabrikam")
    assert stored is not None
    assert len(stored.users) == 243 and stored.find(gone) is None
    assert stored.synced_at == clock.now()
    assert await DirectoryStore(database).load("another-tenant") is None
