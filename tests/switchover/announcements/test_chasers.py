"""Chasers with an injected clock: reminders at the plan's offsets to exactly those who have not
acknowledged, never after acknowledgement, cutover start or a lead's cancel; champions' lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from switchover.announcements import AnnouncementService
from switchover.announcements.chasers import LIST_PURPOSE, REMINDER_NOTICE, REMINDER_PURPOSE, ChaserKind
from switchover.delivery import DeliveryStatus
from switchover.membership import wave_members
from switchover.plan.model import Duration, Plan

from .conftest import TENANT, personal_conversation

PACIFIC = dt.timezone(dt.timedelta(hours=-8))  # January and February: PST
DAY = dt.timedelta(days=1)
# Wave 2's T-14 "what changes" (cutover Saturday 13 February 2027, 07:00).
W2_SENT = dt.datetime(2027, 1, 30, 9, 0, tzinfo=PACIFIC)
ANN = "wave-2/what-changes"


def with_reminders(plan: Plan, *days: int) -> Plan:
    """The Fabrikam plan with ``remind`` on "what changes" (calendar days after it goes)."""
    calendar = tuple(
        m.model_copy(update={"remind": tuple(Duration(minutes=d * 24 * 60) for d in days)})
        if m.key == "what-changes"
        else m
        for m in plan.calendar
    )
    return plan.model_copy(update={"calendar": calendar})


@pytest.fixture
def remind_days() -> tuple[int, ...]:
    return (2, 4)


@pytest.fixture
async def service(database, plan, directory, store, engine, clock, remind_days) -> AsyncIterator[AnnouncementService]:
    svc = AnnouncementService(
        database, with_reminders(plan, *remind_days), directory, store, engine, clock, tenant_id=TENANT
    )
    yield svc
    await svc.jobs.idle()


async def sent_wave_2(service, engine, clock) -> None:
    await service.reconcile_plan()
    clock.set(W2_SENT)
    assert ANN in await service.run_due()
    await engine.drain()


def reminded(messenger) -> set[str]:
    """The conversations a reminder went to (since the messenger was last cleared)."""
    return {s.conversation_id for s in messenger.sent if s.message.summary.startswith("Reminder: ")}


def card_texts(card) -> list[str]:
    return [b["text"] for b in card["body"] if b.get("type") == "TextBlock"]


async def test_reminders_go_at_the_offsets_to_exactly_those_who_have_not_acknowledged(
    service, engine, messenger, clock, plan, directory
):
    await sent_wave_2(service, engine, clock)
    members = await wave_members(plan, directory, "wave-2")
    acked = members[:3]
    for user in acked:
        await service.acknowledge(ANN, user.id, "acknowledge")
    messenger.sent.clear()

    clock.set(W2_SENT + 2 * DAY - dt.timedelta(minutes=1))
    assert await service.chasers_due() == 0
    clock.set(W2_SENT + 2 * DAY)
    assert await service.chasers_due() == 1
    await engine.drain()
    expected = {personal_conversation(u.id) for u in members[3:]}
    assert reminded(messenger) == expected
    assert len(messenger.sent) == len(expected)  # once each
    # The reminder is the announcement's own card, with a reminder line, and acknowledges it.
    first = messenger.sent[0].message.card
    assert REMINDER_NOTICE in messenger.sent[0].text
    assert "acknowledge" in [a.get("verb") for a in first["actions"]]
    assert first["actions"][-1]["data"]["announcement_id"] == ANN

    # Someone acknowledges from the reminder: the second reminder leaves them out too.
    late = members[3]
    await service.acknowledge(ANN, late.id, "acknowledge")
    messenger.sent.clear()
    assert await service.chasers_due() == 0  # nothing twice
    clock.set(W2_SENT + 4 * DAY)
    assert await service.chasers_due() == 1
    await engine.drain()
    assert reminded(messenger) == {personal_conversation(u.id) for u in members[4:]}
    assert len(messenger.sent) == len(members) - 4

    steps = await service.chaser_steps(ANN)
    assert [(s.step, s.kind, s.state.value, s.people) for s in steps] == [
        (1, ChaserKind.REMINDER, "done", len(members) - 3),
        (2, ChaserKind.REMINDER, "done", len(members) - 4),
        (3, ChaserKind.LIST, "pending", None),
    ]
    assert steps[0].deliveries == {"sent": len(members) - 3}
    assert steps[2].due_at == W2_SENT + 5 * DAY


async def test_after_the_last_reminder_each_site_champion_gets_their_people(
    service, engine, messenger, clock, plan, directory
):
    await sent_wave_2(service, engine, clock)
    members = await wave_members(plan, directory, "wave-2")
    acked = {u.id for u in members if u.office == "Seattle HQ"}
    for user_id in sorted(acked)[:-1]:  # all of Seattle HQ but one
        await service.acknowledge(ANN, user_id, "acknowledge")
    clock.set(W2_SENT + 4 * DAY)
    await service.chasers_due()
    await engine.drain()
    messenger.sent.clear()

    clock.set(W2_SENT + 5 * DAY)
    assert await service.chasers_due() == 1
    await engine.drain()
    lists = [s for s in messenger.sent if s.message.summary.startswith("Not yet acknowledged")]
    assert lists and len(lists) == len(messenger.sent)
    by_person: dict[str, list[str]] = {}
    for sent in lists:
        texts = card_texts(sent.message.card)
        by_person.setdefault(sent.conversation_id, []).extend(texts)

    users = {u.upn: u for u in await directory.all_users()}

    def names_for(upn: str) -> set[str]:
        texts = by_person[personal_conversation(users[upn].id)]
        return {u.display_name for u in members if any(t.startswith(f"{u.display_name} (") for t in texts)}

    tacoma = {u.display_name for u in members if u.office == "Tacoma Clinic"}
    assert len(tacoma) == 46
    assert names_for("grace.okafor@fabrikamhealth.com") == tacoma
    # 46 people: two cards, 40 and 6, each saying which page it is.
    grace = [
        s for s in lists if s.conversation_id == personal_conversation(users["grace.okafor@fabrikamhealth.com"].id)
    ]
    assert [card_texts(s.message.card)[2] for s in grace] == ["List 1 of 2", "List 2 of 2"]  # in that order
    assert "46 people at Tacoma Clinic have not acknowledged" in card_texts(grace[0].message.card)[1]
    seattle_left = {u.display_name for u in members if u.office == "Seattle HQ" and u.id == sorted(acked)[-1]}
    assert names_for("nadia.hassan@fabrikamhealth.com") == seattle_left
    assert names_for("elena.morales@fabrikamhealth.com") == {
        u.display_name for u in members if u.office == "Portland Clinic"
    }
    # Spokane's champions have nobody in wave 2, so they get nothing.
    assert personal_conversation(users["hiro.tanaka@fabrikamhealth.com"].id) not in by_person
    # Nobody is listed twice to the same champion; a second run sends nothing more.
    assert await service.chasers_due() == 0
    steps = await service.chaser_steps(ANN)
    assert steps[-1].kind is ChaserKind.LIST and steps[-1].people == len(members) - (len(acked) - 1)


async def test_people_with_no_champion_for_their_site_go_to_the_leads(
    service, engine, messenger, clock, plan, directory, database, store, remind_days
):
    await service.reconcile_plan()
    clock.set(dt.datetime(2027, 1, 16, 9, 0, tzinfo=PACIFIC))  # wave 1's T-14
    assert "wave-1/what-changes" in await service.run_due()
    await engine.drain()
    members = await wave_members(plan, directory, "wave-1")
    boise = [u for u in members if u.office == "Remote - Boise"]
    assert len(boise) == 1
    for user in members:
        if user is not boise[0]:
            await service.acknowledge("wave-1/what-changes", user.id, "acknowledge")
    clock.set(dt.datetime(2027, 1, 21, 9, 0, tzinfo=PACIFIC))
    messenger.sent.clear()
    await service.chasers_due()
    await engine.drain()
    lists = [s for s in messenger.sent if s.message.summary.startswith("Not yet acknowledged")]
    dana = await directory.get(plan.person("dana.whitfield").upn)
    assert [s.conversation_id for s in lists] == [personal_conversation(dana.id)]
    texts = lists[0].text
    assert boise[0].display_name in texts and "with no champion for their site" in texts


@pytest.mark.parametrize("remind_days", [(2, 20)])
async def test_no_reminder_after_the_wave_cutover_starts(service, engine, messenger, clock, remind_days):
    await sent_wave_2(service, engine, clock)
    clock.set(W2_SENT + 2 * DAY)
    await service.chasers_due()
    await engine.drain()
    assert reminded(messenger)
    messenger.sent.clear()
    clock.set(W2_SENT + 20 * DAY)  # after Saturday 13 February 07:00
    await service.chasers_due()
    await engine.drain()
    assert messenger.sent == []
    steps = await service.chaser_steps(ANN)
    assert [(s.state.value, s.outcome) for s in steps[1:]] == [("stopped", "cutover_started")] * 2


async def test_a_lead_cancels_the_chasers_and_nothing_more_goes(service, engine, messenger, clock):
    await sent_wave_2(service, engine, clock)
    clock.set(W2_SENT + 2 * DAY)
    await service.chasers_due()
    # Queued, not sent yet: the cancel takes those back too.
    assert await service.cancel_chasers(ANN) == 2
    messenger.sent.clear()
    await engine.drain()
    assert messenger.sent == []
    outcomes = await engine.outcomes(TENANT, REMINDER_PURPOSE, ANN)
    assert outcomes and {o.status for o in outcomes} == {DeliveryStatus.CANCELLED}
    for day in (4, 5, 6):
        clock.set(W2_SENT + day * DAY)
        assert await service.chasers_due() == 0
    await engine.drain()
    assert messenger.sent == []
    assert await engine.outcomes(TENANT, LIST_PURPOSE, ANN) == []
    # The first step had queued its reminders (all taken back); the later ones never ran.
    assert [s.outcome for s in await service.chaser_steps(ANN)] == ["sent", "cancelled", "cancelled"]


async def test_acknowledging_takes_back_a_reminder_still_queued(service, engine, messenger, clock, plan, directory):
    await sent_wave_2(service, engine, clock)
    members = await wave_members(plan, directory, "wave-2")
    clock.set(W2_SENT + 2 * DAY)
    await service.chasers_due()  # queued for everyone, not sent yet
    await service.acknowledge(ANN, members[0].id, "acknowledge")
    messenger.sent.clear()
    await engine.drain()
    assert personal_conversation(members[0].id) not in reminded(messenger)
    assert len(reminded(messenger)) == len(members) - 1


async def test_two_instances_working_the_same_step_remind_each_person_once(
    service, engine, messenger, clock, plan, directory, database, store
):
    other = AnnouncementService(database, service.current, directory, store, engine, clock, tenant_id=TENANT)
    await sent_wave_2(service, engine, clock)
    messenger.sent.clear()
    clock.set(W2_SENT + 2 * DAY)
    worked = [await service.chasers_due(), await other.chasers_due()]
    assert sorted(worked) == [0, 1]
    # A step whose claim ran out (its instance died after queueing) is worked again: still once each.
    from switchover.announcements.tables import chasers

    async with database.begin() as c:
        await c.execute(chasers.update().where(chasers.c.step == 1).values(state="claimed", claimed_until=clock.now()))
    clock.advance(dt.timedelta(minutes=1))
    assert await other.chasers_due() == 1
    await engine.drain()
    members = await wave_members(plan, directory, "wave-2")
    assert len(messenger.sent) == len(members)
    assert set(messenger.per_conversation().values()) == {1}


async def test_an_announcement_without_remind_has_no_chasers(service, engine, clock):
    await service.reconcile_plan()
    clock.set(dt.datetime(2027, 2, 6, 9, 0, tzinfo=PACIFIC))  # wave 2's one-week, no remind
    assert "wave-2/one-week" in await service.run_due()
    assert await service.chaser_steps("wave-2/one-week") == []


async def test_an_important_announcement_nudges_each_person_in_the_activity_feed_once(
    database, plan, directory, store, engine, clock
):
    from switchover.directory.activity import ActivityFeed
    from switchover.directory.graph_client import build_graph_client, close_graph_client
    from tests.support.fake_graph import FakeGraph, StaticTokenCredential

    important = plan.model_copy(
        update={
            "calendar": tuple(
                m.model_copy(update={"important": True}) if m.key == "what-changes" else m for m in plan.calendar
            )
        }
    )
    async with FakeGraph() as graph:
        # No retries inside the SDK: a 429 comes back to the chaser, which waits out Retry-After itself.
        client = build_graph_client(StaticTokenCredential(), base_url=graph.base_url, max_retries=0)
        feed = ActivityFeed(client, "1542629c-01b3-4a6d-8f76-1938b779e48d")
        svc = AnnouncementService(
            database, important, directory, store, engine, clock, tenant_id=TENANT, activity=feed, app_id="bot-app-id"
        )
        members = await wave_members(plan, directory, "wave-2")
        throttled = members[1]
        graph.data.installed.update(u.id for u in members[1:])  # members[0] has not got the app
        graph.fail(f"/users/{throttled.id}/teamwork/sendActivityNotification", 429, retry_after=30, method="POST")
        await sent_wave_2(svc, engine, clock)
        assert (await svc.get(ANN)).content.nudge
        assert await svc.chasers_due() == len(members)
        nudged = [user for user, _ in graph.data.activity_notifications]
        assert sorted(nudged) == sorted(u.id for u in members[2:])
        body = graph.data.activity_notifications[0][1]
        assert body["topic"]["webUrl"] == "https://teams.microsoft.com/l/chat/0/0?users=28:bot-app-id"
        assert body["templateParameters"] == [{"name": "title", "value": "Your move to Microsoft 365"}]

        clock.advance(dt.timedelta(seconds=29))
        assert await svc.chasers_due() == 0  # Retry-After not over yet
        clock.advance(dt.timedelta(seconds=1))
        assert await svc.chasers_due() == 1
        nudged = [user for user, _ in graph.data.activity_notifications]
        assert sorted(nudged) == sorted(u.id for u in members[1:])  # each once
        clock.advance(dt.timedelta(days=1))
        assert await svc.chasers_due() == 0

        [nudges] = [s for s in await svc.chaser_steps(ANN) if s.kind is ChaserKind.NUDGE]
        assert nudges.people == len(members) - 1
        assert nudges.deliveries == {"sent": len(members) - 1, "forbidden": 1}
        await svc.jobs.idle()
        await close_graph_client(client)


@pytest.mark.parametrize("remind_days", [(2,)])
async def test_with_managers_configured_each_manager_from_graph_gets_their_people(
    database, plan, store, engine, messenger, clock, remind_days
):
    from switchover.directory.graph import GraphDirectory
    from switchover.directory.graph_client import build_graph_client, close_graph_client
    from tests.support.fake_graph import FakeGraph, StaticTokenCredential

    async with FakeGraph() as graph:
        # A sync reads every user and their readiness: give a loaded CI machine the production timeout.
        client = build_graph_client(StaticTokenCredential(), base_url=graph.base_url)
        directory = GraphDirectory(client, clock=clock, tenant_id=TENANT)
        try:
            assert await directory.sync(), "the fake Graph did not answer the sync"
            members = await wave_members(plan, directory, "wave-2")
            tacoma = [u for u in members if u.office == "Tacoma Clinic"]
            boss = next(u for u in await directory.all_users() if u.upn == "omar.reyes@fabrikamhealth.com")
            for user in tacoma[:10]:
                graph.data.managers[user.id] = boss.id
            assert await directory.sync(), "the fake Graph did not answer the sync"
            svc = AnnouncementService(
                database,
                with_reminders(plan, *remind_days),
                directory,
                store,
                engine,
                clock,
                tenant_id=TENANT,
                escalate_to="managers",
            )
            await sent_wave_2(svc, engine, clock)
            messenger.sent.clear()
            clock.set(W2_SENT + 3 * DAY)
            await svc.chasers_due()
            await engine.drain()
            lists: dict[str, str] = {}
            for sent in messenger.sent:
                if sent.message.summary.startswith("Not yet acknowledged"):
                    lists[sent.conversation_id] = lists.get(sent.conversation_id, "") + sent.text
            to_boss = lists.pop(personal_conversation(boss.id))
            assert "10 people who report to you" in to_boss
            assert all(u.display_name in to_boss for u in tacoma[:10])
            # The other 36 at Tacoma Clinic have no manager in Graph: their site's champion has them.
            grace = lists[personal_conversation(graph.data.upn_id("grace.okafor@fabrikamhealth.com"))]
            assert "36 people at Tacoma Clinic" in grace
            assert not any(u.display_name in grace for u in tacoma[:10])
            await svc.jobs.idle()
        finally:
            await directory.aclose()
            await close_graph_client(client)


async def test_a_recall_removes_the_reminders_too_and_stops_what_is_left(
    service, engine, messenger, clock, plan, directory
):
    await sent_wave_2(service, engine, clock)
    members = await wave_members(plan, directory, "wave-2")
    clock.set(W2_SENT + 2 * DAY)
    await service.chasers_due()
    await engine.drain()
    job = await service.recall(ANN)
    assert job.expected == 2 * len(members)  # each person's card and their reminder
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    assert len(messenger.deleted) == 2 * len(members)
    messenger.sent.clear()
    clock.set(W2_SENT + 5 * DAY)
    await service.chasers_due()
    await engine.drain()
    assert messenger.sent == []
    assert [s.outcome for s in await service.chaser_steps(ANN)] == ["sent", "recalled", "recalled"]


async def test_only_the_wave_peoples_copy_is_chased(database, plan, directory, store, engine, clock):
    from switchover.plan.model import Audience as PlanAudience

    calendar = tuple(
        m.model_copy(
            update={
                "remind": (Duration(minutes=2 * 24 * 60),),
                "important": True,
                "to": (PlanAudience.WAVE_USERS, PlanAudience.SERVICE_DESK, PlanAudience.PROJECT_LEADS),
            }
        )
        if m.key == "what-changes"
        else m
        for m in plan.calendar
    )
    svc = AnnouncementService(
        database, plan.model_copy(update={"calendar": calendar}), directory, store, engine, clock, tenant_id=TENANT
    )
    await svc.reconcile_plan()
    copies = {a.id: a.content for a in await svc.list() if a.id.startswith(ANN)}
    assert set(copies) == {ANN, f"{ANN}@service-desk", f"{ANN}@leadership"}
    assert copies[ANN].remind_minutes == (2 * 24 * 60,) and copies[ANN].nudge
    for other in (f"{ANN}@service-desk", f"{ANN}@leadership"):
        assert copies[other].remind_minutes == () and not copies[other].nudge
