"""Pressing a button that posts as the reader, in Spanish or Polish, over /api/messages.

A Teams ``imBack`` button sends its value as the person's own message. Here each press is sent as
exactly that: the value the card shows the reader, as their message, with their Teams locale. The bot
must read it as the same question the English button asks (the same kind of answer), in their language.
"""

from __future__ import annotations

from typing import Any

import pytest

from cards.render import render_card
from switchover import i18n
from tests.bot.features.test_answers import _card
from tests.cards.test_button_language import posted
from tests.cards.test_pseudo_locale import sample
from tests.support.app import TeamsClient

LA = "America/Los_Angeles"
# (Teams locale, the reader's "when is my migration") for each language the bot speaks.
READERS = {
    "en": ("en-US", "when is my migration"),
    "es": ("es-US", "¿cuándo es mi migración?"),
    "pl": ("pl-PL", "kiedy jest moja migracja?"),
}


def _values(card: dict[str, Any]) -> list[str]:
    return [text for _, text in posted(card)]


def _before_button(schedule: dict[str, Any]) -> str:
    """What the schedule card's "What should I do before?" button posts (its only imBack)."""
    (value,) = _values(schedule)
    return value


async def _faq_key(teams: TeamsClient, text: str, locale: str) -> tuple[str, dict[str, Any]]:
    card = _card(await teams.say("vanessa.fox", text, time_zone=LA, locale=locale))
    keys = {a["data"].get("faq_key") for a in card["actions"] if a.get("verb") == "faq_helpful"}
    assert len(keys) == 1, card
    return keys.pop(), card


@pytest.mark.parametrize("lang", ["es", "pl"])
async def test_what_should_i_do_before_posts_the_readers_words_and_gets_the_same_answer(
    teams: TeamsClient, lang: str
) -> None:
    locale, when = READERS[lang]
    english_schedule = _card(await teams.say("vanessa.fox", READERS["en"][1], time_zone=LA, locale="en-US"))
    english_key, _ = await _faq_key(teams, _before_button(english_schedule), "en-US")
    assert english_key == "before-move"

    schedule = _card(await teams.say("vanessa.fox", when, time_zone=LA, locale=locale))
    pressed = _before_button(schedule)
    assert pressed != _before_button(english_schedule)
    key, card = await _faq_key(teams, pressed, locale)
    assert key == english_key
    with i18n.use(lang):
        assert card["actions"][0]["title"] == i18n.gettext("Helpful")  # answered in their language
    assert card["actions"][0]["title"] != "Helpful"


@pytest.mark.parametrize("lang", ["es", "pl"])
async def test_the_welcome_buttons_post_the_readers_words_and_the_bot_reads_them(teams: TeamsClient, lang: str) -> None:
    locale, _ = READERS[lang]
    with i18n.use(lang):
        welcome = render_card("welcome", **sample("welcome", 1))
        help_summary = i18n.gettext("What I can do")
    when, help_word = _values(welcome)
    assert (when, help_word) != ("when is my migration", "help")

    replies = await teams.say("vanessa.fox", help_word, time_zone=LA, locale=locale)
    (reply,) = [r for r in replies if r.card]
    assert reply.body["summary"] == help_summary != "What I can do"

    english = _card(await teams.say("vanessa.fox", "when is my migration", time_zone=LA, locale="en-US"))
    theirs = _card(await teams.say("vanessa.fox", when, time_zone=LA, locale=locale))
    waves = [[a["data"]["wave"] for a in c["actions"] if a.get("verb") == "report_problem"] for c in (english, theirs)]
    assert waves[0] == waves[1] and len(waves[0]) == 1  # the same schedule, the asker's wave
    assert _before_button(theirs) != _before_button(english)  # and its own buttons in their words too
