"""Readiness for leads over Teams, answers from the Graph directory, and /readyz in an outage.

The readiness API (``api/readiness.py``) is tested in ``tests/api/test_readiness.py``."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from tests.bot.features.readiness.conftest import GraphWorld, expected_rows
from tests.support.app import person

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"


async def test_lead_sees_readiness_card_and_others_do_not(world: GraphWorld) -> None:
    replies = await world.teams.say(person(LEAD), "readiness")
    (card,) = [r for r in replies if r.card]
    text = card.card_text()
    assert "Readiness: MFA registration" in text
    total, registered = expected_rows(world)[("Wave 1 - Corporate", "Finance")]
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
