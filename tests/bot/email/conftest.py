"""The whole app with the Microsoft Graph directory on a loopback fake Graph, and a plan that names
an email mailbox (``email: from:``), so announcements Teams cannot deliver go by Graph ``sendMail``.

The full directory sync is done once per module (``synced_tenant``); each test gets its own app,
database and fake Graph."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from switchover.announcements import AnnouncementService
from switchover.clock import ManualClock
from switchover.directory.base import DirectoryUser
from switchover.directory.factory import build_directory
from switchover.directory.graph import GraphDirectory
from switchover.directory.snapshot import Snapshot
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan
from switchover.settings import Settings
from tests.support.app import (
    TENANT_ID,
    RunningApp,
    TeamsClient,
    make_settings,
    plan_naming_tenant,
    start_app,
)
from tests.support.connector import LoopbackConnector
from tests.support.fake_graph import FakeGraph, FakeGraphData, StaticTokenCredential, seeded_data
from tests.support.identity import LoopbackIdentity

MAILBOX = "switchover@fabrikamhealth.com"
LINK_SECRET = "email-test-link-secret"
BOT_DOMAIN = "switchover.fabrikamhealth.example"
# A day before wave 2's T-14 message (2027-01-30 09:00 Pacific).
START = dt.datetime(2027, 1, 29, 17, 0, tzinfo=dt.UTC)


def email_plan(folder: Path) -> Path:
    """The Fabrikam plan naming its tenant and a sending mailbox, its "what changes" message (T-14)
    asking for acknowledgement with a reminder two days later."""
    path = plan_naming_tenant(folder)
    text = path.read_text(encoding="utf-8")
    timing = '  - key: what-changes\n    title: Your move to Microsoft 365\n    timing: {days: -14, at: "09:00"}\n'
    assert timing in text
    text = text.replace(timing, timing + '    remind: ["2 days"]\n')
    path.write_text(text + f"\nemail:\n  from: {MAILBOX}\n", encoding="utf-8")
    return path


def graph_settings(tmp_path: Path, graph: FakeGraph, identity: LoopbackIdentity | None) -> Settings:
    return make_settings(
        tmp_path,
        identity=identity,
        plan_path=email_plan(tmp_path / "plan"),
        directory_source="graph",
        graph_base_url=graph.base_url,
        graph_tenant_id=TENANT_ID,
        graph_timeout_seconds=2,
        link_secret=LINK_SECRET,
        bot_domain=BOT_DOMAIN,
    )


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


@dataclass(frozen=True)
class SyncedTenant:
    data: FakeGraphData
    snapshot: Snapshot


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def synced_tenant(tmp_path_factory: pytest.TempPathFactory) -> SyncedTenant:
    """One full directory sync per module (only data leaves this fixture)."""
    data = seeded_data()
    data.mailboxes.add(MAILBOX)
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
    assert snapshot is not None
    return SyncedTenant(data, snapshot)


@dataclass
class EmailWorld:
    app: RunningApp
    teams: TeamsClient
    graph: FakeGraph
    directory: GraphDirectory
    clock: ManualClock
    session: aiohttp.ClientSession
    connector: LoopbackConnector

    @property
    def service(self) -> AnnouncementService:
        return self.app.services.announcements

    def wave_users(self, wave_key: str) -> list[DirectoryUser]:
        """The enabled members of a wave, from the directory snapshot, in roster order."""
        plan = self.app.services.plan
        users = self.directory._snapshot.users  # type: ignore[union-attr]
        return [u for u in users if u.enabled and not u.is_guest and resolve_wave(plan, u).wave_key == wave_key]

    async def deliver(self, *, step: dt.timedelta = dt.timedelta(seconds=1), rounds: int = 400) -> None:
        """Send every Teams card and every email that is due; retries wait on the ManualClock."""
        engine = self.app.services.delivery
        outbox = self.app.services.email
        assert outbox is not None
        for _ in range(rounds):
            await engine.drain(until_idle=False)
            await outbox.run_once()
            waits = [
                w for w in (await engine._seconds_until_more_work(), await outbox._seconds_until_due()) if w is not None
            ]
            if not waits:
                return
            self.clock.advance(max(step, dt.timedelta(seconds=max(min(waits), 0))))
        raise AssertionError("deliveries still pending after every round")


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
) -> AsyncIterator[EmailWorld]:
    async with FakeGraph(copy.deepcopy(synced_tenant.data), page_size=100) as graph:
        settings = graph_settings(tmp_path, graph, identity)
        plan = load_plan(settings.plan_path)
        directory = build_directory(settings, plan, None, clock=clock, credential=StaticTokenCredential())
        assert isinstance(directory, GraphDirectory)
        directory.store = StoredSnapshot(copy.deepcopy(synced_tenant.snapshot))  # type: ignore[assignment]
        startup_sync = asyncio.Event()

        async def already_synced() -> bool:
            startup_sync.set()
            return True

        directory.sync = already_synced  # type: ignore[method-assign]
        runner, running = await start_app(settings, clock, identity=identity, directory=directory)
        try:
            await asyncio.wait_for(startup_sync.wait(), timeout=10)
            del directory.sync
            async with aiohttp.ClientSession() as session:
                teams = TeamsClient(running, connector, session, bot_id="28:switchover-email")
                yield EmailWorld(running, teams, graph, directory, clock, session, connector)
        finally:
            await runner.cleanup()
