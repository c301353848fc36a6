"""Questions through /api/messages for customers other than the demo: their places, countries,
nicknames and reading mistakes no plan should have to work around.

Wide World Importers (Hamburg, Kraków, Monterrey, Memphis) and Trey Research (UK, Ireland,
Australia, New Zealand) from ``examples/``; their nicknames come from their plans' ``aliases``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from tests.support.app import TeamsClient, customer_app

BERLIN = "Europe/Berlin"
LONDON = "Europe/London"
KATRIN = "katrin.classen@wideworldimporters.com"  # Hamburg head office, Finance: the Hamburg wave
OLIVER = "oliver.bramwell@treyresearch.net"  # London: the UK wave


@pytest.fixture
def clock_start() -> dt.datetime:
    # Monday 1 February 2027: before every wave of both customers.
    return dt.datetime(2027, 2, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
async def wideworld(tmp_path, clock, identity, connector) -> AsyncIterator[TeamsClient]:  # type: ignore[no-untyped-def]
    async with customer_app("wideworld", tmp_path, clock, identity, connector) as client:
        yield client


@pytest.fixture
async def trey(tmp_path, clock, identity, connector) -> AsyncIterator[TeamsClient]:  # type: ignore[no-untyped-def]
    async with customer_app("trey", tmp_path, clock, identity, connector) as client:
        yield client


async def _text(teams: TeamsClient, who: str, question: str, time_zone: str) -> str:
    (reply,) = [r for r in await teams.say(who, question, time_zone=time_zone) if r.card]
    return reply.card_text()


async def test_a_site_by_its_nickname_answers_that_sites_wave(wideworld: TeamsClient) -> None:
    # Asked from Monterrey about Hamburg: the Hamburg wave, not the asker's own.
    text = await _text(wideworld, "itzel.montemayor@wideworldimporters.com", "when does HH move", "America/Monterrey")
    assert "Wave 1 - Hamburg" in text and "Wave 3 - Monterrey" not in text


@pytest.mark.parametrize("typed", ["when does Krakow move", "when does KRAKÓW move", "when is Krakau migrating"])
async def test_a_site_with_or_without_its_accent(wideworld: TeamsClient, typed: str) -> None:
    text = await _text(wideworld, KATRIN, typed, BERLIN)
    assert "Wave 2 - Kraków" in text and "Wave 1 - Hamburg" not in text


async def test_a_country_from_the_roster_answers_the_waves_of_the_people_there(wideworld: TeamsClient) -> None:
    poland = await _text(wideworld, KATRIN, "when does poland migrate", BERLIN)
    assert "Poland moves with Wave 2 - Kraków" in poland
    us = await _text(wideworld, KATRIN, "when does the US move", BERLIN)
    assert "Wave 4 - Memphis" in us and "Wave 1 - Hamburg" not in us


async def test_a_country_nobody_is_in_is_said_so_not_answered_with_my_own_schedule(wideworld: TeamsClient) -> None:
    text = await _text(wideworld, KATRIN, "when does Canada move?", BERLIN)
    assert "No one in Canada" in text
    assert "Your move" not in text and "Wave 1 - Hamburg" not in text


async def test_it_the_pronoun_is_not_the_it_department(wideworld: TeamsClient) -> None:
    department = await _text(wideworld, KATRIN, "when does IT move", BERLIN)
    assert "Wave 0 - IT pilot" in department
    pronoun = await _text(wideworld, KATRIN, "my laptop, when does it move", BERLIN)
    assert "IT moves" not in pronoun and "Wave 1 - Hamburg" in pronoun  # the asker's own move


async def test_when_inside_a_question_about_something_else_gets_the_faq(wideworld: TeamsClient) -> None:
    text = await _text(wideworld, KATRIN, "do my old mails and calendar come over when we switch?", BERLIN)
    assert "Your email moves" not in text
    assert "come over" in text.casefold() or "calendar" in text.casefold()


async def test_a_weekday_of_my_shift_is_not_a_question_about_the_cutover_day(wideworld: TeamsClient) -> None:
    text = await _text(
        wideworld, "ayse.yilmaz@wideworldimporters.com", "I work the Sunday early shift, is my move affected?", BERLIN
    )
    assert not text.startswith(("Yes", "No,")) and "not sunday" not in text.casefold()


async def test_a_drive_letter_u_is_not_you(trey: TeamsClient) -> None:
    # The app's own engine reads "U drive" as a drive letter ("u" alone is still chat for "you").
    engine = trey.app.services.answers
    await engine.prepare()
    assert engine.understander is not None
    assert engine.understander.tokens("where is my U drive, can u help")[-5:] == ["u", "drive", "can", "you", "help"]


async def test_nicknames_and_countries_of_another_customer(trey: TeamsClient) -> None:
    akl = await _text(trey, OLIVER, "when does AKL move", LONDON)
    assert "Wave 3 - Australia & New Zealand" in akl and "Wave 1 - UK" not in akl
    oz = await _text(trey, OLIVER, "when's Oz moving", LONDON)
    assert "Wave 3 - Australia & New Zealand" in oz
    nz = await _text(trey, OLIVER, "when does NZ go", LONDON)
    assert "Wave 3 - Australia & New Zealand" in nz
    manc = await _text(trey, OLIVER, "when's the Manc office going over", LONDON)
    assert "Wave 1 - UK" in manc
    pilot = await _text(trey, OLIVER, "when's the pilot", LONDON)
    assert "Wave 0 - IT pilot" in pilot


async def test_gmail_labels_when_we_switch_is_the_faq_not_a_date(trey: TeamsClient) -> None:
    text = await _text(
        trey, "roisin.kavanagh@treyresearch.net", "what happens to my gmail labels when we switch over", "Europe/Dublin"
    )
    assert "label" in text.casefold() and "Your move" not in text


async def test_a_department_at_a_place_is_the_people_of_both(wideworld: TeamsClient) -> None:
    text = await _text(wideworld, KATRIN, "when does finance in Krakow move", BERLIN)
    assert "Finance in Kraków moves with Wave 2 - Kraków" in text
    assert "Wave 1 - Hamburg" not in text and "Wave 4 - Memphis" not in text


async def test_a_departments_documents_are_not_a_question_about_when_it_moves(wideworld: TeamsClient) -> None:
    text = await _text(wideworld, KATRIN, "quality docs after migration?", BERLIN)
    assert "Quality Assurance moves" not in text


# Dates as each customer writes them: Trey's plan says day first (dmy); Wide World's people
# write "20.03." (day first whatever the plan says). Today is Monday 1 February 2027.
async def test_a_day_first_date_is_read_as_the_customer_writes_it(trey: TeamsClient) -> None:
    on = await _text(trey, OLIVER, "what's happening on 6/3", LONDON)  # 6 March, the UK cutover
    assert "Wave 1 - UK" in on and "Nothing" not in on
    mine = await _text(trey, OLIVER, "is my move on 6/3", LONDON)
    assert "Yes: your move is on 6/3" in mine and "not on 6/3" not in mine
    other_way = await _text(trey, OLIVER, "what's going on 20/2", LONDON)  # only one way to read it
    assert "Wave 0 - IT pilot" in other_way


async def test_dates_in_words_and_british_whats_on(trey: TeamsClient) -> None:
    ordinal = await _text(trey, OLIVER, "whats on the 8th of may", LONDON)
    assert "Nothing of the migration is planned on the 8th of may" in ordinal
    month = await _text(trey, OLIVER, "whats going on in may", LONDON)
    assert "planned in may" in month
    weekend = await _text(trey, OLIVER, "what's on this weekend", LONDON)
    assert "Nothing of the migration is planned this weekend" in weekend
    british = await _text(trey, OLIVER, "what's on at the weekend", LONDON)
    assert "Nothing of the migration is planned this weekend" in british
    alone = await _text(trey, OLIVER, "what's on?", LONDON)
    assert "in the coming week" in alone and "Sorry" not in alone


async def test_a_dotted_date_is_day_first(wideworld: TeamsClient) -> None:
    mine = await _text(wideworld, KATRIN, "do i move on 20.03.?", BERLIN)  # Hamburg: Saturday 20 March
    assert "Yes: your move is on 20.03, Saturday 20 March 2027" in mine
    # Hamburg's cutover runs from Saturday 14:00 into Sunday 21 March 10:00: it is on on the 21st too.
    on = await _text(wideworld, KATRIN, "what happens on 21.03.", BERLIN)
    assert "Wave 1 - Hamburg cutover" in on and "Nothing" not in on


async def test_the_files_answer_names_the_customers_drives_and_when_they_go_read_only(wideworld: TeamsClient) -> None:
    # The Hamburg wave cuts over Saturday 20 March 2027 from 14:00; the plan: P: read-only at 12:00 that day.
    text = await _text(wideworld, KATRIN, "when does the P drive go read only?", BERLIN)
    assert "P: becomes read-only on Saturday 20 March 2027 at 12:00" in text
    assert "H:" not in text and "S:" not in text and "Wednesday 17 March" not in text
    # In Monterrey's zone the same moment is 05:00 local.
    far = await _text(
        wideworld, "itzel.montemayor@wideworldimporters.com", "when do my files move", "America/Monterrey"
    )
    assert "P: becomes read-only on" in far and "H: and S:" not in far


@pytest.mark.parametrize(
    "typed",
    [
        "when does the J drive go read only",
        "when will the J: drive become read-only",
        "when does the technical library go read-only",
    ],
)
async def test_a_question_naming_a_drive_or_its_alias_is_about_files(trey: TeamsClient, typed: str) -> None:
    # The UK wave cuts over Saturday 6 March 2027; T: and J: go read-only at 17:30 the Friday before.
    text = await _text(trey, OLIVER, typed, LONDON)
    assert "T: and J: become read-only on Friday 5 March 2027 at 17:30" in text


async def test_any_drive_letter_is_a_files_question(trey: TeamsClient) -> None:
    engine = trey.app.services.answers
    await engine.prepare()
    assert engine.understander is not None
    today = dt.date(2027, 2, 1)
    for typed in ("when does my U drive move", "when does the M: drive go read only", "what about the k-drive"):
        assert "files" in engine.understander.read(typed, today=today).services, typed
    assert "files" not in engine.understander.read("when can I drive to the office", today=today).services


async def test_a_question_in_polish_gets_the_askers_schedule_in_polish(wideworld: TeamsClient) -> None:
    # A Kraków warehouse picker whose Teams is in Polish (activity.locale) asks in Polish, without diacritics.
    replies = await wideworld.say(
        "piotr.duda@wideworldimporters.com", "kiedy jest moja migracja?", time_zone="Europe/Warsaw", locale="pl-PL"
    )
    (reply,) = [r for r in replies if r.card]
    text = reply.card_text()
    assert "Fala 2 - Kraków" in text and "Hamburg" not in text and "Wave" not in text
    assert "sobota, 10 kwietnia 2027" in text and "Saturday" not in text  # the dates are said in Polish
    english = await _text(wideworld, "piotr.duda@wideworldimporters.com", "when is my migration?", "Europe/Warsaw")
    assert "Saturday 10 April 2027" in english
