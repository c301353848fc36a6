"""The answers' own words in the reader's language: the same facts in every language, dates as the
reader's language writes them (Babel), the plan's words where the plan translates them, and no
sentence of the engine's that escapes the catalogs (the pseudo-locale shows it)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.dates import format_date, format_time

from switchover import i18n
from switchover.answers.cards import answer_card
from switchover.answers.engine import AnswerEngine
from switchover.answers.model import Answer, AnswerKind, Who
from switchover.answers.schedule import humanise_days
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.plan.model import ExceptionTranslation, MessageTranslation, Plan
from switchover.timefmt import format_day

LA = "America/Los_Angeles"


def upn(name: str) -> str:
    return f"{name}@fabrikamhealth.com"


async def _ask(engine: AnswerEngine, tag: str, question: str, who: Who) -> Answer:
    with i18n.use(tag):
        return await engine.answer(question, who)


def _card_texts(card: dict) -> list[str]:  # type: ignore[type-arg]
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title", "value") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_the_same_person_gets_the_same_facts_in_english_and_spanish(engine: AnswerEngine) -> None:
    who = Who(upn=upn("vanessa.fox"), time_zone=LA)
    english = await _ask(engine, "en-US", "when is my move", who)
    spanish = await _ask(engine, "es-US", "when is my move", who)
    assert english.kind is spanish.kind is AnswerKind.PERSONAL
    assert english.schedule is not None and spanish.schedule is not None
    # The same wave (its title in the reader's words, with the plan's Spanish name) and the same moments,
    # in the same zone.
    assert spanish.schedule.wave_key == english.schedule.wave_key == "wave-1"
    assert (english.schedule.wave_title, spanish.schedule.wave_title) == (
        "Wave 1 - Corporate",
        "Ola 1 - Oficinas corporativas",
    )
    assert spanish.schedule.cutover_start == english.schedule.cutover_start
    assert spanish.schedule.cutover_end == english.schedule.cutover_end
    assert spanish.schedule.zone_name == english.schedule.zone_name == LA
    # The cutover's day and times as Spanish in the United States writes them (12-hour clock).
    start, end = spanish.schedule.cutover_start, spanish.schedule.cutover_end
    day = format_date(start, "full", locale="es_US")
    opens, closes = format_time(start, "short", locale="es_US"), format_time(end, "short", locale="es_US")
    assert day.startswith("sábado") and "a.\xa0m." in opens
    assert day in spanish.headline and opens in spanish.headline and closes in spanish.headline
    assert "Saturday" not in spanish.headline and "Saturday" in english.headline
    # The headline's own words are Spanish, the distance too.
    assert spanish.headline.startswith("Su migración a Microsoft 365 es el ")
    assert "(en 2 semanas)" in spanish.headline and "(in 2 weeks)" in english.headline
    # The card: the same wave, Spanish labels, the same facts.
    with i18n.use("es-US"):
        card = answer_card(spanish)
    texts = _card_texts(card)
    assert spanish.schedule.wave_title in texts and english.schedule.wave_title not in texts
    assert "Cambio" in texts and "Cutover" not in texts
    assert any(day in t and opens in t for t in texts)


@pytest.mark.parametrize(
    ("tag", "words", "title"),
    [("es-US", "Usted está en", "Ola 1 - Oficinas corporativas"), ("pl-PL", "Fala:", "Fala 1 - Biura centrali")],
)
async def test_the_wave_answer_in_spanish_and_polish(engine: AnswerEngine, tag: str, words: str, title: str) -> None:
    english = await _ask(engine, "en", "which wave am i in", Who(upn=upn("vanessa.fox"), time_zone=LA))
    other = await _ask(engine, tag, "which wave am i in", Who(upn=upn("vanessa.fox"), time_zone=LA))
    assert english.schedule is not None and other.schedule is not None
    assert other.schedule.wave_key == english.schedule.wave_key
    assert other.headline.startswith(words) and other.schedule.wave_title == title and title in other.headline
    assert other.headline != english.headline


@pytest.mark.parametrize(
    ("days", "english", "spanish", "polish"),
    [
        (0, "today", "hoy", "dziś"),
        (1, "tomorrow", "mañana", "jutro"),
        (2, "in 2 days", "en 2 días", "za 2 dni"),
        (5, "in 5 days", "en 5 días", "za 5 dni"),
        (-3, "3 days ago", "hace 3 días", "3 dni temu"),
        (10, "in 10 days", "en 10 días", "za 10 dni"),
        (21, "in 3 weeks", "en 3 semanas", "za 3 tygodnie"),
        (35, "in 5 weeks", "en 5 semanas", "za 5 tygodni"),
        (-30, "4 weeks ago", "hace 4 semanas", "4 tygodnie temu"),
        (200, "in 7 months", "en 7 meses", "za 7 miesięcy"),
    ],
)
def test_distances_follow_each_languages_plural_forms(days: int, english: str, spanish: str, polish: str) -> None:
    assert humanise_days(days) == english  # outside any language block: the default, English
    with i18n.use("es-US"):
        assert humanise_days(days) == spanish
    with i18n.use("pl-PL"):
        assert humanise_days(days) == polish


async def test_a_moved_persons_reason_is_the_plans_translation_in_the_readers_language(
    fabrikam_plan: Plan, fabrikam_roster: RosterDirectory, clock: ManualClock
) -> None:
    farah = next(e for e in fabrikam_plan.exceptions if e.user == upn("farah.ahmed"))
    spanish_reason = "de licencia del 25 de enero al 19 de febrero de 2027"
    translated = farah.model_copy(update={"translations": {"es": ExceptionTranslation(reason=spanish_reason)}})
    plan = fabrikam_plan.model_copy(
        update={"exceptions": [translated if e is farah else e for e in fabrikam_plan.exceptions]}
    )
    engine = AnswerEngine(plan, fabrikam_roster, clock)
    who = Who(upn=upn("farah.ahmed"), time_zone=LA)
    spanish = await _ask(engine, "es-MX", "which wave am i in", who)
    english = await _ask(engine, "en", "which wave am i in", who)
    polish = await _ask(engine, "pl-PL", "which wave am i in", who)
    assert any(spanish_reason in n and n.startswith("Se le cambió de ") for n in spanish.notes), spanish.notes
    assert any(farah.reason in n for n in english.notes) and not any(spanish_reason in n for n in english.notes)
    # No Polish translation in the plan: the plan's own words, in a Polish sentence.
    assert any(farah.reason in n and n.startswith("Konto przeniesiono") for n in polish.notes), polish.notes


# -- the pseudo-locale: every word the engine writes goes through the catalogs --

_MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
_DAYS_MONTHS = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
)


def _unmarked_words(text: str, data: list[str]) -> str:
    """The letters of ``text`` that are neither the pseudo-locale's nor data (names, titles, times)."""
    for value in sorted(data, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    text = _DAYS_MONTHS.sub(" ", text)  # dates and times are data, written by timefmt
    text = re.sub(r"\b[A-Z]{3,4}\b", " ", text)  # zone abbreviations (PST)
    # Peel the pseudo-locale's brackets from the inside out; what they held is translated text.
    while _MARKED.search(text):
        text = _MARKED.sub(lambda m: "" if not re.search(r"[A-Za-z]", m.group(0)) else m.group(0)[1:-1], text)
    return "".join(re.findall(r"[A-Za-z]+", text))


@pytest.mark.parametrize(
    ("name", "question", "time_zone"),
    [
        ("grace.okafor", "which wave am i in", None),  # a champion, times in the project's zone
        ("farah.ahmed", "when is my move", LA),  # moved, with the plan's reason
        ("vanessa.fox", "will my files move", LA),  # drives going read-only
        ("vanessa.fox", "when does hypercare end", LA),
        ("vanessa.fox", "is my move this weekend", LA),
    ],
)
async def test_under_the_pseudo_locale_only_data_is_unmarked(
    engine: AnswerEngine, fabrikam_plan: Plan, name: str, question: str, time_zone: str | None
) -> None:
    answer = await _ask(engine, i18n.PSEUDO, question, Who(upn=upn(name), time_zone=time_zone))
    assert answer.kind is AnswerKind.PERSONAL and answer.schedule is not None and answer.person is not None
    s = answer.schedule
    data = [
        *(w.name for w in fabrikam_plan.waves),  # the plan's words; "Wave 3 - " is the bot's
        *(c.site for c in fabrikam_plan.champions if c.site),
        *(e.reason for e in fabrikam_plan.exceptions),
        *(n for ro in s.read_only for n in ro.names),
        s.zone_name,
        "Microsoft 365",
        "Microsoft Authenticator",
    ]
    with i18n.use(i18n.PSEUDO):
        card = answer_card(answer)
    facts = next(b for b in card["body"] if b.get("type") == "Container")["items"][1]["facts"]
    for text in (answer.headline, *answer.notes, *(f["title"] for f in facts), *(f["value"] for f in facts)):
        assert _unmarked_words(text, data) == "", text
    # Something was marked at all: the test would fail if the pseudo-locale did nothing.
    assert answer.headline.startswith(i18n.PSEUDO_OPEN)


async def test_before_the_move_in_the_plans_spanish_and_english_unchanged_after_it(
    fabrikam_plan: Plan, fabrikam_roster: RosterDirectory, clock: ManualClock
) -> None:
    # The plan translates the day-before message; a Spanish reader gets its points, with the clock
    # time in their own zone as they write it. Steps are worked out once per plan, wave and zone:
    # the Spanish ones must not leak into English.
    message = next(m for m in fabrikam_plan.calendar if m.key == "tomorrow")
    points = ("Guarde y cierre sus archivos antes de irse hoy.", "H: y S: pasan a solo lectura a las 18:00.", "No")
    translated = message.model_copy(
        update={"translations": {"es": MessageTranslation(points=points[: len(message.points)])}}
    )
    plan = fabrikam_plan.model_copy(
        update={"calendar": [translated if m is message else m for m in fabrikam_plan.calendar]}
    )
    engine = AnswerEngine(plan, fabrikam_roster, clock)
    who = Who(upn=upn("vanessa.fox"), time_zone="America/Boise")  # an hour ahead of the wave's zone
    before = await _ask(engine, "en", "when is my move", who)
    spanish = await _ask(engine, "es-US", "when is my move", who)
    await _ask(engine, "pl-PL", "when is my move", who)
    after = await _ask(engine, "en", "when is my move", who)
    assert after == before
    assert before.schedule is not None and spanish.schedule is not None
    assert "H: and S: become read-only at 19:00 MST on Friday 29 January." in before.schedule.before
    seven_pm = format_time(dt.time(19, 0), "short", locale="es_US")  # 7:00 p. m.
    assert f"H: y S: pasan a solo lectura a las {seven_pm} MST." in spanish.schedule.before
    # "hoy" is the reader's day, in Spanish, as "today" is in English.
    with i18n.use("es-US"):
        friday = format_day(dt.date(2027, 1, 29), year=False)
    assert f"Guarde y cierre sus archivos antes de irse el {friday}." in spanish.schedule.before
    assert "Save and close your files before you leave on Friday 29 January." in before.schedule.before
    assert points[0] not in spanish.schedule.before and points[0] not in before.schedule.before
