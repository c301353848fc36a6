"""``status`` over real HTTP as Dana Whitfield (the lead), the sponsor and everyone else,
``GET /api/status`` and the digest (``digest now``), at three moments of Fabrikam's migration:
before wave 1, during wave 2's cutover (with wave 3 postponed through the existing reschedule)
and in wave 3's hypercare.

Every number on the card and in the JSON is checked against a count made from the database
(``conftest.count``: raw SQL), never against the status service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from switchover.plan.model import Impact, Urgency
from switchover.problems.model import Actor, ReportDraft, Reporter
from tests.cards.schema import schema_errors
from tests.support.app import TENANT_ID, person

from .conftest import LEAD, PACIFIC, SPONSOR, Expected, StatusWorld, count, pct

ORDINARY = "omar.reyes"


# -- reading the card -------------------------------------------------------------------------


def sections(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The card by bold heading: its facts, its lines and its buttons' titles."""
    out: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for element in card["body"]:
        if element["type"] == "TextBlock" and element.get("weight") == "Bolder":
            current = out[element["text"]] = {"facts": {}, "lines": [], "buttons": [], "data": []}
        elif current is None:
            continue
        elif element["type"] == "FactSet":
            current["facts"].update({f["title"]: f["value"] for f in element["facts"]})
        elif element["type"] == "TextBlock":
            current["lines"].append(element["text"])
        elif element["type"] == "ActionSet":
            current["buttons"] += [a["title"] for a in element["actions"]]
            current["data"] += [(a["verb"], a["data"]) for a in element["actions"]]
    return out


async def status_card(world: StatusWorld, who: str = LEAD, text: str = "status") -> dict[str, Any]:
    replies = await world.teams.say(person(who), text)
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 1, [r.body for r in replies]
    assert schema_errors(cards[0]) == []
    return cards[0]


# -- making the story through the real services ------------------------------------------------


async def install(world: StatusWorld, people: list[Any]) -> None:
    for p in people:
        await world.teams.install(person(p.upn))


async def deliver(world: StatusWorld) -> None:
    await world.app.services.announcements.jobs.idle()  # a Send's background job has queued its cards
    engine = world.app.services.delivery
    for _ in range(200):
        await engine.drain(until_idle=False)
        wait = await engine._seconds_until_more_work()
        if wait is None:
            return
        world.clock.advance(dt.timedelta(seconds=max(1.0, wait)))
    raise AssertionError("deliveries still pending")


async def announce(world: StatusWorld, wave_key: str, title: str) -> str:
    replies = await world.teams.say(person(LEAD), f"announce {wave_key} : {title} | Please read this before your move")
    confirm = [r.card for r in replies if r.card][-1]
    [ann_id] = [a["data"]["announcement_id"] for a in confirm.get("actions", []) if a.get("verb") == "announce_confirm"]
    status, body = await world.teams.invoke_action(person(LEAD), "announce_confirm", {"announcement_id": ann_id})
    assert status == 200, body
    await deliver(world)
    return ann_id


async def acknowledge(world: StatusWorld, ann_id: str, people: list[Any]) -> None:
    for p in people:
        status, _ = await world.teams.invoke_action(person(p.upn), "acknowledge", {"announcement_id": ann_id})
        assert status == 200


async def read(world: StatusWorld, who: Any) -> None:
    p = person(who.upn)
    last = [r for r in world.teams.connector.received if r.conversation_id == p.personal_conversation][-1]
    event = world.teams.activity(
        p, type="event", name="application/vnd.microsoft.readReceipt", value={"lastReadMessageId": last.activity_id}
    )
    assert (await world.teams.post(event)).status == 202


async def file(world: StatusWorld, who: Any, wave: str, area: str, impact: Impact, urgency: Urgency) -> int:
    reporter = Reporter(
        tenant_id=TENANT_ID, id=who.id, name=who.display_name, upn=who.upn, wave=wave, department=who.department
    )
    draft = ReportDraft(f"{area} trouble for {who.display_name}", reporter, area=area, impact=impact, urgency=urgency)
    return (await world.app.services.problems.submit(draft)).id


# -- what the card and the JSON must say --------------------------------------------------------


def check(world: StatusWorld, card: dict[str, Any], body: dict[str, Any], e: Expected, states: dict[str, str]) -> None:
    """Every number on the lead's card and in the API's JSON against the database's count."""
    plan = world.plan
    shown = sections(card)
    words = {
        "upcoming": "upcoming",
        "postponed": "postponed",
        "cutover": "cutover in progress",
        "hypercare": "hypercare",
        "done": "done",
    }
    assert [w["key"] for w in body["waves"]] == [w.key for w in plan.waves]
    for wave, js in zip(plan.waves, body["waves"], strict=True):
        key = wave.key
        assert js["state"] == states[key], key
        part = shown[f"{wave.title}: {words[states[key]]}"]
        facts = part["facts"]
        reachable, members = e.reach[key]
        assert facts["Reach"] == f"{reachable} of {members} can be messaged ({pct(reachable, members):g}%)"
        by_state = js["reach"].pop("by_state")
        assert js["reach"] == {"reachable": reachable, "members": members, "percent": pct(reachable, members)}
        assert by_state["conversation"] + by_state["installed"] == reachable  # nobody installed through Graph here
        registered, unknown, missing = e.mfa[key]
        text = f"MFA {registered} of {registered + missing} registered ({pct(registered, registered + missing):g}%)"
        assert facts["Readiness"] == text + (f", {unknown} unknown" if unknown else "")
        r = js["readiness"]
        assert (r["known"], r["members"], r["mfa_registered"], r["mfa_unknown"], r["not_ready"]) == (
            True,
            members,
            registered,
            unknown,
            missing,
        )
        ann = e.announcement[key]
        if ann is None:
            assert facts["Latest announcement"] == "none sent yet" and js["announcement"] is None
        else:
            ann_id, title, recipients, sent, was_read, acked = ann
            assert facts["Latest announcement"] == title
            assert facts["Delivered"] == f"{sent} of {recipients} ({pct(sent, recipients):g}%)"
            assert facts["Read"] == f"{was_read} of {recipients} ({pct(was_read, recipients):g}%)"
            assert facts["Acknowledged"] == f"{acked} of {recipients} ({pct(acked, recipients):g}%)"
            a = js["announcement"]
            assert (a["id"], a["recipients"], a["delivered"], a["read"], a["acknowledged"]) == (
                ann_id,
                recipients,
                sent,
                was_read,
                acked,
            )
            assert (a["delivered_percent"], a["read_percent"], a["acknowledged_percent"]) == (
                pct(sent, recipients),
                pct(was_read, recipients),
                pct(acked, recipients),
            )
        by_priority = e.open_by_wave[key]
        n = sum(by_priority.values())
        listed = ", ".join(f"{p} {by_priority[p]}" for p in ("P1", "P2", "P3", "P4") if by_priority[p])
        assert facts["Open reports"] == (f"{n} ({listed})" if n else "0")
        assert js["open_reports"] == n
        assert {p: c for p, c in js["open_by_priority"].items() if c} == dict(by_priority)
        # The lead's buttons say the same numbers and open what is behind them.
        buttons = set(part["buttons"])
        assert (f"Not reachable ({members - reachable})" in buttons) == (members > reachable)
        assert (f"Not ready ({missing})" in buttons) == (missing > 0)
        assert (f"Open reports ({n})" in buttons) == (n > 0)

    problems = body["problems"]
    desk = shown[f"Open problem reports: {e.open_total}"]
    assert problems["open"] == e.open_total
    assert desk["facts"] == {p: str(e.open_by_priority[p]) for p in ("P1", "P2", "P3", "P4")}
    assert problems["by_priority"] == {p: e.open_by_priority[p] for p in ("P1", "P2", "P3", "P4")}
    areas = {plan.area(a).name: str(n) for a, n in e.open_by_area.items()}
    assert (shown["By area"]["facts"] if areas else {}) == areas
    assert {a["area"]: a["count"] for a in problems["by_area"]} == dict(e.open_by_area)

    overdue = shown[f"Overdue acknowledgements: {len(e.overdue)}"]["lines"]
    assert len(overdue) == len(e.overdue) == len(problems["overdue"])
    for line, js, (rid, priority, area, assignee) in zip(overdue, problems["overdue"], e.overdue, strict=True):
        owner_key = assignee or plan.area(area).owner.person
        owner = plan.person(owner_key).name if owner_key else str(plan.area(area).owner.channel)
        assert line.startswith(f"PR-{rid:05d} {priority} {plan.area(area).name}: {owner}, "), line
        assert line.endswith(" overdue")
        assert (js["report_id"], js["priority"], js["area"], js["owner_name"]) == (rid, priority, area, owner)

    incidents = shown[f"Open major incidents: {len(e.incidents)}"]["lines"]
    assert len(incidents) == len(e.incidents) == len(problems["incidents"])
    for line, js, (iid, area, wave, n) in zip(incidents, problems["incidents"], e.incidents, strict=True):
        where = plan.area(area).name + (f", {plan.wave(wave).title}" if wave else "")
        assert line.startswith(f"Incident {iid}: {where}: {n} open {'report' if n == 1 else 'reports'} since ")
        assert (js["id"], js["area"], js["wave"], js["reports"]) == (iid, area, wave, n)


def check_digest(world: StatusWorld, digest: dict[str, Any], e: Expected, states: dict[str, str]) -> None:
    """The digest's numbers (the same picture, without buttons) against the database's count."""
    plan = world.plan
    shown = sections(digest)
    words = {"upcoming": "upcoming", "postponed": "postponed", "cutover": "cutover in progress"}
    words |= {"hypercare": "hypercare", "done": "done"}
    for wave in plan.waves:
        key = wave.key
        facts = shown[f"{wave.title}: {words[states[key]]}"]["facts"]
        reachable, members = e.reach[key]
        assert facts["Reach"] == f"{reachable} of {members} can be messaged ({pct(reachable, members):g}%)"
        registered, unknown, missing = e.mfa[key]
        assert facts["Readiness"] == (
            f"MFA {registered} of {registered + missing} registered ({pct(registered, registered + missing):g}%)"
        )
        ann = e.announcement[key]
        if ann is None:
            assert "Acknowledged" not in facts
        else:
            _, title, recipients, _, _, acked = ann
            assert facts["Acknowledged"] == f"{acked} of {recipients} ({pct(acked, recipients):g}%): {title}"
        by_priority = e.open_by_wave[key]
        n = sum(by_priority.values())
        listed = ", ".join(f"{p} {by_priority[p]}" for p in ("P1", "P2", "P3", "P4") if by_priority[p])
        assert facts["Open reports"] == (f"{n} ({listed})" if n else "0")
    desk = shown[f"Open problem reports: {e.open_total}"]
    assert desk["facts"] == {p: str(e.open_by_priority[p]) for p in ("P1", "P2", "P3", "P4")}
    overdue = shown[f"Overdue acknowledgements: {len(e.overdue)}"]["lines"]
    assert [line.split(":")[0] for line in overdue] == [
        f"PR-{rid:05d} {priority} {plan.area(area).name}" for rid, priority, area, _ in e.overdue
    ]
    incidents = shown[f"Open major incidents: {len(e.incidents)}"]["lines"]
    assert incidents == [
        f"Incident {iid}: {plan.area(area).name}: {n} open {'report' if n == 1 else 'reports'}"
        for iid, area, _, n in e.incidents
    ]


async def picture(world: StatusWorld) -> tuple[dict[str, Any], dict[str, Any], Expected]:
    now = world.clock.now()
    card = await status_card(world)
    status, body = await world.api("/api/status")
    assert status == 200, body
    assert dt.datetime.fromisoformat(body["at"]) == now
    return card, body, count(world, now)


async def digest_card(world: StatusWorld) -> dict[str, Any]:
    """The digest as it stands now (the lead's ``digest now`` preview: the card the daily one sends)."""
    replies = await world.teams.say(person(LEAD), "digest now")
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 1 and schema_errors(cards[0]) == []
    return cards[0]


# -- the story ----------------------------------------------------------------------------------


async def test_the_fabrikam_picture_at_three_moments_matches_the_database(world: StatusWorld) -> None:
    members = world.members()
    lead_actor = Actor(id=person(LEAD).aad_object_id, name="Dana Whitfield", person_key="dana.whitfield")

    # Before wave 1: the pilot in hypercare; two thirds of every wave can be messaged.
    for people in members.values():
        await install(world, [u for i, u in enumerate(people) if i % 3])
    corporate = [u for i, u in enumerate(members["wave-1"]) if i % 3]
    ann = await announce(world, "wave-1", "Parking during the move")
    await acknowledge(world, ann, corporate[:5])
    await read(world, corporate[0])
    await read(world, corporate[1])
    pilot = members["wave-0"]
    first = await file(world, pilot[0], "wave-0", "email", Impact.ME, Urgency.CANT_WORK)
    await file(world, pilot[1], "wave-0", "files", Impact.SEVERAL, Urgency.DEGRADED)
    await file(world, corporate[2], "wave-1", "printing-apps", Impact.ME, Urgency.QUESTION)
    await world.app.services.problems.acknowledge(TENANT_ID, first, lead_actor)
    world.clock.set(dt.datetime(2027, 1, 21, 9, 0, tzinfo=PACIFIC))  # the next morning: acknowledgements overdue
    card, body, e = await picture(world)
    states = {"wave-0": "hypercare", "wave-1": "upcoming", "wave-2": "upcoming", "wave-3": "upcoming"}
    check(world, card, body, e, states)
    check_digest(world, await digest_card(world), e, states)
    assert e.overdue and e.announcement["wave-1"] is not None and e.announcement["wave-1"][5] == 5
    assert body["waves"][1]["days_to_cutover"] == 9  # 21 January to Saturday 30 January, in Pacific time
    assert "(in 9 days)" in sections(card)[f"{world.plan.wave('wave-1').title}: upcoming"]["facts"]["Cutover"]

    # During wave 2's cutover, with wave 3 moved a week later through the existing reschedule.
    world.clock.set(dt.datetime(2027, 2, 12, 9, 0, tzinfo=PACIFIC))
    replies = await world.teams.say(person(LEAD), "reschedule wave-3 2027-03-06")
    assert any("2027" in r.text or r.card for r in replies)
    clinical = [u for i, u in enumerate(members["wave-2"]) if i % 3]
    ann = await announce(world, "wave-2", "Tomorrow is your move")
    await acknowledge(world, ann, clinical[:7])
    for u in clinical[:5]:  # five at once about email: a major incident
        await file(world, u, "wave-2", "email", Impact.ME, Urgency.CANT_WORK)
    world.clock.set(dt.datetime(2027, 2, 13, 10, 0, tzinfo=PACIFIC))
    card, body, e = await picture(world)
    states = {"wave-0": "done", "wave-1": "done", "wave-2": "cutover", "wave-3": "postponed"}
    check(world, card, body, e, states)
    check_digest(world, await digest_card(world), e, states)
    assert e.incidents and e.incidents[0][3] == 5
    wave3 = body["waves"][3]
    assert wave3["postponed_from"] is not None and wave3["days_to_cutover"] == 21
    assert (
        "moved from Saturday 27 February 2027"
        in sections(card)[f"{world.plan.wave('wave-3').title}: postponed"]["facts"]["Cutover"]
    )

    # In wave 3's hypercare after its postponement: its hypercare moved with it.
    world.clock.set(dt.datetime(2027, 3, 10, 12, 0, tzinfo=PACIFIC))
    west = [u for i, u in enumerate(members["wave-3"]) if i % 3]
    await file(world, west[0], "wave-3", "teams", Impact.SITE, Urgency.CANT_WORK)
    await world.app.services.problems.resolve(TENANT_ID, first, lead_actor, "Profile rebuilt")
    card, body, e = await picture(world)
    states = {"wave-0": "done", "wave-1": "done", "wave-2": "done", "wave-3": "hypercare"}
    check(world, card, body, e, states)
    check_digest(world, await digest_card(world), e, states)
    assert body["waves"][3]["hypercare_until"] == "2027-03-19"


async def test_drill_downs_page_through_the_people_and_reports_behind_a_number(world: StatusWorld) -> None:
    members = world.members()
    clinical = members["wave-2"]
    await install(world, clinical[:3])
    for u in clinical[:30]:
        await file(world, u, "wave-2", "files", Impact.ME, Urgency.DEGRADED)
    card = await status_card(world)
    part = sections(card)[f"{world.plan.wave('wave-2').title}: upcoming"]
    unreachable = len(clinical) - 3
    [(verb, data)] = [d for d, t in zip(part["data"], part["buttons"], strict=True) if t.startswith("Not reachable")]
    status, response = await world.teams.invoke_action(person(LEAD), verb, data)
    assert status == 200
    page = response["value"]
    assert schema_errors(page) == []
    names = [f["title"] for b in page["body"] if b["type"] == "FactSet" for f in b["facts"]]
    expected = sorted((u.display_name for u in clinical[3:]), key=str.casefold)
    assert names == expected[:25]
    assert f"{unreachable} people · page 1 of {-(-unreachable // 25)}" in str(page)
    [next_page] = [a for a in page["actions"] if a["title"] == "Next"]
    status, response = await world.teams.invoke_action(person(LEAD), next_page["verb"], next_page["data"])
    names = [f["title"] for b in response["value"]["body"] if b["type"] == "FactSet" for f in b["facts"]]
    assert names == expected[25:50]
    assert [a["title"] for a in response["value"]["actions"]][0] == "Previous"

    [(verb, data)] = [d for d, t in zip(part["data"], part["buttons"], strict=True) if t.startswith("Open reports")]
    status, response = await world.teams.invoke_action(person(LEAD), verb, data)
    refs = [f["title"].split()[0] for b in response["value"]["body"] if b["type"] == "FactSet" for f in b["facts"]]
    ids = [r[0] for r in world.sql("SELECT id FROM problem_reports WHERE wave = 'wave-2' ORDER BY id DESC")]
    assert refs == [f"PR-{i:05d}" for i in ids[:25]]
    assert "30 reports · page 1 of 2" in str(response["value"])

    # Not a lead: the buttons do nothing but say so.
    await world.teams.install(person(ORDINARY))
    status, _ = await world.teams.invoke_action(person(ORDINARY), verb, data)
    assert status == 200
    assert any("for the project leads" in r.text for r in world.teams.connector.received[-3:])


async def test_the_sponsor_sees_the_card_without_buttons_and_others_do_not_get_it(world: StatusWorld) -> None:
    lead = await status_card(world)
    sponsor = await status_card(world, SPONSOR, "how is the migration going?")
    assert sections(sponsor).keys() == sections(lead).keys()
    assert "actions" not in sponsor and not any(b["type"] == "ActionSet" for b in sponsor["body"])
    assert "actions" in lead
    # Free-text phrases are the status for the lead too.
    assert sections(await status_card(world, LEAD, "where are we")).keys() == sections(lead).keys()

    replies = await world.teams.say(person(ORDINARY), "status")
    assert [r.text for r in replies if r.text][0].startswith("The migration's overall status is for the project leads")
    assert not any("Migration status" in r.card_text() for r in replies)
    replies = await world.teams.say(person(ORDINARY), "how is the migration going?")
    assert replies and not any("Migration status" in r.card_text() for r in replies)
    assert not any("overall status" in r.text for r in replies)  # their usual answer, as before


async def test_api_status_needs_the_token(world: StatusWorld) -> None:
    status, body = await world.api("/api/status", token=None)
    assert status == 401
    status, body = await world.api("/api/status", token="not-the-token")
    assert status == 401
    await world.teams.install(person(LEAD))  # the first conversation settles the tenant served
    status, body = await world.api("/api/status")
    assert status == 200 and body["version"] == 1 and body["tenant_id"] == TENANT_ID
