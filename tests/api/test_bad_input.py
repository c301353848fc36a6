"""Bad input to the API gets a clear 4xx naming what is wrong, never a 500 (one test per finding)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from api.auth import bearer_tokens
from switchover.api_tokens import ApiTokens
from switchover.clock import ManualClock
from tests.api.test_auth import api_routes
from tests.support.app import TENANT_ID, RunningApp, TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

TOKEN = "bad-input-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def api(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[RunningApp]:
    runner, running = await start_app(
        make_settings(tmp_path, identity=identity, api_token=TOKEN), clock, identity=identity
    )
    try:
        async with aiohttp.ClientSession() as session:
            await TeamsClient(running, connector, session).install(person("omar.reyes"))  # the tenant is known
        yield running
    finally:
        await runner.cleanup()


async def call(api: RunningApp, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    kw.setdefault("headers", AUTH)
    async with aiohttp.ClientSession() as session, session.request(method, api.url + path, **kw) as resp:
        body = await resp.json() if "json" in resp.headers.get("Content-Type", "") else await resp.text()
        return resp.status, body


async def raw_request(api: RunningApp, head: bytes) -> bytes:
    """Send ``head`` as the request's bytes as they are (aiohttp's client would encode a header)."""
    host, port = api.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


@pytest.mark.parametrize("token", ["Bearer é".encode(), "Bearer ☃".encode(), b"Bearer \xff\xfe", b"Bearer t\xf6ken"])
async def test_a_non_ascii_bearer_header_gets_401_on_every_route_not_500(api: RunningApp, token: bytes) -> None:
    for method, path in api_routes(api.app):
        answer = await raw_request(
            api,
            f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n".encode()
            + b"Authorization: "
            + token
            + b"\r\n\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 401 "), (method, path, answer[:80])
        assert answer.endswith(b'{"error": "unauthorized"}')


async def test_a_bearer_header_of_any_code_point_is_a_wrong_token_not_an_error() -> None:
    # In process a header can hold what no byte sequence decodes to (a lone surrogate).
    async def protected(request: web.Request) -> web.Response:
        return web.Response(text="in")

    app = web.Application()
    app.router.add_get("/api/thing", protected)

    async def served() -> str:
        return TENANT_ID

    check = bearer_tokens(ApiTokens(legacy=TOKEN), served)
    match = await app.router.resolve(make_mocked_request("GET", "/api/thing", app=app))
    for header in ("Bearer \ud800", f"Bearer {TOKEN}\udcff", "Bearer \udce9t\udcf6ken"):
        # aiohttp's own test request encodes its headers, so this one is a bare stand-in.
        request = SimpleNamespace(match_info=match, headers={"Authorization": header})
        answer = await check(request, protected)  # type: ignore[arg-type]
        assert answer.status == 401, header


@pytest.mark.parametrize("route", ["/api/problems", "/api/problems.csv"])
@pytest.mark.parametrize(
    ("name", "when"),
    [("since", "0001-01-01T00:00:00+01:00"), ("until", "9999-12-31T23:59:59-01:00")],
)
async def test_since_or_until_outside_years_1_to_9999_in_utc_gets_400_not_500(
    api: RunningApp, route: str, name: str, when: str
) -> None:
    status, body = await call(api, "GET", route, params={"tenant": TENANT_ID, name: when})
    assert status == 400
    assert name in body["error"] and "out of range" in body["error"]
    # The first and last moments that are still years 1 to 9999 in UTC are fine.
    fine = "0001-01-01T01:00:00+01:00" if name == "since" else "9999-12-31T22:59:59-01:00"
    assert (await call(api, "GET", route, params={"tenant": TENANT_ID, name: fine}))[0] == 200


def announcement(**extra: Any) -> dict[str, Any]:
    return {"title": "Printer maintenance", "audience": {"kind": "wave", "values": ["wave-1"]}, "body": "Hi", **extra}


@pytest.mark.parametrize(
    ("send_at", "says"),
    [
        ("9999-12-31T23:59:59-01:00", "out of range"),
        ("0001-01-01T00:00:00+01:00", "out of range"),
        ("9000-01-01T09:00:00+00:00", "days ahead"),
    ],
)
async def test_a_far_future_send_at_gets_400_not_500(api: RunningApp, send_at: str, says: str) -> None:
    status, body = await call(api, "POST", "/api/announcements", json=announcement(send_at=send_at))
    assert status == 400, body
    [field] = body["fields"]
    assert field["field"] == "send_at" and says in field["message"]


async def test_a_send_at_within_five_years_is_still_scheduled(api: RunningApp) -> None:
    later = (api.clock.now() + dt.timedelta(days=4 * 365)).isoformat()
    status, body = await call(api, "POST", "/api/announcements", json=announcement(send_at=later))
    assert status == 201, body
    assert body["status"] == "scheduled"


@pytest.mark.parametrize("ref", ["%C2%B2", "%D9%A4%D9%A2", "PR-%C2%B9%C2%B2"])
async def test_a_problem_reference_of_non_ascii_digits_gets_404_not_500(api: RunningApp, ref: str) -> None:
    status, body = await call(api, "GET", f"/api/problems/{ref}", params={"tenant": TENANT_ID})
    assert status == 404 and body == {"error": "no such report"}


async def test_a_json_body_in_an_unknown_charset_gets_400_not_500(api: RunningApp) -> None:
    status, body = await call(
        api,
        "POST",
        "/api/announcements",
        data=b'{"title": "x"}',
        headers={**AUTH, "Content-Type": "application/json; charset=no-such-charset"},
    )
    assert status == 400 and body["error"] == "the body is not JSON"
