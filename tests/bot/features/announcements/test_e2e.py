"""Announcements over real HTTP: lead commands, delivery through BotMessenger to the loopback
connector, acknowledgements, read receipts, gone conversations, reschedule, recall, restart."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt

import pytest

from scheduler.jobs import announcements_due
from switchover.announcements import AnnouncementStatus
from switchover.delivery import DeliveryStatus
from switchover.membership import resolve_wave
from tests.support.app import FABRIKAM, TENANT_ID

from .conftest import LEAD, people_where

PACIFIC = dt.timezone(dt.timedelta(hours=-8))


def execute_data(card: dict, verb: str) -> dict:
    for action in card.get("actions", []):
        if action.get("type") == "Action.Execute" and action.get("verb") == verb:
            return action["data"]
    raise AssertionError(f"no {verb} button in {card}")


async def compose_and_send(world, audience: str, title: str = "Parking", body: str = "The car park is closed") -> str:
    replies = await world.say(LEAD, f"announce {audience} : {title} | {body}")
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 2, [r.body for r in replies]
    preview, confirm = cards
    assert title in str(preview)
    ann_id = execute_data(confirm, "announce_confirm")["announcement_id"]
    status, response = await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
    assert status == 200, response
    return ann_id


async def test_someone_who_is_not_a_lead_is_politely_refused(world):
    nurse = people_where(officeLocation="Tacoma Clinic", department="Clinical Operations")[0]
    await world.teams.install(nurse)
    replies = await world.say(nurse, "announce everyone : Free pizza | in the kitchen")
    assert any("only the project leads" in r.text for r in replies)
    assert await world.service.list() == []
    replies = await world.say(nurse, "reschedule wave-3 2027-03-06")
    assert any("only the project leads" in r.text for r in replies)
    # Everyday words that are also lead commands go to the answers for everyone else.
    replies = await world.say(nurse, "cancel my meeting invite?")
    assert replies and not any("only the project leads" in r.text for r in replies)


async def test_lead_broadcast_reaches_every_installed_member_once_and_reports_the_rest(world):
    hr = people_where(department="Human Resources")
    installed, never = hr[:-2], hr[-2:]
    for p in installed:
        await world.teams.install(p)
    world.since = len(world.connector.received)

    ann_id = await compose_and_send(world, "department Human Resources")
    await world.deliver()

    sends = world.sends()
    assert {p.personal_conversation for p in installed} == set(sends)
    assert set(sends.values()) == {1}
    card = world.cards_to(installed[0])[0].card
    assert card["version"] == "1.5"
    assert execute_data(card, "acknowledge") == {"announcement_id": ann_id}

    report = await world.service.report(ann_id)
    assert (report.recipients, report.sent, report.unreachable) == (len(hr), len(installed), len(never))
    assert report.unreachable_by_reason == {"NoConversation": len(never)}
    replies = await world.say(LEAD, f"announcement {ann_id}")
    assert "Unreachable" in replies[0].card_text()


async def test_got_it_is_recorded_and_a_forged_action_is_not(world):
    hr = people_where(department="Human Resources")[:3]
    for p in hr:
        await world.teams.install(p)
    outsider = people_where(department="Finance")[0]
    await world.teams.install(outsider)
    ann_id = await compose_and_send(world, "department Human Resources")
    await world.deliver()

    status, body = await world.teams.invoke_action(hr[0], "acknowledge", {"announcement_id": ann_id})
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Acknowledged" in str(body["value"])
    status, body = await world.teams.invoke_action(outsider, "acknowledge", {"announcement_id": ann_id})
    assert status == 200 and "not sent to you" in str(body["value"])
    report = await world.service.report(ann_id)
    assert report.acknowledged == 1


async def test_read_receipt_marks_the_delivery_read(world):
    [reader, other] = people_where(department="Human Resources")[:2]
    await world.teams.install(reader)
    await world.teams.install(other)
    ann_id = await compose_and_send(world, "department Human Resources")
    await world.deliver()
    activity_id = world.cards_to(reader)[-1].activity_id
    event = world.teams.activity(
        reader, type="event", name="application/vnd.microsoft.readReceipt", value={"lastReadMessageId": activity_id}
    )
    resp = await world.teams.post(event)
    assert resp.status == 202
    report = await world.service.report(ann_id)
    assert report.read == 1


async def test_blocked_chat_is_reopened_once_else_the_person_is_unreachable(world):
    [blocked, gone_for_good] = people_where(department="Executive")[:2]
    for p in (blocked, gone_for_good):
        await world.teams.install(p)
    world.connector.block(blocked.personal_conversation, 403, "ConversationBlockedByUser")
    world.connector.block(gone_for_good.personal_conversation, 404, "ConversationNotFound")
    world.connector.block(f"create:{gone_for_good.teams_id}", 403, "BotNotInConversationRoster")
    ann_id = await compose_and_send(world, "department Executive")
    await world.deliver()

    outcomes = {o.recipient.key: o for o in await world.engine.outcomes(TENANT_ID, "announcement", ann_id)}
    reopened = outcomes[blocked.aad_object_id]
    assert reopened.status is DeliveryStatus.SENT
    assert reopened.target.conversation_id == f"a:loopback-{blocked.teams_id}"
    assert world.connector.to(reopened.target.conversation_id, "send")
    lost = outcomes[gone_for_good.aad_object_id]
    assert lost.status is DeliveryStatus.UNREACHABLE
    assert "ConversationNotFound" in lost.reason and "BotNotInConversationRoster" in lost.reason


async def test_throttling_and_server_errors_are_retried_until_sent(world):
    hr = people_where(department="Human Resources")[:4]
    for p in hr:
        await world.teams.install(p)
    world.since = len(world.connector.received)
    world.connector.fail(429, "TooManyRequests", times=2, retry_after=3, ops=("send",))
    world.connector.fail(503, "ServiceUnavailable", times=2, ops=("send",))
    ann_id = await compose_and_send(world, "department Human Resources")
    await world.deliver()
    assert set(world.sends().values()) == {1}
    assert len(world.sends()) == 4
    report = await world.service.report(ann_id)
    assert report.sent == 4
    assert world.connector.stats.throttled >= 2


async def test_calendar_reschedule_updates_delivered_cards_and_sends_a_notice(world, clock):
    pilot = people_where(department="Information Technology")
    for p in pilot:
        await world.teams.install(p)
    world.since = len(world.connector.received)
    clock.set(dt.datetime(2027, 1, 9, 9, 0, tzinfo=PACIFIC))  # the pilot's "one week to go"
    assert "wave-0/one-week" in await announcements_due(world.services)
    await world.deliver()
    first = world.cards_to(pilot[0])
    assert len(first) == 1 and "Saturday 16 January 2027" in first[0].card_text()

    replies = await world.say(LEAD, "reschedule wave-0 2027-01-23")
    assert any(f"updating {len(pilot)} cards delivered in place" in r.text for r in replies), [r.text for r in replies]
    await world.deliver()
    updates = world.connector.to(pilot[0].personal_conversation, "update")
    assert len(updates) == 1 and "Saturday 23 January 2027" in updates[-1].card_text()
    cards = world.cards_to(pilot[0])
    assert len(cards) == 2 and "new date" in cards[-1].card_text()
    assert world.told_lead() == [
        f"Reschedule of Wave 0 - Pilot to 2027-01-23 finished: {len(pilot)} delivered cards updated."
    ]
    moved = await world.service.get("wave-0/tomorrow")
    assert moved.send_at == dt.datetime(2027, 1, 22, 15, 0, tzinfo=PACIFIC)


async def test_after_a_reschedule_people_are_told_the_new_date_when_they_ask(world, clock):
    [member] = people_where(department="Information Technology")[:1]
    await world.teams.install(member)
    clock.set(dt.datetime(2027, 1, 9, 9, 0, tzinfo=PACIFIC))
    before = [r.card_text() for r in await world.say(member, "when is my migration?") if r.card]
    assert any("16 January 2027" in t for t in before), before

    await world.say(LEAD, "reschedule wave-0 2027-01-23")
    after = [r.card_text() for r in await world.say(member, "when is my migration?") if r.card]
    assert any("23 January 2027" in t for t in after), after
    assert not any("16 January 2027" in t for t in after), after
    group = [r.card_text() for r in await world.say(member, "when does the pilot move?") if r.card]
    assert any("23 January 2027" in t for t in group), group
    newcomer = people_where(department="Information Technology")[1]
    welcome = [r.card_text() for r in await world.teams.install(newcomer) if r.card]
    assert any("23 January 2027" in t for t in welcome), welcome


async def test_correct_and_recall_a_sent_announcement(world):
    hr = people_where(department="Human Resources")[:3]
    for p in hr:
        await world.teams.install(p)
    ann_id = await compose_and_send(world, "department Human Resources", body="Closed on Friday")
    await world.deliver()
    replies = await world.say(LEAD, f"correct {ann_id} : closed on Monday, not Friday")
    assert any("updating 3 cards delivered in place" in r.text for r in replies), [r.text for r in replies]
    await world.deliver()
    update = world.connector.to(hr[0].personal_conversation, "update")[-1]
    assert "closed on Monday" in update.card_text()
    replies = await world.say(LEAD, f"recall {ann_id}")
    assert any("3 cards delivered are being removed" in r.text for r in replies), [r.text for r in replies]
    await world.deliver()
    assert len([k for k in world.connector.deleted if k[0] in {p.personal_conversation for p in hr}]) == 3
    told = world.told_lead()
    assert told[-2:] == [
        "Correction of Parking finished: 3 cards updated.",
        "Recall of Parking finished: 3 cards removed.",
    ]


async def test_cancel_a_scheduled_announcement_before_it_goes(world, clock):
    hr = people_where(department="Human Resources")[:2]
    for p in hr:
        await world.teams.install(p)
    world.since = len(world.connector.received)
    replies = await world.say(LEAD, "announce department Human Resources at 2027-01-05 10:00 : Later | tomorrow")
    ann_id = execute_data([r.card for r in replies if r.card][1], "announce_confirm")["announcement_id"]
    await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
    assert (await world.service.get(ann_id)).status is AnnouncementStatus.SCHEDULED
    replies = await world.say(LEAD, f"cancel {ann_id}")
    assert any("Cancelled" in r.text for r in replies)
    clock.advance(dt.timedelta(days=2))
    await announcements_due(world.services)
    await world.deliver()
    assert world.sends() == {}


async def test_restart_in_the_middle_of_a_broadcast_sends_everyone_exactly_once(world):
    """The worker is stopped (cancelled, as at a shutdown), not killed: the sends it had started finish
    and are recorded, however slowly the database answers, so nobody gets the card twice. A hard kill
    between a send and its record is the one window left (tests/switchover/delivery/test_crash.py)."""
    clinical = people_where(officeLocation="Portland Clinic")[:30]
    for p in clinical:
        await world.teams.install(p)
    world.since = len(world.connector.received)
    world.connector.latency = 0.01
    ann_id = await compose_and_send(world, "office Portland Clinic")
    await world.service.jobs.idle()  # every card queued (the Send's background job)

    task = asyncio.create_task(world.engine.drain(until_idle=False))
    await world.connector.wait_for(lambda r: r.op == "send" and r.body.get("summary") == "Parking", count=8)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await world.engine.wait_in_flight()
    half = sum(world.sends().values())
    assert 8 <= half < 30

    await world.restart()  # a new process: new engine, same database
    world.clock.advance(dt.timedelta(minutes=5))  # the dead worker's claims expire
    await world.deliver()
    sends = world.sends()
    assert set(sends) == {p.personal_conversation for p in clinical}
    assert set(sends.values()) == {1}
    report = await world.service.report(ann_id)
    assert report.sent == 30


async def test_with_the_csv_roster_reminders_follow_the_export_and_mfa_done_is_taken_at_its_word(world, clock):
    """The CSV roster cannot tell readiness; the Fabrikam plan names the Entra export, which can.
    Whoever it shows unregistered gets the notice; "I've set up Authenticator" is taken at its word
    (the export may predate the registration)."""
    with (FABRIKAM / "exports" / "UserRegistrationDetails.csv").open(encoding="utf-8-sig", newline="") as f:
        registered = {r["User principal name"].casefold(): r["Is MFA Registered"] == "True" for r in csv.DictReader(f)}
    wave_1 = [
        p
        for p in people_where(department="Finance")
        if resolve_wave(world.services.plan, await world.services.directory.get(p.upn)).wave_key == "wave-1"
    ]
    unregistered = next(p for p in wave_1 if registered.get(p.upn.casefold()) is False)
    ready = next(p for p in wave_1 if registered.get(p.upn.casefold()) is True)
    for p in (unregistered, ready):
        await world.teams.install(p)
    world.since = len(world.connector.received)
    clock.set(dt.datetime(2027, 1, 16, 9, 0, tzinfo=PACIFIC))  # wave 1's two-weeks message
    assert "wave-1/what-changes" in await announcements_due(world.services)
    await world.deliver()
    card = world.cards_to(ready)[-1]
    assert "Saturday 30 January 2027" in card.card_text()
    assert "not ready" not in card.card_text() and "Before your cutover" not in card.card_text()
    card = world.cards_to(unregistered)[-1]
    assert "Before your cutover on Saturday 30 January 2027: set up Microsoft Authenticator" in card.card_text()
    data = execute_data(card.card, "mfa_done")
    status, body = await world.teams.invoke_action(unregistered, "mfa_done", data)
    assert status == 200 and "Acknowledged Sat 16 Jan 09:00" in str(body["value"])
    assert (await world.service.report("wave-1/what-changes")).acknowledged == 1
