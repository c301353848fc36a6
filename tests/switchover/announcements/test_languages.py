"""Announcements per language in the domain: each recipient's card in their stored Teams language, one
render per distinct card however large the audience, and the language kept with each delivery."""

from __future__ import annotations

import dataclasses

from switchover.announcements import Audience, Content
from switchover.announcements import views as views_module
from switchover.delivery import Recipient
from switchover.membership import wave_members

from .conftest import START, TENANT


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
