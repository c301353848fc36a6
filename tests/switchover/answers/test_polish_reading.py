"""How everyday Polish is read (switchover/answers/lang/pl.py): question words, cases and persons,
diacritics typed or not, typos, English IT words with Polish endings, dates said the Polish way.

Over Wide World Importers' plan (examples/wideworld), whose Kraków warehouse moves in Wave 2 and whose
FAQ has no Polish translations: a Polish question is matched against the English FAQ through its gloss.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from switchover import i18n
from switchover.answers.engine import AnswerEngine
from switchover.answers.lang import LANGUAGES, gloss_for
from switchover.answers.lang.pl import gloss
from switchover.answers.model import AnswerKind, Who
from switchover.answers.understanding import Facet, Intent, Understander
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "wideworld"
NOW = dt.datetime(2027, 3, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # a Monday
TODAY = NOW.date()
KRAKOW = Who(upn="piotr.duda@wideworldimporters.com", time_zone="Europe/Warsaw")  # Kraków warehouse: Wave 2


@pytest.fixture(scope="module")
def wideworld() -> AnswerEngine:
    return AnswerEngine(
        load_plan(EXAMPLE / "plan.yaml"), RosterDirectory.from_csv(EXAMPLE / "roster.csv"), ManualClock(NOW)
    )


@pytest.fixture
async def pl(wideworld: AnswerEngine) -> Understander:
    await wideworld.prepare()
    return wideworld.reader("pl")[0]


async def _ask(engine: AnswerEngine, text: str, who: Who = KRAKOW):  # type: ignore[no-untyped-def]
    await engine.prepare()
    with i18n.use("pl-PL"):
        return await engine.answer(text, who)


def test_polish_has_question_words() -> None:
    assert "pl" in LANGUAGES
    assert gloss_for("pl-PL") is gloss


@pytest.mark.parametrize(
    "text",
    [
        "kiedy jest moja migracja?",
        "Kiedy jest moja migracja?",
        "kiedy jest moja migracja",
        "kidy jest moja migarcja",  # typos
        "kiedy mnie przeniosą?",
        "kiedy mnie przeniosa",  # no diacritics
        "kiedy migrujemy?",
        "kiedy moja kolej?",
        "o której zaczyna się moja migracja?",
    ],
)
async def test_a_krakow_person_asking_when_gets_their_own_wave(wideworld: AnswerEngine, text: str) -> None:
    answer = await _ask(wideworld, text)
    assert answer.kind is AnswerKind.PERSONAL, (text, gloss(text))
    assert answer.wave_key == "krakow"


async def test_the_answer_to_a_polish_question_is_in_polish(wideworld: AnswerEngine) -> None:
    answer = await _ask(wideworld, "kiedy jest moja migracja?")
    assert "kwietnia 2027" in answer.headline and "April" not in answer.headline


@pytest.mark.parametrize(
    ("text", "facet"),
    [
        ("w której fali jestem?", Facet.WAVE),
        ("w ktorej grupie jestem?", Facet.WAVE),
        ("kiedy przenoszą moją pocztę?", Facet.EMAIL),
        ("kiedy przeniosą moje pliki?", Facet.FILES),
        ("kiedy muszę skonfigurować MFA?", Facet.MFA),
        ("do kiedy trwa wsparcie po migracji?", Facet.HYPERCARE),
    ],
)
def test_what_of_the_askers_move_is_asked(pl: Understander, text: str, facet: Facet) -> None:
    got = pl.read(text, today=TODAY)
    assert (got.intent, got.facet) == (Intent.MY_SCHEDULE, facet), gloss(text)


@pytest.mark.parametrize(
    ("text", "wave"),
    [
        ("kiedy migruje Kraków?", "krakow"),
        ("kiedy przenoszą Krakow", "krakow"),  # the place as typed, without its accent
        ("kiedy migruje Polska?", "krakow"),  # the country in Polish
        ("kiedy przechodzi Hamburg?", "hamburg"),
        ("kiedy jest pilotaż?", "pilot"),
    ],
)
async def test_a_place_or_wave_asked_about_gets_that_wave(wideworld: AnswerEngine, text: str, wave: str) -> None:
    answer = await _ask(wideworld, text)
    assert answer.kind is AnswerKind.GROUP, (text, gloss(text))
    assert {s.wave_key for g in answer.groups for s in g.waves} == {wave}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("czy stracę stare maile?", "keep-mail"),
        ("czy kalendarz przejdzie?", "keep-mail"),
        ("co z dyskiem P?", "p-drive"),
        ("co sie stanie z dyskiem Q?", "q-drive"),
        ("czy muszę zmienić hasło?", "password"),
        ("nie mam smartfona, co mam zrobić?", "no-smartphone"),
        ("jak skonfigurować pocztę na telefonie?", "phone-mail"),
        ("czy teamsy będą po polsku?", "language"),
        ("czy drukarki zebra będą drukować etykiety?", "label-printers"),
        ("pracuję na nocnej zmianie w weekend migracji, co mam robić?", "shift-work"),
        ("do kogo dzwonić jak coś nie działa?", "help"),
    ],
)
async def test_a_polish_faq_question_gets_the_plans_entry(wideworld: AnswerEngine, text: str, key: str) -> None:
    answer = await _ask(wideworld, text)
    assert answer.kind is AnswerKind.FAQ and answer.faq is not None, (text, gloss(text), answer.kind)
    assert answer.faq.key == key, (text, gloss(text))


async def test_losing_mail_gets_an_entry_that_says_none_is_lost(wideworld: AnswerEngine) -> None:
    answer = await _ask(wideworld, "czy stracę maile?")
    assert answer.kind is AnswerKind.FAQ and answer.faq is not None
    assert answer.faq.key in ("keep-mail", "mail-during-cutover")  # both say nothing is lost


@pytest.mark.parametrize(
    "text",
    ["co się dzieje w ten weekend?", "co jest w przyszłym tygodniu?", "co się dzieje 10.04?", "co mamy w kwietniu?"],
)
def test_what_is_on_in_a_range_said_in_polish(pl: Understander, text: str) -> None:
    assert pl.read(text, today=TODAY).intent is Intent.WHATS_ON, gloss(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("w sobotę", "on saturday"),
        ("w przyszłą sobotę", "on saturday"),
        ("w niedzielę rano", "on sunday in the morning"),
        ("13 lutego", "13 february"),
        ("21.03", "21 march"),
        ("w przyszłym tygodniu", "next week"),
        ("dziś", "today"),
        ("jutro", "tomorrow"),
    ],
)
def test_dates_said_the_polish_way(text: str, said: str) -> None:
    assert gloss(text) == said


@pytest.mark.parametrize(
    ("inflected", "english"),
    [
        # one noun in its cases
        ("migracja migracji migrację migracją migracjach", "migration"),
        ("poczta poczty poczcie pocztę pocztą", "email"),
        ("mail maila maile maili mailami mailach", "email"),
        ("hasło hasła haśle hasłem", "password"),
        ("fala fali falę falą", "wave"),
        # one verb in its persons
        ("przenoszą przeniosą przenosi", "move"),
        ("stracę stracimy stracą", "lose"),
    ],
)
def test_a_word_in_any_case_or_person_is_the_same_word(inflected: str, english: str) -> None:
    assert {gloss(w) for w in inflected.split()} == {english}


@pytest.mark.parametrize(
    ("with_diacritics", "without"),
    [
        ("kiedy przenoszą moją pocztę?", "kiedy przenosza moja poczte?"),
        ("czy stracę maile?", "czy strace maile?"),
        ("co się stanie z hasłem?", "co sie stanie z haslem?"),
        ("w którą sobotę?", "w ktora sobote?"),
    ],
)
def test_diacritics_typed_or_not(with_diacritics: str, without: str) -> None:
    assert gloss(with_diacritics) == gloss(without)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("kiedy przenoszą maila?", "email"),
        ("nie działa mi outlooka", "outlook"),
        ("jak zalogować się do teamsów?", "sign in"),
        ("czy teamsy zostaną?", "teams"),
        ("co z dyskiem P?", "P drive"),
        ("gdzie jest dysk Q:", "Q drive"),
        ("jak zainstalować Authenticatora?", "authenticator"),
        ("muszę mieć autentykator?", "authenticator"),
    ],
)
def test_english_it_words_with_polish_endings(text: str, said: str) -> None:
    assert said in gloss(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("kiedy migruje Kraków?", "Kraków"),
        ("jestem w Krakowie", "Krakowie"),
        ("kiedy przechodzi Monterrey?", "Monterrey"),
    ],
)
def test_names_stay_as_typed(text: str, said: str) -> None:
    assert said in gloss(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("pracuję na nocnej zmianie", "night shift"),  # "zmiana" is a shift at work as well as a change
        ("jak się logować po zmianie?", "after the change"),  # after the switch: a time, not who switches
        ("kiedy zmiana?", "when switch"),
    ],
)
def test_zmiana_is_a_shift_or_the_change(text: str, said: str) -> None:
    assert said in gloss(text)


@pytest.mark.parametrize("text", ["jakie jest hasło do wifi?", "kiedy jest wypłata?", "gdzie mogę zaparkować?"])
async def test_questions_about_something_else_get_no_schedule(wideworld: AnswerEngine, text: str) -> None:
    answer = await _ask(wideworld, text)
    assert answer.kind not in (AnswerKind.PERSONAL, AnswerKind.GROUP, AnswerKind.WHATS_ON), (text, gloss(text))


@pytest.mark.parametrize(
    ("locale", "text", "wave"),
    [
        ("es-MX", "¿cuándo migra Cracovia?", "krakow"),  # the plan's Spanish name for the Kraków wave
        ("es-MX", "y el piloto de TI cuándo es", "pilot"),
        ("pl-PL", "kiedy pilotaż IT?", "pilot"),
    ],
)
async def test_a_wave_asked_by_its_name_in_the_readers_language(
    wideworld: AnswerEngine, locale: str, text: str, wave: str
) -> None:
    await wideworld.prepare()
    with i18n.use(locale):
        answer = await wideworld.answer(text, KRAKOW)
    assert answer.kind is AnswerKind.GROUP, text
    assert {s.wave_key for g in answer.groups for s in g.waves} == {wave}
