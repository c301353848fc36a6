"""The reach HTTP API (``api/reach.py``) over real HTTP against the fake Graph: a wave's reach per state,
as JSON and CSV, after the scheduler's installation wake-up; and the status picture's reach figure."""

from __future__ import annotations

import csv
import io

import pytest

from scheduler.jobs import reach_due
from switchover.membership import resolve_wave
from tests.bot.features.readiness.conftest import API_TOKEN, GraphWorld, clock_start, synced_tenant  # noqa: F401
from tests.support.app import person

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"


@pytest.fixture
def world(graph_world: GraphWorld) -> GraphWorld:
    """The app with the Graph directory and TEAMS_APP_CATALOG_ID, as the bot's readiness tests run it."""
    return graph_world


async def test_api_reach_of_a_wave_as_json_and_csv(world: GraphWorld) -> None:
    services = world.app.services
    plan = services.plan
    pilot = [u for u in world.directory._snapshot.users if resolve_wave(plan, u).wave_key == "wave-0"]  # type: ignore[union-attr]
    enabled = [u for u in pilot if u.enabled and not u.is_guest]
    missing = enabled[0]
    world.graph.data.users.pop(missing.id)  # gone from Entra since the last sync: Graph answers 404
    await world.teams.say(person(LEAD), "hello")  # the tenant becomes known
    await reach_due(services)

    status, body = await world.api("/api/waves/wave-0/reach")
    assert status == 200
    assert body["wave"] == "wave-0" and body["members"] == len(enabled)
    assert body["counts"]["no_teams"] == 1 and body["counts"]["installed"] == len(enabled) - 1
    assert body["reachable"] == len(enabled) - 1
    people = {p["upn"]: p for p in body["people"]}
    assert people[missing.upn]["state"] == "no_teams" and "no Teams account" in people[missing.upn]["detail"]
    assert sum(body["counts"].values()) == len(body["people"])

    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with world.session.get(f"{world.app.url}/api/waves/wave-0/reach.csv", headers=headers) as resp:
        assert resp.status == 200 and resp.content_type == "text/csv"
        rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert {r["upn"]: r["state"] for r in rows} == {p["upn"]: p["state"] for p in body["people"]}

    # The status picture's reach figure is the same.
    status, picture = await world.api("/api/status")
    wave0 = next(w for w in picture["waves"] if w["key"] == "wave-0")
    assert wave0["reach"]["reachable"] == len(enabled) - 1 and wave0["reach"]["members"] == len(enabled)
    assert wave0["reach"]["by_state"] == body["counts"]

    assert (await world.api("/api/waves/wave-9/reach"))[0] == 404
    assert (await world.api("/api/waves/wave-0/reach", token="wrong"))[0] == 401
