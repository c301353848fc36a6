"""Readiness per person as export rows: the people and figures of the leads' readiness report, each check
with the source that answered it (Graph's last sync where it knows, else the admin's export) and as of when."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from switchover.directory.base import Readiness
from switchover.directory.roster import RosterDirectory
from switchover.exports import readiness_export
from switchover.membership import members_by_wave
from switchover.plan.loader import load_plan
from switchover.readiness.exports import export_readiness
from switchover.readiness.service import ReadinessService
from tests.support.app import FABRIKAM

SYNCED = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)


class GraphForOne(RosterDirectory):
    """The roster, where Graph's last sync knows one person's MFA registration (and nothing else)."""

    known: str = ""

    async def readiness(self, user_id: str) -> Readiness | None:
        return (
            Readiness(user_id, True, ("microsoftAuthenticatorPush",), None, SYNCED) if user_id == self.known else None
        )


def service() -> tuple[ReadinessService, GraphForOne]:
    plan = load_plan(FABRIKAM / "plan.yaml")
    directory = GraphForOne.from_csv(FABRIKAM / "roster.csv")
    return ReadinessService(plan, directory, export_readiness(plan, FABRIKAM / "plan.yaml")), directory


async def rows_of(export) -> list[dict]:
    return [row async for batch in export.batches for row in batch]


async def test_every_wave_member_once_with_the_report_s_figures_and_each_check_s_source() -> None:
    readiness, directory = service()
    plan = readiness.plan
    exports = readiness.exports
    assert exports is not None and exports.registrations is not None and exports.devices is not None
    rows = await rows_of(await readiness_export(readiness, batch=50))

    users = [u for u in await directory.all_users() if u.enabled and not u.is_guest]
    by_wave = members_by_wave(plan, users)
    expected = {u.upn for key, members in by_wave.items() if key is not None for u in members}
    assert len(rows) == len(expected) and {r["upn"] for r in rows} == expected
    order = [w.key for w in plan.waves]
    assert [order.index(r["wave"]) for r in rows] == sorted(order.index(r["wave"]) for r in rows)

    # The leads' report counts the same people the same way.
    report = await readiness.report()
    titles = {w.title: w.key for w in plan.waves}
    per_wave: Counter[str] = Counter()
    for count in report.rows:
        per_wave[titles[count.wave]] += count.registered
    assert Counter(r["wave"] for r in rows if r["mfa_registered"]) == +per_wave
    assert sum(r["mfa_registered"] is None for r in rows) == report.total.unknown
    assert sum(r["device_compliant"] is True for r in rows) == report.total.compliant
    known = [r for r in rows if r["mfa_registered"] is not None]
    assert known and {r["mfa_source"] for r in known} == {"UserRegistrationDetails.csv"}
    assert {r["mfa_as_of"] for r in known} == {exports.registrations.as_of.astimezone(dt.UTC)}
    devices = [r for r in rows if r["device_compliant"] is not None]
    assert devices and {r["device_source"] for r in devices} == {"IntuneDevices.csv"}
    # The plan asks MFA only (Fabrikam): ready is exactly "MFA registered", unknown when that is.
    assert plan.readiness.mfa and not plan.readiness.device_compliance
    assert all(r["ready"] is r["mfa_registered"] for r in rows)


async def test_graph_answers_where_it_knows_and_a_wave_filter_keeps_that_wave() -> None:
    readiness, directory = service()
    rows = await rows_of(await readiness_export(readiness, "wave-2"))
    assert rows and {r["wave"] for r in rows} == {"wave-2"}
    not_registered = next(r for r in rows if r["mfa_registered"] is False)
    directory.known = not_registered["user_id"]
    again = {r["user_id"]: r for r in await rows_of(await readiness_export(readiness, "wave-2"))}
    graph = again[directory.known]
    assert (graph["mfa_registered"], graph["mfa_source"], graph["mfa_as_of"]) == (True, "Microsoft Graph", SYNCED)
    assert graph["mfa_methods"] == ["microsoftAuthenticatorPush"] and graph["ready"] is True
    assert graph["device_source"] == not_registered["device_source"]  # Graph knows no devices here
    others = [r for r in again.values() if r["user_id"] != directory.known]
    assert all(r["mfa_source"] in ("UserRegistrationDetails.csv", None) for r in others)
