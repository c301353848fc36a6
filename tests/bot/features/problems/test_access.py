"""Who sees and works a problem report, over the real app as each of the plan's people.

Fabrikam: Nora Abbott reports "my H drive files are missing" (area Files: owner Luis Ortega,
backup Tom Becker); Kevin O'Brien is on the Service Desk; Dana Whitfield leads; Robert Kim is
the sponsor; Grace Okafor is a site champion; Ana Silva owns another area (Teams); Farah Price
is a stranger to the report.
"""

from __future__ import annotations

from typing import Any

import pytest

from switchover.problems.model import ReportStatus
from tests.bot.features.problems.conftest import ProblemsWorld, executes, staff
from tests.bot.features.problems.test_e2e import report_id_of, text_of
from tests.support.app import person

REPORTER = "nora.abbott"


async def filed(world: ProblemsWorld, text: str = "my H drive files are missing", **answers: str) -> int:
    """Nora reports a Files problem; returns its id (from the owner's card)."""
    await world.teams.install(person(REPORTER))
    answers.setdefault("impact", "me")
    await world.report(REPORTER, text, **answers)
    await world.deliver()
    return report_id_of(world.to("luis.ortega")[-1].card)


def who(key: str) -> Any:
    try:
        return staff(key)
    except KeyError:
        return person(key)


async def press(world: ProblemsWorld, key: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    code, body = await world.teams.invoke_action(who(key), verb, data)
    assert code == 200, body
    return body["value"]


async def say(world: ProblemsWorld, key: str, text: str) -> str:
    sent = await world.teams.say(who(key), text)
    return " ".join(r.card_text() if r.card else r.text for r in sent)


NOT_FOUND = "that you can see"


async def test_a_site_champion_cannot_open_or_resolve_another_persons_report(world: ProblemsWorld) -> None:
    rid = await filed(world)
    champion = "grace.okafor"  # named in the plan, a champion at the reporter's own site
    shown = await say(world, champion, f"problem {rid}")
    assert f"PR-{rid:05d}" in shown and NOT_FOUND in shown and "H drive" not in shown
    for verb, data in [
        ("problem_show", {"report_id": rid}),
        ("problem_resolve", {"report_id": rid, "note": "closed by a champion"}),
        ("problem_ack", {"report_id": rid}),
        ("problem_assign", {"report_id": rid, "assignee": "kevin.obrien"}),
        ("problem_not_mine", {"report_id": rid, "area": "email"}),
        ("problem_comment", {"report_id": rid, "comment": "hello"}),
        ("problem_fixed", {"report_id": rid}),
    ]:
        card = await press(world, champion, verb, data)
        assert NOT_FOUND in text_of(card) and "H drive" not in text_of(card), verb
    report = await world.desk.get(world.teams.tenant_id, rid)
    assert report.status is ReportStatus.OPEN and report.area == "files" and report.assignee is None


async def test_the_sponsor_cannot_resolve_a_report_and_sees_only_what_the_plan_sends_them(
    world: ProblemsWorld,
) -> None:
    rid = await filed(world)  # P3: the plan sends the sponsor P1s only
    card = await press(world, "robert.kim", "problem_resolve", {"report_id": rid, "note": "done"})
    assert NOT_FOUND in text_of(card)
    assert NOT_FOUND in text_of(await press(world, "robert.kim", "problem_show", {"report_id": rid}))
    assert (await world.desk.get(world.teams.tenant_id, rid)).status is ReportStatus.OPEN
    p1 = await filed(world, "nobody at the clinic can open their files, we can't work", impact="site")
    assert (await world.desk.get(world.teams.tenant_id, p1)).priority.value == "P1"
    seen = await press(world, "robert.kim", "problem_show", {"report_id": p1})
    assert "nobody at the clinic" in text_of(seen)
    assert executes(seen) == []  # read-only: no buttons
    card = await press(world, "robert.kim", "problem_resolve", {"report_id": p1, "note": "done"})
    assert "not yours to resolve" in text_of(card)
    assert (await world.desk.get(world.teams.tenant_id, p1)).is_open


@pytest.mark.parametrize("worker", ["luis.ortega", "tom.becker", "kevin.obrien", "dana.whitfield"])
async def test_the_areas_owner_backup_service_desk_and_lead_see_and_resolve_it(
    world: ProblemsWorld, worker: str
) -> None:
    rid = await filed(world)
    shown = await press(world, worker, "problem_show", {"report_id": rid})
    assert "my H drive files are missing" in text_of(shown)
    assert "problem_resolve" in {verb for verb, _ in executes(shown)}
    card = await press(world, worker, "problem_resolve", {"report_id": rid, "note": "restored from backup"})
    assert "restored from backup" in text_of(card)
    assert (await world.desk.get(world.teams.tenant_id, rid)).status is ReportStatus.RESOLVED


async def test_another_areas_owner_and_a_stranger_are_told_not_found(world: ProblemsWorld) -> None:
    rid = await filed(world)
    for key in ("ana.silva", "farah.price"):
        card = await press(world, key, "problem_resolve", {"report_id": rid, "note": "x"})
        assert NOT_FOUND in text_of(card), key
    assert (await world.desk.get(world.teams.tenant_id, rid)).is_open


async def test_an_assignee_from_another_area_may_work_the_report_they_were_given(world: ProblemsWorld) -> None:
    rid = await filed(world)
    assert NOT_FOUND in text_of(await press(world, "ana.silva", "problem_ack", {"report_id": rid}))
    await press(world, "luis.ortega", "problem_assign", {"report_id": rid, "assignee": "ana.silva"})
    card = await press(world, "ana.silva", "problem_resolve", {"report_id": rid, "note": "fixed the sync"})
    assert "fixed the sync" in text_of(card)


async def test_nobody_can_be_assigned_a_report_who_works_no_area(world: ProblemsWorld) -> None:
    rid = await filed(world)
    card = await press(world, "luis.ortega", "problem_assign", {"report_id": rid, "assignee": "grace.okafor"})
    assert "works no area" in text_of(card)
    assert (await world.desk.get(world.teams.tenant_id, rid)).assignee is None


async def test_the_reporter_sees_and_adds_to_their_own_report_but_does_not_work_it(world: ProblemsWorld) -> None:
    rid = await filed(world)
    shown = await press(world, REPORTER, "problem_show", {"report_id": rid})
    assert f"PR-{rid:05d}" in text_of(shown) and "problem_resolve" not in {v for v, _ in executes(shown)}
    for verb in ("problem_resolve", "problem_ack", "problem_not_mine"):
        card = await press(world, REPORTER, verb, {"report_id": rid, "note": "x"})
        assert "not yours to" in text_of(card), verb
    card = await press(world, REPORTER, "problem_comment", {"report_id": rid, "comment": "also my S drive"})
    assert "Comment added" in text_of(card)
    assert any(e.detail == "also my S drive" for e in (await world.desk.get(world.teams.tenant_id, rid)).timeline)
    card = await press(world, REPORTER, "problem_fixed", {"report_id": rid})
    assert (await world.desk.get(world.teams.tenant_id, rid)).status is ReportStatus.RESOLVED


async def test_a_missing_report_and_a_hidden_one_get_the_same_answer(world: ProblemsWorld) -> None:
    rid = await filed(world)
    hidden = text_of(await press(world, "farah.price", "problem_show", {"report_id": rid}))
    missing = text_of(await press(world, "farah.price", "problem_show", {"report_id": rid + 1000}))
    assert hidden.replace(f"{rid:05d}", "N") == missing.replace(f"{rid + 1000:05d}", "N")
    hidden = text_of(await press(world, "farah.price", "problem_resolve", {"report_id": rid, "note": "x"}))
    missing = text_of(await press(world, "farah.price", "problem_resolve", {"report_id": rid + 1000, "note": "x"}))
    assert hidden.replace(f"{rid:05d}", "N") == missing.replace(f"{rid + 1000:05d}", "N")


async def test_a_card_naming_someone_else_does_not_make_the_presser_them(world: ProblemsWorld) -> None:
    rid = await filed(world)
    # Whatever a card's data says about who is acting, the activity's sender is the actor.
    card = await press(
        world,
        "grace.okafor",
        "problem_resolve",
        {"report_id": rid, "note": "x", "person_key": "dana.whitfield", "actor": "luis.ortega", "upn": "dana"},
    )
    assert NOT_FOUND in text_of(card)
    assert (await world.desk.get(world.teams.tenant_id, rid)).is_open


async def test_a_champion_sees_their_sites_counts_and_no_contents(world: ProblemsWorld) -> None:
    await filed(world)  # Nora works at the Tacoma Clinic, Grace Okafor's site
    answer = await say(world, "grace.okafor", "site problems")
    assert "Tacoma Clinic" in answer and "1 reported, 1 still open" in answer
    assert "H drive" not in answer and "Nora" not in answer
    answer = await say(world, "hiro.tanaka", "site problems")  # Spokane Clinic
    assert "Spokane Clinic" in answer and "0 reported" in answer
    assert "site champions" in await say(world, "farah.price", "site problems")


async def test_only_those_who_work_a_report_reopen_it(world: ProblemsWorld) -> None:
    rid = await filed(world)
    await press(world, "luis.ortega", "problem_resolve", {"report_id": rid, "note": "restored"})
    for key in ("ana.silva", "farah.price", "robert.kim"):
        card = await press(world, key, "problem_reopen", {"report_id": rid, "why": "x"})
        assert NOT_FOUND in text_of(card), key
    # The reporter reopens by commenting; the staff button is not theirs.
    card = await press(world, REPORTER, "problem_reopen", {"report_id": rid, "why": "x"})
    assert "not yours to reopen" in text_of(card)
    assert (await world.desk.get(world.teams.tenant_id, rid)).status is ReportStatus.RESOLVED
    shown = await press(world, REPORTER, "problem_show", {"report_id": rid})
    assert "problem_reopen" not in {verb for verb, _ in executes(shown)}
    shown = await press(world, "tom.becker", "problem_show", {"report_id": rid})
    assert "problem_reopen" in {verb for verb, _ in executes(shown)}
    card = await press(world, "tom.becker", "problem_reopen", {"report_id": rid, "why": "still missing"})
    assert "Reopened" in text_of(card)
    assert (await world.desk.get(world.teams.tenant_id, rid)).status is ReportStatus.OPEN
