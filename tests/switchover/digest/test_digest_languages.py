"""The daily digest in each recipient's Teams language, over the whole app: in one run, the lead whose
Teams is in Spanish gets the Spanish card (and a chart drawn in Spanish), the sponsor whose Teams is
in English the English one, with the same figures in both."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from switchover.clock import ManualClock
from tests.cards.schema import schema_errors
from tests.support.app import TeamsClient, make_settings, person
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity
from tests.switchover.digest.test_chart import chart_image, decoded, fetch, file_report
from tests.switchover.digest.test_digest import LEAD, MONDAY, SPONSOR, app_for, at, deliver, run_at, sql

DIGEST = "2027-02-15T08:00/daily"


def received_digest(connector: LoopbackConnector, who: str) -> dict[str, Any]:
    """The one digest card ``who`` received (found by the digest's delivery, whatever its language)."""
    conversation = person(who).personal_conversation
    cards = [
        r.card
        for r in connector.received
        if r.conversation_id == conversation and r.card and any(e.get("type") == "Image" for e in r.card["body"])
    ]
    assert len(cards) == 1, [r.card_text() for r in connector.received if r.conversation_id == conversation]
    return cards[0]


def facts(card: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """Every FactSet of the card, in order: (title, value) pairs."""
    return [[(f["title"], f["value"]) for f in e["facts"]] for e in card["body"] if e["type"] == "FactSet"]


def numbers(text: str) -> list[str]:
    """The figures in ``text``, decimals read whichever way the language writes them (``73.7``, ``73,7``)."""
    return [n.replace(",", ".") for n in re.findall(r"\d+(?:[.,]\d+)?", text)]


async def speak(teams: TeamsClient, who: str, locale: str) -> None:
    """``who`` writes to the bot from a Teams client in ``locale`` (the bot keeps it with their chat)."""
    await teams.say(person(who), "help", locale=locale)


async def test_one_run_sends_the_spanish_lead_a_spanish_digest_and_the_sponsor_an_english_one(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> None:
    clock.set(at(MONDAY, 7, 0))
    settings = make_settings(tmp_path, identity=identity, bot_domain="switchover.example.org")
    async with app_for(settings, clock, identity, connector) as (_, app, teams):
        for who in (LEAD, SPONSOR):
            await teams.install(person(who))
        await speak(teams, LEAD, "es-US")
        await speak(teams, SPONSOR, "en-US")
        stored = dict(sql(settings, "SELECT aad_object_id, locale FROM conversation_refs WHERE kind = 'personal'"))
        assert stored[person(LEAD).aad_object_id] == "es-US"
        await file_report(app, "Outlook cannot open the shared mailbox")

        assert await run_at(app, clock, at(MONDAY, 8, 0, 30)) == [DIGEST]
        await deliver(app, clock)
        spanish, english = received_digest(connector, LEAD), received_digest(connector, SPONSOR)
        assert schema_errors(spanish) == [] and schema_errors(english) == []

        assert english["body"][0]["text"].startswith("Daily digest: ")
        assert spanish["body"][0]["text"].startswith("Resumen diario: ")
        plan = app.services.plan
        assert spanish["body"][0]["text"].endswith(plan.organisation.name)  # the plan's own words stay
        english_text, spanish_text = str(english), str(spanish)
        assert "Open problem reports: 1" in english_text and "Reportes de problemas abiertos: 1" in spanish_text
        assert "Es el primer resumen" in spanish_text and "first digest" not in spanish_text
        for english_words in ("Readiness", "Open reports", "can be messaged", "As of "):
            assert english_words in english_text and english_words not in spanish_text
        for wave in plan.waves:
            assert f"{wave.title}: " in spanish_text

        # The same figures: fact by fact, the numbers are the English card's (dates aside).
        english_facts, spanish_facts = facts(english), facts(spanish)
        assert len(english_facts) == len(spanish_facts) > 1
        for en_set, es_set in zip(english_facts, spanish_facts, strict=True):
            assert len(en_set) == len(es_set)
            for (en_title, en_value), (_, es_value) in zip(en_set, es_set, strict=True):
                if en_title != "Cutover":  # a date, written the Spanish way
                    assert numbers(en_value) == numbers(es_value), (en_value, es_value)

        # Each chart in its reader's words, of the same stored picture.
        es_image, en_image = chart_image(spanish), chart_image(english)
        assert es_image["altText"].startswith("Preparación por ola: ")
        assert en_image["altText"].startswith("Readiness per wave: ")
        assert numbers(es_image["altText"].split(". Reportes")[0]) == numbers(en_image["altText"].split(". Open")[0])
        es_status, _, es_png = await fetch(app, es_image["url"])
        en_status, _, en_png = await fetch(app, en_image["url"])
        assert es_status == en_status == 200
        assert decoded(es_png).size == decoded(en_png).size
        assert es_png != en_png  # its titles and legend are drawn in Spanish
        rows = sql(settings, "SELECT status FROM delivery_outbox WHERE purpose = 'digest'")
        assert sorted(s for (s,) in rows) == ["sent", "sent"]
