"""Wave states a lead drives over /api/messages and the API: "cutover started", "cutover complete"
(a confirm card, then the state recorded, the wave's manual cutover-complete card sent, status
showing it), and "postpone", which is the reschedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from switchover.status.wavestates import RecordedState, WaveStateStore
from tests.cards.schema import schema_errors
from tests.support.app import TeamsClient, make_settings, person, start_app

from .conftest import LEAD, AnnouncementsWorld, people_where

PACIFIC = dt.timezone(dt.timedelta(hours=-8))
TOKEN = "wave-state-token"
DURING_WAVE_2 = dt.datetime(2027, 2, 13, 10, 0, tzinfo=PACIFIC)  # its window: 07:00-16:00


@pytest.fixture
async def world(tmp_path: Path, clock, identity, connector) -> AsyncIterator[AnnouncementsWorld]:
    clock.set(DURING_WAVE_2)
    settings = make_settings(tmp_path, identity=identity, api_token=TOKEN)
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            await teams.install(person(LEAD))
            yield AnnouncementsWorld(teams, connector, clock, running, runner=runner)
    finally:
        await runner.cleanup()


def wave_2_members() -> list:
    """Wave 2 as the plan says: Seattle HQ's Clinical Operations and all of Tacoma Clinic (from the roster)."""
    return people_where(officeLocation="Seattle HQ", department="Clinical Operations") + people_where(
        officeLocation="Tacoma Clinic"
    )


def confirm_card(replies) -> dict:
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 1, [r.body for r in replies]
    return cards[0]


def verbs(card: dict) -> dict[str, dict]:
    return {a["verb"]: a["data"] for a in card.get("actions", []) if a.get("type") == "Action.Execute"}


async def status_text(world) -> str:
    return " ".join(r.card_text() if r.card else r.text for r in await world.say(LEAD, "status"))


async def digest_text(world) -> str:
    """The digest as it goes out now (the lead's ``digest now`` preview)."""
    return " ".join(r.card_text() for r in await world.say(LEAD, "digest now") if r.card)


async def installed_members(world, n: int) -> list:
    members = [p for p in wave_2_members() if p.upn != person(LEAD).upn][:n]
    for p in members:
        await world.teams.install(p)
    return members


async def test_cutover_complete_is_confirmed_recorded_sent_to_the_wave_and_shown(world):
    installed = await installed_members(world, 4)
    assert "Wave 2 - Seattle & Tacoma clinical: cutover in progress" in await status_text(world)
    world.since = len(world.connector.received)

    card = confirm_card(await world.say(LEAD, "cutover complete wave-2"))
    assert schema_errors(card) == []
    text = str(card)
    assert "wave-2/cutover-complete" in text and f"to {len(wave_2_members())} people" in text, text
    assert verbs(card)["wave_state_confirm"] == {"wave": "wave-2", "state": "cutover-complete"}
    assert world.sends() == {}  # nothing before the lead confirms

    status, body = await world.teams.invoke_action(
        LEAD, "wave_state_confirm", {"wave": "wave-2", "state": "cutover-complete"}
    )
    assert status == 200 and "Recorded cutover complete" in str(body), body
    await world.deliver()

    # Every wave member the bot can reach got the card once; nobody else did.
    sends = world.sends()
    assert set(sends) == {p.personal_conversation for p in installed} and set(sends.values()) == {1}, sends
    assert "You are on Microsoft 365" in str(world.cards_to(installed[0])[0].card)
    recorded = await WaveStateStore(world.services.db).all(world.service.tenant_id)
    assert recorded["wave-2"].state is RecordedState.CUTOVER_COMPLETE
    # Marked complete before its window's end: hypercare now, not "cutover in progress".
    shown = await status_text(world)
    assert "Wave 2 - Seattle & Tacoma clinical: hypercare" in shown, shown
    # The manual card has gone: asking again offers nothing to send.
    again = str(confirm_card(await world.say(LEAD, "cutover complete wave-2")))
    assert "send nothing" in again, again


async def test_cancel_records_and_sends_nothing(world):
    await installed_members(world, 2)
    world.since = len(world.connector.received)
    confirm_card(await world.say(LEAD, "cutover complete wave-2"))
    status, body = await world.teams.invoke_action(
        LEAD, "wave_state_cancel", {"wave": "wave-2", "state": "cutover-complete"}
    )
    assert status == 200 and "nothing was recorded or sent" in str(body), body
    await world.deliver()
    assert world.sends() == {}
    assert await WaveStateStore(world.services.db).all(world.service.tenant_id) == {}
    assert "Wave 2 - Seattle & Tacoma clinical: cutover in progress" in await status_text(world)


async def test_someone_who_is_not_a_lead_cannot_change_a_wave(world):
    [nurse] = await installed_members(world, 1)
    world.since = len(world.connector.received)
    replies = await world.say(nurse, "cutover complete wave-2")
    assert any("only the project leads" in r.text for r in replies), [r.body for r in replies]
    status, body = await world.teams.invoke_action(
        nurse, "wave_state_confirm", {"wave": "wave-2", "state": "cutover-complete"}
    )
    assert "Recorded" not in str(body), body
    await world.deliver()
    assert world.sends() == {}
    assert await WaveStateStore(world.services.db).all(world.service.tenant_id) == {}


async def test_a_started_cutover_overruns_its_window_until_the_api_marks_it_complete(world):
    installed = await installed_members(world, 3)
    card = str(confirm_card(await world.say(LEAD, "cutover started wave-2")))
    assert "Record cutover started for Wave 2" in card, card
    status, body = await world.teams.invoke_action(
        LEAD, "wave_state_confirm", {"wave": "wave-2", "state": "cutover-started"}
    )
    assert status == 200 and "Recorded cutover started" in str(body), body
    world.clock.set(dt.datetime(2027, 2, 13, 17, 30, tzinfo=PACIFIC))  # the window ended at 16:00
    shown = await status_text(world)
    assert "Wave 2 - Seattle & Tacoma clinical: cutover in progress (overrunning)" in shown, shown
    digest = await digest_text(world)
    assert "Wave 2 - Seattle & Tacoma clinical: cutover in progress (overrunning)" in digest, digest

    world.since = len(world.connector.received)
    url = f"{world.app.url}/api/waves/wave-2/state"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"state": "done"}, headers=auth) as r:
            assert r.status == 400 and (await r.json())["fields"][0]["field"] == "state"
        async with session.post(f"{world.app.url}/api/waves/wave-9/state", json={"state": "cutover-complete"},
                                headers=auth) as r:  # fmt: skip
            assert r.status == 404
        async with session.post(url, json={"state": "cutover-complete", "by": "dana.whitfield"}) as r:
            assert r.status == 401
        async with session.post(url, json={"state": "cutover-complete", "by": "dana.whitfield"}, headers=auth) as r:
            answer = await r.json()
            assert r.status == 200, answer
    assert answer["state"] == "cutover-complete" and answer["announcement"] == "wave-2/cutover-complete"
    assert answer["set_by"].startswith("dana.whitfield")
    await world.deliver()
    sends = world.sends()
    assert set(sends) == {p.personal_conversation for p in installed} and set(sends.values()) == {1}, sends
    shown = await status_text(world)
    assert "Wave 2 - Seattle & Tacoma clinical: hypercare" in shown and "overrunning" not in shown, shown
    assert "Wave 2 - Seattle & Tacoma clinical: hypercare" in await digest_text(world)


async def test_postpone_is_the_reschedule(world):
    world.clock.set(dt.datetime(2027, 2, 20, 9, 0, tzinfo=PACIFIC))
    replies = [r.text for r in await world.say(LEAD, "postpone wave-3 to 2027-03-06 07:00-16:00")]
    assert any("Saturday 6 March 2027" in t and "hypercare until Friday 19 March 2027" in t for t in replies), replies
    assert world.services.plan.wave("wave-3").hypercare_until == dt.date(2027, 3, 19)
    assert "Wave 3 - Spokane & Portland: postponed" in await status_text(world)
    unclear = [r.text for r in await world.say(LEAD, "postpone wave-3 next week")]
    assert any("**postpone** *wave* to" in t for t in unclear), unclear
