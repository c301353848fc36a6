"""The problem desk end to end over the real delivery engine and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import event

from switchover.messaging import DeliveryError, FailureKind
from switchover.plan.model import Impact, Priority, Urgency
from switchover.problems.model import Actor, EventKind, ProblemError, ReportDraft, ReportStatus
from tests.switchover.problems.conftest import (
    DESK_CONVERSATION,
    LA,
    actor,
    conversation_of,
    reporter,
    reporter_conversation,
)


def kinds(report) -> list[str]:
    return [e.kind.value for e in report.timeline]


def verbs(card: dict) -> set[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.add(node["verb"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


async def test_a_report_reaches_the_owner_and_the_reporter_gets_a_reference(desk):
    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    await desk.settle()
    assert (report.area, report.priority, report.status) == ("files", Priority.P2, ReportStatus.OPEN)
    assert report.ack_due_at == desk.clock.now() + dt.timedelta(minutes=30)
    [owner_card] = desk.messenger.to_person("luis.ortega")
    assert report.reference in owner_card.text and "my H drive files are missing" in owner_card.text
    assert {"problem_ack", "problem_assign", "problem_resolve", "problem_not_mine"} <= verbs(owner_card.message.card)
    # Filed at once; whom it reached once the owner's card is delivered, never before.
    filed, delivered = desk.messenger.to(reporter_conversation(1))
    assert f"Your report {report.reference} is filed" in filed.text and "Luis Ortega" not in filed.text
    assert f"{report.reference} is with Luis Ortega, to acknowledge by" in delivered.text
    stored = await desk.desk.get(report.tenant_id, report.id)
    assert kinds(stored)[:3] == ["created", "routed", "notified"]
    assert stored.reporter.wave == "wave-2" and stored.reporter.site == "Tacoma Clinic"


async def test_a_report_its_acknowledgement_and_resolution_are_committed_durably(desk, database):
    # What the reporter and the owner are told (the reference, "acknowledged", "resolved") is
    # synced to disk before they are told: on SQLite, synchronous=FULL for those commits.
    if not database.is_sqlite:
        pytest.skip("PostgreSQL commits are always durable")
    levels: list[tuple[str, str]] = []

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def spy(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT INTO PROBLEM_REPORTS", "UPDATE PROBLEM_REPORTS")):
            levels.append((statement.split()[0].upper(), conn.connection.info["synchronous"]))

    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    await desk.desk.acknowledge(report.tenant_id, report.id, actor("luis.ortega"))
    await desk.desk.resolve(report.tenant_id, report.id, actor("luis.ortega"), "restored from backup")
    event.remove(database.engine.sync_engine, "before_cursor_execute", spy)
    assert levels and all(level == "FULL" for _, level in levels), levels
    assert {kind for kind, _ in levels} == {"INSERT", "UPDATE"}


async def test_acknowledging_updates_the_card_in_place_informs_the_reporter_and_stops_escalation(desk):
    report = await desk.desk.submit(ReportDraft("Outlook won't open at all, I can't work", reporter(1)))
    await desk.settle()
    [card] = desk.messenger.to_person("priya.raman")
    await desk.desk.acknowledge(report.tenant_id, report.id, actor("priya.raman"))
    await desk.settle()
    assert any(u[1] == card.activity_id and "Acknowledged" in str(u[2].card) for u in desk.messenger.updated)
    assert "Priya Raman is on it." in desk.messenger.to(reporter_conversation(1))[-1].text
    desk.clock.advance(dt.timedelta(hours=3))
    assert await desk.desk.run_due() == 0
    await desk.settle()
    assert desk.messenger.to_person("tom.becker") == []


async def test_a_missed_deadline_escalates_to_the_backup_then_the_project_lead(desk):
    start = desk.clock.now()
    report = await desk.desk.submit(ReportDraft("Outlook won't open at all, I can't work", reporter(1)))
    await desk.settle()
    assert report.priority is Priority.P2
    desk.clock.set(start + dt.timedelta(minutes=29))
    assert await desk.desk.run_due() == 0
    desk.clock.set(start + dt.timedelta(minutes=30))
    assert await desk.desk.run_due() == 1
    await desk.settle()
    [backup_card] = desk.messenger.to_person("tom.becker")
    assert backup_card.at == start + dt.timedelta(minutes=30)
    assert "problem_ack" in verbs(backup_card.message.card)
    assert await desk.desk.run_due() == 0  # the step is taken once
    desk.clock.set(start + dt.timedelta(minutes=60))
    assert await desk.desk.run_due() == 1
    await desk.settle()
    [lead_card] = desk.messenger.to_person("dana.whitfield")
    assert lead_card.at == start + dt.timedelta(minutes=60)
    stored = await desk.desk.get(report.tenant_id, report.id)
    assert kinds(stored).count("escalated") == 2
    assert stored.next_due_at is None
    desk.clock.advance(dt.timedelta(days=2))
    assert await desk.desk.run_due() == 0


async def test_p1_tells_the_sponsor_at_once_and_escalates_at_15_and_30_minutes(desk):
    start = desk.clock.now()
    report = await desk.desk.submit(ReportDraft("the whole Tacoma clinic cannot print anything", reporter(1)))
    await desk.settle()
    assert (report.area, report.priority) == ("printing", Priority.P1)
    assert len(desk.messenger.to_person("robert.kim")) == 1
    assert verbs(desk.messenger.to_person("robert.kim")[0].message.card) == set()
    assert len(desk.messenger.to(DESK_CONVERSATION)) == 1  # owner is the Service Desk channel: a new thread
    desk.clock.set(start + dt.timedelta(minutes=15))
    assert await desk.desk.run_due() == 1
    await desk.settle()
    desk.clock.set(start + dt.timedelta(minutes=30))
    assert await desk.desk.run_due() == 1
    await desk.settle()
    assert [s.at - start for s in desk.messenger.to_person("tom.becker")] == [dt.timedelta(minutes=15)]
    assert [s.at - start for s in desk.messenger.to_person("dana.whitfield")] == [dt.timedelta(minutes=30)]


async def test_p3_escalates_after_four_business_hours_across_the_night(desk):
    desk.clock.set(dt.datetime(2027, 2, 17, 17, 0, tzinfo=LA))
    report = await desk.desk.submit(
        ReportDraft("OneDrive is slow to sync", reporter(1), impact=Impact.ME, urgency=Urgency.DEGRADED)
    )
    assert report.priority is Priority.P3
    assert report.ack_due_at == dt.datetime(2027, 2, 18, 9, 0, tzinfo=LA)
    desk.clock.set(dt.datetime(2027, 2, 18, 8, 59, tzinfo=LA))
    assert await desk.desk.run_due() == 0
    desk.clock.set(dt.datetime(2027, 2, 18, 9, 0, tzinfo=LA))
    assert await desk.desk.run_due() == 1


async def test_owner_delivery_failure_goes_to_the_backup(desk):
    desk.messenger.fail[conversation_of("luis.ortega")] = DeliveryError(
        FailureKind.GONE, status=403, code="ConversationBlockedByUser"
    )
    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    await desk.settle()
    assert desk.messenger.to_person("luis.ortega") == []
    [backup] = desk.messenger.to_person("tom.becker")
    assert report.reference in backup.text and "problem_ack" in verbs(backup.message.card)
    stored = await desk.desk.get(report.tenant_id, report.id)
    assert "delivery_failed" in kinds(stored)
    assert any(e.kind is EventKind.ROUTED and "Tom Becker" in (e.detail or "") for e in stored.timeline)


async def test_nobody_reachable_in_the_chain_still_lands_in_the_service_desk_channel(desk):
    for key in ("luis.ortega", "tom.becker", "dana.whitfield"):
        desk.messenger.fail[conversation_of(key)] = DeliveryError(FailureKind.GONE, status=404, code="NotFound")
    await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    await desk.settle()
    assert len(desk.messenger.to(DESK_CONVERSATION)) == 1


async def test_after_hours_p2_goes_to_a_person_and_p3_waits_for_the_desk_to_open(desk):
    desk.clock.set(dt.datetime(2027, 2, 17, 22, 0, tzinfo=LA))
    await desk.desk.submit(ReportDraft("the printer at the front desk won't print anything", reporter(1)))
    await desk.settle()
    assert desk.messenger.to(DESK_CONVERSATION) == []  # nobody watches the channel at night
    assert len(desk.messenger.to_person("tom.becker")) == 1
    quiet = await desk.desk.submit(
        ReportDraft("the copier asks for a code", reporter(2), impact=Impact.ME, urgency=Urgency.QUESTION)
    )
    await desk.settle()
    assert quiet.priority is Priority.P4
    assert desk.messenger.to(DESK_CONVERSATION) == []
    desk.clock.set(dt.datetime(2027, 2, 18, 7, 0, tzinfo=LA))
    await desk.settle()
    assert len(desk.messenger.to(DESK_CONVERSATION)) == 1


async def test_five_reports_in_one_area_and_wave_form_an_incident_whose_resolution_reaches_everyone(desk):
    texts = [
        "my H drive files are missing",
        "can't find my documents in OneDrive",
        "the S: drive is gone",
        "SharePoint says access denied on our department folder",
        "files from my old home drive are not in OneDrive",
    ]
    made = []
    for n, text in enumerate(texts, start=1):
        made.append(await desk.desk.submit(ReportDraft(text, reporter(n))))
        desk.clock.advance(dt.timedelta(minutes=5))
    await desk.settle()
    incident_id = (await desk.desk.get(made[0].tenant_id, made[-1].id)).incident_id
    assert incident_id is not None
    members = await desk.desk.incident_reports(made[0].tenant_id, incident_id)
    assert [m.id for m in members] == [m.id for m in made]
    lead_cards = desk.messenger.to_person("dana.whitfield")
    assert any(f"INC-{incident_id}" in s.text and all(m.reference in s.text for m in made) for s in lead_cards)
    # A sixth report joins the open incident and its reporter is told it is known.
    sixth = await desk.desk.submit(ReportDraft("OneDrive folder empty", reporter(6)))
    await desk.settle()
    assert (await desk.desk.get(sixth.tenant_id, sixth.id)).incident_id == incident_id
    assert "known major incident" in desk.messenger.to(reporter_conversation(6))[-1].text
    resolved = await desk.desk.resolve_incident(
        made[0].tenant_id, incident_id, actor("luis.ortega"), "Migration re-run"
    )
    await desk.settle()
    assert len(resolved) == 6 and all(r.status is ReportStatus.RESOLVED for r in resolved)
    for n in range(1, 7):
        last = desk.messenger.to(reporter_conversation(n))[-1]
        assert "resolved" in last.text and "Migration re-run" in last.text


async def test_a_report_like_an_open_one_is_linked_and_the_reporter_told(desk):
    first = await desk.desk.submit(ReportDraft("the label printer in operatory 3 prints blank labels", reporter(1)))
    second = await desk.desk.submit(ReportDraft("Label printer in operatory 3 prints blank labels!", reporter(2)))
    await desk.settle()
    assert second.duplicate_of == first.id
    assert f"already known as {first.reference}" in desk.messenger.to(reporter_conversation(2))[-1].text
    assert len(desk.messenger.to(DESK_CONVERSATION)) == 1  # the owner works one card
    await desk.desk.resolve(first.tenant_id, first.id, actor("kevin.obrien"), "New label roll")
    await desk.settle()
    assert (await desk.desk.get(second.tenant_id, second.id)).status is ReportStatus.RESOLVED
    assert "New label roll" in desk.messenger.to(reporter_conversation(2))[-1].text


async def test_resolve_informs_the_reporter_and_a_reporter_comment_reopens(desk):
    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    await desk.settle()
    await desk.desk.resolve(report.tenant_id, report.id, actor("luis.ortega"), "Restored from the migration copy")
    await desk.settle()
    last = desk.messenger.to(reporter_conversation(1))[-1]
    assert "resolved" in last.text and "Restored from the migration copy" in last.text
    assert verbs(desk.messenger.updated[-1][2].card) == {"problem_reopen"}  # a resolved card only reopens
    me = actor("luis.ortega")
    reporter_actor = type(me)(id=reporter(1).id, name="Reporter 1")
    reopened = await desk.desk.comment(report.tenant_id, report.id, reporter_actor, "still missing the Q3 folder")
    await desk.settle()
    assert reopened.status is ReportStatus.OPEN and reopened.cycle == 1
    assert len(desk.messenger.to_person("luis.ortega")) == 2  # a fresh card for the reopened report
    desk.clock.advance(dt.timedelta(minutes=30))
    assert await desk.desk.run_due() == 1  # the clock started again


async def test_not_mine_reroutes_and_retires_the_old_card(desk):
    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    await desk.settle()
    [old] = desk.messenger.to_person("luis.ortega")
    moved = await desk.desk.not_mine(report.tenant_id, report.id, actor("luis.ortega"), "devices")
    await desk.settle()
    assert moved.area == "devices"
    assert len(desk.messenger.to_person("jordan.lee")) == 1
    retired = [u for u in desk.messenger.updated if u[1] == old.activity_id]
    assert retired and verbs(retired[-1][2].card) == set()


async def test_assign_hands_over_and_tells_the_reporter(desk):
    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    await desk.settle()
    assigned = await desk.desk.assign(report.tenant_id, report.id, actor("luis.ortega"), "sara.novak")
    await desk.settle()
    assert assigned.assignee == "sara.novak" and assigned.status is ReportStatus.ACKNOWLEDGED
    assert len(desk.messenger.to_person("sara.novak")) == 1
    assert "Sara Novak" in desk.messenger.to(reporter_conversation(1))[-1].text
    with pytest.raises(ProblemError):
        await desk.desk.assign(report.tenant_id, report.id, actor("luis.ortega"), "nobody.at.all")


async def test_only_the_projects_people_act_on_reports(desk):
    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    stranger = type(actor("luis.ortega"))(id=reporter(2).id, name="Reporter 2")
    with pytest.raises(ProblemError):
        await desk.desk.acknowledge(report.tenant_id, report.id, stranger)
    with pytest.raises(ProblemError):
        await desk.desk.get("another-tenant", report.id)


async def test_the_reporter_says_it_is_fixed(desk):
    report = await desk.desk.submit(ReportDraft("my H drive files are missing", reporter(1)))
    reporter_actor = type(actor("luis.ortega"))(id=reporter(1).id, name="Reporter 1")
    fixed = await desk.desk.reporter_fixed(report.tenant_id, report.id, reporter_actor)
    assert fixed.status is ReportStatus.RESOLVED
    assert [r.reference for r in await desk.desk.mine(report.tenant_id, reporter(1).id)] == [report.reference]


async def test_submitting_the_same_draft_twice_files_one_report(desk):
    draft = ReportDraft("my H drive files are missing", reporter(1), submission_key="draft-1")
    a, b = await asyncio.gather(desk.desk.submit(draft), desk.desk.submit(draft))
    assert a.id == b.id
    assert len(await desk.desk.list(a.tenant_id)) == 1


async def test_a_restart_loses_no_timer(make_desk, clock):
    first = make_desk()
    start = clock.now()
    report = await first.desk.submit(ReportDraft("Outlook won't open at all, I can't work", reporter(1)))
    await first.settle()
    # The process stops; a new one builds its desk from the same database.
    second = make_desk()
    clock.set(start + dt.timedelta(minutes=31))
    assert await second.desk.run_due() == 1
    await second.settle()
    assert len(second.messenger.to_person("tom.becker")) == 1
    stored = await second.desk.get(report.tenant_id, report.id)
    assert stored.escalation_level == 1


async def test_two_instances_never_escalate_twice(make_desk, clock):
    a, b = make_desk(), make_desk()
    start = clock.now()
    await a.desk.submit(ReportDraft("Outlook won't open at all, I can't work", reporter(1)))
    clock.set(start + dt.timedelta(minutes=30))
    done = await asyncio.gather(a.desk.run_due(), b.desk.run_due())
    assert sum(done) == 1
    await a.settle()
    assert len(a.messenger.to_person("tom.becker")) == 1


async def test_list_filters_and_csv_export(desk):
    await desk.desk.submit(ReportDraft('=HYPERLINK("x") my H drive files are missing', reporter(1)))
    await desk.desk.submit(ReportDraft("I'm locked out of my account", reporter(2, wave="wave-3", site="Spokane")))
    tenant = reporter(1).tenant_id
    assert [r.area for r in await desk.desk.list(tenant, area="signin")] == ["signin"]
    assert len(await desk.desk.list(tenant, wave="wave-3")) == 1
    assert await desk.desk.list(tenant, since=desk.clock.now() + dt.timedelta(minutes=1)) == []
    text = await desk.desk.export_csv(tenant)
    lines = text.strip().splitlines()
    assert lines[0].startswith("reference,created_at,status")
    assert len(lines) == 3
    assert "'=HYPERLINK" in text  # a formula is neutralised


async def test_only_the_areas_people_resolve_its_major_incident(desk):
    texts = [
        "my H drive files are missing",
        "can't find my documents in OneDrive",
        "the S: drive is gone",
        "SharePoint says access denied on our department folder",
        "files from my old home drive are not in OneDrive",
    ]
    made = [await desk.desk.submit(ReportDraft(text, reporter(n))) for n, text in enumerate(texts, start=1)]
    await desk.settle()
    incident_id = (await desk.desk.get(made[0].tenant_id, made[-1].id)).incident_id
    assert incident_id is not None
    champion = Actor(id="5ef37a9d-0ebf-411a-8621-f0495d90a8d7", name="Grace Okafor", person_key="grace.okafor")
    for someone in (champion, actor("ana.silva"), actor("robert.kim")):  # a champion, another area, the sponsor
        with pytest.raises(ProblemError, match=f"no incident INC-{incident_id} that you work on"):
            await desk.desk.resolve_incident(made[0].tenant_id, incident_id, someone, "closed")
    with pytest.raises(ProblemError, match="no incident INC-999 that you work on"):
        await desk.desk.resolve_incident(made[0].tenant_id, 999, actor("luis.ortega"), "closed")
    assert [(await desk.desk.get(r.tenant_id, r.id)).is_open for r in made] == [True] * 5
    resolved = await desk.desk.resolve_incident(made[0].tenant_id, incident_id, actor("kevin.obrien"), "Re-run")
    assert len(resolved) == 5
