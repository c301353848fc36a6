"""The API's one bearer-token check: every ``/api/`` route but the Bot Framework's and the OpenAPI document's."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from api.auth import PUBLIC
from switchover.clock import ManualClock
from tests.support.app import RunningApp, make_settings, start_app

TOKEN = "api-token-for-auth-tests"


@pytest.fixture
async def api_app(tmp_path: Path, clock: ManualClock) -> AsyncIterator[RunningApp]:
    runner, running = await start_app(make_settings(tmp_path, api_token=TOKEN), clock)
    try:
        yield running
    finally:
        await runner.cleanup()


def api_routes(app: web.Application) -> list[tuple[str, str]]:
    """(method, a concrete path) for every route under /api/ the token guards."""
    found = []
    for resource in app.router.resources():
        canonical = resource.canonical
        if not canonical.startswith("/api/") or canonical in PUBLIC:
            continue
        path = re.sub(r"\{[^}]+\}", "wave-3", canonical)
        found += [(route.method, path) for route in resource if route.method != "HEAD"]
    return found


def test_every_api_module_adds_guarded_routes(tmp_path: Path) -> None:
    from app import create_app

    paths = {path for _, path in api_routes(create_app(make_settings(tmp_path, api_token=TOKEN)))}
    assert {"/api/announcements", "/api/problems", "/api/readiness", "/api/install"} <= paths


def test_without_a_token_there_is_no_api(tmp_path: Path) -> None:
    from app import create_app

    app = create_app(make_settings(tmp_path, api_token=""))
    assert api_routes(app) == []
    assert len(app.middlewares) == 1  # the body reader only


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"bearer {TOKEN}", TOKEN, f"Bearer {TOKEN}x"])
async def test_every_api_route_refuses_a_missing_or_wrong_token(api_app: RunningApp, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    routes = api_routes(api_app.app)
    async with aiohttp.ClientSession() as session:
        for method, path in routes:
            async with session.request(method, api_app.url + path, headers=headers, json={}) as resp:
                assert resp.status == 401, (method, path)
                assert resp.headers["WWW-Authenticate"] == 'Bearer realm="switchover"'
                assert await resp.json() == {"error": "unauthorized"}


async def test_the_openapi_document_is_public_and_names_the_bearer_scheme(api_app: RunningApp) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(api_app.url + "/api/openapi.json") as resp,
    ):
        assert resp.status == 200
        doc = await resp.json()
    assert doc["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    assert doc["security"] == [{"bearer": []}]


async def test_the_bot_framework_route_is_not_asked_for_the_api_token(api_app: RunningApp) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            api_app.url + "/api/messages", data=b"not json", headers={"Content-Type": "application/json"}
        ) as resp,
    ):
        assert resp.status == 400  # the Bot Framework transport's answer to a broken activity


async def test_an_unknown_api_path_is_not_found_whoever_asks(api_app: RunningApp) -> None:
    async with aiohttp.ClientSession() as session, session.get(api_app.url + "/api/no-such-thing") as resp:
        assert resp.status == 404
