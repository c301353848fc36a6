"""A customer with offices in four countries, through /api/messages: each country's own Service Desk
(number, hours in its own zone), cutover cover from Friday evening to Monday morning, a round-the-clock
area and a partner's contract hours, internal notes and membership by country.

Wide World Importers (``examples/wideworld``): Hamburg answers for Germany, Kraków, Monterrey and
Memphis have their own desks; everything here is what their plan says, read through the real app.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from switchover.problems.model import ProblemReport
from tests.bot.features.problems.conftest import executes, inputs, sleep_on_the_clock
from tests.support.app import EXAMPLES, TENANT_ID, Person, TeamsClient, make_settings, person, start_app
from tests.support.clock import ManualClock
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

BERLIN = ZoneInfo("Europe/Berlin")
CHICAGO = ZoneInfo("America/Chicago")
WARSAW = ZoneInfo("Europe/Warsaw")

KATRIN = "katrin.classen@wideworldimporters.com"  # Hamburg head office, Germany: the Hamburg desk
DESHAWN = "deshawn.jackson@wideworldimporters.com"  # Memphis Warehouse, United States: the Memphis desk
PAWEL = "pawel.jaworski@wideworldimporters.com"  # Kraków Warehouse, Poland: the Kraków desk
MAREN = "maren.koehler@wideworldimporters.com"  # moved to Kraków while on parental leave; an internal note
# Someone working from home in a Polish city no wave lists: only the country rule places them.
HOME_WORKER = Person("agata.nowicka@wideworldimporters.com", "Agata Nowicka", str(uuid.UUID(int=7)))


def ww(upn: str) -> Person:
    return person(upn, "wideworld")


@pytest.fixture
def clock_start() -> dt.datetime:
    # Monday 1 February 2027, 09:00 in Hamburg: before every wave, every desk's clocks agree with winter time.
    return dt.datetime(2027, 2, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    """Wide World's roster with one more home worker (in Katowice, a city no wave names)."""
    source = EXAMPLES / "wideworld" / "roster.csv"
    with source.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    extra = {key: "" for key in rows[0]}
    extra.update(
        userPrincipalName=HOME_WORKER.upn,
        mail=HOME_WORKER.upn,
        displayName=HOME_WORKER.name,
        givenName="Agata",
        surname="Nowicka",
        id=HOME_WORKER.aad_object_id,
        userType="Member",
        department="Sales",
        accountEnabled="True",
        usageLocation="PL",
        country="Polska",
        officeLocation="Home Office",
        city="Katowice",
    )
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, extra])
    return path


@pytest.fixture
async def teams(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector, roster: Path
) -> AsyncIterator[TeamsClient]:
    settings = make_settings(tmp_path, identity=identity, customer="wideworld", roster_path=roster)
    runner, running = await start_app(settings, clock, identity=identity)
    sleep_on_the_clock(running)
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsClient(running, connector, session, identity=identity, customer="wideworld")
    finally:
        await runner.cleanup()


async def ask(teams: TeamsClient, who: Person | str, question: str, time_zone: str) -> str:
    who = ww(who) if isinstance(who, str) else who
    replies = [r for r in await teams.say(who, question, time_zone=time_zone) if r.card]
    assert replies, f"no card for {question!r}"
    return " ".join(r.card_text() for r in replies)


async def report(teams: TeamsClient, who: Person, text: str, **answers: str) -> ProblemReport:
    """Report ``text`` through the dialog, answering with ``answers`` (area, impact, urgency); the stored report."""
    await teams.install(who)
    sent = await teams.say(who, f"report a problem {text}")
    for _ in range(4):
        card = next((r.card for r in reversed(sent) if r.card), None)
        assert card is not None, f"the bot sent no card: {[r.body for r in sent]}"
        actions = executes(card)
        submit = next((data for verb, data in actions if verb == "problem_submit"), None)
        if submit is not None:
            data: dict[str, Any] = {**submit, **inputs(card), **answers}
            status, body = await teams.invoke_action(who, "problem_submit", data)
            assert status == 200, body
            reports = await teams.app.services.problems.mine(TENANT_ID, who.aad_object_id, limit=1)
            return reports[0]
        choice = actions[0][1]
        for key, wanted in answers.items():
            choice = next((d for _, d in actions if d.get(key) == wanted), choice)
        before = len(teams.connector.received)
        status, body = await teams.invoke_action(who, "problem_dialog", dict(choice))
        assert status == 200, body
        sent = [r for r in teams.connector.received[before:] if r.conversation_id == who.personal_conversation]
    raise AssertionError("the dialog never reached the confirmation card")


def local(when: dt.datetime | None, zone: ZoneInfo) -> str:
    assert when is not None
    return when.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


# -- finding: one Service Desk number and one set of hours for everyone --------------------------------


@pytest.mark.parametrize(
    ("who", "time_zone", "number", "hours"),
    [
        (KATRIN, "Europe/Berlin", "+49 40 555 7100", "Monday to Friday 06:00-20:00"),
        (PAWEL, "Europe/Warsaw", "+48 12 555 4500", "Monday to Friday 07:00-19:00"),
        (DESHAWN, "America/Chicago", "+1 901 555 0140", "Monday to Friday 06:00-18:00"),
    ],
)
async def test_the_helpdesk_number_is_the_askers_own_desk(
    teams: TeamsClient, who: str, time_zone: str, number: str, hours: str
) -> None:
    text = await ask(teams, who, "service desk number", time_zone)
    assert number in text and hours in text
    others = {"+49 40 555 7100", "+48 12 555 4500", "+1 901 555 0140", "+52 81 5555 0140"} - {number}
    assert not any(other in text for other in others), text


@pytest.mark.parametrize("question", ["what's the helpdesk number", "when is the help desk open"])
async def test_the_service_desk_in_the_askers_words(teams: TeamsClient, question: str) -> None:
    text = await ask(teams, ww("itzel.montemayor@wideworldimporters.com"), question, "America/Monterrey")
    assert "Your Monterrey Service Desk: +52 81 5555 0140" in text
    assert "Monday to Friday 07:00-19:00; Saturday 08:00-13:00 (your time, America/Monterrey)" in text


async def test_a_question_the_bot_cannot_answer_offers_the_askers_own_desk(teams: TeamsClient) -> None:
    text = await ask(teams, DESHAWN, "the forklift battery is empty", "America/Chicago")
    assert "+1 901 555 0140" in text and "+49 40 555 7100" not in text


async def test_a_report_counts_in_the_hours_of_the_desk_that_serves_the_reporter(
    teams: TeamsClient, clock: ManualClock
) -> None:
    # Monday 15 February, 17:00 in Memphis: Hamburg closed three hours ago (it is 00:00 there); Memphis is open.
    clock.set(dt.datetime(2027, 2, 15, 17, 0, tzinfo=CHICAGO))
    memphis = await report(
        teams, ww(DESHAWN), "the label printer prints blank labels", area="devices", impact="me", urgency="degraded"
    )
    assert memphis.priority.value == "P3"  # me + degraded: 4 business hours
    # One hour on Monday (17:00-18:00), three on Tuesday from 06:00: Memphis time throughout.
    assert local(memphis.ack_due_at, CHICAGO) == "Tue 2027-02-16 09:00"


# -- finding: hours an hour out while the US and EU clocks disagree -----------------------------------


async def test_desk_hours_are_shown_in_the_askers_zone_on_the_days_the_clocks_disagree(
    teams: TeamsClient, clock: ManualClock
) -> None:
    # 15-26 March 2027: the US is on summer time, Europe not yet. Hamburg's 06:00-20:00 is 00:00-14:00 in Chicago.
    clock.set(dt.datetime(2027, 3, 16, 8, 0, tzinfo=CHICAGO))
    text = await ask(teams, KATRIN, "service desk number", "America/Chicago")
    assert "Monday to Friday 00:00-14:00" in text and "America/Chicago" in text
    # Two weeks later both are on summer time again: an hour earlier in Chicago.
    clock.set(dt.datetime(2027, 3, 30, 8, 0, tzinfo=CHICAGO))
    text = await ask(teams, KATRIN, "service desk number", "America/Chicago")
    assert "Monday 23:00 to Tuesday 13:00" in text and "00:00-14:00" not in text


async def test_the_memphis_desk_opens_at_six_memphis_time_whatever_hamburgs_clock_says(
    teams: TeamsClient, clock: ManualClock
) -> None:
    # Tuesday 16 March, 05:30 in Memphis (the US already on summer time): 11:30 in Hamburg, Memphis still closed.
    clock.set(dt.datetime(2027, 3, 16, 5, 30, tzinfo=CHICAGO))
    memphis = await report(
        teams, ww(DESHAWN), "my second screen stays black", area="devices", impact="me", urgency="degraded"
    )
    assert local(memphis.ack_due_at, CHICAGO) == "Tue 2027-03-16 10:00"  # 06:00 + 4 business hours


# -- finding: cutover cover only on the Saturday and Sunday ------------------------------------------


async def test_the_friday_evening_before_a_cutover_is_staffed(teams: TeamsClient, clock: ManualClock) -> None:
    # Friday 19 March 2027, 21:00 in Hamburg: the Hamburg wave's cutover starts the next day at 14:00.
    clock.set(dt.datetime(2027, 3, 19, 21, 0, tzinfo=BERLIN))
    hamburg = await report(
        teams, ww(KATRIN), "my second screen stays black", area="devices", impact="me", urgency="degraded"
    )
    assert local(hamburg.ack_due_at, BERLIN) == "Sat 2027-03-20 01:00"  # 4 hours through the night


async def test_the_monday_morning_after_a_cutover_is_staffed(teams: TeamsClient, clock: ManualClock) -> None:
    # Monday 22 March, 04:00 in Hamburg: the cover runs to 08:00 (the desk itself opens at 06:00).
    clock.set(dt.datetime(2027, 3, 22, 4, 0, tzinfo=BERLIN))
    hamburg = await report(
        teams, ww(KATRIN), "my second screen stays black", area="devices", impact="me", urgency="degraded"
    )
    assert local(hamburg.ack_due_at, BERLIN) == "Mon 2027-03-22 08:00"


async def test_a_friday_evening_without_a_cutover_is_not_staffed(teams: TeamsClient, clock: ManualClock) -> None:
    # Friday 5 February: no wave that weekend; counting starts Saturday 08:00 (the weekend shift's desk).
    clock.set(dt.datetime(2027, 2, 5, 21, 0, tzinfo=BERLIN))
    hamburg = await report(
        teams, ww(KATRIN), "my second screen stays black", area="devices", impact="me", urgency="degraded"
    )
    assert local(hamburg.ack_due_at, BERLIN) == "Sat 2027-02-06 12:00"


# -- finding: service levels per priority only --------------------------------------------------------


async def test_a_round_the_clock_area_counts_in_wall_clock_time(teams: TeamsClient, clock: ManualClock) -> None:
    # Sunday 7 February, 03:00 in Hamburg: the desk is closed, the ERP on-call team is not.
    clock.set(dt.datetime(2027, 2, 7, 3, 0, tzinfo=BERLIN))
    erp = await report(
        teams,
        ww(KATRIN),
        "the ERP shows an error when I book goods",
        area="erp-labels",
        impact="me",
        urgency="degraded",
    )
    assert erp.priority.value == "P3"
    assert local(erp.ack_due_at, BERLIN) == "Sun 2027-02-07 05:00"  # the area's own P3: 2 hours, at night
    assert local(erp.next_due_at, BERLIN) == "Sun 2027-02-07 07:00"  # escalation to the backup after 4 hours


async def test_a_partner_area_counts_in_its_contract_hours(teams: TeamsClient, clock: ManualClock) -> None:
    # Friday 12 February, 16:30 (Warsaw and Hamburg agree): the agency works Monday to Friday 09:00-17:00.
    clock.set(dt.datetime(2027, 2, 12, 16, 30, tzinfo=WARSAW))
    intranet = await report(
        teams,
        ww(KATRIN),
        "where is the canteen menu on the intranet?",
        area="intranet",
        impact="me",
        urgency="question",
    )
    assert intranet.priority.value == "P4"
    assert local(intranet.ack_due_at, WARSAW) == "Tue 2027-02-16 16:30"  # 2 business days of the agency
    # The Hamburg desk's Saturday morning does not count for the agency: Wednesday, then Thursday, Friday.
    assert local(intranet.next_due_at, WARSAW) == "Wed 2027-02-17 16:30"


# -- finding: exception reasons shown word for word, no internal note ----------------------------------


async def test_the_person_sees_the_reason_and_never_the_internal_note(teams: TeamsClient) -> None:
    text = await ask(teams, MAREN, "which wave am I in?", "Europe/Berlin")
    assert "on parental leave until 2 April 2027" in text
    assert "HR case" not in text and "nobody calls" not in text


async def test_the_report_owner_sees_the_internal_note_the_reporter_does_not(
    teams: TeamsClient, clock: ManualClock
) -> None:
    owner = ww("timo.krueger@wideworldimporters.com")
    await teams.install(owner)
    before = len(teams.connector.received)
    maren = await report(teams, ww(MAREN), "my laptop will not start", area="devices", impact="me", urgency="degraded")
    await teams.app.services.delivery.drain()
    received = teams.connector.received[before:]
    to_owner = " ".join(r.card_text() for r in received if r.conversation_id == owner.personal_conversation)
    to_maren = " ".join(r.card_text() for r in received if r.conversation_id == ww(MAREN).personal_conversation)
    assert maren.reference in to_owner and "HR case 2027-114" in to_owner
    assert "Kraków Service Desk" not in to_owner  # she is in Hamburg: the Hamburg (default) desk serves her
    assert to_maren and "HR case" not in to_maren


# -- finding: membership rules cannot use the roster's country -------------------------------------------


async def test_a_home_worker_is_placed_by_the_rosters_country(teams: TeamsClient) -> None:
    text = await ask(teams, HOME_WORKER, "when is my migration?", "Europe/Warsaw")
    assert "Wave 2 - Kraków" in text
    # ... and the Kraków desk serves them, by the same country.
    text = await ask(teams, HOME_WORKER, "service desk number", "Europe/Warsaw")
    assert "+48 12 555 4500" in text
