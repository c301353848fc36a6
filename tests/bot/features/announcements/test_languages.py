"""Announcements in each recipient's language, over real HTTP with the loopback connector: the card
each recipient gets, the lead's preview and report, and a correction, in the same send."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from switchover.clock import ManualClock
from switchover.membership import resolve_wave
from tests.support.app import FABRIKAM, Person, TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

from .conftest import LEAD, AnnouncementsWorld, people_where
from .test_e2e import execute_data

SPANISH_TITLE = "Ya está en Microsoft 365"
SPANISH_SUMMARY = "Su cambio está hecho. Ya está en Microsoft 365."
# The plan's Spanish words for its manual cutover-complete message (the example plan's own may come later).
TRANSLATION = """    translations:
      es:
        title: Ya está en Microsoft 365
        summary: Su cambio está hecho. Ya está en Microsoft 365.
        points:
          - Inicie sesión con su contraseña de siempre y apruebe la solicitud en Microsoft Authenticator.
          - Abra Outlook; en su teléfono, use la aplicación Outlook.
          - "Sus archivos de la unidad H: están en OneDrive."
          - "El recurso compartido S: de su departamento está en la pestaña Archivos de su equipo."
"""


def translated_plan(tmp_path: Path) -> Path:
    text = (FABRIKAM / "plan.yaml").read_text(encoding="utf-8")
    entry = "  - key: cutover-complete\n"
    start = text.index(entry)
    end = text.index("\n  - key: ", start + len(entry))
    entry_text = text[start:end]
    if "translations:" in entry_text:  # the example plan has its own now: use it as it is
        return FABRIKAM / "plan.yaml"
    plan = tmp_path / "plan.yaml"
    plan.write_text(text[:end] + "\n" + TRANSLATION.rstrip("\n") + text[end:], encoding="utf-8")
    return plan


@pytest.fixture
async def world(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[AnnouncementsWorld]:
    settings = make_settings(tmp_path, identity=identity, plan_path=translated_plan(tmp_path))
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            w = AnnouncementsWorld(teams, connector, clock, running, runner=runner)
            await teams.install(person(LEAD))
            yield w
    finally:
        await runner.cleanup()


async def install(world: AnnouncementsWorld, who: Person, locale: str) -> None:
    """``who`` installs the app from a Teams client in ``locale`` (the bot keeps it with their chat)."""
    teams = world.teams
    activity = teams.activity(who, type="conversationUpdate", membersAdded=[{"id": teams.bot_id}], locale=locale)
    response = await teams.post(activity)
    assert response.status == 202


async def wave_3(world: AnnouncementsWorld) -> list[Person]:
    """Wave 3's members (enabled, not guests)."""
    directory, plan = world.services.directory, world.services.plan
    return [p for p in people_where() if resolve_wave(plan, await directory.get(p.upn)).wave_key == "wave-3"]


async def test_each_recipient_reads_the_wave_announcement_in_their_language(world):
    spanish, english, unknown = (await wave_3(world))[:3]
    await install(world, spanish, "es-US")
    await install(world, english, "en-US")
    await world.teams.install(unknown)  # Teams never said: the plan's language
    world.since = len(world.connector.received)

    replies = await world.say(LEAD, "announce cutover-complete wave-3")
    preview, confirm = [r.card for r in replies if r.card]
    confirm_text = str(confirm)
    # The lead sees the languages present and how many fall back to the plan's.
    assert "Languages: English " in confirm_text and "Spanish 1" in confirm_text
    assert "Teams has not told me the language of" in confirm_text
    assert "will read it in English, not in their own language" not in confirm_text  # the plan has Spanish
    assert "You are on Microsoft 365" in str(preview)  # the lead's preview in the lead's language

    ann_id = execute_data(confirm, "announce_confirm")["announcement_id"]
    status, _ = await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
    assert status == 200
    await world.deliver()

    (es_card,) = [r.card for r in world.cards_to(spanish)]
    (en_card,) = [r.card for r in world.cards_to(english)]
    (plain_card,) = [r.card for r in world.cards_to(unknown)]
    assert SPANISH_TITLE in str(es_card) and SPANISH_SUMMARY in str(es_card)
    assert "Su cambio:" in str(es_card)  # the card's own words too ("Your cutover:")
    assert "You are on Microsoft 365" not in str(es_card)
    assert "You are on Microsoft 365" in str(en_card) and SPANISH_TITLE not in str(en_card)
    assert "Your cutover:" in str(en_card)
    assert plain_card == en_card or "You are on Microsoft 365" in str(plain_card)

    # The report breaks down by language (the one each card was written in).
    report = await world.service.report(ann_id)
    assert report.by_language["es"]["sent"] == 1 and report.by_language["es"]["recipients"] == 1
    assert report.by_language["en"]["sent"] == 2
    assert sum(f["recipients"] for f in report.by_language.values()) == report.recipients
    replies = await world.say(LEAD, f"announcement {ann_id}")
    assert "Spanish: 1/1 sent, 0 read, 0 acknowledged" in replies[0].card_text()

    # A correction updates the Spanish card in Spanish, the English one in English.
    world.since = len(world.connector.received)
    await world.say(LEAD, f"correct {ann_id} : Outlook opens at 8:00")
    await world.deliver()
    updates = {
        r.conversation_id: r.card for r in world.connector.received[world.since :] if r.op == "update" and r.card
    }
    assert SPANISH_TITLE in str(updates[spanish.personal_conversation])
    assert "Outlook opens at 8:00" in str(updates[spanish.personal_conversation])
    assert "Su cambio:" in str(updates[spanish.personal_conversation])
    assert "You are on Microsoft 365" in str(updates[english.personal_conversation])


async def test_a_lead_announcement_shows_its_own_words_in_the_readers_language(world):
    spanish, english = (await wave_3(world))[:2]
    await install(world, spanish, "es-MX")
    await install(world, english, "en-GB")
    world.since = len(world.connector.received)

    replies = await world.say(LEAD, "announce wave-3 : Parking | The car park is closed on Friday")
    confirm = [r.card for r in replies if r.card][1]
    # The lead's words are in one language: the Spanish reader reads them as written.
    assert "1 recipient will read it in English, not in their own language." in str(confirm)
    ann_id = execute_data(confirm, "announce_confirm")["announcement_id"]
    await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
    await world.deliver()

    (es_card,) = [r.card for r in world.cards_to(spanish)]
    (en_card,) = [r.card for r in world.cards_to(english)]
    assert "The car park is closed on Friday" in str(es_card)
    assert [a["title"] for a in es_card["actions"]] == ["Entendido"]  # the "Got it" button
    assert [a["title"] for a in en_card["actions"]] == ["Got it"]
