"""Scoped API tokens: per tenant, read or write, hashed, rotated without a restart, never logged."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from switchover.access import ApiGrant, ApiRefused, api_tenant
from switchover.api_tokens import ApiTokens, TokenListError, token_hash
from switchover.problems.model import ReportDraft, Reporter
from tests.support.app import TENANT_ID, RunningApp, TeamsClient, make_settings, person, start_app

OTHER_TENANT = "0d2e6f1c-9b8a-4c3d-8e7f-112233445566"
READ_A = "read-token-for-the-fabrikam-tenant"
WRITE_A = "write-token-for-the-fabrikam-tenant"
READ_B = "read-token-for-another-tenant"
BOTH = "read-token-for-both-tenants"
LEGACY = "the-single-old-style-token"


def entry(name: str, scope: str, tenant: str, token: str) -> str:
    return f"{name}:{scope}:{tenant}:{token_hash(token)}"


ENTRIES = " ".join(
    [
        entry("dashboard-a", "read", TENANT_ID, READ_A),
        entry("psa-a", "write", TENANT_ID, WRITE_A),
        entry("dashboard-b", "read", OTHER_TENANT, READ_B),
        entry("both", "read", TENANT_ID, BOTH),
        entry("both", "read", OTHER_TENANT, BOTH),
    ]
)


class Api:
    def __init__(self, app: RunningApp, session: aiohttp.ClientSession, teams: TeamsClient) -> None:
        self.app = app
        self.session = session
        self.teams = teams

    async def call(self, method: str, path: str, token: str | None, **kw: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.request(method, self.app.url + path, headers=headers, **kw) as resp:
            body = await resp.json() if resp.content_type == "application/json" else await resp.text()
            return resp.status, body

    async def file(self, tenant: str, text: str) -> int:
        reporter = Reporter(tenant_id=tenant, id=f"reporter-{tenant[:4]}", name="Someone")
        return (await self.app.services.problems.submit(ReportDraft(text=text, reporter=reporter))).id


async def serve(tmp_path: Path, clock: Any, identity: Any, connector: Any, **settings: Any) -> AsyncIterator[Api]:
    runner, running = await start_app(make_settings(tmp_path, identity=identity, **settings), clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            await teams.install(person("nora.abbott"))  # Teams shows the bot its tenant: the one it serves
            yield Api(running, session, teams)
    finally:
        await runner.cleanup()


@pytest.fixture
async def api(tmp_path: Path, clock: Any, identity: Any, connector: Any) -> AsyncIterator[Api]:
    async for a in serve(tmp_path, clock, identity, connector, api_tokens=ENTRIES, api_token=LEGACY):
        yield a


async def test_one_token_for_everything_and_tenant_selecting_any_tenant_are_gone(api: Api) -> None:
    mine = await api.file(TENANT_ID, "my H drive files are missing")
    theirs = await api.file(OTHER_TENANT, "their printer is on fire")
    status, body = await api.call("GET", "/api/problems", READ_A)
    assert status == 200 and [r["id"] for r in body["reports"]] == [mine]
    for path in (f"/api/problems?tenant={OTHER_TENANT}", f"/api/problems/{theirs}?tenant={OTHER_TENANT}"):
        for token in (READ_A, WRITE_A, LEGACY):
            status, body = await api.call("GET", path, token)
            assert status == 403 and body == {"error": "this token is not for that tenant"}, (path, token)
    status, body = await api.call("GET", f"/api/problems.csv?tenant={OTHER_TENANT}", READ_A)
    assert status == 403 and "printer" not in str(body)
    status, body = await api.call("GET", "/api/problems", READ_B)
    assert status == 200 and [r["id"] for r in body["reports"]] == [theirs]
    # The other tenant's report is not reached by its number through one's own tenant either.
    assert (await api.call("GET", f"/api/problems/{theirs}", READ_A))[0] == 404


async def test_a_token_for_several_tenants_says_which(api: Api) -> None:
    await api.file(OTHER_TENANT, "their printer is on fire")
    status, body = await api.call("GET", "/api/problems", BOTH)
    assert status == 200  # the tenant this instance serves is one of its own
    status, body = await api.call("GET", f"/api/problems?tenant={OTHER_TENANT}", BOTH)
    assert status == 200 and body["count"] == 1


async def test_a_read_token_only_reads(api: Api) -> None:
    body = {"title": "Test", "audience": {"kind": "everyone"}, "body": "Hello"}
    status, answer = await api.call("POST", "/api/announcements", READ_A, json=body)
    assert status == 403 and answer == {"error": "this token may only read"}
    assert (await api.call("POST", "/api/install", READ_A, json={"wave": "wave-1"}))[0] == 403
    status, answer = await api.call("POST", "/api/announcements", WRITE_A, json=body)
    assert status in (200, 201), answer
    assert (await api.call("GET", "/api/announcements", READ_A))[0] == 200
    # Announcements are the served tenant's: another tenant's token reaches none of them.
    assert (await api.call("GET", "/api/announcements", READ_B))[0] == 404
    assert (await api.call("GET", "/api/readiness", READ_B))[0] == 404


async def test_the_single_old_token_is_full_access_to_the_served_tenant(api: Api) -> None:
    await api.file(TENANT_ID, "my H drive files are missing")
    status, body = await api.call("GET", "/api/problems", LEGACY)
    assert status == 200 and body["count"] == 1
    status, body = await api.call("GET", f"/api/problems?tenant={TENANT_ID}", LEGACY)
    assert status == 200 and body["count"] == 1
    body = {"title": "Test", "audience": {"kind": "everyone"}, "body": "Hello"}
    assert (await api.call("POST", "/api/announcements", LEGACY, json=body))[0] in (200, 201)


@pytest.mark.parametrize("token", [None, "wrong", READ_A + "x", token_hash(READ_A)])
async def test_a_wrong_token_or_the_hash_itself_is_unauthorized(api: Api, token: str | None) -> None:
    status, body = await api.call("GET", "/api/problems", token)
    assert status == 401 and body == {"error": "unauthorized"}


async def test_tokens_rotate_without_a_restart(tmp_path: Path, clock: Any, identity: Any, connector: Any) -> None:
    tokens = tmp_path / "api-tokens"
    tokens.write_text(f"# PSA\n{entry('psa', 'read', TENANT_ID, 'old-token')}\n")
    async for api in serve(tmp_path, clock, identity, connector, api_tokens_file=tokens):
        assert (await api.call("GET", "/api/problems", "old-token"))[0] == 200
        assert (await api.call("GET", "/api/problems", "new-token"))[0] == 401
        both = f"{entry('psa', 'read', TENANT_ID, 'old-token')}\n{entry('psa-2', 'read', TENANT_ID, 'new-token')}\n"
        rewrite(tokens, both)
        assert (await api.call("GET", "/api/problems", "old-token"))[0] == 200
        assert (await api.call("GET", "/api/problems", "new-token"))[0] == 200
        rewrite(tokens, entry("psa-2", "read", TENANT_ID, "new-token"))
        assert (await api.call("GET", "/api/problems", "old-token"))[0] == 401
        assert (await api.call("GET", "/api/problems", "new-token"))[0] == 200
        # A broken edit keeps the tokens read before (and says so in the log).
        rewrite(tokens, "psa-3:read:nonsense")
        assert (await api.call("GET", "/api/problems", "new-token"))[0] == 200


def rewrite(path: Path, text: str) -> None:
    """Write ``text`` and make sure the next request sees it (the file is looked at once a second at most)."""
    from api import auth

    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    auth.REFRESH_SECONDS = 0.0


@pytest.fixture(autouse=True)
def _restore_refresh() -> Any:
    from api import auth

    before = auth.REFRESH_SECONDS
    yield
    auth.REFRESH_SECONDS = before


async def test_no_token_is_ever_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for token in (READ_A, WRITE_A, LEGACY, "wrong-token-value"):
        await api.call("GET", f"/api/problems?tenant={OTHER_TENANT}", token)
        await api.call("POST", "/api/announcements", token, json={})
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    for token in (READ_A, WRITE_A, LEGACY, "wrong-token-value"):
        assert token not in logged


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("psa:read:tenant", "line 2: 3 fields where name:scope:tenant:sha256 has 4"),
        ("psa:admin:tenant:" + "a" * 64, "line 2: the scope 'admin' should be read or write"),
        ("psa:read:tenant:the-token-itself", "line 2: the last field should be the token's SHA-256"),
        ("p s a:read:tenant:" + "a" * 64, "line 2: the name"),
    ],
)
def test_a_wrong_entry_is_refused_with_its_line(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"# comment\n{text}\n")
    with pytest.raises(TokenListError, match=says.replace("(", r"\(")):
        ApiTokens(file=path)


def test_a_missing_token_file_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(TokenListError, match="SWITCHOVER_API_TOKENS_FILE: there is no file at"):
        ApiTokens(file=tmp_path / "nope")


def test_the_tenant_a_request_works_on() -> None:
    grant = ApiGrant("x", {"a": "read", "b": "write"})
    assert api_tenant(grant, "b", "a", write=True) == "b"
    assert api_tenant(grant, None, "a", write=False) == "a"
    with pytest.raises(ApiRefused, match="only read"):
        api_tenant(grant, "a", "a", write=True)
    with pytest.raises(ApiRefused, match="say which"):
        api_tenant(grant, None, None, write=False)
    with pytest.raises(ApiRefused, match="not for that tenant"):
        api_tenant(grant, "c", "a", write=False)
    legacy = ApiGrant("SWITCHOVER_API_TOKEN", None)
    assert api_tenant(legacy, None, "a", write=True) == "a"
    with pytest.raises(ApiRefused, match="not for that tenant"):
        api_tenant(legacy, "b", "a", write=False)
