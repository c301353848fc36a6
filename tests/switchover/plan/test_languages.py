"""The plan's words in the reader's language, and what a plan leaves untranslated."""

from __future__ import annotations

import pytest

from switchover import i18n
from switchover.plan.languages import faq_in, message_in, missing_translations, plan_languages
from switchover.plan.loader import PlanError, parse_plan
from switchover.plan.model import CalendarMessage, FaqEntry
from tests.switchover.plan.conftest import MINIMAL, line_of

ENTRY = FaqEntry.model_validate(
    {
        "key": "keep-mail",
        "question": "Will I keep my email?",
        "answer": "Yes, all of it.",
        "alternates": ["do my emails move"],
        "translations": {
            "es": {"question": "¿Conservo mi correo?", "answer": "Sí, todo.", "alternates": ["mis correos"]}
        },
    }
)
MESSAGE = CalendarMessage.model_validate(
    {
        "key": "t-1",
        "title": "Cutover tomorrow",
        "timing": {"days": -1, "at": "09:00"},
        "summary": "Save your work.",
        "points": ["Log off", "Restart"],
        "buttons": [{"title": "Got it", "action": "acknowledge"}],
        "translations": {"es": {"title": "Cambio mañana", "points": ["Cierre sesión", "Reinicie"]}},
    }
)


TRANSLATED = parse_plan(
    MINIMAL.replace("    name: First\n", "    name: First\n    translations: {es: {name: Primera}}\n")
    .replace("    name: Second\n", "    name: Second\n    translations: {es: {name: Segunda}}\n")
    .replace("    backup: bob.boss\n", "    backup: bob.boss\n    translations: {es: {name: Correo}}\n")
    .replace("    catch_all: true\n", "    catch_all: true\n    translations: {es: {name: Otra cosa}}\n")
    + """\
faq:
  - key: wifi
    question: Will the wifi change?
    answer: No.
    translations:
      es: {question: ¿Cambia el wifi?, answer: "No."}
  - key: mail
    question: Will I keep my email?
    answer: Yes.
calendar:
  - key: t-1
    title: Cutover tomorrow
    timing: {days: -1, at: "09:00"}
    summary: Save your work.
    points: [Log off, Restart]
    buttons: [{title: Got it, action: acknowledge}]
    translations:
      es: {title: Cambio mañana, points: [Cierre sesión, Reinicie]}
"""
)


def test_a_reader_gets_their_language_when_the_plan_has_it_and_the_plans_otherwise() -> None:
    es = faq_in(ENTRY, "es-US")
    assert (es.question, es.answer, es.alternates, es.language, es.fell_back) == (
        "¿Conservo mi correo?",
        "Sí, todo.",
        ("mis correos",),
        "es",
        False,
    )
    pl = faq_in(ENTRY, "pl-PL")
    assert (pl.answer, pl.language, pl.fell_back) == ("Yes, all of it.", "en", True)
    assert faq_in(ENTRY, "en-GB").fell_back is False


def test_a_message_translated_in_part_reads_the_rest_in_the_plans_language_and_says_so() -> None:
    es = message_in(MESSAGE, "es-MX")
    assert (es.title, es.summary, es.points, [b.title for b in es.buttons]) == (
        "Cambio mañana",
        "Save your work.",
        ("Cierre sesión", "Reinicie"),
        ["Got it"],
    )
    assert es.buttons[0].action == "acknowledge" and es.fell_back is True


def test_what_is_missing_is_named_part_by_part(fabrikam_plan) -> None:  # noqa: ANN001
    plan = fabrikam_plan.model_copy(update={"faq": (ENTRY,), "calendar": (MESSAGE,)})
    assert plan_languages(plan)[0] == plan.organisation.language
    assert "es" in plan_languages(plan)
    missing = missing_translations(plan, "es")
    assert "calendar[t-1].summary" in missing and "calendar[t-1].buttons" in missing
    assert "faq[keep-mail]" not in missing and "calendar[t-1].points" not in missing
    assert "faq[keep-mail]" in missing_translations(plan, "pl")


# -- plan check's report: what is missing, counted by kind, and who will fall back --


def test_what_is_missing_is_counted_by_kind() -> None:
    from switchover.plan.languages import describe_missing

    missing = ["faq[wifi]", "faq[mail]", "calendar[t-1].points", "calendar[t-7]", "areas[email]"]
    assert describe_missing(missing) == "2 FAQ entries, 1 calendar message, 1 calendar message's points, 1 area name"
    assert describe_missing(["exceptions[a@x.com].reason"]) == "1 exception reason"
    assert describe_missing(["waves[wave-1].name", "waves[wave-2].name", "faq[x]"]) == "1 FAQ entry, 2 wave names"
    assert describe_missing([]) == ""


def test_language_reports_name_gaps_and_the_people_who_fall_back() -> None:
    from switchover.plan.languages import language_reports

    reports = {r.language: r for r in language_reports(TRANSLATED, ["es-US", "es-MX", "pl-PL", "de-DE", "en-US", None])}
    assert list(reports) == ["es", "pl", "de"]  # the plan's translations, the bot's other languages, then readers'
    es, pl, de = reports["es"], reports["pl"], reports["de"]
    assert (es.in_plan, es.readers, es.complete, es.missing) == (
        True,
        2,
        False,
        ("faq[mail]", "calendar[t-1].summary", "calendar[t-1].buttons"),
    )
    assert es.warnings("en") == [
        "es: 1 FAQ entry, 1 calendar message's summary, 1 calendar message's buttons missing: "
        "faq[mail], calendar[t-1].summary, calendar[t-1].buttons",
        "2 people read Spanish and will get English for: "
        "1 FAQ entry, 1 calendar message's summary, 1 calendar message's buttons",
    ]
    assert (pl.in_plan, pl.bot_speaks, pl.readers) == (False, True, 1)
    assert pl.warnings("en") == ["1 person reads Polish and will get English for: the whole plan"]
    assert (de.in_plan, de.bot_speaks) == (False, False)
    assert de.warnings("en") == [
        "1 person reads German and will get English for: the whole plan, and the bot's own words are in English too"
    ]


def test_a_language_no_one_reads_and_the_plan_does_not_start_is_no_warning(fabrikam_plan) -> None:  # noqa: ANN001
    from switchover.plan.languages import language_reports

    reports = language_reports(fabrikam_plan.model_copy(update={"faq": (), "calendar": ()}), [])
    assert {r.language for r in reports} >= {"es", "pl"}
    assert all(r.warnings("en") == [] for r in reports if not r.in_plan)


# -- the note a reader sees when the plan's words are not in their language --


def test_the_fallback_note_is_in_the_readers_language_and_names_languages_in_it() -> None:
    from switchover import i18n
    from switchover.plan.languages import fallback_note

    with i18n.use("es-US"):
        assert fallback_note("en") == "Se muestra en inglés: aún no se ha traducido al español."
        assert fallback_note("es") is None
    with i18n.use("pl-PL"):
        assert fallback_note("en") == "Wyświetlane w języku: angielski. Jeszcze nie przetłumaczono na język: polski."
        assert fallback_note("pl") is None
    with i18n.use("en-GB"):
        assert fallback_note("en") is None
        assert fallback_note("es") == "Shown in Spanish: not yet translated into English."
    with i18n.use(i18n.PSEUDO):  # it goes through the catalogs
        note = fallback_note("en")
        assert note is not None and note.startswith(i18n.PSEUDO_OPEN) and "English" in note


# -- validation: bad language codes and translated lists of the wrong length, at their line --


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text)
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("English", "'English' is a language's name; write its code: 'en'"),
        ("español", "'español' is a language's name; write its code: 'es'"),
        ("es-MX", "'es-MX': write the language alone: 'es' (readers in every region get it)"),
        ("PL", "'PL': write the code in lower case: 'pl'"),
        ("xx", "'xx' is not a known language code; write its ISO 639 code, e.g. en, es or pl"),
    ],
)
def test_a_bad_language_code_is_named_at_its_line(written: str, says: str) -> None:
    text = MINIMAL.replace(
        "  time_zone: America/Los_Angeles\n", f"  time_zone: America/Los_Angeles\n  language: {written}\n"
    )
    assert _problems(text) == [f"<string>:{line_of(text, 'language:')}:3: organisation.language: {says}"]


def test_a_translations_language_code_is_checked_too() -> None:
    text = MINIMAL.replace(
        "    backup: bob.boss\n", "    backup: bob.boss\n    translations:\n      Spanish: {name: Correo}\n"
    )
    assert _problems(text) == [
        f"<string>:{line_of(text, 'Spanish:')}:7: areas[0].translations.Spanish: "
        "'Spanish' is a language's name; write its code: 'es'"
    ]


def test_translated_points_and_buttons_must_match_the_messages_one_for_one() -> None:
    text = (
        MINIMAL
        + """\
calendar:
  - key: t-1
    title: Cutover tomorrow
    timing: {days: -1, at: "09:00"}
    points: [Log off, Restart]
    buttons: [{title: Got it, action: acknowledge}]
    translations:
      es:
        title: Cambio mañana
        points: [Cierre sesión]
        buttons: [Entendido, Más]
      pl:
        points: [Wyloguj się, Uruchom ponownie, Gotowe]
"""
    )
    assert _problems(text) == [
        f"<string>:{line_of(text, 'points: [Cierre')}:9: calendar[0].translations.es.points: "
        "1 point here but the message has 2 points: write 2, one for each, in the same order",
        f"<string>:{line_of(text, 'buttons: [Entendido')}:9: calendar[0].translations.es.buttons: "
        "2 button titles here but the message has 1 button: write 1, one for each, in the same order",
        f"<string>:{line_of(text, 'points: [Wyloguj')}:9: calendar[0].translations.pl.points: "
        "3 points here but the message has 2 points: write 2, one for each, in the same order",
    ]


# -- plan diff: translations added, changed and removed, language by language --


def test_diff_shows_translations_per_language() -> None:
    from switchover.plan.diff import diff_plans

    new_text = (
        MINIMAL.replace(
            "    backup: bob.boss\n", "    backup: bob.boss\n    translations: {es: {name: Correo-e}}\n"
        ).replace("    catch_all: true\n", "    catch_all: true\n    translations: {es: {name: Otra cosa}}\n")
        + """\
faq:
  - key: wifi
    question: Will the wifi change?
    answer: No.
    translations:
      es: {question: ¿Cambia el wifi?, answer: "No, sigue igual."}
  - key: mail
    question: Will I keep my email?
    answer: Yes.
    translations:
      pl: {question: Czy zachowam pocztę?, answer: Tak.}
calendar:
  - key: t-1
    title: Cutover tomorrow
    timing: {days: -1, at: "09:00"}
    summary: Save your work.
    points: [Log off, Restart]
    buttons: [{title: Got it, action: acknowledge}]
"""
    )
    changes = diff_plans(TRANSLATED, parse_plan(new_text))
    assert [str(c) for c in changes.faq] == [
        "faq wifi answer (es): No. -> No, sigue igual.",
        "faq mail (pl): added (question Czy zachowam pocztę?, answer Tak.)",
    ]
    assert [str(c) for c in changes.calendar] == [
        "calendar t-1 (es): removed (was title Cambio mañana, points Cierre sesión, Reinicie)"
    ]
    assert [str(c) for c in changes.owners] == ["area email name (es): Correo -> Correo-e"]
    assert {c.data["language"] for c in (*changes.faq, *changes.calendar, *changes.owners)} == {"es", "pl"}
    assert diff_plans(TRANSLATED, TRANSLATED).is_empty


def test_a_waves_own_points_that_no_longer_match_a_translation_are_named() -> None:
    from switchover.plan.languages import message_in, wave_mismatches

    text = (
        MINIMAL.replace(
            "    hypercare_until: 2027-02-12\n",
            "    hypercare_until: 2027-02-12\n"
            "    calendar:\n      - key: t-1\n        points: [Log off, Restart, Lock]\n",
        )
        + """\
calendar:
  - key: t-1
    title: Cutover tomorrow
    timing: {days: -1, at: "09:00"}
    points: [Log off, Restart]
    translations:
      es: {title: Cambio mañana, points: [Cierre sesión, Reinicie]}
"""
    )
    plan = parse_plan(text)
    assert wave_mismatches(plan) == [
        "wave-2/t-1: this wave's points are 3, the es translation's 2: its readers of Spanish get them in English"
    ]
    wave_2 = message_in(plan.calendar_for(plan.wave("wave-2"))[0], "es")
    assert (wave_2.title, wave_2.points, wave_2.fell_back) == ("Cambio mañana", ("Log off", "Restart", "Lock"), True)
    assert wave_mismatches(TRANSLATED) == []


# -- a wave's title in the reader's language --


def test_a_waves_title_is_written_in_the_language_in_force_and_its_name_as_the_plan_translates_it() -> None:
    from switchover import i18n

    first, second = TRANSLATED.waves
    assert first.title == first.plan_title == "Wave 1 - First"  # outside any reader's language: English
    with i18n.use("es-MX"):
        assert (first.title, second.title) == ("Ola 1 - Primera", "Ola 2 - Segunda")
        assert first.plan_title == "Wave 1 - First"  # what is kept does not change with the reader
    with i18n.use("pl-PL"):
        assert first.title == "Fala 1 - First"  # no Polish name in the plan: the plan's
    with i18n.use("en-GB"):
        assert first.title == "Wave 1 - First"


def test_wave_names_are_counted_among_what_a_language_misses_and_old_plans_load_as_they_were(fabrikam_plan) -> None:  # noqa: ANN001
    assert "waves[wave-1].name" not in missing_translations(TRANSLATED, "es")
    assert "waves[wave-1].name" in missing_translations(TRANSLATED, "pl")
    assert not any(m.startswith("waves[") for m in missing_translations(fabrikam_plan, "es"))  # it names them all
    old = parse_plan(MINIMAL)  # a plan written before waves had translations loads as it did
    assert all(not w.translations for w in old.waves) and plan_languages(old) == ("en",)
    assert [m for m in missing_translations(old, "es") if m.startswith("waves[")] == [
        "waves[wave-1].name",
        "waves[wave-2].name",
    ]
    with i18n.use("es"):
        assert old.waves[0].title == "Ola 1 - First"  # the bot's word in Spanish, the plan's name
    only_waves = parse_plan(
        MINIMAL.replace("    name: First\n", "    name: First\n    translations: {pl: {name: Pierwszy}}\n")
    )
    assert plan_languages(only_waves)[1:] == ("pl",)
