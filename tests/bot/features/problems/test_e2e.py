"""Problem reports end to end: Teams activities in over HTTP, Bot Connector calls out to a loopback."""

from __future__ import annotations

import contextlib
import datetime as dt

from tests.bot.features.problems.conftest import executes, staff
from tests.support.app import TENANT_ID, person


def text_of(card: dict | None) -> str:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            found.append(node)

    walk(card)
    return " ".join(found)


def report_id_of(card: dict) -> int:
    return next(int(d["report_id"]) for verb, d in executes(card) if "report_id" in d)


async def test_report_confirm_owner_notified_acknowledge_reporter_informed(world):
    reporter = "nora.abbott"
    await world.teams.install(person(reporter))
    status = await world.report(reporter, "my H drive files are missing", impact="me")
    assert "PR-" in text_of(status) and "Submitted" in text_of(status)
    await world.deliver()
    [owner_msg] = world.to("luis.ortega")
    owner_card = owner_msg.card
    assert "my H drive files are missing" in text_of(owner_card)
    assert "Tacoma Clinic" in text_of(owner_card) and "Wave 2" in text_of(owner_card)
    rid = report_id_of(owner_card)
    code, body = await world.teams.invoke_action(staff("luis.ortega"), "problem_ack", {"report_id": rid})
    assert code == 200 and "Acknowledged" in text_of(body["value"])
    await world.deliver()
    assert any("Luis Ortega is on it" in r.card_text() for r in world.to(reporter))
    # The owner's card was updated in place (same activity id).
    assert any(u.activity_id == owner_msg.activity_id for u in world.updates_to("luis.ortega"))


async def test_missed_deadline_escalates_to_backup_then_lead(world):
    reporter = "farah.price"
    await world.teams.install(person(reporter))
    start = world.clock.now()
    await world.report(reporter, "Outlook won't open, I can't work", impact="me")
    await world.deliver()
    assert len(world.to("priya.raman")) == 1
    world.clock.set(start + dt.timedelta(minutes=30))
    assert await world.desk.run_due() == 1
    await world.deliver()
    [backup] = world.to("tom.becker")
    assert "problem_ack" in {v for v, _ in executes(backup.card)}
    world.clock.set(start + dt.timedelta(minutes=60))
    assert await world.desk.run_due() == 1
    await world.deliver()
    assert len(world.to("dana.whitfield")) == 1


async def test_owner_delivery_failure_goes_to_the_backup(world):
    reporter = "benjamin.chang"
    await world.teams.install(person(reporter))
    # Luis blocked the bot: his chat refuses messages and a fresh 1:1 cannot be opened either.
    luis = staff("luis.ortega")
    world.connector.block(luis.personal_conversation)
    world.connector.block(f"create:{luis.teams_id}", status=403, code="BotNotInConversationRoster")
    await world.report(reporter, "my H drive files are missing", impact="me")
    await world.deliver()
    await world.deliver()
    assert world.to("luis.ortega") == []
    [backup] = world.to("tom.becker")
    assert "my H drive files are missing" in backup.card_text()


async def test_five_reports_form_an_incident_and_its_resolution_reaches_all_five(world):
    reporters = ["nora.abbott", "farah.price", "benjamin.chang", "ian.jensen", "isaac.griffin"]
    texts = [
        "my H drive files are missing",
        "can't find my documents in OneDrive",
        "the S: drive is gone",
        "SharePoint says access denied on the clinical folder",
        "files from my old home drive are not in OneDrive",
    ]
    for who, text in zip(reporters, texts, strict=True):
        await world.teams.install(person(who))
        await world.report(who, text, impact="me", area="files")
        world.clock.advance(dt.timedelta(minutes=4))
    await world.deliver()
    alerts = [r for r in world.to("dana.whitfield") if "Major incident" in r.card_text()]
    assert len(alerts) == 1
    incident_id = next(int(d["incident_id"]) for v, d in executes(alerts[0].card) if v == "incident_resolve")
    code, body = await world.teams.invoke_action(
        staff("luis.ortega"), "incident_resolve", {"incident_id": incident_id, "note": "OneDrive migration re-run"}
    )
    assert code == 200 and "OneDrive migration re-run" in text_of(body["value"])
    await world.deliver()
    for who in reporters:
        assert any("OneDrive migration re-run" in r.card_text() for r in world.to(who)), who


async def test_a_restart_in_the_middle_loses_nothing(world):
    reporter = "ian.jensen"
    await world.teams.install(person(reporter))
    sent = await world.teams.say(reporter, "report a problem my H drive files are missing")
    question = next(r.card for r in reversed(sent) if r.card)
    assert any("impact" in d for _, d in executes(question))
    start = world.clock.now()
    # The bot restarts between the question and the answer.
    await world.restart()
    choice = next(d for _, d in executes(question) if d.get("impact") == "me")
    code, _ = await world.teams.invoke_action(reporter, "problem_dialog", choice)
    assert code == 200
    confirm = next(r.card for r in reversed(world.to(reporter)) if r.card)
    submit = next(d for v, d in executes(confirm) if v == "problem_submit")
    data = {**submit, "text": "my H drive files are missing", "area": "files", "impact": "me", "urgency": "cant_work"}
    code, body = await world.teams.invoke_action(reporter, "problem_submit", data)
    assert code == 200 and "PR-" in text_of(body["value"])
    await world.deliver()
    assert len(world.to("luis.ortega")) == 1
    # ... and again before the deadline: the escalation timer is in the database.
    await world.restart()
    world.clock.set(start + dt.timedelta(minutes=31))
    assert await world.desk.run_due() == 1
    await world.deliver()
    assert len(world.to("tom.becker")) == 1


async def test_my_problems_lists_the_reporters_reports(world):
    reporter = "wesley.arnold"
    await world.teams.install(person(reporter))
    await world.report(reporter, "the printer at the front desk won't print anything", impact="me")
    sent = await world.teams.say(reporter, "my problems")
    card = next(r.card for r in sent if r.card)
    assert "PR-" in text_of(card) and "printer" in text_of(card)


async def test_report_a_problem_under_an_answer_starts_from_what_was_asked(world):
    # The "Report a problem" button of an answer card carries the question; nobody retypes it.
    reporter = "nora.abbott"
    await world.teams.install(person(reporter))
    before = len(world.connector.received)
    asked = {"text": "my email signature is gone"}
    code, _ = await world.teams.invoke_action(person(reporter), "report_problem", asked)
    assert code == 200
    cards = [r.card for r in world.connector.received[before:] if r.card]
    assert cards and "What is wrong?" not in text_of(cards[-1]), [text_of(c) for c in cards]
    # The questions that follow are about it, and the confirmation shows it.
    for _ in range(3):
        actions = executes(cards[-1])
        if any(verb == "problem_submit" for verb, _ in actions):
            break
        before = len(world.connector.received)
        code, _ = await world.teams.invoke_action(person(reporter), "problem_dialog", dict(actions[0][1]))
        assert code == 200
        cards = [r.card for r in world.connector.received[before:] if r.card]
    assert "my email signature is gone" in text_of(cards[-1]), text_of(cards[-1])


async def test_a_reporter_never_told_after_a_crash_is_told_their_reference_at_restart(world, monkeypatch):
    # The finding: under load with a kill, reports were stored but their reporters were never
    # given the reference. The report is stored with a "reply owed" mark; the process dies
    # before routing it and replying (here: routing fails as a kill would stop it).
    reporter = "ian.jensen"
    await world.teams.install(person(reporter))
    world.since = len(world.connector.received)

    async def power_cut(*args, **kwargs):
        raise RuntimeError("the process was killed here")

    monkeypatch.setattr(world.desk.chain, "route", power_cut)
    with contextlib.suppress(AssertionError):
        await world.report(reporter, "my H drive files are missing", area="files", impact="me", urgency="cant_work")
    await world.deliver()
    [stored] = await world.desk.mine(TENANT_ID, person(reporter).aad_object_id)
    assert not any(stored.reference in r.card_text() for r in world.to(reporter))
    assert world.to("luis.ortega") == []

    # The app comes back (a minute later, so the mark is not a filing still in progress).
    world.clock.advance(dt.timedelta(minutes=2))
    await world.restart()
    await world.deliver()
    told = [r for r in world.to(reporter) if stored.reference in r.card_text()]
    assert len(told) == 2, [r.card_text() for r in world.to(reporter)]
    assert f"Your report {stored.reference} is filed" in told[0].card_text()
    assert len(world.to("luis.ortega")) == 1  # the filing was finished: the owner has the card
    # Whom it reached is said once the owner's card is delivered, not before.
    assert f"{stored.reference} is with Luis Ortega, to acknowledge by" in told[1].card_text()

    # Told once: neither another restart nor the scheduler's sweep tells them again.
    world.clock.advance(dt.timedelta(minutes=2))
    await world.restart()
    assert await world.desk.settle_owed_replies() == 0
    await world.deliver()
    assert len([r for r in world.to(reporter) if stored.reference in r.card_text()]) == 2


async def test_show_them_all_lists_the_linked_reports_for_staff_only(world):
    text = "the shared drive on floor two is gone and nobody on the floor can open any file"
    for who in ("ian.jensen", "nora.abbott"):
        await world.teams.install(person(who))
        await world.report(who, text, area="files", impact="several")
    await world.deliver()
    [first] = await world.desk.mine(TENANT_ID, person("ian.jensen").aad_object_id)
    [second] = await world.desk.mine(TENANT_ID, person("nora.abbott").aad_object_id)
    assert second.duplicate_of == first.id
    # What the "Show them all" button under a long list says, typed by the owner.
    sent = await world.teams.say(staff("luis.ortega"), f"linked {first.reference}")
    card = next(r.card for r in sent if r.card)
    assert f"Reports linked to {first.reference} (1)" in text_of(card) and second.reference in text_of(card)
    # A reporter does not get other people's reports.
    sent = await world.teams.say(person("ian.jensen"), f"linked {first.reference}")
    assert sent and second.reference not in " ".join(text_of(r.card) + r.text for r in sent)


async def test_show_them_all_posts_the_readers_words_and_the_bot_reads_them(world):
    from switchover import i18n
    from switchover.problems import views

    text = "the shared drive on floor two is gone and nobody on the floor can open any file"
    for who in ("ian.jensen", "nora.abbott"):
        await world.teams.install(person(who))
        await world.report(who, text, area="files", impact="several")
    await world.deliver()
    [first] = await world.desk.mine(TENANT_ID, person("ian.jensen").aad_object_id)
    [second] = await world.desk.mine(TENANT_ID, person("nora.abbott").aad_object_id)
    for lang, locale, word, page in (("es", "es-US", "vinculados", "página"), ("pl", "pl-PL", "powiązane", "strona")):
        # What the button posts for a Spanish or Polish reader, pressed: their words, the same list.
        with i18n.use(lang):
            pressed = views.linked_say(first.reference)
            next_page = views.report_list_card("x", ["y"] * 30, page=1, say=pressed)
        assert pressed == f"{word} {first.reference}"
        assert [b["actions"][0]["data"]["msteams"]["value"] for b in next_page["body"] if b["type"] == "ActionSet"] == [
            f"{pressed} {page} 2"
        ]
        for said in (pressed, f"{pressed} {page} 1"):
            sent = await world.teams.say(staff("luis.ortega"), said, locale=locale)
            card = next(r.card for r in sent if r.card)
            assert second.reference in text_of(card), (lang, said)
