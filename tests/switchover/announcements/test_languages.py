"""Announcements per language in the domain: each recipient's card in their stored Teams language, one
render per distinct card however large the audience, and the language kept with each delivery."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from switchover import i18n
from switchover.announcements import Audience, Content
from switchover.announcements import views as views_module
from switchover.delivery import Recipient
from switchover.membership import resolve_wave, wave_members
from switchover.timefmt import format_day

from .conftest import START, TENANT, personal_conversation
from .test_service import card_texts

PACIFIC = dt.timezone(dt.timedelta(hours=-8))  # February: PST
PARTS = "Parts of this message are not available in your language yet."
SHOWN_IN_ENGLISH = {
    "es": "Se muestra en inglés: aún no se ha traducido al español.",
    "pl": "Wyświetlane w języku: angielski. Jeszcze nie przetłumaczono na język: polski.",
}


async def speak(store, user_ids, locale: str) -> None:
    """These users' Teams clients told the bot their language (as every personal-chat activity does)."""
    records = await store.personal_for_users(TENANT, list(user_ids))
    for user_id in user_ids:
        await store.upsert(dataclasses.replace(records[user_id], locale=locale), START, force=True)


async def test_one_render_per_language_and_zone_however_many_recipients(service, store, directory, monkeypatch):
    users = await directory.all_users()
    spanish = [u.id for u in users[:40]]
    polish = [u.id for u in users[40:50]]
    await speak(store, spanish, "es-US")
    await speak(store, polish, "pl-PL")
    ann = await service.create(
        title="Parking", audience=Audience(kind="everyone"), content=Content(body="The car park is closed.")
    )
    recipients = [Recipient(TENANT, "user", u.id, u.display_name) for u in users]
    renders = []
    render = views_module.render_announcement

    def counted(*args, **kwargs):
        renders.append(kwargs["zone"].key)
        return render(*args, **kwargs)

    monkeypatch.setattr(views_module, "render_announcement", counted)
    cards = await service.cards.for_recipients(ann, recipients)

    zones = set(renders)
    assert len(renders) <= 3 * len(zones)  # per language (en, es, pl) and zone, not per person
    assert len(users) > 10 * len(renders), (len(users), len(renders))
    by_user = {r.key: c for r, c in zip(recipients, cards, strict=True)}
    assert {by_user[k].language for k in spanish} == {"es-US"}
    assert {by_user[k].language for k in polish} == {"pl-PL"}
    assert {c.language for k, c in by_user.items() if k not in spanish + polish} == {"en"}
    # Each copy refreshes for its own reader only, though the render is shared.
    records = await store.personal_for_users(TENANT, [u.id for u in users])
    for user_id, shown in by_user.items():
        assert shown.card["refresh"]["userIds"] == [records[user_id].user_id]
    es_card = by_user[spanish[0]].card
    assert [a["title"] for a in es_card["actions"]] == []  # no buttons asked for
    assert es_card["body"][0]["text"] == "Parking"  # a lead's words as written


async def test_each_delivery_keeps_its_language_and_a_correction_is_written_in_it(
    service, engine, messenger, store, plan, directory
):
    wave = await wave_members(plan, directory, "wave-0")
    await speak(store, [wave[0].id], "es-MX")
    ann = await service.create(
        title="Printers", audience=Audience(kind="users", values=(wave[0].id, wave[1].id)), content=Content(body="x")
    )
    await service.run_due()
    await engine.drain()
    outcomes = {o.recipient.key: o for o in await engine.outcomes(TENANT, "announcement", ann.id)}
    assert outcomes[wave[0].id].language == "es-MX" and outcomes[wave[1].id].language == "en"
    # The person's Teams language changes afterwards: a correction still matches the card they have.
    await speak(store, [wave[0].id], "en-US")
    await service.correct(ann.id, content=ann.content.model_copy(update={"correction": "Correction: Friday"}))
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    updated = {conversation: message.card for conversation, _activity, message in messenger.updated}
    es_update = str(updated[outcomes[wave[0].id].target.conversation_id])
    assert "Corrección: Friday" in es_update
    assert "Correction: Friday" in str(updated[outcomes[wave[1].id].target.conversation_id])
    report = await service.report(ann.id)
    assert set(report.by_language) == {"es", "en"}
    assert report.by_language["es"]["sent"] == 1
    assert report.as_dict()["by_language"] == report.by_language  # GET /api/announcements/{id}
    assert {row["recipient"]: row["language"] for row in report.rows} == {wave[0].id: "es", wave[1].id: "en"}  # CSV


def test_a_reader_without_a_stored_language_reads_the_plans(plan):
    lang = views_module.reader_language(None, plan)
    assert lang.code == plan.organisation.language
    assert views_module.reader_language("de-DE", plan).code == plan.organisation.language  # no catalog
    assert views_module.reader_language("es-US", plan).code == "es"


async def test_a_reader_the_plan_has_no_translation_for_is_told_discreetly(service, store, plan, directory):
    await service.reconcile_plan()
    ann = await service.get("wave-0/cutover-complete")
    german, spanish, unknown = (await wave_members(plan, directory, "wave-0"))[:3]
    await speak(store, [german.id], "de-DE")  # no catalog, no plan translation: the plan's language
    await speak(store, [spanish.id], "es-US")
    recipients = [Recipient(TENANT, "user", u.id, u.display_name) for u in (german, spanish, unknown)]
    shown = await service.cards.for_recipients(ann, recipients)
    de, es, plain = (str(c.card) for c in shown)
    message = next(m for m in plan.calendar if m.key == "cutover-complete")
    note = "Parts of this message are not available in your language yet."
    assert message.title in de and note in de
    assert message.translations["es"].title in es and "Partes de este mensaje" not in es
    assert message.title in plain and note not in plain  # Teams never said: nothing to apologise for
    # The notification's summary (the card's title) is in the reader's language too.
    assert [c.title for c in shown] == [message.title, message.translations["es"].title, message.title]


async def test_corrections_and_reschedules_keep_each_card_in_its_language_and_its_note(
    service, engine, messenger, store, plan, directory, clock
):
    await service.reconcile_plan()
    german, spanish, polish, english = (await wave_members(plan, directory, "wave-3"))[:4]
    await speak(store, [german.id], "de-DE")  # no catalog: English, with the note that it is not German
    await speak(store, [spanish.id], "es-US")
    await speak(store, [polish.id], "pl-PL")
    await speak(store, [english.id], "en-US")
    chat = {u.id: personal_conversation(u.id) for u in (german, spanish, polish, english)}
    clock.set(dt.datetime(2027, 2, 13, 9, 0, tzinfo=PACIFIC))  # wave 3's T-14 goes
    await service.run_due()
    await engine.drain()
    sent = {s.conversation_id: s.message for s in messenger.sent}
    assert PARTS in card_texts(sent[chat[german.id]].card)
    assert PARTS not in card_texts(sent[chat[english.id]].card)

    ann = await service.get("wave-3/what-changes")
    await service.correct(ann.id, content=ann.content.model_copy(update={"correction": "Correction: bring a laptop"}))
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    corrected = {conversation: card_texts(m.card) for conversation, _a, m in messenger.updated}
    assert PARTS in corrected[chat[german.id]] and "Correction: bring a laptop" in corrected[chat[german.id]]
    es = corrected[chat[spanish.id]]
    assert "Corrección: bring a laptop" in es and plan.calendar[0].translations["es"].title in es
    assert PARTS not in es and SHOWN_IN_ENGLISH["es"] not in es  # the plan translates it: nothing to say
    assert PARTS not in corrected[chat[english.id]]

    # The wave moves: delivered cards keep their note, and the notice's title is in each reader's language.
    updates, before = len(messenger.updated), len(messenger.sent)
    with i18n.use("es-US"):  # a Spanish-speaking lead moves it: what is kept stays in the plan's words
        await service.reschedule_wave("wave-3", dt.date(2027, 3, 6), by="dana")
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    moved = {conversation: card_texts(m.card) for conversation, _a, m in messenger.updated[updates:]}
    assert PARTS in moved[chat[german.id]] and PARTS not in moved[chat[english.id]]
    notices = {s.conversation_id: s.message.summary for s in messenger.sent[before:]}
    # The wave's title too: the bot's word for a wave and the plan's name in the reader's language.
    assert notices[chat[spanish.id]] == "Ola 3 - Spokane y Portland: nueva fecha del cambio"
    assert notices[chat[polish.id]] == "Fala 3 - Spokane i Portland: nowy termin migracji"
    english_notice = "Wave 3 - Spokane & Portland: new cutover date"
    assert notices[chat[english.id]] == notices[chat[german.id]] == english_notice
    stored = await service.get("wave-3/reschedule-2027-03-06")
    assert stored.title == english_notice  # the lead's list reads the plan's language
    (job,) = [j for j in await service.jobs.recent() if j.kind.value == "reschedule"]
    assert job.title == "Wave 3 - Spokane & Portland to 2027-03-06"  # kept as the plan writes it


async def test_a_calendar_message_a_lead_rewrote_reads_in_the_plans_language_with_the_note(
    service, store, plan, directory
):
    await service.reconcile_plan()
    ann = await service.get("wave-0/cutover-complete")
    german, spanish, polish, english, unknown = (await wave_members(plan, directory, "wave-0"))[:5]
    for user, locale in ((german, "de-DE"), (spanish, "es-MX"), (polish, "pl-PL"), (english, "en-GB")):
        await speak(store, [user.id], locale)
    people = (german, spanish, polish, english, unknown)
    recipients = [Recipient(TENANT, "user", u.id, u.display_name) for u in people]
    message = next(m for m in plan.calendar if m.key == "cutover-complete")

    planned = await service.cards.languages(ann, recipients)
    assert (planned.fall_back, planned.edited) == (1, False)  # the German reader only: the plan has es and pl

    words = "Outlook and Teams are ready: sign in again with your usual password."
    edited = await service.edit(ann.id, content=ann.content.model_copy(update={"summary": words}))
    languages = await service.cards.languages(edited, recipients)
    # Everyone whose language is not the plan's now reads the lead's words in it.
    assert (languages.fall_back, languages.edited) == (3, True)

    shown = await service.cards.for_recipients(edited, recipients)
    de, es, pl, en, plain = (card_texts(c.card) for c in shown)
    assert all(words in text for text in (de, es, pl, en, plain))
    for lang, text in (("es", es), ("pl", pl)):
        assert message.translations[lang].title not in text  # never a translation of what it used to say
        assert message.translations[lang].summary not in text
        assert SHOWN_IN_ENGLISH[lang] in text and PARTS not in text
    assert "Su cambio:" in es  # the card's own words stay in the reader's language
    assert PARTS in de
    assert all(SHOWN_IN_ENGLISH["es"] not in t and PARTS not in t for t in (en, plain))
    assert [c.title for c in shown] == [message.title] * 5

    # A lead who changes only a button's title changes the plan's words too.
    buttons = (await service.get("wave-3/one-week")).content.buttons
    relabelled = await service.edit(
        "wave-3/one-week",
        content=(await service.get("wave-3/one-week")).content.model_copy(
            update={"buttons": tuple(b.model_copy(update={"title": "Understood"}) for b in buttons)}
        ),
    )
    (es_card,) = await service.cards.for_recipients(relabelled, recipients[1:2])
    assert "Understood" in card_texts(es_card.card) and SHOWN_IN_ENGLISH["es"] in card_texts(es_card.card)


async def test_a_translated_line_about_today_gets_the_readers_day_and_time_in_the_readers_zone(
    service, store, plan, directory
):
    """The wave's zone is Pacific; a Spanish reader in Boise (Mountain) reads "hoy a las 18:00" as their own day
    and time, in Spanish, as an English reader there reads "at 18:00 today"."""
    await service.reconcile_plan()
    boise = next(u for u in await directory.all_users() if u.office == "Remote - Boise")
    wave_key = resolve_wave(plan, boise).wave_key
    ann = await service.get(f"{wave_key}/tomorrow")
    recipient = Recipient(TENANT, "user", boise.id, boise.display_name)
    (english,) = await service.cards.for_recipients(ann, [recipient])
    await speak(store, [boise.id], "es-ES")  # Spain's Spanish: a 24-hour clock
    (spanish,) = await service.cards.for_recipients(ann, [recipient])
    day = (await service.cards.dates(ann)).start.astimezone(ZoneInfo("America/Boise")).date() - dt.timedelta(days=1)
    with i18n.use("es-ES"):
        es_day = format_day(day, year=False)
    en, es = card_texts(english.card), card_texts(spanish.card)
    assert f"H: and S: become read-only at 19:00 MST on {format_day(day, year=False)}." in en
    assert f"Las unidades H: y S: pasan a ser de solo lectura el {es_day} a las 19:00 MST." in es
    assert f"Guarde y cierre sus archivos antes de irse el {es_day}." in es
    # A line about the weekend is left as written, in either language (only lines naming the day change).
    assert "No restablezca su contraseña este fin de semana." in es and "Do not reset your password this weekend." in en
    assert " hoy" not in es and "18:00" not in es
