"""Which language a question is written in (switchover.answers.lang.detect): conservative, cheap."""

from __future__ import annotations

import time

import pytest

from switchover import i18n
from switchover.answers.lang import LANGUAGES
from switchover.answers.lang.detect import read, reading_language, written_in


@pytest.mark.parametrize(
    "question",
    [
        "¿cuándo es mi migración?",
        "cuando es mi migracion",
        "¿Cuándo?",
        "y mi correo?",
        "¿voy a perder mis correos viejos?",
        "donde me estaciono",
        "cuando migran la oficina de Tacoma",
        "no me llegan los correos desde el viernes",
        "Hola, ¿qué tengo que hacer antes del cambio?",
        "cuando es el cambio? tengo el laptop de la empresa",  # a loanword among Spanish words
    ],
)
def test_a_spanish_question_from_an_english_teams_is_read_in_spanish(question: str) -> None:
    assert written_in(question, "en-US") == "es"


@pytest.mark.parametrize(
    "question",
    [
        "kiedy jest moja migracja?",
        "kiedy przenoszą mój dysk P?",
        "czy stracę maile po migracji",
        "Dzień dobry, kiedy się przenosimy?",
    ],
)
def test_a_polish_question_from_an_english_teams_is_read_in_polish(question: str) -> None:
    assert written_in(question, "en-GB") == "pl"


@pytest.mark.parametrize(
    "question",
    [
        "when is Monterrey moving",
        "when is el paso moving",
        "when does the San José clinic move?",
        "is Kraków moving next week?",
        "La Paz office when?",
        "Los Angeles",
        "mi",
        "mi migration",
        "que?",
        "no",
        "hola, when is my move?",
        "when do I get a new laptop con windows",
        "my mi casa es su casa poster fell off the wall",
        "when does los angeles move",
        "is the Kraków office moving on Monday?",
        "service desk number?",
        "my co-workers in Łódź, when do they move?",
        "",
        "2027-01-30",
    ],
)
def test_english_with_a_loanword_or_a_place_name_is_not_switched(question: str) -> None:
    assert written_in(question, "en-US") is None


def test_names_are_no_evidence_and_words_of_spanish_are() -> None:
    # A capitalised word inside the sentence, or a run of capitalised words, is a name.
    assert read("when is Los Angeles moving").points["es"] == 0
    assert read("La Paz when").points["es"] == 0
    # The same words written as words are evidence; accents and "¿" add to it.
    assert read("la migración").points["es"] > read("la migracion").points["es"] > read("la").points["es"] > 0
    assert read("¿cuando?").points["es"] > read("cuando").points["es"]


def test_a_question_in_the_teams_language_is_not_switched() -> None:
    assert written_in("¿cuándo es mi migración?", "es-MX") is None
    assert written_in("kiedy jest moja migracja?", "pl-PL") is None
    # One language read here from a Teams in another: Spanish from a Polish Teams, and back.
    assert written_in("¿cuándo es mi migración?", "pl-PL") == "es"
    assert written_in("kiedy jest moja migracja?", "es-ES") == "pl"
    # English from a Spanish Teams is answered in Spanish: the Teams language was the person's choice.
    assert written_in("when is my migration?", "es-US") is None


def test_the_answer_language_keeps_the_teams_region_where_the_language_has_it() -> None:
    lang = reading_language("¿cuándo es mi migración?", i18n.language("en-US"))
    assert (lang.code, lang.tag) == ("es", "es-US")  # the 12-hour clock of the US
    assert reading_language("¿cuándo es mi migración?", i18n.language("en-GB")).code == "es"
    english = i18n.language("en-US")
    assert reading_language("when is my migration?", english) is english
    # In force when none is given.
    with i18n.use("en-US"):
        assert reading_language("¿cuándo es mi migración?").tag == "es-US"


def test_every_language_read_here_is_one_the_bot_writes() -> None:
    assert set(LANGUAGES) <= set(i18n.SUPPORTED)


def test_detection_is_cheap() -> None:
    questions = ["¿cuándo es mi migración?", "when is my migration and will I lose my emails on the day?"] * 500
    started = time.perf_counter()
    for q in questions:
        written_in(q, "en-US")
    # a thousand questions in well under the time one answer takes (milliseconds)
    assert time.perf_counter() - started < 0.5
