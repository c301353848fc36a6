"""The whole app with the Microsoft Graph directory on a loopback fake Graph, readiness and its API registered.

The full directory sync is done once per module (``synced_tenant``); each test gets its own app,
database and fake Graph, so nothing one test changes is seen by another."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from switchover.clock import ManualClock
from switchover.directory.factory import build_directory
from switchover.directory.graph import GraphDirectory
from switchover.directory.snapshot import Snapshot
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan
from switchover.settings import Settings
from tests.support.app import TENANT_ID, RunningApp, TeamsClient, make_settings, start_app
from tests.support.connector import LoopbackConnector
from tests.support.fake_graph import FakeGraph, FakeGraphData, StaticTokenCredential, seeded_data
from tests.support.identity import LoopbackIdentity

API_TOKEN = "readiness-test-token"
CATALOG_ID = "1542629c-01b3-4a6d-8f76-1938b779e48d"
START = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)  # the directory's first sync, and every test's start


@dataclass
class GraphWorld:
    app: RunningApp
    teams: TeamsClient
    graph: FakeGraph
    directory: GraphDirectory
    clock: ManualClock
    session: aiohttp.ClientSession

    async def api(self, path: str, token: str | None = API_TOKEN, *, json: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        method = "POST" if json is not None else "GET"
        async with self.session.request(method, f"{self.app.url}{path}", headers=headers, json=json) as resp:
            return resp.status, await resp.json()


def expected_rows(world: GraphWorld) -> dict[tuple[str, str], tuple[int, int]]:
    """(wave title, department) -> (members, registered), computed from the fake tenant itself."""
    plan = world.app.services.plan
    out: dict[tuple[str, str], list[int]] = {}
    for u in world.directory._snapshot.users:  # type: ignore[union-attr]
        if not u.enabled or u.is_guest:
            continue
        wave = resolve_wave(plan, u).wave
        if wave is None:
            continue
        row = out.setdefault((wave.title, u.department or "No department"), [0, 0])
        row[0] += 1
        row[1] += world.graph.data.mfa_registered[u.id]
    return {k: (v[0], v[1]) for k, v in out.items()}


@dataclass(frozen=True)
class SyncedTenant:
    """The fake tenant as first seeded, and the directory snapshot one full sync of it gives at ``START``."""

    data: FakeGraphData
    snapshot: Snapshot


class StoredSnapshot:
    """A directory store holding one snapshot, as the database holds the last good sync across a restart."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    async def load(self, tenant_id: str) -> Snapshot | None:
        return self.snapshot

    async def save(self, tenant_id: str, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    async def record_failure(self, tenant_id: str, at: dt.datetime, error: str) -> None:
        return None


def graph_settings(tmp_path: Path, graph: FakeGraph, identity: LoopbackIdentity | None) -> Settings:
    return make_settings(
        tmp_path,
        identity=identity,
        directory_source="graph",
        graph_base_url=graph.base_url,
        graph_tenant_id=TENANT_ID,
        api_token=API_TOKEN,
        graph_timeout_seconds=2,
        teams_app_catalog_id=CATALOG_ID,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def synced_tenant(tmp_path_factory: pytest.TempPathFactory) -> SyncedTenant:
    """One full directory sync per module: reading the whole fake tenant through the Graph SDK is what
    took each test seconds. Only data leaves this fixture (nothing bound to its event loop)."""
    data = seeded_data()
    async with FakeGraph(copy.deepcopy(data), page_size=100) as graph:
        settings = graph_settings(tmp_path_factory.mktemp("graph-sync"), graph, None)
        directory = build_directory(
            settings, load_plan(settings.plan_path), None, clock=ManualClock(START), credential=StaticTokenCredential()
        )
        assert isinstance(directory, GraphDirectory)
        try:
            assert await directory.sync() is True
            snapshot = directory._snapshot
        finally:
            await directory.aclose()
    assert snapshot is not None and snapshot.synced_at == START
    return SyncedTenant(data, snapshot)


@pytest.fixture
def clock_start() -> dt.datetime:
    return START


@pytest.fixture
async def world(
    tmp_path: Path,
    identity: LoopbackIdentity | None,
    connector: LoopbackConnector,
    clock: ManualClock,
    synced_tenant: SyncedTenant,
) -> AsyncIterator[GraphWorld]:
    """A fresh app, database, fake Graph (a copy of the seeded tenant) and directory for each test;
    the directory starts from a copy of the module's synced snapshot, as after a restart, instead of
    reading the whole tenant again. Later syncs (a test's own, or the schedule's) reach the fake Graph."""
    async with FakeGraph(copy.deepcopy(synced_tenant.data), page_size=100) as graph:
        settings = graph_settings(tmp_path, graph, identity)
        plan = load_plan(settings.plan_path)
        directory = build_directory(settings, plan, None, clock=clock, credential=StaticTokenCredential())
        assert isinstance(directory, GraphDirectory)
        directory.store = StoredSnapshot(copy.deepcopy(synced_tenant.snapshot))  # type: ignore[assignment]
        # The app's start-up sync would read the tenant again and give the same snapshot: it is the
        # module's sync. Stand in for it once, then let every later sync through.
        startup_sync = asyncio.Event()

        async def already_synced() -> bool:
            startup_sync.set()
            return True

        directory.sync = already_synced  # type: ignore[method-assign]
        runner, running = await start_app(settings, clock, identity=identity, directory=directory)
        try:
            await asyncio.wait_for(startup_sync.wait(), timeout=10)
            del directory.sync  # back to GraphDirectory.sync
            async with aiohttp.ClientSession() as session:
                teams = TeamsClient(running, connector, session, bot_id="28:switchover-readiness")
                yield GraphWorld(running, teams, graph, directory, clock, session)
        finally:
            await runner.cleanup()
