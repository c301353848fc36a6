"""Readiness for leads over Teams and the API, answers from the Graph directory, and /readyz in an outage."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from switchover.membership import resolve_wave
from tests.bot.features.readiness.conftest import GraphWorld
from tests.support.app import person

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"


def _expected(world: GraphWorld) -> dict[tuple[str, str], tuple[int, int]]:
    """(wave title, department) -> (members, registered), computed from the fake tenant itself."""
    plan = world.app.runtime.plan
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


async def test_api_readiness_per_wave_and_department(world: GraphWorld) -> None:
    status, body = await world.api("/api/readiness")
    assert status == 200 and body["available"] is True
    got = {(r["wave"], r["department"]): (r["total"], r["mfa_registered"]) for r in body["rows"]}
    assert got == _expected(world)
    missing = {p["upn"] for r in body["rows"] for p in r["not_registered"]}
    assert missing and all(not world.graph.data.mfa_registered[world.graph.data.upn_id(upn)] for upn in missing)
    assert body["directory"]["state"] == "ok"
    status, one = await world.api("/api/readiness?wave=wave-1")
    assert status == 200 and {r["wave"] for r in one["rows"]} == {"Wave 1 - Corporate"}
    assert (await world.api("/api/readiness", token="wrong"))[0] == 401
    assert (await world.api("/api/readiness", token=None))[0] == 401
    assert (await world.api("/api/readiness?wave=wave-9"))[0] == 404


async def test_lead_sees_readiness_card_and_others_do_not(world: GraphWorld) -> None:
    replies = await world.teams.say(person(LEAD), "readiness")
    (card,) = [r for r in replies if r.card]
    text = card.card_text()
    assert "Readiness: MFA registration" in text
    total, registered = _expected(world)[("Wave 1 - Corporate", "Finance")]
    assert f"{registered}/{total} registered" in text
    replies = await world.teams.say("omar.reyes", "readiness")
    assert [r.text for r in replies] == ["Readiness figures are for the project leads."]


async def test_schedule_answer_same_wave_from_graph(world: GraphWorld) -> None:
    replies = await world.teams.say("grace.okafor", "when is my migration")
    text = " ".join(r.card_text() for r in replies if r.card)
    assert "Wave 0 - Pilot" in text


async def test_readyz_says_degraded_during_a_graph_outage(world: GraphWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    import kiota_http.middleware.retry_handler as rh

    async def no_wait(delay: float) -> None:  # the SDK's backoff between 503s; the outcome is what counts here
        return None

    monkeypatch.setattr(rh, "asyncio", types.SimpleNamespace(sleep=no_wait))
    async with world.session.get(f"{world.app.url}/readyz") as resp:
        body = await resp.json()
    assert resp.status == 200 and body["checks"]["directory"]["state"] == "ok"
    world.graph.down = True
    world.clock.advance(dt.timedelta(hours=1))
    assert await world.directory.sync() is False
    async with world.session.get(f"{world.app.url}/readyz") as resp:
        body = await resp.json()
    assert resp.status == 200
    assert body["checks"]["directory"]["detail"] == "directory: degraded (last sync 17:00Z)"
    # Answers still work from the snapshot.
    replies = await world.teams.say("grace.okafor", "when is my migration")
    assert "Wave 0 - Pilot" in " ".join(r.card_text() for r in replies if r.card)


async def test_api_installs_the_app_for_a_wave_and_reports_the_unreachable(world: GraphWorld) -> None:
    data = world.graph.data
    plan = world.app.runtime.plan
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
    assert (await world.api("/api/install", json={"wave": "wave-9"}))[0] == 404
    assert (await world.api("/api/install", json={}))[0] == 400
    assert (await world.api("/api/install", token="nope", json={"wave": "wave-0"}))[0] == 401
