"""Announcements end to end in the domain: campaigns, audiences, sending, acks, reschedule, reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from switchover.announcements import (
    AnnouncementError,
    AnnouncementStatus,
    Audience,
    Button,
    Content,
    NotARecipient,
)
from switchover.delivery import DeliveryStatus
from switchover.membership import wave_members

from .conftest import TENANT, personal_conversation

PACIFIC = dt.timezone(dt.timedelta(hours=-8))  # January and February: PST


def card_texts(card) -> str:
    out = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("text", "title", "value") and isinstance(v, str):
                    out.append(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    walk(card)
    return " | ".join(out)


async def test_every_wave_calendar_entry_becomes_a_scheduled_announcement(service, plan):
    result = await service.reconcile_plan()
    # 7 calendar messages per wave, plus the Service Desk copy of "cutover in progress".
    assert len(result.added) == len(plan.waves) * (len(plan.calendar) + 1)
    pilot = {a.id: a for a in await service.list() if a.wave_key == "wave-0"}
    assert pilot["wave-0/what-changes"].send_at == dt.datetime(2027, 1, 2, 9, 0, tzinfo=PACIFIC)
    assert pilot["wave-0/one-week"].send_at == dt.datetime(2027, 1, 9, 9, 0, tzinfo=PACIFIC)
    assert pilot["wave-0/tomorrow"].send_at == dt.datetime(2027, 1, 15, 15, 0, tzinfo=PACIFIC)
    assert pilot["wave-0/cutover-start"].send_at == dt.datetime(2027, 1, 16, 8, 0, tzinfo=PACIFIC)
    assert pilot["wave-0/cutover-start@service-desk"].audience == Audience(
        kind="channel", values=("Fabrikam IT / Service Desk",)
    )
    assert pilot["wave-0/day-one"].send_at == dt.datetime(2027, 1, 18, 7, 0, tzinfo=PACIFIC)
    assert pilot["wave-0/hypercare-ends"].send_at == dt.datetime(2027, 1, 30, 9, 0, tzinfo=PACIFIC)
    assert pilot["wave-0/cutover-complete"].status is AnnouncementStatus.MANUAL
    assert pilot["wave-0/cutover-complete"].send_at is None
    # Reconciling the same plan again changes nothing.
    again = await service.reconcile_plan()
    assert (again.added, again.moved, again.cancelled) == ((), (), ())


async def test_reloading_a_changed_plan_reconciles_what_is_scheduled(service, plan):
    await service.reconcile_plan()
    calendar = tuple(
        m.model_copy(update={"timing": m.timing.model_copy(update={"at": dt.time(10, 30)})})
        if m.key == "one-week"
        else m
        for m in plan.calendar
        if m.key != "hypercare-ends"
    )
    changed = plan.model_copy(update={"calendar": calendar})
    result = await service.reconcile_plan(changed)
    assert sorted(result.moved) == sorted(f"{w.key}/one-week" for w in plan.waves)
    assert sorted(result.cancelled) == sorted(f"{w.key}/hypercare-ends" for w in plan.waves)
    moved = await service.get("wave-1/one-week")
    assert moved.send_at.astimezone(PACIFIC).time() == dt.time(10, 30)


async def test_due_calendar_message_goes_to_every_wave_member_once(service, engine, messenger, clock, plan, directory):
    await service.reconcile_plan()
    clock.set(dt.datetime(2027, 1, 2, 9, 0, tzinfo=PACIFIC))
    started = await service.run_due()
    assert started == ["wave-0/what-changes"]
    await engine.drain()

    members = await wave_members(plan, directory, "wave-0")
    expected = {personal_conversation(u.id) for u in members}
    counts = messenger.per_conversation()
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    assert await service.run_due() == []  # nothing twice
    card = messenger.sent[0].message.card
    assert card["version"] == "1.5"
    texts = card_texts(card)
    assert "Your move to Microsoft 365" in texts and "Saturday 16 January 2027" in texts
    verbs = [a.get("verb") for a in card["actions"]]
    assert verbs == ["mfa_done", "acknowledge"]
    assert card["refresh"]["userIds"][0].startswith("29:")


async def test_recipients_are_resolved_when_the_send_starts(service, engine, messenger, clock, directory):
    """A person who joins the audience after scheduling still gets it (resolution at send time)."""
    late = await service.create(
        title="Parking",
        audience=Audience(kind="office", values=("Tacoma Clinic",)),
        content=Content(body="The car park is closed on Saturday."),
        send_at=clock.now() + dt.timedelta(hours=1),
    )
    assert messenger.sent == []
    clock.advance(dt.timedelta(hours=1))
    assert await service.run_due() == [late.id]
    await engine.drain()
    tacoma = [u for u in await directory.all_users() if u.office == "Tacoma Clinic" and u.enabled and not u.is_guest]
    assert len(messenger.sent) == len(tacoma)


async def test_audiences_exclude_disabled_and_guests_unless_named(service, directory):
    users = await directory.all_users()
    disabled = next(u for u in users if not u.enabled and u.department)
    guest = next(u for u in users if u.is_guest)
    by_dept = await service.resolve(Audience(kind="department", values=(disabled.department,)))
    keys = {r.key for r, _ in by_dept}
    assert disabled.id not in keys
    assert keys == {u.id for u in users if u.department == disabled.department and u.enabled and not u.is_guest}
    named = await service.resolve(Audience(kind="users", values=(guest.upn, disabled.id)))
    assert {r.key for r, _ in named} == {guest.id, disabled.id}
    everyone = await service.resolve(Audience(kind="everyone"))
    assert guest.id not in {r.key for r, _ in everyone}
    channel = await service.resolve(Audience(kind="channel", values=("Fabrikam IT / Service Desk",)))
    assert [(r.kind, r.key) for r, _ in channel] == [("channel", "Fabrikam IT / Service Desk")]


async def test_cards_show_dates_in_the_recipients_time_zone(service, engine, messenger, clock, directory):
    await service.reconcile_plan()
    clock.set(dt.datetime(2027, 1, 16, 9, 0, tzinfo=PACIFIC))  # wave-1's T-14
    assert "wave-1/what-changes" in await service.run_due()
    await engine.drain()
    boise = next(u for u in await directory.all_users() if u.office == "Remote - Boise")
    seattle = next(u for u in await directory.all_users() if u.office == "Seattle HQ" and u.department == "Finance")
    by_conv = {s.conversation_id: card_texts(s.message.card) for s in messenger.sent}
    assert "08:00-16:00 MST" in by_conv[personal_conversation(boise.id)]
    assert "07:00-15:00 PST" in by_conv[personal_conversation(seattle.id)]


async def test_missed_while_down_beyond_grace_is_reported_not_sent(service, engine, messenger, clock):
    await service.reconcile_plan()
    clock.set(dt.datetime(2027, 1, 2, 9, 0, tzinfo=PACIFIC) + dt.timedelta(hours=1))
    assert await service.run_due() == ["wave-0/what-changes"]  # an hour late: within the grace period
    clock.set(dt.datetime(2027, 1, 9, 9, 0, tzinfo=PACIFIC) + dt.timedelta(hours=5))
    assert await service.run_due() == []
    missed = await service.get("wave-0/one-week")
    assert missed.status is AnnouncementStatus.MISSED
    assert "while the bot was not running" in missed.reason
    # A lead can still send it.
    await engine.drain()
    before = len(messenger.sent)
    await service.send_now("wave-0/one-week")
    await service.jobs.idle()  # the Send's background job queues the cards
    await engine.drain()
    assert len(messenger.sent) > before


async def test_acknowledgement_is_recorded_and_refreshes_the_card(service, engine, messenger, clock, directory):
    await service.reconcile_plan()
    clock.set(dt.datetime(2027, 1, 2, 9, 0, tzinfo=PACIFIC))
    await service.run_due()
    await engine.drain()
    member = next(u for u in await directory.all_users() if u.department == "Information Technology" and u.enabled)
    card = await service.acknowledge("wave-0/what-changes", member.id, "mfa_done")
    assert "Acknowledged" in card_texts(card)
    assert all(a.get("verb") not in ("acknowledge", "mfa_done") for a in card["actions"])

    outsider = next(u for u in await directory.all_users() if u.office == "Portland Clinic")
    with pytest.raises(NotARecipient):
        await service.acknowledge("wave-0/what-changes", outsider.id, "acknowledge")
    report = await service.report("wave-0/what-changes")
    assert report.acknowledged == 1
    assert report.by_department["Information Technology"]["acknowledged"] == 1


async def test_report_counts_sent_failed_unreachable_read(service, engine, messenger, clock, directory, store):
    from switchover.messaging import DeliveryError, FailureKind
    from tests.switchover.delivery.conftest import gone

    tacoma = [u for u in await directory.all_users() if u.office == "Tacoma Clinic" and u.enabled and not u.is_guest]
    blocked, rejected = tacoma[0], tacoma[1]
    messenger.failures[personal_conversation(blocked.id)] = [gone("ConversationBlockedByUser")]
    messenger.open_failures[f"29:{blocked.id}"] = gone("ConversationBlockedByUser")
    messenger.failures[personal_conversation(rejected.id)] = [
        DeliveryError(FailureKind.REJECTED, status=400, code="BadArgument")
    ]
    ann = await service.create(
        title="Kiosk swap", audience=Audience(kind="office", values=("Tacoma Clinic",)), content=Content(body="x")
    )
    await service.run_due()
    await engine.drain()
    reader = tacoma[2]
    out = next(o for o in await engine.outcomes(TENANT, "announcement", ann.id) if o.recipient.key == reader.id)
    await service.on_read_receipt(personal_conversation(reader.id), out.activity_id)

    report = await service.report(ann.id)
    assert report.recipients == len(tacoma)
    assert report.sent == len(tacoma) - 2
    assert report.failed_by_reason == {"BadArgument": 1}
    assert report.unreachable_by_reason == {"ConversationBlockedByUser": 1}
    assert report.read == 1
    assert sum(v["recipients"] for v in report.by_office.values()) == len(tacoma)
    card = service.report_card(report)
    assert "Unreachable" in card_texts(card)


async def test_cancel_edit_only_before_sending(service, clock, engine, messenger):
    ann = await service.create(
        title="Later",
        audience=Audience(kind="department", values=("Finance",)),
        content=Content(body="b"),
        send_at=clock.now() + dt.timedelta(days=1),
    )
    edited = await service.edit(ann.id, title="Later (edited)")
    assert edited.title == "Later (edited)"
    cancelled = await service.cancel(ann.id)
    assert cancelled.status is AnnouncementStatus.CANCELLED
    clock.advance(dt.timedelta(days=2))
    assert await service.run_due() == []
    with pytest.raises(AnnouncementError, match="cancelled"):
        await service.cancel(ann.id)


async def test_correct_updates_in_place_and_recall_deletes(service, engine, messenger):
    ann = await service.create(
        title="Printer move",
        audience=Audience(kind="office", values=("Spokane Clinic",)),
        content=Content(body="Printers move on Friday.", buttons=(Button(title="Got it", verb="acknowledge"),)),
    )
    await service.run_due()
    await engine.drain()
    sent = len(messenger.sent)
    assert sent > 0
    job = await service.correct(
        ann.id, content=Content(body="Printers move on Monday.", correction="Corrected: Monday")
    )
    assert job.expected == sent
    assert messenger.updated == []  # the cards change in the background, not inside the request
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    assert len(messenger.updated) == sent
    assert all("Monday" in card_texts(m.card) for _, _, m in messenger.updated)
    assert (await service.job(job.id)).summary == {"done": sent, "superseded": 0, "not_done": 0, "reasons": {}}
    job = await service.recall(ann.id)
    assert job.expected == sent
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    assert len(messenger.deleted) == sent
    assert (await service.get(ann.id)).status is AnnouncementStatus.RECALLED
    assert {o.status for o in await engine.outcomes(TENANT, "announcement", ann.id)} == {DeliveryStatus.RECALLED}


async def test_reschedule_moves_pending_updates_delivered_and_sends_a_notice(service, engine, messenger, clock):
    await service.reconcile_plan()
    # Wave 3's T-14 and T-7 have gone; the lead postpones it on 2027-02-20 by a week.
    for when in (dt.datetime(2027, 2, 13, 9, 0, tzinfo=PACIFIC), dt.datetime(2027, 2, 20, 9, 0, tzinfo=PACIFIC)):
        clock.set(when)
        await service.run_due()
        await engine.drain()
    wave3_members = {s.conversation_id for s in messenger.sent if s.message.summary == "One week to go"}
    sent_before = len(messenger.sent)

    result = await service.reschedule_wave("wave-3", dt.date(2027, 3, 6), by="dana")
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()

    assert result.new.start == dt.datetime(2027, 3, 6, 7, 0, tzinfo=PACIFIC)
    assert set(result.moved) >= {"wave-3/tomorrow", "wave-3/cutover-start", "wave-3/day-one"}
    assert (await service.get("wave-3/tomorrow")).send_at == dt.datetime(2027, 3, 5, 15, 0, tzinfo=PACIFIC)
    # Both delivered cards of each member were updated in place with the new date.
    assert result.updated_cards == 2 * len(wave3_members)
    assert all("Saturday 6 March 2027" in card_texts(m.card) for _, _, m in messenger.updated)
    notices = messenger.sent[sent_before:]
    assert {s.conversation_id for s in notices} == wave3_members
    assert "Saturday 27 February 2027" in card_texts(notices[0].message.card)
    assert Counter(s.conversation_id for s in notices).most_common(1)[0][1] == 1
    # Doing it again sends no second notice.
    again = await service.reschedule_wave("wave-3", dt.date(2027, 3, 6), by="dana")
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()  # the job's last check, before the database closes
    assert again.moved == ()
    assert len(messenger.sent) == sent_before + len(notices)


async def test_two_services_starting_the_same_announcement_send_once(
    service, database, plan, directory, store, engine, clock, messenger
):
    from switchover.announcements import AnnouncementService

    other = AnnouncementService(database, plan, directory, store, engine, clock, tenant_id=TENANT)
    await service.reconcile_plan()
    clock.set(dt.datetime(2027, 1, 2, 9, 0, tzinfo=PACIFIC))
    import asyncio

    a, b = await asyncio.gather(service.run_due(), other.run_due())
    assert sorted(a + b) == ["wave-0/what-changes"]
    await engine.drain()
    assert set(messenger.per_conversation().values()) == {1}
    assert {o.status for o in await engine.outcomes(TENANT, "announcement", "wave-0/what-changes")} == {
        DeliveryStatus.SENT
    }


async def test_a_send_recalled_while_it_is_still_queueing_sends_nothing_more(service, engine, messenger, monkeypatch):
    monkeypatch.setattr("switchover.announcements.sending.CHUNK", 2)
    ann = await service.create(
        title="Printer move",
        audience=Audience(kind="office", values=("Spokane Clinic",)),
        content=Content(body="Printers move on Friday."),
    )
    render = service.cards.for_recipients
    chunks = 0

    async def recalled_during_the_second_chunk(announcement, recipients):
        nonlocal chunks
        chunks += 1
        if chunks == 2:
            await service.recall(ann.id)
        return await render(announcement, recipients)

    monkeypatch.setattr(service.cards, "for_recipients", recalled_during_the_second_chunk)
    await service.run_due()
    await engine.drain()
    await service.jobs.idle()
    assert chunks == 2  # the third chunk was never rendered
    assert messenger.sent == []
    outcomes = await engine.outcomes(TENANT, "announcement", ann.id)
    assert len(outcomes) == 4 and {o.status for o in outcomes} == {DeliveryStatus.CANCELLED}
    assert (await service.get(ann.id)).status is AnnouncementStatus.RECALLED
