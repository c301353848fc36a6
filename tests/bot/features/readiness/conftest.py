"""The whole app with the Microsoft Graph directory on a loopback fake Graph, readiness and its API registered."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from switchover.clock import ManualClock
from switchover.directory.factory import build_directory
from switchover.directory.graph import GraphDirectory
from switchover.plan.loader import load_plan
from tests.support.app import RunningApp, TeamsClient, make_settings, start_app
from tests.support.connector import LoopbackConnector
from tests.support.fake_graph import FakeGraph, StaticTokenCredential
from tests.support.identity import LoopbackIdentity

API_TOKEN = "readiness-test-token"
CATALOG_ID = "1542629c-01b3-4a6d-8f76-1938b779e48d"


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


@pytest.fixture
async def world(
    tmp_path: Path, identity: LoopbackIdentity | None, connector: LoopbackConnector, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[GraphWorld]:
    import api as api_package
    import app as app_module

    for module, name in ((app_module, "bot.features.readiness"), (app_module, "bot.features.answers")):
        if name not in module.FEATURES:
            monkeypatch.setattr(module, "FEATURES", [*module.FEATURES, name])
    if "api.readiness" not in api_package.API_MODULES:
        monkeypatch.setattr(api_package, "API_MODULES", [*api_package.API_MODULES, "api.readiness"])
    clock = ManualClock(dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC))
    async with FakeGraph(page_size=100) as graph:
        settings = make_settings(
            tmp_path,
            identity=identity,
            directory_source="graph",
            graph_base_url=graph.base_url,
            graph_tenant_id="6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11",
            api_token=API_TOKEN,
            graph_timeout_seconds=2,
            teams_app_catalog_id=CATALOG_ID,
        )
        plan = load_plan(settings.plan_path)
        directory = build_directory(settings, plan, None, clock=clock, credential=StaticTokenCredential())
        assert isinstance(directory, GraphDirectory)
        runner, running = await start_app(settings, clock, identity=identity, directory=directory)
        try:
            async with aiohttp.ClientSession() as session:
                teams = TeamsClient(running, connector, session, bot_id="28:switchover-readiness")
                await directory.sync()  # the app started one in the background; this waits for a complete one
                yield GraphWorld(running, teams, graph, directory, clock, session)
        finally:
            await runner.cleanup()
