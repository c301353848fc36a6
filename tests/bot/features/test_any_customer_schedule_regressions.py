"""Personal schedule questions as customers other than the demo's ask them, end to end over /api/messages.

One test per class of question the engine misread (issue 14), asked through the real app over HTTP
as Teams sends it, on Trey Research's plan (UK, Ireland, Australia and New Zealand; day-first dates;
drives T: and J:) or Wide World Importers' (Hamburg, Kraków, Monterrey, Memphis; drives P:, Q:, X:).
The wording differs from the labelled questions': each test is about the class, not one sentence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchover.clock import ManualClock
from tests.support.app import TeamsClient, customer_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

BERLIN = "Europe/Berlin"
LONDON = "Europe/London"
PERTH = "Australia/Perth"
KATRIN = "katrin.classen@wideworldimporters.com"  # Hamburg Head Office: Wave 1 - Hamburg, Saturday 20 March
OLIVER = "oliver.bramwell@treyresearch.net"  # London: Wave 1 - UK, Saturday 6 March
RHYS = "rhys.llewellyn@treyresearch.net"  # London, Head of IT: Wave 0 - IT pilot, Saturday 20 February

# A confident statement of the asker's own schedule.
OWN_SCHEDULE = ("Your move", "your move", "Your files move", "Your email moves", "You are in")


@pytest.fixture
def clock_start() -> dt.datetime:
    # Monday 1 February 2027: before every wave of both customers.
    return dt.datetime(2027, 2, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
async def wideworld(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[TeamsClient]:
    home = tmp_path / "wideworld"
    home.mkdir()
    async with customer_app("wideworld", home, clock, identity, connector) as client:
        yield client


@pytest.fixture
async def trey(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[TeamsClient]:
    home = tmp_path / "trey"
    home.mkdir()
    async with customer_app("trey", home, clock, identity, connector) as client:
        yield client


async def _text(teams: TeamsClient, who: str, question: str, time_zone: str) -> str:
    """The text of the one card the bot answers ``question`` with."""
    cards = [r for r in await teams.say(who, question, time_zone=time_zone) if r.card]
    assert len(cards) == 1, [c.card_text() for c in cards]
    return cards[0].card_text()


async def test_which_of_two_groups_am_i_in_gets_my_own_wave(wideworld: TeamsClient, trey: TeamsClient) -> None:
    # "am I X or Y", X and Y the plan's groups: the asker's wave, not the schedule of the group named last.
    for teams, who, zone, typed, wave in (
        (trey, RHYS, LONDON, "am I pilot or with the rest of Clerkenwell?", "You are in Wave 0 - IT pilot"),
        (trey, OLIVER, LONDON, "are we with the pilot or with Manchester?", "You are in Wave 1 - UK"),
        (trey, RHYS, LONDON, "am i in the pilot?", "You are in Wave 0 - IT pilot"),
        (wideworld, KATRIN, BERLIN, "am i pilot or with everybody else in hamburg", "You are in Wave 1 - Hamburg"),
    ):
        text = await _text(teams, who, typed, zone)
        assert wave in text, (typed, text)
        assert "moves with" not in text, (typed, text)


async def test_my_own_date_said_beside_another_groups_gets_mine(wideworld: TeamsClient, trey: TeamsClient) -> None:
    # The other group is what the asker already knows; "my own" asks for theirs.
    for teams, who, zone, typed, day, other in (
        (trey, OLIVER, LONDON, "when's my own move, I know Dublin goes in March", "Saturday 6 March 2027", "Dublin"),
        (wideworld, KATRIN, BERLIN, "when is my actual cutover, Krakow is later i know", "Saturday 20 March", "Krak"),
    ):
        text = await _text(teams, who, typed, zone)
        assert "Your move" in text and day in text, (typed, text)
        assert f"{other} moves with" not in text, (typed, text)


async def test_a_plans_drive_named_by_its_letter_alone_gets_my_files_date(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    # "T:", "my P folders": the plan's drives, so a when-question about them is the asker's files date.
    trey_files = await _text(trey, OLIVER, "when does J: stop letting me save my work", LONDON)
    assert "Your files move" in trey_files
    assert "T: and J: become read-only on Friday 5 March 2027 at 17:30" in trey_files
    hamburg = await _text(wideworld, KATRIN, "from when are my P folders read only", BERLIN)
    assert "Your files move" in hamburg
    assert "P: becomes read-only on Saturday 20 March 2027 at 12:00" in hamburg
    # A lower-case letter alone is a word, not a drive: "when do i move" stays the whole move.
    plain = await _text(trey, OLIVER, "when do i move, x", LONDON)
    assert "Your move to Microsoft 365" in plain, plain


async def test_is_mine_on_a_date_gets_yes_or_no(wideworld: TeamsClient, trey: TeamsClient) -> None:
    # "mine" and a date with its month named: a yes-or-no about the asker's own move (both plans day-first).
    for teams, who, zone, typed, start in (
        (trey, OLIVER, LONDON, "is mine on the 6th of March?", "Yes: your move is"),
        (trey, OLIVER, LONDON, "is ours on the 20th of March?", "No, not"),
        (wideworld, KATRIN, BERLIN, "is mine on the 20th of march?", "Yes: your move is"),
    ):
        text = await _text(teams, who, typed, zone)
        assert start in text, (typed, text)


async def test_regional_words_for_a_day_are_read_as_that_day(trey: TeamsClient, clock: ManualClock) -> None:
    # Monday 22 February 2027 in London; Oliver's move is Saturday 6 March.
    clock.set(dt.datetime(2027, 2, 22, 9, 0, tzinfo=dt.UTC))
    for typed, start in (
        # British and Irish: "Saturday week" is the Saturday after the coming one (6 March), not 27 February.
        ("is my move saturday week?", "Yes: your move is saturday week"),
        ("is it the weekend after next for me", "Yes: your move is the weekend after next"),
        ("is my migration in the next fortnight", "Yes: your move is in the next fortnight"),
        # Australian and New Zealand: "this arvo" is this afternoon.
        ("is my move this arvo?", "No, not this afternoon"),
    ):
        text = await _text(trey, OLIVER, typed, LONDON)
        assert start in text, (typed, text)
        assert "Saturday 6 March 2027" in text, (typed, text)


async def test_the_cutover_saturday_is_the_moves_own_day_not_this_saturday(
    wideworld: TeamsClient, trey: TeamsClient, clock: ManualClock
) -> None:
    # "on cutover saturday", "the friday before cutover": the move's own days, asking what happens then; never
    # "No, not saturday" about the coming Saturday, nor the asker's schedule as the answer.
    for teams, who, zone, typed in (
        (trey, OLIVER, PERTH, "surveying out bush on cutover saturday with zero bars, will i get locked out"),
        (wideworld, KATRIN, BERLIN, "i change my password the friday before cutover, is that ok or bad idea"),
    ):
        text = await _text(teams, who, typed, zone)
        assert "No, not" not in text and "Yes:" not in text, (typed, text)
        assert not any(s in text for s in OWN_SCHEDULE), (typed, text)
    # What is on then, asked of the move's own weekend: the asker's cutover, not the coming weekend.
    on = await _text(trey, OLIVER, "whats on migration weekend", LONDON)
    assert "Your move" in on and "Saturday 6 March 2027" in on, on
    assert "Nothing of the migration is planned" not in on, on
    # A calendar day said after the move's own one is still read: Monday 1 March, the UK cutover on the 6th.
    clock.set(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC))
    text = await _text(trey, OLIVER, "is my cutover weekend this weekend", LONDON)
    assert "Yes: your move is this weekend" in text, text


async def test_my_own_move_said_more_ways_gets_my_schedule(wideworld: TeamsClient, trey: TeamsClient) -> None:
    # Whether the move is over, "tell me my go-live", "am I with them" after another group's date, "mine the X one".
    for teams, who, zone, typed, said in (
        (trey, OLIVER, LONDON, "is my cutover done yet", "Your move"),
        (wideworld, KATRIN, BERLIN, "pls tell me my go-live", "Your move"),
        # Rhys is in the IT pilot: not with the rest of his office, and told his own date.
        (trey, RHYS, LONDON, "the rest of Clerkenwell goes on the 6th, am I with them", "No, not on the 6th"),
        (
            trey,
            RHYS,
            LONDON,
            "the rest of Clerkenwell goes with the UK wave, am I with them",
            "You are in Wave 0 - IT pilot",
        ),
        (wideworld, KATRIN, BERLIN, "is mine the march 20 one?", "Yes: your move is"),
    ):
        text = await _text(teams, who, typed, zone)
        assert said in text, (typed, text)
        assert "moves with" not in text, (typed, text)


def _verbs(node: object) -> set[str]:
    """The card's action verbs (faq_helpful: an FAQ answer; faq_pick: suggestions)."""
    if isinstance(node, dict):
        return {v for k, v in node.items() if k == "verb" and isinstance(v, str)} | {
            x for v in node.values() for x in _verbs(v)
        }
    if isinstance(node, list):
        return {x for v in node for x in _verbs(v)}
    return set()


async def test_what_the_move_does_to_a_thing_is_not_answered_with_a_date(
    wideworld: TeamsClient, trey: TeamsClient
) -> None:
    # An FAQ answer, suggestions, or "no answer" with a problem report: never a personal, group or date-range card.
    for teams, who, zone, typed in (
        (trey, OLIVER, LONDON, "is outlook going to be offline all weekend"),
        (wideworld, KATRIN, BERLIN, "where will I find the department share once we move"),
        (wideworld, KATRIN, BERLIN, "can customers still email the Hamburg office while the migration is happening"),
        (trey, OLIVER, LONDON, "when does daylight saving end in the UK"),
        (wideworld, KATRIN, BERLIN, "what time does the Hamburg office shut on friday"),
    ):
        cards = [r for r in await teams.say(who, typed, time_zone=zone) if r.card]
        assert len(cards) == 1
        text, verbs = cards[0].card_text(), _verbs(cards[0].card)
        faq_side = bool(verbs & {"faq_helpful", "faq_pick"}) or "Sorry, I don't have an answer" in text
        assert faq_side, (typed, text)
        assert not any(s in text for s in (*OWN_SCHEDULE, "moves with", "Nothing of the migration is planned")), text


async def test_a_range_of_days_names_every_move_in_it(wideworld: TeamsClient, trey: TeamsClient) -> None:
    # Both ends of the range count: a range said with "between", with dots (day-first) or as a week of a month.
    for teams, who, zone, typed, moves in (
        (
            trey,
            OLIVER,
            LONDON,
            "anything on between 20/2 and 6/3?",
            ("Wave 0 - IT pilot cutover", "Wave 1 - UK cutover"),
        ),
        (wideworld, KATRIN, BERLIN, "whats planned 15.-25.03.?", ("Wave 1 - Hamburg cutover",)),
        (trey, OLIVER, LONDON, "which waves go live in the first week of march", ("Wave 1 - UK cutover",)),
    ):
        text = await _text(teams, who, typed, zone)
        assert all(m in text for m in moves), (typed, text)
