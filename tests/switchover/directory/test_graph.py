"""GraphDirectory over the real msgraph-sdk client against the loopback fake Graph."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from switchover.clock import ManualClock
from switchover.directory.graph import USER_SELECT, GraphDirectory
from switchover.directory.graph_client import build_graph_client
from switchover.directory.roster import RosterDirectory
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan
from switchover.plan.model import MembershipRule, ReadinessChecks
from tests.support.fake_graph import CHAMPIONS, ROSTER, FakeGraph, StaticTokenCredential

PLAN = Path(__file__).resolve().parents[3] / "examples" / "fabrikam" / "plan.yaml"
GRACE = "grace.okafor@fabrikamhealth.com"


async def test_full_sync_pages_with_select(graph_directory: GraphDirectory, fake_graph: FakeGraph) -> None:
    assert await graph_directory.sync() is True
    users = await graph_directory.all_users()
    assert len(users) == len(fake_graph.data.users) == 244
    pages = fake_graph.log("/v1.0/users", "GET")
    pages = [r for r in pages if r.path == "/v1.0/users"]
    # 244 users in pages of at most 100: three requests, the later two by @odata.nextLink.
    assert [r.query.get("$skiptoken") for r in pages] == [None, "100", "200"]
    assert set(pages[0].query["$select"].split(",")) == set(USER_SELECT)
    # One transitiveMemberOf read per user.
    assert len([r for r in fake_graph.requests if r.path.endswith("/transitiveMemberOf")]) == 244


async def test_sync_maps_the_roster_fields(graph_directory: GraphDirectory) -> None:
    await graph_directory.sync()
    roster = RosterDirectory.from_csv(ROSTER)
    for expected in roster.users:
        got = await graph_directory.get(expected.id)
        assert got is not None
        assert (got.upn, got.display_name, got.department, got.office, got.city, got.enabled, got.user_type) == (
            expected.upn,
            expected.display_name,
            expected.department,
            expected.office,
            expected.city,
            expected.enabled,
            expected.user_type,
        )


async def test_transitive_groups_by_id_and_name(graph_directory: GraphDirectory, fake_graph: FakeGraph) -> None:
    await graph_directory.sync()
    grace = await graph_directory.get(GRACE)
    assert grace is not None
    champions = next(g for g in fake_graph.data.groups.values() if g["displayName"] == "Migration Champions")
    # Grace is a direct member of "Site Champions" only; "Migration Champions" comes through nesting.
    assert grace.id not in champions["members"]
    assert {"Migration Champions", champions["id"], "Site Champions"} <= grace.groups
    someone_else = await graph_directory.get("omar.reyes@fabrikamhealth.com")
    assert someone_else is not None and "Migration Champions" not in someone_else.groups


async def test_same_waves_from_graph_as_from_the_csv(graph_directory: GraphDirectory) -> None:
    plan = load_plan(PLAN)
    roster = RosterDirectory.from_csv(ROSTER)
    await graph_directory.sync()
    graph_users = {u.id: u for u in await graph_directory.all_users()}
    assert set(graph_users) == {u.id for u in roster.users}
    waves = {}
    for user in roster.users:
        from_csv = resolve_wave(plan, user)
        from_graph = resolve_wave(plan, graph_users[user.id])
        assert (from_graph.wave_key, from_graph.reason) == (from_csv.wave_key, from_csv.reason), user.upn
        waves[from_csv.wave_key] = waves.get(from_csv.wave_key, 0) + 1
    # The comparison means something only if several waves (and people in none) occur.
    assert len([k for k in waves if k]) == len(plan.waves) and None in waves


async def test_group_based_wave_rule(graph_directory: GraphDirectory) -> None:
    plan = load_plan(PLAN)
    pilot = plan.waves[0]
    # The champions named by an Entra group instead of one by one.
    by_group = pilot.model_copy(update={"include": (*pilot.include, MembershipRule(groups=("Migration Champions",)))})
    plan = plan.model_copy(update={"champions": (), "waves": (by_group, *plan.waves[1:])})
    await graph_directory.sync()
    roster = RosterDirectory.from_csv(ROSTER)
    for upn in CHAMPIONS:
        graph_user = await graph_directory.get(upn)
        csv_user = await roster.get(upn)
        assert graph_user is not None and csv_user is not None
        assert resolve_wave(plan, graph_user).wave_key == pilot.key, upn
        if csv_user.department != "Information Technology":
            # The CSV has no groups: the same rule cannot place them.
            assert resolve_wave(plan, csv_user).wave_key != pilot.key, upn


async def test_429_retry_after_is_honoured_by_the_sdk(
    graph_directory: GraphDirectory, fake_graph: FakeGraph, retry_waits: list[float]
) -> None:
    fake_graph.fail("/v1.0/users", 429, times=2, retry_after=7)
    assert await graph_directory.sync() is True
    first = [r for r in fake_graph.requests if r.path == "/v1.0/users"][:3]
    assert [r.status for r in first] == [429, 429, 200]
    assert retry_waits[:2] == [7, 7]
    assert graph_directory.health().state == "ok"


async def test_503_is_retried_with_backoff(
    graph_directory: GraphDirectory, fake_graph: FakeGraph, retry_waits: list[float]
) -> None:
    fake_graph.fail("/reports/authenticationMethods/userRegistrationDetails", 503, times=2)
    assert await graph_directory.sync() is True
    statuses = [r.status for r in fake_graph.log("/userRegistrationDetails")]
    assert statuses[:3] == [503, 503, 200]
    assert len(retry_waits) == 2 and all(w > 0 for w in retry_waits)
    assert retry_waits[1] > retry_waits[0] - 1  # exponential (with up to 1 s of jitter)


async def test_outage_degrades_to_the_last_snapshot(
    graph_directory: GraphDirectory,
    fake_graph: FakeGraph,
    clock: ManualClock,
    retry_waits: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await graph_directory.sync()
    clock.advance(dt.timedelta(hours=2))
    fake_graph.down = True
    with caplog.at_level(logging.WARNING, logger="switchover.directory.graph"):
        assert await graph_directory.sync() is False
        grace = await graph_directory.get(GRACE)
    assert grace is not None and grace.upn == GRACE
    assert len(await graph_directory.all_users()) == 244
    status = graph_directory.health()
    assert status.state == "degraded"
    assert status.describe() == "directory: degraded (last sync 09:00Z)"
    ready = graph_directory.status()
    assert ready["ok"] is True and ready["detail"] == "directory: degraded (last sync 09:00Z)"
    assert "keeping the last snapshot" in caplog.text
    # The SDK retried before giving up (1 + 3 retries on the first page).
    assert [r.status for r in fake_graph.requests if r.path == "/v1.0/users"][-4:] == [503] * 4
    # Graph is back: the next sync recovers.
    fake_graph.down = False
    assert await graph_directory.sync() is True
    assert graph_directory.health().state == "ok"


async def test_a_slow_graph_never_blocks_an_answer(
    fake_graph: FakeGraph, clock: ManualClock, credential: StaticTokenCredential
) -> None:
    client = build_graph_client(credential, base_url=fake_graph.base_url)
    directory = GraphDirectory(client, clock=clock, tenant_id="fabrikam", timeout_seconds=0.3)
    try:
        await directory.sync()
        clock.advance(dt.timedelta(hours=1))
        # Graph throttles with a long Retry-After: the SDK would wait 60 s; the answer may not.
        fake_graph.fail("/v1.0/users/", 429, times=5, retry_after=60)
        grace = await directory.get(GRACE)
        assert grace is not None and grace.upn == GRACE
        assert directory.health().state == "degraded"
        # For the next minute nobody else waits for Graph: the snapshot answers at once.
        seen = len(fake_graph.requests)
        omar = await directory.get("omar.reyes@fabrikamhealth.com")
        assert omar is not None and len(fake_graph.requests) == seen
        # Then Graph is tried again, and recovers.
        fake_graph.faults.clear()
        clock.advance(dt.timedelta(seconds=61))
        assert await directory.get("omar.reyes@fabrikamhealth.com") == omar
        assert len(fake_graph.requests) > seen
        assert directory.health().state == "ok"
    finally:
        await directory.aclose()


async def test_unknown_user_is_none_not_an_outage(graph_directory: GraphDirectory) -> None:
    assert await graph_directory.get("nobody@fabrikamhealth.com") is None
    assert await graph_directory.get("00000000-0000-0000-0000-000000000000") is None
    assert graph_directory.health().state == "starting"


async def test_lookup_by_mail_and_ttl_cache(
    graph_directory: GraphDirectory, fake_graph: FakeGraph, clock: ManualClock
) -> None:
    uid = fake_graph.data.upn_id(GRACE)
    fake_graph.data.users[uid]["mail"] = "g.okafor@fabrikamhealth.com"
    user = await graph_directory.get("G.Okafor@fabrikamhealth.com")
    assert user is not None and user.id == uid
    assert fake_graph.log("/v1.0/users")[-2].query.get("$filter") == "mail eq 'G.Okafor@fabrikamhealth.com'"
    before = len(fake_graph.requests)
    assert (await graph_directory.get(uid)) == user  # cached under id, UPN and mail
    assert len(fake_graph.requests) == before
    fake_graph.data.users[uid]["department"] = "Information Technology"
    clock.advance(dt.timedelta(minutes=6))  # past the 5-minute TTL
    fresh = await graph_directory.get(uid)
    assert fresh is not None and fresh.department == "Information Technology"


async def test_readiness_from_sync_and_fresh_check(graph_directory: GraphDirectory, fake_graph: FakeGraph) -> None:
    await graph_directory.sync()
    data = fake_graph.data
    for uid, registered in data.mfa_registered.items():
        r = await graph_directory.readiness(uid)
        assert r is not None and r.mfa_registered is registered
    not_registered = next(
        uid for uid, ok in data.mfa_registered.items() if not ok and data.users[uid]["accountEnabled"]
    )
    # The user says "I've set up Authenticator"; Graph now agrees; the fresh check sees it.
    data.mfa_registered[not_registered] = True
    assert (await graph_directory.readiness(not_registered)).mfa_registered is False  # type: ignore[union-attr]
    fresh = await graph_directory.check_readiness(not_registered)
    assert fresh is not None and fresh.mfa_registered is True
    assert "microsoftAuthenticatorPush" in fresh.methods
    assert (await graph_directory.readiness(not_registered)).mfa_registered is True  # type: ignore[union-attr]


async def test_device_compliance_where_the_plan_asks(graph_directory: GraphDirectory, fake_graph: FakeGraph) -> None:
    await graph_directory.sync()
    by_user = {d["userId"]: d["complianceState"] == "compliant" for d in fake_graph.data.devices}
    assert any(by_user.values()) and not all(by_user.values())
    for uid, compliant in by_user.items():
        assert (await graph_directory.readiness(uid)).device_compliant is compliant  # type: ignore[union-attr]
    no_device = next(uid for uid in fake_graph.data.users if uid not in by_user)
    assert (await graph_directory.readiness(no_device)).device_compliant is None  # type: ignore[union-attr]


async def test_device_endpoint_not_called_unless_asked(
    fake_graph: FakeGraph, clock: ManualClock, credential: StaticTokenCredential
) -> None:
    client = build_graph_client(credential, base_url=fake_graph.base_url)
    directory = GraphDirectory(client, clock=clock, tenant_id="t", checks=ReadinessChecks(device_compliance=False))
    try:
        await directory.sync()
    finally:
        await directory.aclose()
    assert fake_graph.log("/deviceManagement") == []
    assert fake_graph.log("/userRegistrationDetails") != []


async def test_tokens_only_for_the_configured_host(graph_directory: GraphDirectory, credential) -> None:  # noqa: ANN001
    await graph_directory.get(GRACE)
    assert credential.scopes_seen and all(s == "http://127.0.0.1/.default" for s in credential.scopes_seen)


async def test_mfa_acknowledgement_is_checked_against_graph(
    graph_directory: GraphDirectory, fake_graph: FakeGraph
) -> None:
    from switchover.readiness.service import ReadinessService

    plan = load_plan(PLAN)
    service = ReadinessService(plan, graph_directory)
    await graph_directory.sync()
    data = fake_graph.data
    uid = next(u for u, ok in data.mfa_registered.items() if not ok and data.users[u]["userType"] == "Member")
    user = await graph_directory.get(uid)
    assert user is not None
    confirmed, message = await service.confirm_mfa(user)
    assert confirmed is False and "aka.ms/mfasetup" in message
    assert service.to_do(await service.readiness_for(user)) == [
        "set up Microsoft Authenticator (https://aka.ms/mfasetup)"
    ]
    data.mfa_registered[uid] = True
    confirmed, _ = await service.confirm_mfa(user)
    assert confirmed is True
    assert service.to_do(await service.readiness_for(user)) == []


async def test_roster_cannot_tell_readiness() -> None:
    from switchover.readiness.service import ReadinessService

    roster = RosterDirectory.from_csv(ROSTER)
    service = ReadinessService(load_plan(PLAN), roster)
    report = await service.report()
    assert report.available is False and report.total.unknown == report.total.total > 0
    user = await roster.get("grace.okafor@fabrikamhealth.com")
    assert user is not None
    assert await service.readiness_for(user) is None
    assert await service.confirm_mfa(user) == (None, "Thanks, noted.")


async def test_without_the_mfa_permission_the_directory_still_syncs(
    graph_directory: GraphDirectory, fake_graph: FakeGraph
) -> None:
    # 403: AuditLog.Read.All not granted (or no Entra ID P1/P2 licence).
    fake_graph.fail("/userRegistrationDetails", 403)
    assert await graph_directory.sync() is True
    assert graph_directory.health().state == "ok"
    grace = await graph_directory.get(GRACE)
    assert grace is not None and "Migration Champions" in grace.groups
    readiness = await graph_directory.readiness(grace.id)
    assert readiness is not None and readiness.mfa_registered is None
    # Devices were readable, so compliance is still known for Tacoma.
    assert readiness.device_compliant is not None
