"""Calendar entries addressed to the plan's ``project_leads`` and ``sponsor`` are sent like the others: an
entry to the leads reaches exactly the leads, one to the sponsor exactly the sponsor, each person once, on
time, and a manual one when a lead sends it; the copies never count as the wave's own figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from switchover.announcements import AnnouncementService, AnnouncementStatus, Audience
from switchover.plan.diff import pending_sends
from switchover.plan.model import Audience as To
from switchover.readiness.service import ReadinessService
from switchover.status import StatusService
from tests.switchover.announcements.conftest import TENANT, personal_conversation

PACIFIC = dt.timezone(dt.timedelta(hours=-8))  # January: PST
TO = {
    "one-week": (To.WAVE_USERS, To.PROJECT_LEADS),
    "tomorrow": (To.SPONSOR,),
    "cutover-complete": (To.WAVE_USERS, To.PROJECT_LEADS, To.SPONSOR),  # manual: a lead sends it
}


@pytest.fixture
def addressed(plan):
    """Fabrikam's plan with three calendar entries addressed to the leads and the sponsor."""
    calendar = tuple(m.model_copy(update={"to": TO[m.key]}) if m.key in TO else m for m in plan.calendar)
    return plan.model_copy(update={"calendar": calendar})


@pytest.fixture
async def leads_service(database, addressed, directory, store, engine, clock):
    svc = AnnouncementService(database, addressed, directory, store, engine, clock, tenant_id=TENANT)
    yield svc
    await svc.jobs.idle()


async def people(plan, directory, keys) -> set[str]:
    """The 1:1 chats of the plan's people ``keys`` (found in the directory by UPN)."""
    found = {await directory.get(plan.person(k).upn) for k in keys}
    assert None not in found
    return {personal_conversation(u.id) for u in found}


async def reached(engine, messenger, ann_id: str) -> Counter[str]:
    """The chats one announcement's cards went to, with how many each."""
    activity_ids = {o.activity_id for o in await engine.outcomes(TENANT, "announcement", ann_id) if o.activity_id}
    return Counter(s.conversation_id for s in messenger.sent if s.activity_id in activity_ids)


async def test_entries_to_the_leads_and_the_sponsor_reach_exactly_them(
    leads_service, addressed, directory, engine, messenger, clock, database, store
):
    plan = addressed
    assert plan.project_leads and plan.sponsor not in plan.project_leads
    leads = await people(plan, directory, plan.project_leads)
    sponsor = await people(plan, directory, [plan.sponsor])
    await leads_service.reconcile_plan()
    made = {a.id: a for a in await leads_service.list() if a.wave_key == "wave-0"}
    assert made["wave-0/one-week@leadership"].audience == Audience(
        kind="users", values=tuple(plan.person(k).upn for k in plan.project_leads)
    )
    assert made["wave-0/tomorrow@leadership"].audience == Audience(
        kind="users", values=(plan.person(plan.sponsor).upn,)
    )
    assert "wave-0/tomorrow" not in made  # to the sponsor only: no copy for the wave
    assert made["wave-0/one-week@leadership"].send_at == made["wave-0/one-week"].send_at
    assert made["wave-0/cutover-complete@leadership"].status is AnnouncementStatus.MANUAL
    # `switchover plan diff` names the same sends as the calendar makes.
    assert {k for k in pending_sends(plan) if k.startswith("wave-0/")} == set(made)

    clock.set(dt.datetime(2027, 1, 9, 9, 0, tzinfo=PACIFIC))  # the pilot's one-week message
    assert "wave-0/one-week@leadership" in await leads_service.run_due()
    await engine.drain()
    assert await reached(engine, messenger, "wave-0/one-week@leadership") == Counter(dict.fromkeys(leads, 1))
    wave_copy = await reached(engine, messenger, "wave-0/one-week")
    assert wave_copy and not set(wave_copy) & leads  # the lead (a guest from the MSP) is in no wave
    # The wave's latest announcement on the status card is the wave's copy, not the leads' (sent at the same time).
    status = StatusService(database, clock, directory, store, leads_service, ReadinessService(plan, directory))
    figures = (await status.picture(TENANT)).wave("wave-0").announcement
    assert figures is not None and figures.id == "wave-0/one-week" and figures.recipients == sum(wave_copy.values())

    clock.set(dt.datetime(2027, 1, 15, 15, 0, tzinfo=PACIFIC))  # the day before the pilot's cutover
    assert await leads_service.run_due() == ["wave-0/tomorrow@leadership"]
    await engine.drain()
    assert await reached(engine, messenger, "wave-0/tomorrow@leadership") == Counter(dict.fromkeys(sponsor, 1))

    # A manual entry: its leadership copy goes when a lead sends it, to the leads and the sponsor, once each.
    clock.set(dt.datetime(2027, 1, 18, 9, 0, tzinfo=PACIFIC))
    await leads_service.send_now("wave-0/cutover-complete")
    await leads_service.run_due()
    await engine.drain()
    await leads_service.run_due()  # again: nothing twice
    await engine.drain()
    assert await reached(engine, messenger, "wave-0/cutover-complete@leadership") == Counter(
        dict.fromkeys(leads | sponsor, 1)
    )
    assert (await leads_service.get("wave-0/cutover-complete@leadership")).status is AnnouncementStatus.SENT
    assert (await leads_service.get("wave-1/cutover-complete@leadership")).status is AnnouncementStatus.MANUAL
