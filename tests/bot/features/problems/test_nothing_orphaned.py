"""A report is never orphaned: when nobody on its chain can be reached it is marked, the project
leads are alerted and it tops the list; a stop between two steps of the chain loses nothing."""

from __future__ import annotations

import datetime as dt

from tests.bot.features.problems.conftest import DESK_CHANNEL, staff
from tests.support.app import TENANT_ID, person

OUTLOOK = "Outlook won't open at all, I can't work"


def refuse(world, key: str) -> None:
    """Teams refuses every message to ``key``: their chat, and a new one."""
    who = staff(key)
    world.connector.block(who.personal_conversation)
    world.connector.block(f"create:{who.teams_id}", status=403, code="BotNotInConversationRoster")


async def test_when_the_whole_chain_fails_the_report_is_unrouted_the_lead_alerted_and_the_reporter_told(world):
    reporter = "ian.jensen"
    await world.teams.install(person(reporter))
    world.since = len(world.connector.received)
    # Owner, backup and Service Desk channel refuse everything; the lead refuses the card (and
    # its retry on a reopened chat) but their chat takes a message afterwards.
    for key in ("priya.raman", "tom.becker"):
        refuse(world, key)
    world.connector.block(DESK_CHANNEL)
    lead = staff("dana.whitfield")
    world.connector.fail(403, "ConversationBlockedByUser", times=1, conversation_id=lead.personal_conversation)
    world.connector.fail(403, "BotNotInConversationRoster", times=1, conversation_id=f"create:{lead.teams_id}")

    await world.report(reporter, OUTLOOK, area="email", impact="me", urgency="cant_work")
    await world.deliver()

    [found] = await world.desk.mine(TENANT_ID, person(reporter).aad_object_id)
    report = await world.desk.get(TENANT_ID, found.id)
    assert report.unrouted_at is not None, report.timeline
    failed = [e.detail or "" for e in report.timeline if e.kind == "delivery_failed"]
    for who in ("Priya Raman", "Tom Becker", "Dana Whitfield", "Service Desk"):
        assert any(who in d for d in failed), failed
    assert [e.kind for e in report.timeline].count("unrouted") == 1

    # Every project lead alerted once, by chat, and their chat took it.
    alerts = await world.services.delivery.outcomes(TENANT_ID, "problem-alert", str(report.id))
    assert [a.recipient.display_name for a in alerts] == ["Dana Whitfield"]
    assert alerts[0].status == "sent"
    said = [r.text for r in world.to("dana.whitfield") if report.reference in r.text]
    assert len(said) == 1 and "reached nobody" in said[0]

    # The reporter is told what happened, after it happened, and never that it reached someone.
    told = [r.card_text() for r in world.to(reporter) if report.reference in r.card_text()]
    assert len(told) == 2, told
    assert f"Your report {report.reference} is filed" in told[0]
    assert "could not reach the Email & calendar team" in told[1] and "the project lead has it" in told[1]
    assert not any(" is with " in t for t in told)

    # Another sweep, or a restart, alerts nobody again.
    world.clock.advance(dt.timedelta(minutes=5))
    await world.desk.run_due()
    await world.restart()
    await world.deliver()
    assert len(await world.services.delivery.outcomes(TENANT_ID, "problem-alert", str(report.id))) == 1
    assert len([r for r in world.to(reporter) if report.reference in r.card_text()]) == 2

    # It tops the desk's list, above a newer report, until someone takes it.
    await world.teams.install(person("nora.abbott"))
    await world.report("nora.abbott", "my H drive files are missing", area="files", impact="me")
    listed = await world.desk.list(TENANT_ID)
    assert listed[0].id == report.id and len(listed) == 2
    code, _ = await world.teams.invoke_action(staff("dana.whitfield"), "problem_ack", {"report_id": report.id})
    assert code == 200
    assert (await world.desk.list(TENANT_ID))[0].id != report.id


async def test_a_stop_between_the_owners_failed_card_and_the_next_step_loses_nothing(world, monkeypatch):
    reporter = "ian.jensen"
    await world.teams.install(person(reporter))
    world.since = len(world.connector.received)
    refuse(world, "priya.raman")

    async def power_cut(*args, **kwargs):
        raise RuntimeError("the process was killed here")

    # The owner's failed delivery is recorded; the process stops before the chain moves on.
    monkeypatch.setattr(world.desk.chain, "advance", power_cut)
    await world.report(reporter, OUTLOOK, area="email", impact="me", urgency="cant_work")
    await world.deliver()
    [found] = await world.desk.mine(TENANT_ID, person(reporter).aad_object_id)
    report = await world.desk.get(TENANT_ID, found.id)
    assert any("Priya Raman" in (e.detail or "") for e in report.timeline if e.kind == "delivery_failed")
    assert world.to("tom.becker") == []

    world.clock.advance(dt.timedelta(minutes=2))
    await world.restart()
    await world.deliver()
    [backup] = world.to("tom.becker")
    assert report.reference in backup.card_text()
    told = [r.card_text() for r in world.to(reporter) if report.reference in r.card_text()]
    assert len(told) == 2 and f"{report.reference} is with Tom Becker, to acknowledge by" in told[1], told
    stored = await world.desk.get(TENANT_ID, report.id)
    assert stored.unrouted_at is None

    # Nothing more to do: another sweep sends nothing again.
    world.clock.advance(dt.timedelta(minutes=5))
    await world.desk.run_due()
    await world.deliver()
    assert len(world.to("tom.becker")) == 1
