"""The announcements HTTP API over real HTTP: token, create, list, get, CSV, cancel, recall, OpenAPI."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import aiohttp
import pytest

from tests.bot.features.announcements.conftest import (
    LEAD,
    AnnouncementsWorld,
    people_where,
)
from tests.support.app import TeamsClient, make_settings, person, start_app

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def api(tmp_path: Path, clock, identity, connector):
    settings = make_settings(tmp_path, identity=identity, api_token=TOKEN)
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            world = AnnouncementsWorld(teams, connector, clock, running, runner=runner)
            await teams.install(person(LEAD))
            world.session = session  # type: ignore[attr-defined]
            yield world
    finally:
        await runner.cleanup()


async def call(world, method: str, path: str, **kw):
    async with world.session.request(method, f"{world.app.url}{path}", **kw) as resp:
        body = await resp.read()
        ctype = resp.headers.get("Content-Type", "")
        return resp.status, (await resp.json() if "json" in ctype else body.decode())


async def test_the_api_needs_the_bearer_token(api):
    assert (await call(api, "GET", "/api/announcements"))[0] == 401
    assert (await call(api, "GET", "/api/announcements", headers={"Authorization": "Bearer wrong"}))[0] == 401
    assert (await call(api, "GET", "/api/announcements", headers=AUTH))[0] == 200


async def test_invalid_payload_names_each_bad_field(api):
    status, body = await call(
        api,
        "POST",
        "/api/announcements",
        headers=AUTH,
        json={"title": "", "audience": {"kind": "planet", "values": []}, "urgency": "meh", "colour": "red"},
    )
    assert status == 400
    fields = {f["field"] for f in body["fields"]}
    assert {"title", "audience.kind", "body", "urgency", "colour"} <= fields
    status, body = await call(api, "POST", "/api/announcements", headers=AUTH, data=b"{not json")
    assert status == 400
    status, body = await call(
        api,
        "POST",
        "/api/announcements",
        headers=AUTH,
        json={"title": "t", "body": "b", "audience": {"kind": "wave", "values": ["wave-9"]}},
    )
    assert status == 400 and body["fields"][0]["field"] == "audience.values"


async def test_create_send_get_figures_csv_and_recall(api):
    hr = people_where(department="Human Resources")
    for p in hr[:-1]:
        await api.teams.install(p)
    api.since = len(api.connector.received)
    status, created = await call(
        api,
        "POST",
        "/api/announcements",
        headers=AUTH,
        json={
            "title": "Payroll cutover",
            "body": "Payroll moves on **Friday**.",
            "audience": {"kind": "department", "values": ["Human Resources"]},
            "urgency": "important",
        },
    )
    assert status == 201, created
    ann_id = created["id"]
    # Answered before anything is resolved or queued: the Send is a background job.
    assert created["status"] == "scheduled" and api.sends() == {}
    send_job = created["job"]
    assert (send_job["kind"], send_job["state"], send_job["announcements"]) == ("send", "running", [ann_id])
    await api.deliver()
    assert set(api.sends().values()) == {1} and len(api.sends()) == len(hr) - 1
    status, sent = await call(api, "GET", f"/api/announcement-jobs/{send_job['id']}", headers=AUTH)
    assert (sent["state"], sent["expected"], sent["done"]) == ("finished", len(hr), len(hr))

    status, one = await call(api, "GET", f"/api/announcements/{ann_id}", headers=AUTH)
    assert status == 200
    assert one["figures"]["recipients"] == len(hr)
    assert one["figures"]["sent"] == len(hr) - 1
    assert one["figures"]["unreachable_by_reason"] == {"NoConversation": 1}

    status, listing = await call(api, "GET", "/api/announcements?status=sent", headers=AUTH)
    assert [a["id"] for a in listing["announcements"]] == [ann_id]

    status, text = await call(api, "GET", f"/api/announcements/{ann_id}/report.csv", headers=AUTH)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(hr)
    assert sorted(r["status"] for r in rows).count("sent") == len(hr) - 1

    api.clock.advance(dt.timedelta(minutes=1))  # the recall comes later than the Send (jobs list newest first)
    status, recalled = await call(api, "POST", f"/api/announcements/{ann_id}/recall", headers=AUTH)
    assert status == 200 and recalled["removing"] == len(hr) - 1 and recalled["status"] == "recalled"
    job_id = recalled["job"]["id"]
    assert recalled["job"]["state"] in ("queued", "running")
    await api.deliver()
    status, job = await call(api, "GET", f"/api/announcement-jobs/{job_id}", headers=AUTH)
    assert status == 200, job
    assert (job["kind"], job["state"], job["expected"], job["done"]) == ("recall", "finished", len(hr) - 1, len(hr) - 1)
    assert job["summary"] == {"done": len(hr) - 1, "superseded": 0, "not_done": 0, "reasons": {}}
    status, listing = await call(api, "GET", "/api/announcement-jobs", headers=AUTH)
    assert [j["id"] for j in listing["jobs"]] == [job_id, send_job["id"]]
    status, missing = await call(api, "GET", "/api/announcement-jobs/0000000000000000", headers=AUTH)
    assert status == 404 and "no bulk job" in missing["error"]
    status, again = await call(api, "POST", f"/api/announcements/{ann_id}/cancel", headers=AUTH)
    assert status == 409


async def test_cancel_a_scheduled_one_and_calendar_ids_with_slashes(api):
    status, created = await call(
        api,
        "POST",
        "/api/announcements",
        headers=AUTH,
        json={
            "title": "Later",
            "body": "b",
            "audience": {"kind": "everyone"},
            "send_at": "2027-03-01T09:00:00-08:00",
        },
    )
    assert status == 201 and created["status"] == "scheduled"
    status, cancelled = await call(api, "POST", f"/api/announcements/{created['id']}/cancel", headers=AUTH)
    assert status == 200 and cancelled["status"] == "cancelled"
    status, cal = await call(api, "GET", "/api/announcements/wave-3/one-week", headers=AUTH)
    assert status == 200 and cal["calendar_key"] == "one-week"
    assert (await call(api, "GET", "/api/announcements/nope", headers=AUTH))[0] == 404


async def test_openapi_document_lists_the_announcement_paths(api):
    status, doc = await call(api, "GET", "/api/openapi.json")
    assert status == 200
    assert doc["openapi"].startswith("3.")
    assert {"/api/announcements", "/api/announcements/{id}", "/api/announcements/{id}/recall"} <= set(doc["paths"])
    schemas = doc["components"]["schemas"]
    assert "CreateAnnouncement" in schemas and "Audience" in schemas


async def test_reminders_through_the_api_follow_up_and_a_lead_can_stop_them(api):

    from scheduler.jobs import chasers_due

    hr = people_where(department="Human Resources")
    for p in hr:
        await api.teams.install(p)
    api.since = len(api.connector.received)
    status, body = await call(
        api,
        "POST",
        "/api/announcements",
        headers=AUTH,
        json={
            "title": "Payroll cutover",
            "body": "Payroll moves on Friday.",
            "audience": {"kind": "department", "values": ["Human Resources"]},
            "remind": ["2 days", "1 hour"],
        },
    )
    assert status == 400 and body["fields"][0]["field"] == "remind"
    status, body = await call(
        api,
        "POST",
        "/api/announcements",
        headers=AUTH,
        json={
            "title": "Payroll cutover",
            "body": "Payroll moves on Friday.",
            "audience": {"kind": "department", "values": ["Human Resources"]},
            "buttons": [{"title": "Open", "url": "https://example.org/"}],
            "remind": ["2 days"],
        },
    )
    assert status == 400 and "acknowledges" in body["fields"][0]["message"]
    status, created = await call(
        api,
        "POST",
        "/api/announcements",
        headers=AUTH,
        json={
            "title": "Payroll cutover",
            "body": "Payroll moves on Friday.",
            "audience": {"kind": "department", "values": ["Human Resources"]},
            "remind": ["2 days", "4 days"],
        },
    )
    assert status == 201, created
    assert created["content"]["remind_minutes"] == [2880, 5760]
    ann_id = created["id"]
    await api.deliver()
    first = hr[0]
    assert len(api.cards_to(first)) == 1
    status, _ = await api.teams.invoke_action(first, "acknowledge", {"announcement_id": ann_id})
    assert status == 200

    api.since = len(api.connector.received)
    api.clock.advance(dt.timedelta(days=2))
    assert await chasers_due(api.services) == 1
    await api.deliver()
    assert api.sends() == {p.personal_conversation: 1 for p in hr[1:]}

    status, chasers = await call(api, "GET", f"/api/announcements/{ann_id}/chasers", headers=AUTH)
    assert status == 200
    assert [(s["kind"], s["state"], s["people"]) for s in chasers["steps"]] == [
        ("reminder", "done", len(hr) - 1),
        ("reminder", "pending", None),
        ("list", "pending", None),
    ]
    assert chasers["steps"][0]["deliveries"] == {"sent": len(hr) - 1}

    status, cancelled = await call(api, "POST", f"/api/announcements/{ann_id}/chasers/cancel", headers=AUTH)
    assert status == 200 and cancelled["stopped"] == 2
    assert [s["state"] for s in cancelled["steps"]] == ["done", "stopped", "stopped"]
    api.since = len(api.connector.received)
    api.clock.advance(dt.timedelta(days=5))
    assert await chasers_due(api.services) == 0
    await api.deliver()
    assert api.sends() == {}
    status, _ = await call(api, "GET", "/api/announcements/a-000000000000/chasers", headers=AUTH)
    assert status == 404
