"""The exports over real HTTP (the whole app on SQLite and on PostgreSQL, the loopback Bot Connector): an
announcement's deliveries, readiness per person and problem reports with their timelines, as CSV that
Excel opens right and as JSON that matches the OpenAPI document, with a read token and only the
token's tenant."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest

from switchover.api_tokens import token_hash
from switchover.membership import members_by_wave
from switchover.problems.model import ReportDraft, Reporter
from tests.bot.features.announcements.conftest import LEAD, AnnouncementsWorld, people_where
from tests.support.app import TENANT_ID, TeamsClient, make_settings, person, start_app
from tests.support.db import BACKENDS
from tests.support.db import app_database_url as database_url

READ = "read-token-for-exports"
WRITE = "write-token-for-exports"
OTHER = "read-token-for-another-tenant"
OTHER_TENANT = "0d9e8f7a-1b2c-4d3e-8f9a-0b1c2d3e4f5a"
TOKENS = " ".join(
    [
        f"dashboard:read:{TENANT_ID}:{token_hash(READ)}",
        f"psa:write:{TENANT_ID}:{token_hash(WRITE)}",
        f"elsewhere:read:{OTHER_TENANT}:{token_hash(OTHER)}",
    ]
)
FORMULA = ("=", "+", "-", "@", "\t", "\r")


class Exports(AnnouncementsWorld):
    session: aiohttp.ClientSession

    async def get(self, path: str, token: str | None = READ) -> tuple[int, aiohttp.ClientResponse, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.get(self.app.url + path, headers=headers) as resp:
            return resp.status, resp, await resp.read()

    async def csv(self, path: str) -> list[dict[str, str]]:
        status, resp, body = await self.get(path)
        assert status == 200, body[:300]
        assert resp.content_type == "text/csv" and resp.charset == "utf-8"
        assert resp.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in resp.headers  # streamed
        assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
        assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
        text = body.decode("utf-8-sig")
        assert "\r\n" in text
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        for row in rows:
            for column, value in row.items():
                assert not value.startswith(FORMULA), (column, value)
        return rows

    async def json(self, path: str, row_schema: str) -> dict[str, Any]:
        status, resp, body = await self.get(path)
        assert status == 200, body[:300]
        assert resp.content_type == "application/json" and "Content-Length" not in resp.headers
        doc = await self.document()
        answer = doc["paths"][path.split("?")[0]]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        data = json.loads(body)
        # The body matches the schema the OpenAPI document gives, down to each row.
        jsonschema.validate(data, {**answer, "components": doc["components"]})
        assert answer["properties"]["rows"]["items"] == {"$ref": f"#/components/schemas/{row_schema}"}
        assert data["count"] == len(data["rows"])
        return data

    async def document(self) -> dict[str, Any]:
        async with self.session.get(self.app.url + "/api/openapi.json") as resp:
            return await resp.json()


@pytest.fixture(params=BACKENDS)
async def api(request: pytest.FixtureRequest, tmp_path: Path, clock, identity, connector) -> AsyncIterator[Exports]:
    """The whole app over HTTP, on SQLite and on PostgreSQL (its own database)."""
    async with database_url(request.param, tmp_path) as url:
        async for world in _running(tmp_path, url, clock, identity, connector):
            assert world.app.services.db.dialect == request.param
            yield world


async def _running(tmp_path: Path, url: str, clock, identity, connector) -> AsyncIterator[Exports]:
    settings = make_settings(tmp_path, identity=identity, api_tokens=TOKENS, database_url=url)
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            world = Exports(teams, connector, clock, running, runner=runner)
            world.session = session
            await teams.install(person(LEAD))
            yield world
    finally:
        await runner.cleanup()


async def test_an_announcement_s_deliveries_per_person_as_csv_and_json(api: Exports) -> None:
    hr = people_where(department="Human Resources")
    never_installed = hr[-1]
    for p in hr[:-1]:
        await api.teams.install(p)
    async with api.session.post(
        api.app.url + "/api/announcements",
        headers={"Authorization": f"Bearer {WRITE}"},
        json={
            "title": "Payroll cutover",
            "body": "Payroll moves on Friday.",
            "audience": {"kind": "department", "values": ["Human Resources"]},
        },
    ) as resp:
        assert resp.status == 201
        ann_id = (await resp.json())["id"]
    await api.deliver()
    acker = hr[0]
    api.clock.advance(dt.timedelta(minutes=3))
    await api.service.acknowledge(ann_id, acker.aad_object_id, "acknowledge")

    rows = await api.csv(f"/api/exports/deliveries?announcement={ann_id}&format=csv")
    assert list(rows[0]) == [
        "recipient_id", "upn", "name", "kind", "wave", "department", "office", "status", "delivered",
        "delivered_at", "channel", "email_status", "emailed_at", "read", "read_at", "acknowledged",
        "acknowledged_at", "attempts", "reason",
    ]  # fmt: skip
    by_upn = {r["upn"].casefold(): r for r in rows}
    assert set(by_upn) == {p.upn.casefold() for p in hr}
    gone = by_upn[never_installed.upn.casefold()]
    assert (gone["status"], gone["delivered"], gone["channel"], gone["delivered_at"]) == ("unreachable", "no", "", "")
    acked = by_upn[acker.upn.casefold()]
    assert (acked["delivered"], acked["channel"], acked["acknowledged"]) == ("yes", "teams", "yes")
    assert acked["acknowledged_at"] == api.clock.now().strftime("%Y-%m-%d %H:%M:%S")  # UTC, as Excel reads dates
    assert sum(r["acknowledged"] == "yes" for r in rows) == 1

    # The same figures as the announcement's own (and the status card's).
    async with api.session.get(
        f"{api.app.url}/api/announcements/{ann_id}", headers={"Authorization": f"Bearer {READ}"}
    ) as resp:
        figures = (await resp.json())["figures"]
    assert len(rows) == figures["recipients"] and sum(r["delivered"] == "yes" for r in rows) == figures["sent"]

    data = await api.json(f"/api/exports/deliveries?announcement={ann_id}", "ExportDelivery")
    assert data["export"] == "deliveries" and data["announcement"]["id"] == ann_id
    assert [r["recipient_id"] for r in data["rows"]] == [r["recipient_id"] for r in rows]
    one = next(r for r in data["rows"] if r["upn"].casefold() == acker.upn.casefold())
    assert one["acknowledged"] is True and one["delivered"] is True and one["acknowledged_at"].endswith("Z")

    # Calendar ids have a slash; an unknown one is a 404, a missing one or a bad format a 400.
    status, _, body = await api.get("/api/exports/deliveries?announcement=wave-3/one-week&format=csv")
    assert status == 200 and body.decode("utf-8-sig").count("\r\n") == 1  # not sent yet: the header alone
    assert (await api.get("/api/exports/deliveries?announcement=nope"))[0] == 404
    assert (await api.get("/api/exports/deliveries"))[0] == 400
    assert (await api.get(f"/api/exports/deliveries?announcement={ann_id}&format=xlsx"))[0] == 400
    assert (await api.get(f"/api/exports/deliveries?announcement={ann_id}", token=None))[0] == 401
    assert (await api.get(f"/api/exports/deliveries?announcement={ann_id}", token=OTHER))[0] == 404
    status, _, body = await api.get(f"/api/exports/deliveries?announcement={ann_id}&tenant={OTHER_TENANT}")
    assert status == 403 and b"Payroll" not in body


async def test_readiness_per_person_from_the_demo_s_exports(api: Exports) -> None:
    services = api.app.services
    users = [u for u in await services.directory.all_users() if u.enabled and not u.is_guest]
    members = {u.upn for key, people in members_by_wave(services.plan, users).items() if key for u in people}
    rows = await api.csv("/api/exports/readiness?format=csv")
    assert {r["upn"] for r in rows} == members and len(rows) == len(members)
    report = await services.readiness.report()
    assert sum(r["mfa_registered"] == "yes" for r in rows) == report.total.registered
    assert sum(r["mfa_registered"] == "no" for r in rows) == len(report.total.not_registered)
    assert {r["mfa_source"] for r in rows if r["mfa_registered"]} == {"UserRegistrationDetails.csv"}

    data = await api.json("/api/exports/readiness?wave=wave-2", "ExportReadiness")
    assert data["wave"] == "wave-2" and {r["wave"] for r in data["rows"]} == {"wave-2"}
    assert data["count"] == sum(r["wave"] == "wave-2" for r in rows)
    assert (await api.get("/api/exports/readiness?wave=wave-9"))[0] == 404
    assert (await api.get("/api/exports/readiness", token=OTHER))[0] == 404


async def test_problem_reports_one_row_each_and_their_timelines_as_a_second_sheet(api: Exports) -> None:
    desk = api.app.services.problems
    nora = person("nora.abbott")
    reporter = Reporter(tenant_id=TENANT_ID, id=nora.aad_object_id, name=nora.name, upn=nora.upn, wave="wave-2")
    hostile = '=HYPERLINK("https://evil.example","click") my printer'
    first = await desk.submit(ReportDraft(text="my H drive files are missing", reporter=reporter))
    api.clock.advance(dt.timedelta(minutes=1))
    second = await desk.submit(ReportDraft(text=hostile, reporter=reporter))
    other = Reporter(tenant_id=OTHER_TENANT, id="someone-else", name="Someone")
    await desk.submit(ReportDraft(text="their printer is on fire", reporter=other))

    reports = await api.csv("/api/exports/problems?format=csv")
    assert [r["reference"] for r in reports] == [first.reference, second.reference]  # this tenant's, oldest first
    assert reports[1]["text"] == "'" + hostile  # a formula no more, the words kept
    assert "timeline" not in reports[0]
    events = await api.csv("/api/exports/problem-events?format=csv")
    assert {e["reference"] for e in events} == {first.reference, second.reference}
    assert len(events) == sum(int(r["events"]) for r in reports)
    assert [e["kind"] for e in events if e["reference"] == first.reference][0] == "created"

    data = await api.json("/api/exports/problems", "ExportProblemReport")
    stored = await desk.get(TENANT_ID, first.id)
    assert [e["kind"] for e in data["rows"][0]["timeline"]] == [e.kind.value for e in stored.timeline]
    assert data["rows"][1]["text"] == hostile  # JSON carries the text as filed
    timeline = await api.json("/api/exports/problem-events?priority=P4", "ExportProblemEventRow")
    assert timeline["filters"] == {"priority": "P4"}

    assert (await api.get("/api/exports/problems?status=bogus"))[0] == 400
    assert (await api.get("/api/exports/problems?limit=10"))[0] == 400
    assert (await api.get("/api/exports/problems?since=yesterday"))[0] == 400
    status, _, body = await api.get("/api/exports/problems?format=csv", token=OTHER)
    assert status == 200 and b"fire" in body and b"H drive" not in body  # each token its own tenant's


async def test_an_export_that_fails_halfway_never_passes_for_a_complete_file(
    api: Exports, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.exports as exports_api
    from switchover.exports import Export

    def failing(*args: Any, **kwargs: Any) -> Export:
        async def batches():
            yield [{"reference": "PR-00001", "kind": "created"}]
            raise RuntimeError("the database went away")

        return Export("problem-events", "problem-events", ("reference", "kind"), batches())

    monkeypatch.setattr(exports_api, "event_export", failing)
    for fmt in ("csv", "json"):
        with pytest.raises(aiohttp.ClientPayloadError):
            await api.get(f"/api/exports/problem-events?format={fmt}")
