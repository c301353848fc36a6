"""The problem-report HTTP API: bearer token, filters, one report with its timeline, CSV."""

from __future__ import annotations

import csv
import io

import aiohttp
import pytest

# The problem reports' story starts on a staffed Wednesday, as in the bot's problem tests.
from tests.bot.features.problems.conftest import clock_start, staff  # noqa: F401
from tests.support.app import person

TOKEN = "s3cret-token"


@pytest.fixture
def api_token() -> str:
    return TOKEN


@pytest.fixture
def world(problems_world):
    """The app with problem reports and their API on, as the bot's problem tests run it."""
    return problems_world


async def get(world, path: str, token: str | None = TOKEN) -> tuple[int, object, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.get(f"{world.app.url}{path}", headers=headers) as resp:
        text = await resp.text()
        body = await resp.json() if resp.content_type == "application/json" else None
        return resp.status, body, text


async def test_list_get_and_csv(world):
    for who in ("nora.abbott", "farah.price"):
        await world.teams.install(person(who))
    await world.report("nora.abbott", 'my H drive files are missing, "quoted", =SUM(A1)', impact="me")
    await world.report("farah.price", "I'm locked out of my account", impact="me")
    await world.deliver()
    status, body, _ = await get(world, "/api/problems")
    assert status == 200 and body["count"] == 2
    status, body, _ = await get(world, "/api/problems?area=files")
    assert [r["area"] for r in body["reports"]] == ["files"]
    ref = body["reports"][0]["reference"]
    code, _ = await world.teams.invoke_action(
        staff("luis.ortega"), "problem_ack", {"report_id": body["reports"][0]["id"]}
    )
    assert code == 200
    status, one, _ = await get(world, f"/api/problems/{ref}")
    assert status == 200 and one["status"] == "acknowledged"
    kinds = [e["kind"] for e in one["timeline"]]
    assert kinds[0] == "created" and "routed" in kinds and "acknowledged" in kinds
    assert any(e["actor"] == "Luis Ortega" for e in one["timeline"] if e["kind"] == "acknowledged")
    status, _, text = await get(world, "/api/problems.csv?status=acknowledged")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert status == 200 and [r["reference"] for r in rows] == [ref]
    assert rows[0]["text"].startswith("my H drive") and '"quoted"' in rows[0]["text"]


async def test_token_and_bad_filters_are_refused(world):
    assert (await get(world, "/api/problems", token=None))[0] == 401
    assert (await get(world, "/api/problems", token="wrong"))[0] == 401
    assert (await get(world, "/api/problems?priority=P9"))[0] == 400
    assert (await get(world, "/api/problems?since=2027-02-17T10:00:00"))[0] == 400  # no time zone
    assert (await get(world, "/api/problems/PR-99999"))[0] == 404
