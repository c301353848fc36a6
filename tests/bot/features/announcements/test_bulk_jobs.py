"""A lead's bulk operations over real HTTP: the lead is answered at once, the cards change (or go
out) afterwards through the delivery engine, each exactly once, a restart half-way loses and
repeats nothing, and the lead is told the outcome once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from scheduler.jobs import announcements_due
from tests.support.app import person

from .conftest import LEAD, people_where
from .test_e2e import compose_and_send, execute_data

LEAD_CHAT = person(LEAD).personal_conversation


async def installed(world, office: str, n: int):
    people = people_where(officeLocation=office)[:n]
    for p in people:
        await world.teams.install(p)
    return people


async def test_a_recall_answers_the_lead_before_any_card_is_removed_and_tells_them_how_it_ended(world):
    people = await installed(world, "Portland Clinic", 20)
    ann_id = await compose_and_send(world, "office Portland Clinic")
    await world.deliver()
    world.since = len(world.connector.received)
    refused = people[:2]
    for p in refused:
        world.connector.fail(403, "Forbidden", conversation_id=p.personal_conversation, ops=("delete",), times=5)

    worker = asyncio.create_task(world.engine.run_forever(poll=0.05))  # the app's delivery worker
    try:
        replies = await world.say(LEAD, f"recall {ann_id}")
        await world.connector.wait_for(lambda r: r.conversation_id == LEAD_CHAT and r.text.startswith("Recall of"))
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
        await world.engine.wait_in_flight()

    assert any("20 cards delivered are being removed" in r.text for r in replies), [r.text for r in replies]
    received = world.connector.received[world.since :]
    answer = next(i for i, r in enumerate(received) if r.op == "reply" and "Recalling" in r.text)
    removals = [i for i, r in enumerate(received) if r.op == "delete"]
    assert removals and answer < min(removals)
    removed = [k for k in world.connector.deleted if k[0] in {p.personal_conversation for p in people}]
    assert sorted(cid for cid, _ in removed) == sorted(p.personal_conversation for p in people[2:])
    for p in people[2:]:
        assert len(world.connector.to(p.personal_conversation, "delete")) == 1
    assert world.told_lead() == [
        "Recall of Parking finished: 18 cards removed, 2 could not be removed (HTTP 403 Forbidden: 2)."
    ]
    jobs = {job.kind.value: job for job in await world.service.recent_jobs()}
    assert set(jobs) == {"send", "recall"}
    assert (jobs["recall"].state.value, jobs["recall"].expected, jobs["recall"].done) == ("finished", 20, 20)


async def test_a_correction_stopped_half_way_by_a_restart_updates_every_card_exactly_once(world):
    people = await installed(world, "Portland Clinic", 30)
    ann_id = await compose_and_send(world, "office Portland Clinic")
    await world.deliver()
    world.since = len(world.connector.received)
    world.connector.latency = 0.01

    replies = await world.say(LEAD, f"correct {ann_id} : closed on Monday, not Friday")
    assert any("updating 30 cards delivered in place" in r.text for r in replies), [r.text for r in replies]
    assert not [r for r in world.connector.received[world.since :] if r.op == "update"]
    await world.service.jobs.idle()  # the changes are queued in the outbox
    task = asyncio.create_task(world.engine.drain(until_idle=False))
    await world.connector.wait_for(lambda r: r.op == "update", count=8)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await world.engine.wait_in_flight()
    half = len([r for r in world.connector.received[world.since :] if r.op == "update"])
    assert 8 <= half < 30

    await world.restart()  # a new process on the same database
    world.clock.advance(dt.timedelta(minutes=5))  # the dead worker's claims expire
    await announcements_due(world.services)  # the scheduler's wake-up takes the job over
    await world.deliver()

    for p in people:
        [update] = world.connector.to(p.personal_conversation, "update")
        assert "closed on Monday" in update.card_text()
    assert world.told_lead() == ["Correction of Parking finished: 30 cards updated."]
    await announcements_due(world.services)
    await world.deliver()
    assert len(world.told_lead()) == 1


async def test_send_answers_at_once_and_a_restart_while_queueing_sends_everyone_exactly_once(world, monkeypatch):
    monkeypatch.setattr("switchover.announcements.sending.CHUNK", 10)
    people = await installed(world, "Portland Clinic", 30)
    audience = len(people_where(officeLocation="Portland Clinic"))
    world.since = len(world.connector.received)
    replies = await world.say(LEAD, "announce office Portland Clinic : Parking | The car park is closed")
    ann_id = execute_data([r.card for r in replies if r.card][1], "announce_confirm")["announcement_id"]

    status, response = await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
    assert status == 200
    # Answered before the audience was even resolved: the answer names it, the job counts it.
    assert f"Sending {ann_id} to office: Portland Clinic now" in str(response), response
    assert world.sends() == {}  # answered before anything went out
    [job] = [j for j in await world.service.recent_jobs() if j.kind.value == "send"]
    assert job.expected in (0, audience)
    # Polls the database until the first chunk is queued ...
    queued: list = []
    for _ in range(10_000):
        queued = await world.engine.outcomes(world.service.tenant_id, "announcement", ann_id)
        if len(queued) >= 10:
            break
        await asyncio.sleep(0.001)
    await world.restart()  # ... and the process stops
    assert len(queued) < audience

    world.clock.advance(dt.timedelta(minutes=6))  # the dead process's claim on the Send expires
    await announcements_due(world.services)
    await world.deliver()
    sends = world.sends()
    assert set(sends) == {p.personal_conversation for p in people}
    assert set(sends.values()) == {1}
    unreachable = audience - len(people)
    assert world.told_lead() == [
        f"Sending of Parking finished: 30 delivered, {unreachable} could not be delivered "
        f"(NoConversation: {unreachable})."
    ]
    report = await world.service.report(ann_id)
    assert (report.recipients, report.sent) == (audience, 30)
