"""A question is read, and answered, in the language it is written in, over /api/messages.

The asker's Teams is in English (activity.locale en-US); a question clearly written in Spanish is read with
the Spanish question words and answered in Spanish, for that answer only.
"""

from __future__ import annotations

import json

from tests.bot.features.test_answers import _MONTHS_EN, _MONTHS_ES, _card, _moments
from tests.support.app import TeamsClient, customer_app, person

LA = "America/Los_Angeles"


def _said(card: dict) -> str:  # type: ignore[type-arg]
    """A card's text as a reader sees it (no repr escapes)."""
    return json.dumps(card, ensure_ascii=False)


async def test_a_spanish_question_from_an_english_teams_gets_the_askers_schedule_in_spanish(teams: TeamsClient) -> None:
    who = person("vanessa.fox")
    english = _card(await teams.say(who, "when is my migration", time_zone=LA, locale="en-US"))
    replies = await teams.say(who, "¿cuándo es mi migración?", time_zone=LA, locale="en-US")
    spanish = _card(replies)
    # the same wave and the same moments, said in Spanish
    waves = [[a["data"]["wave"] for a in c["actions"] if a.get("verb") == "report_problem"] for c in (english, spanish)]
    assert waves[0] == waves[1] and len(waves[0]) == 1
    assert _moments(english, _MONTHS_EN) == _moments(spanish, _MONTHS_ES) != []
    assert "Su migración a Microsoft 365 es el sábado, 30 de enero de 2027" in _said(spanish)
    assert "Saturday" not in _said(spanish) and "p.\xa0m." in _said(spanish)  # es-US: 12-hour clock
    (reply,) = [r for r in replies if r.card]
    assert reply.body["summary"].startswith("Su migración a Microsoft 365")
    # Without accents or question marks, as people type in chat: still Spanish.
    plain = _card(await teams.say(who, "cuando es mi migracion", time_zone=LA, locale="en-US"))
    assert _moments(plain, _MONTHS_ES) == _moments(spanish, _MONTHS_ES)
    # For that answer only: the next English question is answered in English, and the locale stored for
    # the person's chat (what announcements are written in) is still their Teams one.
    again = _card(await teams.say(who, "when is my migration", time_zone=LA, locale="en-US"))
    assert "Your move to Microsoft 365 is on Saturday 30 January 2027" in _said(again)
    stored = await teams.app.services.conversations.get(teams.tenant_id, who.personal_conversation)
    assert stored is not None and stored.locale == "en-US"


async def test_an_english_question_with_a_spanish_place_name_stays_english(teams: TeamsClient) -> None:
    for question in ("when is el paso moving", "when does the San José clinic move?", "is La Paz moving?"):
        card = _card(await teams.say("vanessa.fox", question, time_zone=LA, locale="en-US"))
        said = _said(card)
        assert "Report a problem" in said and "Reportar un problema" not in said, question


async def test_a_spanish_faq_answer_and_its_vote_from_an_english_teams_are_in_spanish(teams: TeamsClient) -> None:
    card = _card(await teams.say("nora.abbott", "¿voy a perder mis correos viejos?", time_zone=LA, locale="en-US"))
    said = " ".join(b.get("text", "") for b in card["body"])
    assert "Todo el correo, los elementos del calendario y los contactos se copian" in said
    assert "All mail, calendar items and contacts" not in said
    helpful = next(a for a in card["actions"] if a.get("verb") == "faq_helpful")
    status, body = await teams.invoke_action("nora.abbott", "faq_helpful", helpful["data"])
    assert status == 200 and "Gracias, nos alegra que le haya servido." in str(body["value"])


async def test_a_polish_question_from_an_english_teams_gets_the_schedule_in_polish(
    tmp_path,
    clock,
    identity,
    connector,  # type: ignore[no-untyped-def]
) -> None:
    # A Kraków warehouse picker who keeps Teams in English (en-GB) asks in Polish: the same wave, in Polish.
    async with customer_app("wideworld", tmp_path, clock, identity, connector) as wideworld:
        who, zone = "piotr.duda@wideworldimporters.com", "Europe/Warsaw"
        english = _said(_card(await wideworld.say(who, "when is my migration?", time_zone=zone, locale="en-GB")))
        polish = _said(_card(await wideworld.say(who, "kiedy jest moja migracja?", time_zone=zone, locale="en-GB")))
        assert "Wave 2 - Kraków" in english and "Fala 2 - Kraków" in polish and "Wave" not in polish
        assert "Saturday 10 April 2027" in english
        assert "sobota, 10 kwietnia 2027" in polish and "Saturday" not in polish
