"""Installing the Teams app for users through Graph, and the report of who could not be reached."""

from __future__ import annotations

from switchover.directory.base import DirectoryUser
from switchover.directory.graph_client import build_graph_client, close_graph_client
from switchover.directory.install import AppInstaller, InstallOutcome
from tests.support.fake_graph import FakeGraph, StaticTokenCredential

CATALOG_ID = "1542629c-01b3-4a6d-8f76-1938b779e48d"


def _user(fake: FakeGraph, upn: str) -> DirectoryUser:
    u = fake.data.user_by_key(upn)
    assert u is not None
    return DirectoryUser(id=u["id"], upn=u["userPrincipalName"], display_name=u["displayName"])


async def test_install_outcomes_and_unreachable_report(fake_graph: FakeGraph, retry_waits: list[float]) -> None:
    client = build_graph_client(StaticTokenCredential(), base_url=fake_graph.base_url)
    installer = AppInstaller(client, CATALOG_ID, base_url=fake_graph.base_url)
    fresh = _user(fake_graph, "grace.okafor@fabrikamhealth.com")
    already = _user(fake_graph, "omar.reyes@fabrikamhealth.com")
    blocked = _user(fake_graph, "nora.abbott@fabrikamhealth.com")
    throttled = _user(fake_graph, "vanessa.fox@fabrikamhealth.com")
    ghost = DirectoryUser(id="5b1c8e0e-0000-4000-8000-000000000000", upn="left@fabrikamhealth.com", display_name="Gone")
    fake_graph.data.installed.add(already.id)
    fake_graph.data.install_forbidden.add(blocked.id)
    # One 429 for this user's install: the SDK retries the POST after Retry-After.
    fake_graph.fail(f"/users/{throttled.id}/teamwork/installedApps", 429, retry_after=2, method="POST")
    report = await installer.install_all([fresh, already, blocked, throttled, ghost])

    outcomes = {r.upn: r.outcome for r in report.results}
    assert outcomes == {
        fresh.upn: InstallOutcome.INSTALLED,
        already.upn: InstallOutcome.ALREADY_INSTALLED,
        blocked.upn: InstallOutcome.FORBIDDEN,
        throttled.upn: InstallOutcome.INSTALLED,
        ghost.upn: InstallOutcome.NOT_FOUND,
    }
    assert {fresh.id, throttled.id} <= fake_graph.data.installed
    assert 2 in retry_waits
    unreachable = {r["upn"]: r for r in report.as_dict()["unreachable"]}
    assert set(unreachable) == {blocked.upn, ghost.upn}
    assert unreachable[blocked.upn]["status"] == 403 and "permission policy" in unreachable[blocked.upn]["reason"]
    assert unreachable[ghost.upn]["status"] == 404 and "no such user" in unreachable[ghost.upn]["reason"]
    assert report.counts == {"installed": 2, "already_installed": 1, "forbidden": 1, "not_found": 1}
    # The request Graph saw names the app in the catalog, as documented.
    post = fake_graph.log(f"/users/{fresh.id}/teamwork/installedApps", "POST")[0]
    assert post.body["teamsApp@odata.bind"] == f"{fake_graph.base_url}/appCatalogs/teamsApps/{CATALOG_ID}"
    await close_graph_client(client)


async def test_outage_is_a_failed_result_not_an_exception(fake_graph: FakeGraph, retry_waits: list[float]) -> None:
    client = build_graph_client(StaticTokenCredential(), base_url=fake_graph.base_url, max_retries=1)
    installer = AppInstaller(client, CATALOG_ID, base_url=fake_graph.base_url)
    fake_graph.down = True
    user = _user(fake_graph, "grace.okafor@fabrikamhealth.com")
    result = await installer.install(user)
    assert result.outcome is InstallOutcome.FAILED and result.status == 503
    assert result.reason.startswith("Graph did not answer")
    await close_graph_client(client)


async def test_guests_and_disabled_accounts_are_not_installed(fake_graph: FakeGraph) -> None:
    client = build_graph_client(StaticTokenCredential(), base_url=fake_graph.base_url)
    installer = AppInstaller(client, CATALOG_ID, base_url=fake_graph.base_url)
    guest = DirectoryUser(id="g", upn="g@x", display_name="G", user_type="Guest")
    disabled = DirectoryUser(id="d", upn="d@x", display_name="D", enabled=False)
    report = await installer.install_all([guest, disabled])
    assert report.results == [] and fake_graph.log("installedApps") == []
    await close_graph_client(client)
