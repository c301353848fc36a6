"""A wave in another time zone than the organisation's, seen from three zones, around every
daylight-saving change: over /api/messages and the announcement scheduler, on the real app.

The fixture plan (``zones/plan.yaml``) keeps Denver time for the organisation; its Helsinki wave
starts at 06:00 Helsinki time, which is the evening before in Denver. Aino works in Helsinki,
João in Lisbon and Jake in Denver, all three in the Helsinki wave; Teams tells the bot their zones
(``localTimezone`` on their activities); Mikko, in Helsinki too, sends no zone. Each must see
one day and one time, both their own, in the answer to "when is my migration?" and in the
calendar cards, never Helsinki's date with their own clock time. The cutover is put just
before and just after each change: the US moves on the second Sunday of March and the first
of November, the EU on the last Sunday of March and of October (2027: 14 March, 28 March,
31 October, 7 November).
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from scheduler.jobs import announcements_due
from switchover.clock import ManualClock
from tests.support.app import Person, RunningApp, TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector, Received
from tests.support.identity import LoopbackIdentity

HERE = Path(__file__).parent / "zones"
HELSINKI, LISBON, DENVER = "Europe/Helsinki", "Europe/Lisbon", "America/Denver"
CUTOVER_LINE = 'cutover: {start: "2027-03-13 06:00", end: "2027-03-13 14:00"}  # cutover under test'


def roster() -> dict[str, Person]:
    with (HERE / "roster.csv").open(encoding="utf-8") as fh:
        return {r["givenName"]: Person(r["userPrincipalName"], r["displayName"], r["id"]) for r in csv.DictReader(fh)}


PEOPLE = roster()
READERS = {HELSINKI: PEOPLE["Aino"], LISBON: PEOPLE["João"], DENVER: PEOPLE["Jake"]}


@dataclass(frozen=True)
class Seen:
    """What one reader must read, in their own zone."""

    start: str  # the cutover's start: its day and clock time ("Friday 12 March 2027, 21:00")
    abbreviation: str  # the zone's name at that moment ("MST")
    read_only: str  # the S: drive going read-only, 18:00 Helsinki time the day before
    laptop: str  # the day-before card's "before 22:00 today" (Helsinki), as this reader reads it
    sign_ins: str  # the cutover-start card's "until 08:00 today" (Helsinki), as this reader reads it


@dataclass(frozen=True)
class Case:
    name: str
    cutover_day: str  # in Helsinki
    day_before_sent: str  # UTC: 16:00 Helsinki time on the day before
    seen: dict[str, Seen]


CASES = [
    Case(
        "us-spring-before",
        "2027-03-13",
        "2027-03-12 14:00",
        {
            HELSINKI: Seen(
                "Saturday 13 March 2027, 06:00",
                "EET",
                "Friday 12 March 2027, 18:00 EET",
                "22:00 EET on Friday 12 March",
                "08:00 EET on Saturday 13 March",
            ),
            LISBON: Seen(
                "Saturday 13 March 2027, 04:00",
                "WET",
                "Friday 12 March 2027, 16:00 WET",
                "20:00 WET on Friday 12 March",
                "06:00 WET on Saturday 13 March",
            ),
            DENVER: Seen(
                "Friday 12 March 2027, 21:00",
                "MST",
                "Friday 12 March 2027, 09:00 MST",
                "13:00 MST on Friday 12 March",
                "23:00 MST on Friday 12 March",
            ),
        },
    ),
    Case(
        "us-spring-after",
        "2027-03-15",
        "2027-03-14 14:00",
        {
            HELSINKI: Seen(
                "Monday 15 March 2027, 06:00",
                "EET",
                "Sunday 14 March 2027, 18:00 EET",
                "22:00 EET on Sunday 14 March",
                "08:00 EET on Monday 15 March",
            ),
            LISBON: Seen(
                "Monday 15 March 2027, 04:00",
                "WET",
                "Sunday 14 March 2027, 16:00 WET",
                "20:00 WET on Sunday 14 March",
                "06:00 WET on Monday 15 March",
            ),
            DENVER: Seen(
                "Sunday 14 March 2027, 22:00",
                "MDT",
                "Sunday 14 March 2027, 10:00 MDT",
                "14:00 MDT on Sunday 14 March",
                "00:00 MDT on Monday 15 March",
            ),
        },
    ),
    Case(
        "eu-spring-before",
        "2027-03-27",
        "2027-03-26 14:00",
        {
            HELSINKI: Seen(
                "Saturday 27 March 2027, 06:00",
                "EET",
                "Friday 26 March 2027, 18:00 EET",
                "22:00 EET on Friday 26 March",
                "08:00 EET on Saturday 27 March",
            ),
            LISBON: Seen(
                "Saturday 27 March 2027, 04:00",
                "WET",
                "Friday 26 March 2027, 16:00 WET",
                "20:00 WET on Friday 26 March",
                "06:00 WET on Saturday 27 March",
            ),
            DENVER: Seen(
                "Friday 26 March 2027, 22:00",
                "MDT",
                "Friday 26 March 2027, 10:00 MDT",
                "14:00 MDT on Friday 26 March",
                "00:00 MDT on Saturday 27 March",
            ),
        },
    ),
    Case(
        "eu-spring-after",
        "2027-03-29",
        "2027-03-28 13:00",
        {
            HELSINKI: Seen(
                "Monday 29 March 2027, 06:00",
                "EEST",
                "Sunday 28 March 2027, 18:00 EEST",
                "22:00 EEST on Sunday 28 March",
                "08:00 EEST on Monday 29 March",
            ),
            LISBON: Seen(
                "Monday 29 March 2027, 04:00",
                "WEST",
                "Sunday 28 March 2027, 16:00 WEST",
                "20:00 WEST on Sunday 28 March",
                "06:00 WEST on Monday 29 March",
            ),
            DENVER: Seen(
                "Sunday 28 March 2027, 21:00",
                "MDT",
                "Sunday 28 March 2027, 09:00 MDT",
                "13:00 MDT on Sunday 28 March",
                "23:00 MDT on Sunday 28 March",
            ),
        },
    ),
    Case(
        "eu-autumn-before",
        "2027-10-30",
        "2027-10-29 13:00",
        {
            HELSINKI: Seen(
                "Saturday 30 October 2027, 06:00",
                "EEST",
                "Friday 29 October 2027, 18:00 EEST",
                "22:00 EEST on Friday 29 October",
                "08:00 EEST on Saturday 30 October",
            ),
            LISBON: Seen(
                "Saturday 30 October 2027, 04:00",
                "WEST",
                "Friday 29 October 2027, 16:00 WEST",
                "20:00 WEST on Friday 29 October",
                "06:00 WEST on Saturday 30 October",
            ),
            DENVER: Seen(
                "Friday 29 October 2027, 21:00",
                "MDT",
                "Friday 29 October 2027, 09:00 MDT",
                "13:00 MDT on Friday 29 October",
                "23:00 MDT on Friday 29 October",
            ),
        },
    ),
    Case(
        "eu-autumn-after",
        "2027-11-01",
        "2027-10-31 14:00",
        {
            HELSINKI: Seen(
                "Monday 1 November 2027, 06:00",
                "EET",
                "Sunday 31 October 2027, 18:00 EET",
                "22:00 EET on Sunday 31 October",
                "08:00 EET on Monday 1 November",
            ),
            LISBON: Seen(
                "Monday 1 November 2027, 04:00",
                "WET",
                "Sunday 31 October 2027, 16:00 WET",
                "20:00 WET on Sunday 31 October",
                "06:00 WET on Monday 1 November",
            ),
            DENVER: Seen(
                "Sunday 31 October 2027, 22:00",
                "MDT",
                "Sunday 31 October 2027, 10:00 MDT",
                "14:00 MDT on Sunday 31 October",
                "00:00 MDT on Monday 1 November",
            ),
        },
    ),
    Case(
        "us-autumn-before",
        "2027-11-06",
        "2027-11-05 14:00",
        {
            HELSINKI: Seen(
                "Saturday 6 November 2027, 06:00",
                "EET",
                "Friday 5 November 2027, 18:00 EET",
                "22:00 EET on Friday 5 November",
                "08:00 EET on Saturday 6 November",
            ),
            LISBON: Seen(
                "Saturday 6 November 2027, 04:00",
                "WET",
                "Friday 5 November 2027, 16:00 WET",
                "20:00 WET on Friday 5 November",
                "06:00 WET on Saturday 6 November",
            ),
            DENVER: Seen(
                "Friday 5 November 2027, 22:00",
                "MDT",
                "Friday 5 November 2027, 10:00 MDT",
                "14:00 MDT on Friday 5 November",
                "00:00 MDT on Saturday 6 November",
            ),
        },
    ),
    Case(
        "us-autumn-after",
        "2027-11-08",
        "2027-11-07 14:00",
        {
            HELSINKI: Seen(
                "Monday 8 November 2027, 06:00",
                "EET",
                "Sunday 7 November 2027, 18:00 EET",
                "22:00 EET on Sunday 7 November",
                "08:00 EET on Monday 8 November",
            ),
            LISBON: Seen(
                "Monday 8 November 2027, 04:00",
                "WET",
                "Sunday 7 November 2027, 16:00 WET",
                "20:00 WET on Sunday 7 November",
                "06:00 WET on Monday 8 November",
            ),
            DENVER: Seen(
                "Sunday 7 November 2027, 21:00",
                "MST",
                "Sunday 7 November 2027, 09:00 MST",
                "13:00 MST on Sunday 7 November",
                "23:00 MST on Sunday 7 November",
            ),
        },
    ),
]


def plan_for(tmp_path: Path, day: str) -> Path:
    text = (HERE / "plan.yaml").read_text(encoding="utf-8")
    assert CUTOVER_LINE in text
    moved = text.replace(CUTOVER_LINE, f'cutover: {{start: "{day} 06:00", end: "{day} 14:00"}}')
    path = tmp_path / "plan.yaml"
    path.write_text(moved, encoding="utf-8")
    return path


@dataclass
class World:
    teams: TeamsClient
    connector: LoopbackConnector
    clock: ManualClock
    app: RunningApp

    async def deliver(self) -> None:
        engine = self.app.services.delivery
        for _ in range(100):
            await engine.drain(until_idle=False)
            wait = await engine._seconds_until_more_work()
            if wait is None:
                return
            self.clock.advance(dt.timedelta(seconds=max(wait, 1)))
        raise AssertionError("deliveries still pending")

    def last_card(self, who: Person) -> Received:
        cards = [
            r
            for r in self.connector.received
            if r.conversation_id == who.personal_conversation and r.op == "send" and r.card
        ]
        assert cards, f"no card for {who.name}"
        return cards[-1]


async def world_for(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector, day: str
) -> AsyncIterator[World]:
    settings = make_settings(
        tmp_path, identity=identity, plan_path=plan_for(tmp_path, day), roster_path=HERE / "roster.csv"
    )
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session, identity=identity, bot_id=f"28:{uuid.uuid4()}")
            yield World(teams, connector, clock, running)
    finally:
        await runner.cleanup()


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_each_reader_sees_their_own_day_and_time_of_a_wave_in_another_zone(
    case: Case, tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    sent = utc(case.day_before_sent)
    clock.set(sent - dt.timedelta(days=9))
    async for world in world_for(tmp_path, clock, identity, connector, case.cutover_day):
        # "When is my migration?" from each zone: the answer's day and time are the reader's.
        await world.teams.install(PEOPLE["Mikko"])
        # Mikko's Teams sends no zone: his office's (Helsinki), said so, not the organisation's (Denver).
        (reply,) = [r for r in await world.teams.say(PEOPLE["Mikko"], "when is my migration?") if r.card]
        helsinki = case.seen[HELSINKI]
        assert helsinki.start in reply.card_text() and helsinki.abbreviation in reply.card_text(), reply.card_text()
        assert "your office's time zone (Europe/Helsinki)" in reply.card_text(), reply.card_text()
        for zone, who in READERS.items():
            seen = case.seen[zone]
            await world.teams.install(who)
            (reply,) = [r for r in await world.teams.say(who, "when is my migration?", time_zone=zone) if r.card]
            text = reply.card_text()
            assert f"{seen.start}" in text and seen.abbreviation in text, (zone, text)
            assert seen.read_only in text, (zone, text)
            # The day-before card's "today", as a step before the move: the reader's day with the reader's time.
            assert f"Leave your laptop on and connected before {seen.laptop}." in text, (zone, text)
            sign_ins = "Sign-ins are paused until 08:00 today." if zone == HELSINKI else seen.sign_ins
            assert sign_ins in text, (zone, text)

        # The day before, at 16:00 Helsinki time (not at 16:00 in Denver, the organisation's zone).
        assert await announcements_due(world.app.services) == []  # the scheduler's wake-up: nothing due yet
        announcement = await world.app.services.announcements.get("helsinki/tomorrow")
        assert announcement.send_at == sent
        clock.set(sent - dt.timedelta(minutes=1))
        assert "helsinki/tomorrow" not in await announcements_due(world.app.services)
        clock.set(sent)
        assert "helsinki/tomorrow" in await announcements_due(world.app.services)
        await world.deliver()
        for zone, who in READERS.items():
            seen = case.seen[zone]
            text = world.last_card(who).card_text()
            assert "Cutover is tomorrow" in text
            assert f"Your cutover: {seen.start}" in text and seen.abbreviation in text, (zone, text)
            laptop = "before 22:00 today." if zone == HELSINKI else f"before {seen.laptop}."
            assert f"Leave your laptop on and connected {laptop}" in text, (zone, text)
        # Mikko (Helsinki) has Teams that never sent a zone: his card is in the wave's zone, not Denver's.
        text = world.last_card(PEOPLE["Mikko"]).card_text()
        helsinki = case.seen[HELSINKI]
        assert f"Your cutover: {helsinki.start}" in text and helsinki.abbreviation in text, text
        assert "Leave your laptop on and connected before 22:00 today." in text, text

        # The cutover starts: the card's "until 08:00 today" is the reader's day and time.
        start = (await world.app.services.announcements.get("helsinki/cutover-start")).send_at
        assert start is not None
        clock.set(start)
        assert "helsinki/cutover-start" in await announcements_due(world.app.services)
        await world.deliver()
        for zone, who in READERS.items():
            seen = case.seen[zone]
            text = world.last_card(who).card_text()
            assert "Cutover has started" in text
            until = "until 08:00 today." if zone == HELSINKI else f"until {seen.sign_ins}."
            assert f"Sign-ins are paused {until}" in text, (zone, text)


# -- Trey Research: a wave ahead of the organisation's zone --------------------------------
#
# Trey keeps UK time; its Australia & New Zealand wave is written in Sydney time and cuts over on
# Saturday 10 April 2027 at 18:00 AEST (09:00 BST). Its "Cutover is tomorrow" goes on Friday at
# 15:00 in Sydney, not at 15:00 UK time (midnight into the cutover day in Sydney), and every reader
# sees one day and one time, both their own.

# Trey people by the zone Teams gives them: Georgia in Sydney, Finn in Auckland, and Ewan,
# seconded to Sydney from the UK wave, whose Teams still says UK time.
TREY_READERS = {
    "Australia/Sydney": person("georgia.mckenzie@treyresearch.net", "trey"),
    "Pacific/Auckland": person("finn.rangihuna@treyresearch.net", "trey"),
    "Europe/London": person("ewan.macrae@treyresearch.net", "trey"),
}


@pytest.fixture
async def trey(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[World]:
    clock.set(dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC))
    settings = make_settings(tmp_path, identity=identity, customer="trey")
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(
                running, connector, session, identity=identity, bot_id=f"28:{uuid.uuid4()}", customer="trey"
            )
            yield World(teams, connector, clock, running)
    finally:
        await runner.cleanup()


async def test_a_wave_ahead_of_the_organisation_hears_tomorrow_the_day_before_in_its_own_zone(trey: World) -> None:
    readers = TREY_READERS
    for zone, who in readers.items():
        await trey.teams.install(who)
        await trey.teams.say(who, "hello", time_zone=zone)
    assert await announcements_due(trey.app.services) == []
    tomorrow = await trey.app.services.announcements.get("wave-3/tomorrow")
    # Friday 9 April, 15:00 AEST (UTC+10); UK time would have been Saturday 00:00 in Sydney.
    friday_afternoon = dt.datetime(2027, 4, 9, 5, 0, tzinfo=dt.UTC)
    assert tomorrow.send_at == friday_afternoon
    trey.clock.set(friday_afternoon)
    assert "wave-3/tomorrow" in await announcements_due(trey.app.services)
    await trey.deliver()
    expected = {
        "Australia/Sydney": ("Saturday 10 April 2027, 18:00 AEST - Sun 11 Apr 02:00 AEST", "at 17:30 today."),
        "Pacific/Auckland": (
            "Saturday 10 April 2027, 20:00 NZST - Sun 11 Apr 04:00 NZST",
            "at 19:30 NZST on Friday 9 April.",
        ),
        "Europe/London": ("Saturday 10 April 2027, 09:00-17:00 BST", "at 08:30 BST on Friday 9 April."),
    }
    for zone, who in readers.items():
        text = trey.last_card(who).card_text()
        cutover, read_only = expected[zone]
        assert "Cutover is tomorrow" in text and f"Your cutover: {cutover}" in text, (zone, text)
        assert f"T: and J: become read-only {read_only}" in text, (zone, text)


async def test_answers_give_the_readers_day_with_the_readers_time_for_a_wave_ahead(trey: World) -> None:
    for zone, who in TREY_READERS.items():
        (reply,) = [r for r in await trey.teams.say(who, "when is my migration?", time_zone=zone) if r.card]
        text = reply.card_text()
        if zone == "Pacific/Auckland":
            assert "Saturday 10 April 2027, 20:00 NZST - Sun 11 Apr 04:00 NZST" in text, text
            assert "Friday 9 April 2027, 19:30 NZST" in text, text  # T: and J: read-only, 17:30 in Sydney
            assert "T: and J: become read-only at 19:30 NZST on Friday 9 April." in text, text
        if zone == "Europe/London":
            assert "Saturday 10 April 2027, 09:00-17:00 BST" in text, text
            assert "T: and J: become read-only at 08:30 BST on Friday 9 April." in text, text
    # The wave's own wording of a calendar entry (first-morning) reaches its people, not others'.
    assert await announcements_due(trey.app.services) == []
    first_morning = await trey.app.services.announcements.get("wave-3/first-morning")
    assert "late afternoon" in first_morning.content.summary
    uk = await trey.app.services.announcements.get("wave-1/first-morning")
    assert "late afternoon" not in uk.content.summary
