"""The daily digest, over the whole app and the loopback Bot Connector, on Fabrikam's plan (and
Wide World's): once at the plan's time on its days, never at weekends, at a cutover window's start
and end, once across a restart and across two instances, late within the grace period and
recorded as missed after it, and with the change since the previous digest counted from the
database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from scheduler.jobs import digests_due
from switchover.clock import ManualClock
from switchover.plan.loader import load_plan
from switchover.plan.model import Impact, Urgency
from switchover.problems.model import ReportDraft, Reporter
from switchover.settings import Settings
from tests.cards.schema import schema_errors
from tests.support.app import (
    EXAMPLES,
    TENANT_ID,
    RunningApp,
    TeamsClient,
    make_settings,
    person,
    restart_app,
    start_app,
)
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

PACIFIC = ZoneInfo("America/Los_Angeles")
LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"
SPONSOR = "robert.kim@fabrikamhealth.com"
MONDAY = dt.date(2027, 2, 15)  # after wave 2's cutover, before wave 3's


def at(day: dt.date, hh: int, mm: int = 0, ss: int = 0, zone: ZoneInfo = PACIFIC) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=zone)


def sql(settings: Settings, query: str, *args: Any) -> list[tuple[Any, ...]]:
    path = str(settings.database_url).removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute(query, args).fetchall()


async def deliver(app: RunningApp, clock: ManualClock) -> None:
    engine = app.services.delivery
    for _ in range(100):
        await engine.drain(until_idle=False)
        wait = await engine._seconds_until_more_work()
        if wait is None:
            return
        clock.advance(dt.timedelta(seconds=max(1.0, wait)))
    raise AssertionError("deliveries still pending")


def digests_received(connector: LoopbackConnector, who: str, customer: str = "fabrikam") -> list[dict[str, Any]]:
    conversation = person(who, customer).personal_conversation
    titles = ("Daily digest: ", "Cutover started: ", "Cutover window ended: ")
    return [
        r.card
        for r in connector.received
        if r.conversation_id == conversation and r.card and str(r.card["body"][0].get("text", "")).startswith(titles)
    ]


def card_text(card: dict[str, Any]) -> str:
    return "\n".join(str(e.get("text", "")) for e in card["body"]) + "\n" + str(card)


@contextlib.asynccontextmanager
async def app_for(
    settings: Settings,
    clock: ManualClock,
    identity: LoopbackIdentity | None,
    connector: LoopbackConnector,
    customer: str = "fabrikam",
) -> AsyncIterator[tuple[Any, RunningApp, TeamsClient]]:
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            yield runner, running, TeamsClient(running, connector, session, identity=identity, customer=customer)
    finally:
        await runner.cleanup()


async def install_recipients(teams: TeamsClient, *upns: str) -> None:
    for upn in upns:
        await teams.install(person(upn, teams.customer))


async def run_at(app: RunningApp, clock: ManualClock, when: dt.datetime) -> list[str]:
    clock.set(when)
    return await digests_due(app.services)


# -- a weekday, and the weekend --------------------------------------------------------------


async def test_a_weekday_digest_goes_once_to_the_lead_and_the_sponsor_over_teams(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        assert await run_at(app, clock, at(MONDAY, 7, 59, 30)) == []
        assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == ["2027-02-15T08:00/daily"]
        await deliver(app, clock)
        for who in (LEAD, SPONSOR):
            cards = digests_received(connector, who)
            assert len(cards) == 1, who
            assert schema_errors(cards[0]) == []
            text = card_text(cards[0])
            assert "Daily digest: " in text and "first digest" in text
            plan = app.services.plan
            assert all(f"{w.title}: " in text for w in plan.waves)
        # Every later wake-up that morning sends nothing more.
        for hh, mm in ((8, 1), (8, 30), (9, 30)):
            assert await run_at(app, clock, at(MONDAY, hh, mm)) == []
        await deliver(app, clock)
        assert [len(digests_received(connector, w)) for w in (LEAD, SPONSOR)] == [1, 1]
        rows = sql(settings, "SELECT recipient_key, status FROM delivery_outbox WHERE purpose = 'digest'")
        assert sorted(s for _, s in rows) == ["sent", "sent"]
        assert len({k for k, _ in rows}) == 2


async def test_no_digest_at_the_weekend(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    friday = dt.date(2027, 2, 19)
    clock.set(at(friday, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        sent: list[str] = []
        moment = at(friday, 7, 0)
        while moment < at(friday + dt.timedelta(days=3), 12, 0):  # the scheduler's wake-ups, every 30 minutes
            sent += await run_at(app, clock, moment)
            moment += dt.timedelta(minutes=30)
        assert sent == ["2027-02-19T08:00/daily", "2027-02-22T08:00/daily"]
        await deliver(app, clock)
        assert len(digests_received(connector, LEAD)) == 2


# -- cutover days ----------------------------------------------------------------------------


async def test_a_saturday_cutover_gets_its_start_and_end_digests_and_no_daily_one(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    saturday = dt.date(2027, 2, 13)  # Fabrikam's wave 2: 07:00-16:00
    clock.set(at(saturday, 6, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        sent = {}
        moment = at(saturday, 6, 0)
        while moment < at(saturday, 23, 0):
            for key in await run_at(app, clock, moment):
                sent[key] = moment
            await deliver(app, clock)
            moment += dt.timedelta(minutes=30)
        assert sent == {"wave-2/cutover-start": at(saturday, 7, 0), "wave-2/cutover-end": at(saturday, 16, 0)}
        titles = [c["body"][0]["text"] for c in digests_received(connector, SPONSOR)]
        wave = app.services.plan.wave("wave-2").title
        assert titles == [f"Cutover started: {wave}", f"Cutover window ended: {wave}"]


async def test_a_wave_moved_to_a_weekday_gets_three_digests_that_day(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    """The lead moves wave 2 to Monday: 07:00 window start, 08:00 daily, 16:00 window end; the
    original Saturday gets none."""
    clock.set(at(dt.date(2027, 2, 10), 9, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        await app.services.tenant.settle()
        await app.services.announcements.reschedule_wave("wave-2", MONDAY, by="dana.whitfield")
        sent = {}
        moment = at(dt.date(2027, 2, 12), 12, 0)  # Friday noon (that day's digest is past its grace)
        while moment < at(MONDAY, 23, 0):
            for key in await run_at(app, clock, moment):
                sent[key] = moment
            await deliver(app, clock)
            moment += dt.timedelta(seconds=30 * 60)
        assert sent == {
            "wave-2/cutover-start": at(MONDAY, 7, 0),
            "2027-02-15T08:00/daily": at(MONDAY, 8, 0),
            "wave-2/cutover-end": at(MONDAY, 16, 0),
        }
        cards = {c["body"][0]["text"].split(":")[0]: c for c in digests_received(connector, LEAD)}
        assert sorted(cards) == ["Cutover started", "Cutover window ended", "Daily digest"]
        assert all(schema_errors(c) == [] for c in cards.values())
        wave = app.services.plan.wave("wave-2").title
        assert f"{wave}: cutover in progress" in card_text(cards["Daily digest"])  # 08:00, inside the moved window
        assert f"{wave}: hypercare" in card_text(cards["Cutover window ended"])


# -- restarts, two instances, late and missed ------------------------------------------------


async def test_a_restart_at_0759_neither_loses_nor_doubles_the_digest(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    runner, app = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(app, connector, session, identity=identity)
            await install_recipients(teams, LEAD, SPONSOR)
            assert await run_at(app, clock, at(MONDAY, 7, 59)) == []
            runner, app = await restart_app(runner, app)  # stopped at 07:59, started again
            assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == ["2027-02-15T08:00/daily"]
            runner, app = await restart_app(runner, app)  # and again right after sending
            assert await run_at(app, clock, at(MONDAY, 8, 1)) == []
            await deliver(app, clock)
            assert [len(digests_received(connector, w)) for w in (LEAD, SPONSOR)] == [1, 1]
    finally:
        await runner.cleanup()


async def test_two_instances_on_one_database_send_it_once(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with (
        app_for(settings, clock, identity, connector) as (_, one, teams),
        app_for(settings, clock, identity, connector) as (_, two, _),
    ):
        await install_recipients(teams, LEAD, SPONSOR)
        clock.set(at(MONDAY, 8, 0, 30))
        first, second = await asyncio.gather(digests_due(one.services), digests_due(two.services))
        assert sorted(first + second) == ["2027-02-15T08:00/daily"]
        assert await digests_due(one.services) == [] and await digests_due(two.services) == []
        # Each instance's delivery worker in turn (run together on one hand-moved clock, one would
        # move time past the other's lease in the middle of its send).
        await deliver(one, clock)
        await deliver(two, clock)
        assert [len(digests_received(connector, w)) for w in (LEAD, SPONSOR)] == [1, 1]
        assert sql(settings, "SELECT count(*) FROM digest_occurrences") == [(1,)]
        assert sql(settings, "SELECT count(*) FROM delivery_outbox WHERE purpose = 'digest'") == [(2,)]


async def test_a_digest_missed_while_down_goes_late_within_two_hours_and_is_recorded_missed_after(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        # Down from 07:00 until 09:45 on Monday: sent late.
        assert await run_at(app, clock, at(MONDAY, 9, 45)) == ["2027-02-15T08:00/daily"]
        # Down from Monday evening until 10:30 on Tuesday: past the grace, recorded as missed.
        assert await run_at(app, clock, at(MONDAY + dt.timedelta(days=1), 10, 30)) == []
        await deliver(app, clock)
        assert len(digests_received(connector, LEAD)) == 1
        assert sql(settings, "SELECT key, status, sent_at IS NOT NULL FROM digest_occurrences ORDER BY key") == [
            ("2027-02-15T08:00/daily", "sent", 1),
            ("2027-02-16T08:00/daily", "missed", 0),
        ]


# -- the change since the previous digest ----------------------------------------------------


async def test_the_change_line_counts_what_happened_since_the_previous_digest(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == ["2027-02-15T08:00/daily"]
        # Not delivered yet: Tuesday's digest is queued behind it and still reaches the lead second.
        # Two reports during Monday: a P2 (one person can't work) and a P3 (degraded).
        clock.set(at(MONDAY, 10, 0))
        users = {u.upn: u for u in await app.services.directory.all_users()}
        who = users[person("omar.reyes").upn] if person("omar.reyes").upn in users else next(iter(users.values()))
        reporter = Reporter(tenant_id=TENANT_ID, id=who.id, name=who.display_name, upn=who.upn, wave="wave-3",
                            department=who.department)  # fmt: skip
        for urgency in (Urgency.CANT_WORK, Urgency.DEGRADED):
            draft = ReportDraft("Outlook trouble", reporter, area="email", impact=Impact.ME, urgency=urgency)
            await app.services.problems.submit(draft)
        assert await run_at(app, clock, at(MONDAY + dt.timedelta(days=1), 8, 0, 30)) == ["2027-02-16T08:00/daily"]
        await deliver(app, clock)
        # Counted from the database: reports created between the two digests' pictures, by priority.
        (monday,) = sql(settings, "SELECT sent_at FROM digest_occurrences WHERE key = '2027-02-15T08:00/daily'")[0]
        created = dict(
            sql(settings, "SELECT priority, count(*) FROM problem_reports WHERE created_at > ? GROUP BY priority",
                monday)
        )  # fmt: skip
        assert created == {"P2": 1, "P3": 1}
        open_now = sql(settings, "SELECT count(*) FROM problem_reports WHERE status != 'resolved'")[0][0]
        [first, second] = digests_received(connector, LEAD)
        text = card_text(second)
        assert "Since yesterday 08:00 PST: 1 new P2 report, 1 new P3 report" in text
        assert f"Open problem reports: {open_now}" in text
        assert "first digest" in card_text(first)


# -- plans ----------------------------------------------------------------------------------


async def test_a_plan_without_a_digest_sends_none(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    folder = tmp_path / "plan"
    folder.mkdir()
    text = (EXAMPLES / "fabrikam" / "plan.yaml").read_text(encoding="utf-8")
    text, n = re.subn(r"(?ms)^digest:\n(  .*?\n)+", "", text)
    assert n == 1
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    assert load_plan(folder / "plan.yaml").digest is None
    clock.set(at(dt.date(2027, 2, 12), 7, 0))
    settings = make_settings(tmp_path, identity=identity, plan_path=folder / "plan.yaml")
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        moment = at(dt.date(2027, 2, 12), 7, 0)
        while moment < at(MONDAY, 12, 0):  # a weekday, wave 2's cutover, another weekday
            assert await run_at(app, clock, moment) == []
            moment += dt.timedelta(minutes=30)
        assert sql(settings, "SELECT count(*) FROM digest_occurrences") == [(0,)]


async def test_wide_world_gets_its_digest_at_0730_monday_to_saturday_in_its_own_zone(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    plan = load_plan(EXAMPLES / "wideworld" / "plan.yaml")
    assert plan.digest is not None and str(plan.digest.at) == "07:30:00"
    zone = plan.zone
    leads = [plan.person(k).upn for k in plan.project_leads] + [plan.person(plan.sponsor).upn]
    saturday = dt.date(2027, 2, 20)  # no Wide World cutover that weekend
    clock.set(at(saturday, 6, 0, zone=zone))
    settings = make_settings(tmp_path, identity=identity, customer="wideworld")
    async with app_for(settings, clock, identity, connector, customer="wideworld") as (_, app, teams):
        await install_recipients(teams, *leads)
        sent = {}
        moment = at(saturday, 6, 0, zone=zone)
        while moment < at(saturday + dt.timedelta(days=2), 9, 0, zone=zone):
            for key in await run_at(app, clock, moment):
                sent[key] = moment
            moment += dt.timedelta(minutes=30)
        assert sent == {
            "2027-02-20T07:30/daily": at(saturday, 7, 30, zone=zone),
            "2027-02-22T07:30/daily": at(saturday + dt.timedelta(days=2), 7, 30, zone=zone),
        }
        await deliver(app, clock)
        for upn in leads:
            cards = digests_received(connector, upn, "wideworld")
            assert len(cards) == 2 and all(schema_errors(c) == [] for c in cards), upn
            assert plan.organisation.name in card_text(cards[0])


async def test_digest_now_previews_the_digest_to_the_lead_alone(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity)
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        await install_recipients(teams, LEAD, SPONSOR)
        replies = await teams.say(person(LEAD), "digest now")
        cards = [r.card for r in replies if r.card]
        assert len(cards) == 1 and schema_errors(cards[0]) == []
        assert cards[0]["body"][0]["text"].startswith("Daily digest: ")
        # No digest claimed, nothing queued (only the preview's picture, for its chart link): the 08:00
        # digest still goes, once, as the first one.
        assert sql(settings, "SELECT status, count(*) FROM digest_occurrences GROUP BY status") == [("preview", 1)]
        assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == ["2027-02-15T08:00/daily"]
        # The sponsor is not a lead: for the sponsor the words are no command.
        replies = await teams.say(person(SPONSOR), "digest now")
        assert not any(r.card and r.card["body"][0].get("text", "").startswith("Daily digest") for r in replies)
