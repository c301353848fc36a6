"""The reporter hears of every change of their report, in plain words, in their personal chat, once.

Staff act over /api/messages (card actions), the bot's messages reach the loopback connector, and
each test reads what the reporter actually received.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from tests.bot.features.problems.conftest import ProblemsWorld, executes, staff
from tests.support.app import TENANT_ID, person

REPORTER = "nora.abbott"


async def filed(world: ProblemsWorld, text: str = "my H drive files are missing", owner: str = "luis.ortega") -> int:
    """Report ``text`` as the reporter and deliver the owner's card; returns the report id (from that card)."""
    await world.teams.install(person(REPORTER))
    await world.report(REPORTER, text, impact="me")
    await world.deliver()
    for r in reversed(world.to(owner)):
        for _, data in executes(r.card or {}):
            if "report_id" in data:
                return int(data["report_id"])
    raise AssertionError(f"{owner} got no card about the report")


async def act(world: ProblemsWorld, who: str, verb: str, **data: object) -> None:
    code, body = await world.teams.invoke_action(staff(who), verb, data)
    assert code == 200, body
    await world.deliver()


def told(world: ProblemsWorld, who: str = REPORTER) -> list[str]:
    """What the reporter read, message by message."""
    return [r.card_text() or r.text for r in world.to(who)]


def told_with(world: ProblemsWorld, words: str, who: str = REPORTER) -> list[str]:
    return [t for t in told(world, who) if words in t]


async def test_acknowledged_the_reporter_hears_who_is_on_it(world):
    rid = await filed(world)
    await act(world, "luis.ortega", "problem_ack", report_id=rid)
    assert len(told_with(world, "Luis Ortega is on it.")) == 1


async def test_assigned_the_reporter_hears_to_whom(world):
    rid = await filed(world)
    await act(world, "luis.ortega", "problem_assign", report_id=rid, assignee="tom.becker")
    assert len(told_with(world, "Your problem is now with Tom Becker")) == 1


async def test_rerouted_the_reporter_hears_the_new_team_and_why(world):
    rid = await filed(world)
    await act(world, "luis.ortega", "problem_not_mine", report_id=rid, area="email")
    [moved] = told_with(world, "was moved to")
    assert "moved to the Email & calendar team: Luis Ortega found it is not theirs" in moved


async def test_escalated_the_reporter_hears_it_is_with_the_backup(world):
    start = world.clock.now()
    await filed(world, "Outlook won't open, I can't work", owner="priya.raman")
    world.clock.set(start + dt.timedelta(minutes=30))
    assert await world.desk.run_due() == 1
    await world.deliver()
    [up] = told_with(world, "not acknowledged in time")
    assert "now with the backup, Tom Becker" in up


async def test_staff_comment_reaches_the_reporter_and_their_own_is_not_echoed(world):
    rid = await filed(world)
    await act(world, "luis.ortega", "problem_comment", report_id=rid, comment="Can you sign out and in again?")
    assert len(told_with(world, "Luis Ortega wrote: Can you sign out and in again?")) == 1
    before = len(told(world))
    code, body = await world.teams.invoke_action(
        REPORTER, "problem_comment", {"report_id": rid, "comment": "Tried that, still gone"}
    )
    assert code == 200, body
    await world.deliver()
    assert told_with(world, "Tried that, still gone") == []
    assert len(told(world)) == before


async def test_resolved_the_reporter_reads_the_resolution_note(world):
    rid = await filed(world)
    await act(world, "luis.ortega", "problem_resolve", report_id=rid, note="Restored your H drive to OneDrive")
    [done] = told_with(world, "is resolved")
    assert "is resolved: Restored your H drive to OneDrive" in done


async def test_reopened_by_staff_the_reporter_hears_it_is_back(world):
    rid = await filed(world)
    await act(world, "luis.ortega", "problem_resolve", report_id=rid, note="Restored")
    # The resolved report's card, updated in place, now offers staff a reopen.
    [resolved_card] = [r.card for r in world.updates_to("luis.ortega") if "Restored" in r.card_text()][-1:]
    assert "problem_reopen" in {verb for verb, _ in executes(resolved_card)}
    await act(world, "luis.ortega", "problem_reopen", report_id=rid, why="two folders still missing")
    [back] = told_with(world, "reopened")
    assert "Luis Ortega reopened your problem: two folders still missing" in back
    report = await world.desk.get(TENANT_ID, rid)
    assert report.is_open and report.cycle == 1
    # Pressed again (a retry, or a second person at once): the reporter is not told twice.
    await act(world, "tom.becker", "problem_reopen", report_id=rid, why="")
    assert len(told_with(world, "reopened")) == 1


async def test_reopened_by_the_service_desk_or_a_lead_the_reporter_hears_who(world):
    rid = await filed(world)
    for i, who in enumerate(("kevin.obrien", "dana.whitfield")):
        await act(world, "luis.ortega", "problem_resolve", report_id=rid, note=f"Restored {i}")
        await act(world, who, "problem_reopen", report_id=rid, why="")
    back = told_with(world, "reopened your problem")
    assert len(back) == 2
    assert "Kevin O'Brien reopened your problem." in back[0]
    assert "Dana Whitfield reopened your problem." in back[1]


async def test_linked_to_an_incident_every_reporter_hears_it_is_part_of_a_wider_problem(world):
    reporters = ["nora.abbott", "farah.price", "benjamin.chang", "ian.jensen", "isaac.griffin", "ava.thomas"]
    texts = [
        "my H drive files are missing",
        "can't find my documents in OneDrive",
        "the S: drive is gone",
        "SharePoint says access denied on the clinical folder",
        "files from my old home drive are not in OneDrive",
        "my shared drive folder is empty",
    ]
    for who, text in zip(reporters, texts, strict=True):
        await world.teams.install(person(who))
        await world.report(who, text, impact="me", area="files")
        world.clock.advance(dt.timedelta(minutes=4))
    await world.deliver()
    for who in reporters:
        [word] = [t for t in told(world, who) if "part of a wider problem, INC-" in t]
        assert "you'll hear here when it's fixed" in word, who


async def test_a_retried_action_tells_the_reporter_once(world):
    rid = await filed(world)
    # Teams retries an invoke it saw no answer to: the same assignment arrives twice at the same moment.
    for _ in range(2):
        code, body = await world.teams.invoke_action(
            staff("luis.ortega"), "problem_assign", {"report_id": rid, "assignee": "tom.becker"}
        )
        assert code == 200, body
    await world.deliver()
    assert len(told_with(world, "now with Tom Becker")) == 1
    # ... and once more a few seconds later, as a second instance would take it.
    world.clock.advance(dt.timedelta(seconds=7))
    code, body = await world.teams.invoke_action(
        staff("luis.ortega"), "problem_assign", {"report_id": rid, "assignee": "tom.becker"}
    )
    assert code == 200, body
    await world.deliver()
    assert len(told_with(world, "now with Tom Becker")) == 1
    assert len([r for r in world.to("tom.becker") if "my H drive files are missing" in r.card_text()]) == 1


async def test_two_instances_escalating_at_once_tell_the_reporter_once(world):
    start = world.clock.now()
    await filed(world, "Outlook won't open, I can't work", owner="priya.raman")
    world.clock.set(start + dt.timedelta(minutes=30))
    taken = await asyncio.gather(world.desk.run_due(), world.desk.run_due())
    assert sum(taken) == 1
    await world.deliver()
    assert len(told_with(world, "not acknowledged in time")) == 1
