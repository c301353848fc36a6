"""A lead's bulk operations in the domain: a Send answers before its audience is resolved, and a long
job tells the lead how far it has got a few times on the way, then how it ended, once each."""

from __future__ import annotations

import datetime as dt

from switchover.announcements import Audience, Content
from switchover.announcements.jobs import JOB_PURPOSE, Lead
from switchover.delivery import DeliveryStatus

from .conftest import TENANT, personal_conversation

CLINICAL = Audience(kind="department", values=("Clinical Operations",))


async def lead_of(directory) -> Lead:
    user = next(u for u in await directory.all_users() if u.department == "Information Technology" and u.enabled)
    return Lead(key=user.id, name=user.display_name, upn=user.upn)


def told(messenger, lead: Lead) -> list[str]:
    return [s.message.text for s in messenger.to(personal_conversation(lead.key or "")) if s.message.text]


async def send_now(service, lead: Lead, title: str = "Parking"):
    ann = await service.create(title=title, audience=CLINICAL, content=Content(body="The car park is closed."))
    return await service.start_if_due(ann.id, lead=lead)


async def test_a_send_answers_before_its_audience_is_resolved_and_the_job_counts_it(
    service, engine, messenger, directory, monkeypatch
):
    resolved: list[Audience] = []
    resolve = service.sending.resolve

    async def counting(audience):
        resolved.append(audience)
        return await resolve(audience)

    monkeypatch.setattr(service.sending, "resolve", counting)
    lead = await lead_of(directory)
    ann, job = await send_now(service, lead)
    assert job is not None and job.expected == 0
    assert resolved == [] and await engine.outcomes(TENANT, "announcement", ann.id) == []
    await service.jobs.idle()  # the background step resolves, renders and queues
    audience = len(await engine.outcomes(TENANT, "announcement", ann.id))
    assert resolved == [CLINICAL] and audience >= 100
    assert (await service.job(job.id)).expected == audience
    await engine.drain()
    await service.jobs.idle()
    await engine.drain()
    [finished] = told(messenger, lead)
    assert finished == f"Sending of Parking finished: {audience:,} delivered."


async def test_a_long_send_reports_its_progress_a_few_times_then_how_it_ended(
    service, engine, messenger, clock, directory
):
    service.jobs.progress_min = 100
    lead = await lead_of(directory)
    ann, job = await send_now(service, lead)
    await service.jobs.idle()
    expected = (await service.job(job.id)).expected
    assert expected >= 100
    # A tenth of the cards every 30 seconds: the job takes five minutes.
    for _ in range(30):
        if await engine.run_once(max_items=expected // 10 + 1) == 0:
            break
        clock.advance(dt.timedelta(seconds=30))
        await service.jobs.run_due()  # the scheduler's wake-up (outcomes also check the job)
        await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    await engine.drain()
    messages = told(messenger, lead)
    progress = [m for m in messages if "under way" in m]
    assert 1 <= len(progress) <= 3, messages
    percents = [int(m.split("(")[1].split("%")[0]) for m in progress]
    assert percents == sorted(percents)  # each went ahead of the cards still queued, so in order
    # One report per quarter passed (25%, 50%, 75%), never at the very end.
    assert len({min(p // 25, 3) for p in percents}) == len(percents) and 25 <= percents[0] and percents[-1] < 100
    assert all(f"of {expected:,} done" in m for m in progress)
    [finished] = [m for m in messages if "under way" not in m]
    assert finished.startswith("Sending of Parking finished:") and len(messages) == len(progress) + 1
    # Another wake-up, as after a restart, tells the lead nothing more.
    await service.jobs.run_due()
    await engine.drain()
    assert told(messenger, lead) == messages
    lead_rows = await engine.outcomes(TENANT, JOB_PURPOSE, job.id)
    assert {o.status for o in lead_rows} == {DeliveryStatus.SENT}
    # Each progress report reached the lead while cards of the job were still to go.
    cards = sorted(s.at for s in messenger.sent if s.conversation_id != personal_conversation(lead.key or ""))
    reports = [s.at for s in messenger.to(personal_conversation(lead.key or "")) if "under way" in s.message.text]
    assert all(at < cards[-1] for at in reports)


async def test_a_job_done_within_a_minute_only_reports_how_it_ended(service, engine, messenger, directory):
    service.jobs.progress_min = 100
    lead = await lead_of(directory)
    await send_now(service, lead)
    await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    await engine.drain()
    [only] = told(messenger, lead)
    assert only.startswith("Sending of Parking finished:")


async def test_a_small_job_reports_no_progress_however_slow(service, engine, messenger, clock, directory):
    lead = await lead_of(directory)  # below the default size for progress reports (500)
    _, job = await send_now(service, lead)
    await service.jobs.idle()
    for _ in range(30):
        if await engine.run_once(max_items=15) == 0:
            break
        clock.advance(dt.timedelta(seconds=60))
        await service.jobs.run_due()
        await service.jobs.idle()
    await engine.drain()
    await service.jobs.idle()
    await engine.drain()
    [only] = told(messenger, lead)
    assert only.startswith("Sending of Parking finished:")
