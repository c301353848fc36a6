"""The readiness HTTP API (``api/readiness.py``) over real HTTP against the fake Graph: MFA registration
per wave and department, and installing the app for a wave."""

from __future__ import annotations

import pytest

from switchover.membership import resolve_wave

# The Graph directory app harness lives with the bot's readiness feature; its fixtures are used here as they are.
from tests.bot.features.readiness.conftest import GraphWorld, clock_start, expected_rows, synced_tenant  # noqa: F401


@pytest.fixture
def world(graph_world: GraphWorld) -> GraphWorld:
    """The app with the Graph directory, readiness and its API on, as the bot's readiness tests run it."""
    return graph_world


async def test_api_readiness_per_wave_and_department(world: GraphWorld) -> None:
    status, body = await world.api("/api/readiness")
    assert status == 200 and body["available"] is True
    got = {(r["wave"], r["department"]): (r["total"], r["mfa_registered"]) for r in body["rows"]}
    assert got == expected_rows(world)
    missing = {p["upn"] for r in body["rows"] for p in r["not_registered"]}
    assert missing and all(not world.graph.data.mfa_registered[world.graph.data.upn_id(upn)] for upn in missing)
    assert body["directory"]["state"] == "ok"
    status, one = await world.api("/api/readiness?wave=wave-1")
    assert status == 200 and {r["wave"] for r in one["rows"]} == {"Wave 1 - Corporate"}
    # Each row names its wave by the plan's key too (the title is for display); the total names none.
    assert {r["wave_key"] for r in one["rows"]} == {"wave-1"} and one["total"]["wave_key"] is None
    titles = {w.key: w.title for w in world.app.services.plan.waves}
    assert all(r["wave"] == titles[r["wave_key"]] for r in body["rows"])
    assert (await world.api("/api/readiness", token="wrong"))[0] == 401
    assert (await world.api("/api/readiness", token=None))[0] == 401
    assert (await world.api("/api/readiness?wave=wave-9"))[0] == 404


async def test_api_installs_the_app_for_a_wave_and_reports_the_unreachable(world: GraphWorld) -> None:
    data = world.graph.data
    plan = world.app.services.plan
    pilot = [u for u in world.directory._snapshot.users if resolve_wave(plan, u).wave_key == "wave-0"]  # type: ignore[union-attr]
    blocked, already = pilot[0], pilot[1]
    data.install_forbidden.add(blocked.id)
    data.installed.add(already.id)
    status, report = await world.api("/api/install", json={"wave": "wave-0", "users": ["nobody@fabrikamhealth.com"]})
    assert status == 200
    assert report["counts"] == {"installed": len(pilot) - 2, "already_installed": 1, "forbidden": 1}
    unreachable = {r["upn"]: r["outcome"] for r in report["unreachable"]}
    assert unreachable == {blocked.upn: "forbidden", "nobody@fabrikamhealth.com": "not_found"}
    assert {u.id for u in pilot} - {blocked.id} <= data.installed
    # The outcomes feed the wave's reach.
    status, reach = await world.api("/api/waves/wave-0/reach")
    states = {p["upn"]: p["state"] for p in reach["people"]}
    assert status == 200 and states[blocked.upn] == "no_teams" and states[already.upn] == "installed"
    assert (await world.api("/api/install", json={"wave": "wave-9"}))[0] == 404
    assert (await world.api("/api/install", json={}))[0] == 400
    assert (await world.api("/api/install", token="nope", json={"wave": "wave-0"}))[0] == 401
