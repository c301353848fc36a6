"""The bot's own words in the reader's language: choosing the language, the catalogs, the pseudo-locale."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cards.render import _environment
from switchover import i18n
from switchover.i18n import catalogs
from switchover.timefmt import format_day, format_moment, format_window


@pytest.mark.parametrize(
    ("tag", "code", "fell_back"),
    [
        ("es-US", "es", False),
        ("es-MX", "es", False),
        ("ES_es", "es", False),
        ("pl-PL", "pl", False),
        ("en-GB", "en", False),
        ("it-IT", "en", True),  # no Italian catalog: the default language, and the card may say so
        ("zz", "en", True),
        (None, "en", False),
        ("", "en", False),
    ],
)
def test_a_teams_locale_chooses_a_catalog(tag: str | None, code: str, fell_back: bool) -> None:
    lang = i18n.language(tag)
    assert (lang.code, lang.fell_back) == (code, fell_back)


def test_an_unsupported_locale_reads_the_plans_language_when_the_bot_has_it() -> None:
    assert i18n.language("it-IT", "es").code == "es"
    assert i18n.language("it-IT", "xx").code == "en"  # a plan language without catalogs: English


def test_the_language_is_the_one_in_force_and_restored_after() -> None:
    assert i18n.current().code == "en"
    with i18n.use("es-US"):
        assert i18n.gettext("Before your move") == "Antes de su cambio"
        with i18n.use("pl-PL"):
            assert i18n.gettext("Before your move") == "Przed przeniesieniem"
        assert i18n.current().code == "es"
    assert i18n.gettext("Before your move") == "Before your move"


def test_polish_has_three_plural_forms() -> None:
    forms = i18n.translations("pl").plural
    assert [forms(n) for n in (1, 2, 5, 22, 25)] == [0, 1, 2, 1, 2]


def test_the_pseudo_locale_marks_every_catalog_string_and_keeps_placeholders() -> None:
    shown = i18n.pseudo("Hello {name}, %(count)d left")
    assert shown.startswith("⟦") and shown.endswith("⟧")
    assert "{name}" in shown and "%(count)d" in shown and "Hello" not in shown


def test_card_templates_translate_in_the_language_of_the_turn() -> None:
    template = _environment().from_string('{{ _("Before your move")|tojson }}')
    assert template.render() == '"Before your move"'
    with i18n.use("es-US"):
        assert template.render() == '"Antes de su cambio"'
    with i18n.use("qps-ploc"):
        assert template.render().startswith('"⟦')


def test_dates_and_times_follow_the_readers_conventions() -> None:
    la = ZoneInfo("America/Los_Angeles")
    start, end = dt.datetime(2027, 1, 30, 7, 0, tzinfo=la), dt.datetime(2027, 1, 30, 15, 0, tzinfo=la)
    assert format_window(start, end, day="long") == "Saturday 30 January 2027, 07:00-15:00 PST"
    with i18n.use("es-US"):  # Spanish words, the United States' 12-hour clock
        spanish = "sábado, 30 de enero de 2027, 7:00 a.\u00a0m.–3:00 p.\u00a0m. PST"
        assert format_window(start, end, day="long") == spanish
    with i18n.use("es-ES"):  # Spain's 24-hour clock
        assert format_moment(start) == "sáb., 30 ene. 7:00 PST"
    with i18n.use("pl-PL"):
        assert format_day(start, year=False) == "sobota, 30 stycznia"


def test_the_catalogs_are_in_step_with_the_code() -> None:
    """Every marked string is extracted and translated in every supported language (`switchover i18n check`)."""
    problems = catalogs.check()
    assert problems == [], "\n".join(map(str, problems[:30]))


@pytest.mark.parametrize(("tag", "code"), [("es-US", "es"), ("es_MX", "es"), (" PL ", "pl"), ("", ""), (None, "")])
def test_a_tags_language_is_read_one_way_everywhere(tag: str | None, code: str) -> None:
    assert i18n.primary(tag) == code


def test_odd_locales_from_activities_do_not_grow_memory_without_bound() -> None:
    """Teams (or anyone posting to /api/messages) can send any string as the locale."""
    for n in range(3000):
        assert i18n.language(f"x{n}-ZZ").code == "en"
    assert i18n.language.cache_info().currsize <= 512
