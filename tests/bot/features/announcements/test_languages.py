"""Announcements in each recipient's language, over real HTTP with the loopback connector: the card
each recipient gets, the lead's preview and report, and a correction, in the same send."""

from __future__ import annotations

import datetime as dt

from scheduler.jobs import announcements_due
from switchover.membership import resolve_wave
from tests.support.app import Person

from .conftest import LEAD, AnnouncementsWorld, people_where
from .test_e2e import PACIFIC, execute_data


def cutover_complete(world: AnnouncementsWorld, lang: str):
    """The plan's words of its manual cutover-complete message in ``lang``."""
    message = next(m for m in world.services.plan.calendar if m.key == "cutover-complete")
    return message.translations[lang] if lang != "en" else message


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
    spanish, polish, english, unknown = (await wave_3(world))[:4]
    await install(world, spanish, "es-US")
    await install(world, polish, "pl-PL")
    await install(world, english, "en-US")
    await world.teams.install(unknown)  # Teams never said: the plan's language
    world.since = len(world.connector.received)

    replies = await world.say(LEAD, "announce cutover-complete wave-3")
    preview, confirm = [r.card for r in replies if r.card]
    confirm_text = str(confirm)
    # The lead sees the languages present and how many fall back to the plan's.
    assert "Languages: English " in confirm_text and "Spanish 1" in confirm_text and "Polish 1" in confirm_text
    assert "Teams has not told me the language of" in confirm_text
    assert "will read it in English, not in their own language" not in confirm_text  # the plan has Spanish
    assert "You are on Microsoft 365" in str(preview)  # the lead's preview in the lead's language

    ann_id = execute_data(confirm, "announce_confirm")["announcement_id"]
    status, _ = await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
    assert status == 200
    await world.deliver()

    es, pl, en = (cutover_complete(world, lang) for lang in ("es", "pl", "en"))
    (es_card,) = [str(r.card) for r in world.cards_to(spanish)]
    (pl_card,) = [str(r.card) for r in world.cards_to(polish)]
    (en_card,) = [str(r.card) for r in world.cards_to(english)]
    (plain_card,) = [str(r.card) for r in world.cards_to(unknown)]
    assert es.title in es_card and es.summary in es_card and all(p in es_card for p in es.points)
    assert "Su cambio:" in es_card  # the card's own words too ("Your cutover:"), and its dates
    assert en.title not in es_card and "Your cutover:" not in es_card
    assert pl.title in pl_card and "Termin migracji:" in pl_card and en.title not in pl_card
    assert en.title in en_card and "Your cutover:" in en_card and es.title not in en_card
    assert en.title in plain_card and es.title not in plain_card  # Teams never said: the plan's language
    # The wave's title: the bot's word for a wave and the plan's name for it, in the reader's language.
    assert "Ola 3 - Spokane y Portland" in es_card and "Wave 3" not in es_card
    assert "Fala 3 - Spokane i Portland" in pl_card and "Wave 3" not in pl_card
    assert "Wave 3 - Spokane & Portland" in en_card and "Wave 3 - Spokane & Portland" in plain_card

    # The report breaks down by language (the one each card was written in).
    report = await world.service.report(ann_id)
    assert report.by_language["es"]["sent"] == 1 and report.by_language["es"]["recipients"] == 1
    assert report.by_language["pl"]["sent"] == 1
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
    es_update, en_update = str(updates[spanish.personal_conversation]), str(updates[english.personal_conversation])
    assert es.title in es_update and "Su cambio:" in es_update and en.title not in es_update
    assert "Corrección: Outlook opens at 8:00" in es_update  # the lead's words as written, labelled in Spanish
    assert "Ola 3 - Spokane y Portland" in es_update and "Wave 3" not in es_update
    assert en.title in en_update and "Correction: Outlook opens at 8:00" in en_update


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


async def test_lead_only_commands_and_buttons_are_refused_in_the_askers_language(world):
    someone = (await wave_3(world))[0]
    plan = world.services.plan
    leads = [plan.person(k).name for k in plan.project_leads]
    assert leads

    replies = await world.teams.say(someone, "announce wave-3 : Parking | The car park is closed", locale="es-MX")
    (text,) = [r.text for r in replies if r.text]
    assert text.startswith("Lo siento, solo los responsables del proyecto nombrados en el plan de migración pueden ")
    assert "enviar anuncios" in text and all(name in text for name in leads)
    assert "Sorry" not in text and "send announcements" not in text

    replies = await world.teams.say(someone, "reschedule wave-3 2027-03-06", locale="pl-PL")
    (text,) = [r.text for r in replies if r.text]
    assert text.startswith("Niestety tylko kierownicy projektu wymienieni w planie migracji mogą "), text

    # A lead-only button pressed from a Spanish Teams: the refusal in Spanish too.
    activity = world.teams.activity(
        someone,
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": "announce_confirm", "data": {"announcement_id": "x"}},
            "trigger": "manual",
        },
        locale="es-US",
    )
    before = len(world.connector.received)
    response = await world.teams.post(activity)
    assert response.status == 200
    said = str(await response.text()) + " ".join(r.text or "" for r in world.connector.received[before:])
    assert "Lo siento, solo los responsables del proyecto" in said and "enviar anuncios" in said, said

    # English Teams: English, as before.
    replies = await world.teams.say(someone, "announce wave-3 : Parking | The car park is closed", locale="en-US")
    (text,) = [r.text for r in replies if r.text]
    assert text.startswith("Sorry, only the project leads named in the migration plan can send announcements.")


async def test_a_calendar_message_whose_text_a_lead_edited_is_sent_as_edited_with_the_note(world):
    spanish, english = (await wave_3(world))[:2]
    await install(world, spanish, "es-US")
    await install(world, english, "en-US")
    world.since = len(world.connector.received)
    await world.say(LEAD, "announcements")  # the lead settles the tenant: the plan's calendar is scheduled
    ann = await world.service.get("wave-3/cutover-complete")
    words = "Outlook and Teams are ready: sign in again with your usual password."
    await world.service.edit(ann.id, content=ann.content.model_copy(update={"summary": words}))

    replies = await world.say(LEAD, f"send {ann.id}")
    confirm = str([r.card for r in replies if r.card][1])
    # The lead is told who now reads the plan's language, and why.
    assert (
        "1 recipient will read it in English, not in their own language, because its text was edited: "
        "the plan's translations are of the text it had."
    ) in confirm
    status, _ = await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann.id})
    assert status == 200
    await world.deliver()

    es = cutover_complete(world, "es")
    (es_card,) = [str(r.card) for r in world.cards_to(spanish)]
    (en_card,) = [str(r.card) for r in world.cards_to(english)]
    assert words in es_card and es.title not in es_card and es.summary not in es_card  # never a stale translation
    assert "Se muestra en inglés: aún no se ha traducido al español." in es_card
    assert "Su cambio:" in es_card  # the card's own words in Spanish
    assert words in en_card and "Se muestra" not in en_card and "Shown in" not in en_card


async def test_a_spanish_leads_reschedule_is_reported_in_spanish_and_kept_in_the_plans_words(world, clock):
    # The lead's Teams is in Spanish: the messages about the bulk job name the wave and its new day in
    # Spanish (the date as Spanish writes one); the job as kept (the API, the lead's list) is the plan's.
    pilot = people_where(department="Information Technology")
    for p in pilot:
        await world.teams.install(p)
    clock.set(dt.datetime(2027, 1, 9, 9, 0, tzinfo=PACIFIC))  # the pilot's "one week to go"
    assert "wave-0/one-week" in await announcements_due(world.services)
    await world.deliver()
    world.since = len(world.connector.received)

    replies = await world.teams.say(LEAD, "reschedule wave-0 2027-01-23", locale="es-US")
    assert any("Ola 0 - Piloto" in r.text for r in replies), [r.text for r in replies]
    await world.deliver()
    assert world.told_lead() == [
        f"La reprogramación de Ola 0 - Piloto al 23 ene. 2027 terminó: {len(pilot)} tarjetas entregadas actualizadas."
    ]
    (job,) = [j for j in await world.service.recent_jobs() if j.kind.value == "reschedule"]
    assert job.title == "Wave 0 - Pilot to 2027-01-23"
