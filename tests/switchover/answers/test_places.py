"""Reading places, countries and clauses the same way for any customer's plan."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from switchover.answers.engine import AnswerEngine
from switchover.answers.text import fold, words
from switchover.answers.understanding import Intent, Understander
from switchover.clock import ManualClock
from switchover.countries import country_code, country_names, country_of
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TODAY = dt.date(2027, 3, 1)


async def _understander(customer: str) -> Understander:
    plan = load_plan(EXAMPLES / customer / "plan.yaml")
    roster = RosterDirectory.from_csv(EXAMPLES / customer / "roster.csv")
    engine = AnswerEngine(plan, roster, ManualClock(dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)))
    await engine.prepare()
    assert engine.understander is not None
    return engine.understander


@pytest.fixture(scope="module")
def wideworld() -> Understander:
    return asyncio.run(_understander("wideworld"))


def test_folding_drops_accents_and_keeps_letters_unicode_does_not_decompose() -> None:
    assert fold("Kraków, WROCŁAW; Düsseldorf & Thießen") == "krakow wroclaw dusseldorf thiessen"
    assert fold("Ciudad de México") == fold("ciudad de mexico")


def test_a_single_letter_before_drive_is_a_drive_letter() -> None:
    assert words("my U drive and r: drive, can u help") == [
        "my",
        "u",
        "drive",
        "and",
        "r",
        "drive",
        "can",
        "you",
        "help",
    ]


def test_countries_from_names_and_codes() -> None:
    assert country_code("Poland") == country_code("pl") == country_code("Polska".replace("ska", "and")) == "PL"
    assert "Polska" in country_names("PL") and "México" in country_names("MX")
    assert country_of("", "NZ") == "New Zealand" and country_of("Atlantis", None) == "Atlantis"
    assert country_of(None, None) is None


async def test_place_names_with_and_without_accents(wideworld: Understander) -> None:
    for typed in ("when does Krakow move", "when does KRAKÓW move", "when does kraków move"):
        u = wideworld.read(typed, today=TODAY)
        assert u.intent is Intent.GROUP_SCHEDULE and "krakow" in u.waves + tuple(fold(s) for s in u.sites), typed


async def test_a_place_or_country_is_not_repaired_into_a_plan_word(wideworld: Understander) -> None:
    assert wideworld.tokens("when does poland migrate") == ["when", "does", "poland", "migrate"]
    assert wideworld.tokens("when does canada move") == ["when", "does", "canada", "move"]
    canada = wideworld.read("when does canada move", today=TODAY)
    assert canada.countries == ("Canada",) and canada.intent is Intent.GROUP_SCHEDULE


async def test_everyday_words_name_a_department_or_country_only_in_capitals(wideworld: Understander) -> None:
    assert wideworld.read("when does IT move", today=TODAY).departments == ("IT",)
    assert wideworld.read("when does it move", today=TODAY).departments == ()
    assert wideworld.read("when do the US move", today=TODAY).countries == ("United States",)
    assert wideworld.read("when do us guys move", today=TODAY).countries == ()


async def test_a_place_naming_a_clock_is_not_a_group(wideworld: Understander) -> None:
    u = wideworld.read("what time does my cutover start in Memphis time", today=TODAY)
    assert u.sites == () and u.intent is Intent.MY_SCHEDULE


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("do my calendar invites survive when we switch?", Intent.FAQ),
        ("what happens to my old mails when we move over", Intent.FAQ),
        ("will i lose my shared mailbox when my wave moves", Intent.FAQ),
        ("when do i move", Intent.MY_SCHEDULE),
        ("do you know when my move is", Intent.MY_SCHEDULE),
        ("I'm in the DC, when do i switch", Intent.MY_SCHEDULE),
        ("hypercare end when?", Intent.MY_SCHEDULE),
    ],
)
async def test_when_joining_two_clauses_does_not_ask_when(wideworld: Understander, text: str, intent: Intent) -> None:
    assert wideworld.read(text, today=TODAY).intent is intent


async def test_a_weekday_of_a_shift_is_not_a_date_asked_about(wideworld: Understander) -> None:
    assert wideworld.read("I work the Sunday early shift, is my move affected", today=TODAY).dates is None
    assert wideworld.read("I work saturdays", today=TODAY).dates is None
    assert wideworld.read("is my move on sunday", today=TODAY).dates is not None
