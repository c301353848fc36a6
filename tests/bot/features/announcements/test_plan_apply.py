"""``switchover plan apply`` and ``POST /api/plan`` on real edits of the Fabrikam plan: each is seen by
the running app without a restart (over /api/messages where people see it); broken plans change nothing
and say where they are wrong."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from scheduler.jobs import announcements_due
from switchover.announcements import AnnouncementStatus
from switchover.plan.reader import PlanError
from switchover.plan_apply import apply_plan_text
from switchover.storage import Database
from tests.support.app import FABRIKAM, REPO, RunningApp, TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector

from .conftest import LEAD, people_where

PACIFIC = dt.timezone(dt.timedelta(hours=-8))
TOKEN = "plan-apply-token"
PLAN = (FABRIKAM / "plan.yaml").read_text(encoding="utf-8")


def edited(old: str, new: str, text: str = PLAN) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def texts(replies) -> list[str]:
    return [r.card_text() if r.card else r.text for r in replies]


@pytest.fixture
async def app(
    tmp_path: Path, clock, identity, connector: LoopbackConnector
) -> AsyncIterator[tuple[RunningApp, TeamsClient]]:
    clock.set(dt.datetime(2027, 1, 4, 9, 0, tzinfo=PACIFIC))
    settings = make_settings(tmp_path, identity=identity, api_token=TOKEN)
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            await teams.install(person(LEAD))
            yield running, teams
    finally:
        await runner.cleanup()


async def apply(running: RunningApp, text: str, name: str = "edited.yaml"):
    """What ``switchover plan apply`` does, beside the running app, on its database."""
    db = Database(running.settings.async_database_url)
    try:
        return await apply_plan_text(db, text, name=name, by="dana.whitfield", clock=running.clock)
    finally:
        await db.dispose()


def seen_later(running: RunningApp) -> None:
    """Let the running app's version check come round (it reads the version every few seconds)."""
    running.clock.advance(dt.timedelta(seconds=6))


async def test_moving_an_office_to_another_wave_changes_its_peoples_answers(app):
    running, teams = app
    moved_by_the_plan = {"omar.reyes@fabrikamhealth.com", "elena.morales@fabrikamhealth.com"}  # exception, champion
    portland = next(p for p in people_where(officeLocation="Portland Clinic") if p.upn not in moved_by_the_plan)
    await teams.install(portland)
    assert any("27 February 2027" in t for t in texts(await teams.say(portland, "when is my migration?")))
    text = edited("      - offices: [Spokane Clinic, Portland Clinic]\n", "      - offices: [Spokane Clinic]\n")
    text = edited("      - offices: [Tacoma Clinic]\n", "      - offices: [Tacoma Clinic, Portland Clinic]\n", text)
    result = await apply(running, text)
    assert result.applied.revision is not None and "wave wave-2 changed" in result.applied.changes
    seen_later(running)
    after = texts(await teams.say(portland, "when is my migration?"))
    assert any("13 February 2027" in t for t in after) and not any("27 February" in t for t in after), after


async def test_an_owner_changed_is_who_the_desk_routes_to(app):
    running, _ = app
    assert running.services.problems.plan.area("email").owner.person == "priya.raman"
    text = edited(
        "    owner: priya.raman\n    backup: tom.becker\n", "    owner: tom.becker\n    backup: priya.raman\n"
    )
    result = await apply(running, text)
    assert "area email changed" in result.applied.changes
    seen_later(running)
    await running.services.problems.run_due()  # the desk's own wake-up reads the plan again
    desk = running.services.problems
    assert desk.plan.area("email").owner.person == "tom.becker"
    assert desk.chain.plan.area("email").owner.person == "tom.becker"
    assert desk.escalation.plan is desk.plan


async def test_a_calendar_entry_added_is_scheduled_and_sent(app):
    running, teams = app
    [member] = people_where(department="Information Technology")[:1]
    await teams.install(member)
    text = edited(
        "calendar:\n",
        "calendar:\n"
        "  - key: two-days\n"
        "    title: Two days to go\n"
        '    timing: {days: -2, at: "10:00"}\n'
        "    to: [wave_users]\n"
        "    summary: Two days until your move; keep your laptop on the charger on Friday night.\n",
    )
    result = await apply(running, text)
    assert result.calendar is not None and "wave-0/two-days" in result.calendar.added
    await running.services.tenant.settle()  # the tenant people talk from (the plan names none)
    scheduled = await running.services.announcements.get("wave-0/two-days")
    assert scheduled.status is AnnouncementStatus.SCHEDULED
    assert scheduled.send_at == dt.datetime(2027, 1, 14, 10, 0, tzinfo=PACIFIC)
    since = len(teams.connector.received)
    running.clock.set(dt.datetime(2027, 1, 14, 10, 0, tzinfo=PACIFIC))
    assert "wave-0/two-days" in await announcements_due(running.services)
    await running.services.delivery.drain()
    cards = [
        r for r in teams.connector.received[since:] if r.conversation_id == member.personal_conversation and r.card
    ]
    assert cards and "keep your laptop on the charger" in cards[0].card_text()


async def test_a_faq_answer_changed_is_the_answer_given(app):
    running, teams = app
    [member] = people_where(department="Information Technology")[:1]
    await teams.install(member)
    assert any("copied before cutover" in t for t in texts(await teams.say(member, "will I lose any email?")))
    text = edited(
        "    answer: No. All mail, calendar items and contacts are copied before cutover;",
        "    answer: No. Every message, calendar item and contact is copied ahead of the weekend;",
    )
    result = await apply(running, text)
    assert "FAQ entry lose-email changed" in result.applied.changes
    seen_later(running)
    after = texts(await teams.say(member, "will I lose any email?"))
    assert any("copied ahead of the weekend" in t for t in after), after
    assert not any("copied before cutover" in t for t in after), after


async def test_a_waves_times_changed_move_its_answers_and_pending_sends(app):
    running, teams = app
    [member] = people_where(officeLocation="Spokane Clinic")[:1]
    await teams.install(member)
    await running.services.tenant.settle()  # the calendar is in place for the tenant people talk from
    text = edited(
        'cutover: {start: "2027-02-27 07:00", end: "2027-02-27 16:00"}',
        'cutover: {start: "2027-02-27 09:30", end: "2027-02-27 18:00"}',
    )
    result = await apply(running, text)
    assert result.calendar is not None and "wave-3/cutover-start" in result.calendar.moved
    start = await running.services.announcements.get("wave-3/cutover-start")
    assert start.send_at == dt.datetime(2027, 2, 27, 9, 30, tzinfo=PACIFIC)
    seen_later(running)
    after = texts(await teams.say(member, "when is my migration?"))
    assert any("09:30" in t and "18:00" in t for t in after), after


async def test_the_api_applies_a_plan_and_the_app_reads_it_without_restart(app):
    running, teams = app
    [member] = people_where(officeLocation="Spokane Clinic")[:1]
    await teams.install(member)
    text = edited("    hypercare_until: 2027-03-12\n", "    hypercare_until: 2027-03-26\n")
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{running.url}/api/plan?by=dana.whitfield", data=text, headers=headers) as r:
            body = await r.json()
            assert r.status == 200, body
        assert body["applied"] and body["changes"] == ["wave wave-3 changed"]
        waves = body["diff"]["sections"]["waves"]
        assert len(waves) == 1 and "26 Mar 2027" in str(waves[0]), waves
        async with session.get(f"{running.url}/api/plan", headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            shown = await r.json()
    assert shown["revision"] == body["revision"] and shown["revisions"][0]["applied_by"].startswith("dana.whitfield")
    answer = texts(await teams.say(member, "when does hypercare end?"))
    assert any("26 March" in t for t in answer), answer


BROKEN = [
    pytest.param(
        edited("    hypercare_until: 2027-03-12\n", "    hypercare_until: [2027-03-12\n"),
        "hypercare_until",
        id="yaml-error",
    ),
    pytest.param(
        edited("    hypercare_until: 2027-03-12\n", "    hypercare_until: 2027-03-12\n    colour: blue\n"),
        "waves[3].colour",
        id="unknown-field",
    ),
    pytest.param(
        edited("    owner: priya.raman\n    backup: tom.becker\n", "    owner: priya.ramen\n    backup: tom.becker\n"),
        "areas[0].owner",
        id="failing-cross-check",
    ),
]


@pytest.mark.parametrize(("text", "where"), BROKEN)
async def test_a_broken_plan_applies_nothing_and_says_where(app, text, where):
    running, teams = app
    current = running.services.current_plan
    version, revision, plan = current.version, current.revision, running.services.plan
    with pytest.raises(PlanError) as caught:
        await apply(running, text, name="broken.yaml")
    message = str(caught.value)
    assert "broken.yaml:" in message and any(e.line for e in caught.value.errors), message
    if where != "hypercare_until":
        assert where in message, message
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{running.url}/api/plan", data=text, headers=headers) as r:
            body = await r.json()
    assert r.status == 400 and "nothing was applied" in body["error"], body
    assert all(p["line"] for p in body["problems"]), body
    seen_later(running)
    assert await current.refresh(force=True) is plan
    assert (current.version, current.revision) == (version, revision)
    assert len(await current.revisions()) == 1


async def test_the_command_line_applies_a_plan_and_refuses_a_broken_one(tmp_path: Path, app):
    running, _ = app
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'switchover.db'}",
        "SWITCHOVER_PLAN": str(FABRIKAM / "plan.yaml"),
    }
    good, broken = tmp_path / "good.yaml", tmp_path / "broken.yaml"
    good.write_text(edited("    hypercare_until: 2027-03-12\n", "    hypercare_until: 2027-03-19\n"))
    broken.write_text(
        edited("    hypercare_until: 2027-03-12\n", "    hypercare_until: 2027-03-12\n    colour: blue\n")
    )

    async def run(path: Path) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "switchover.cli", "plan", "apply", str(path), "--by", "dana.whitfield",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
        return proc.returncode or 0, out.decode(), err.decode()

    code, out, err = await run(broken)
    assert code == 1 and "broken.yaml:" in err and "colour" in err and "Nothing was applied" in err, err
    code, out, err = await run(good)
    assert code == 0 and "Applied as revision 2" in out and "wave wave-3 changed" in out, (out, err)
    assert "wave-3 hypercare until: Fri 12 Mar 2027 -> Fri 19 Mar 2027" in out, out  # what changed, in full
    seen_later(running)
    await running.services.current_plan.refresh()
    assert running.services.plan.wave("wave-3").hypercare_until == dt.date(2027, 3, 19)


async def test_the_api_moves_a_wave_with_its_times(app):
    running, teams = app
    [member] = people_where(officeLocation="Spokane Clinic")[:1]
    await teams.install(member)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    url = f"{running.url}/api/waves/wave-3/move"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"day": "2027-03-06", "start": "16:00", "end": "08:00x"}, headers=auth) as r:
            assert r.status == 400 and (await r.json())["fields"][0]["field"] == "end"
        async with session.post(f"{running.url}/api/waves/wave-9/move", json={"day": "2027-03-06"}, headers=auth) as r:
            assert r.status == 404
        body = {"day": "2027-03-06", "start": "08:00", "end": "17:00", "by": "dana.whitfield"}
        async with session.post(url, json=body, headers=auth) as r:
            moved = await r.json()
            assert r.status == 200, moved
    assert moved["hypercare_until"] == "2027-03-19" and "wave-3/tomorrow" in moved["moved"]
    after = texts(await teams.say(member, "when is my migration?"))
    assert any("Saturday 6 March 2027" in t and "08:00" in t and "17:00" in t for t in after), after
