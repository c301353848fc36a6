"""Readiness where people see it, over real HTTP against the fake Graph: the schedule answer,
the reminders before cutover, and "I've set up Authenticator" checked against Graph.

Also the issue's done criterion: the Fabrikam demo resolves the same waves from Graph as from the CSV.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import types
from typing import Any

import pytest

from scheduler.jobs import announcements_due
from switchover.directory.base import DirectoryUser
from switchover.directory.roster import RosterDirectory
from switchover.membership import resolve_wave
from tests.bot.features.readiness.conftest import GraphWorld
from tests.support.app import FABRIKAM, Person, person
from tests.support.connector import Received

PACIFIC = dt.timezone(dt.timedelta(hours=-8))  # January and February: PST
NOT_READY = "You are not ready for your cutover yet"
SET_UP = "set up Microsoft Authenticator (https://aka.ms/mfasetup)"


def wave_members(world: GraphWorld, wave_key: str, *, registered: bool) -> list[DirectoryUser]:
    """Enabled members of a wave whose MFA registration in the fake tenant is ``registered``."""
    plan = world.app.services.plan
    snapshot = world.directory._snapshot
    assert snapshot is not None
    return [
        u
        for u in snapshot.users
        if u.enabled
        and not u.is_guest
        and resolve_wave(plan, u).wave_key == wave_key
        and world.graph.data.mfa_registered[u.id] is registered
    ]


def wave_shown(card: dict[str, Any] | None) -> str:
    """The wave a schedule card names in its facts box."""
    assert card is not None
    [box] = [b for b in card["body"] if b.get("type") == "Container" and b.get("style") == "emphasis"]
    return box["items"][0]["text"]


def as_person(user: DirectoryUser) -> Person:
    return person(user.upn)


def schedule_reply(replies: list[Received]) -> Received:
    cards = [r for r in replies if r.card]
    assert len(cards) == 1, [r.body for r in replies]
    return cards[0]


async def deliver(world: GraphWorld) -> None:
    await world.app.services.delivery.drain()


def cards_to(world: GraphWorld, who: Person, since: int) -> list[Received]:
    return [
        r
        for r in world.teams.connector.received[since:]
        if r.conversation_id == who.personal_conversation and r.op == "send" and r.card
    ]


def execute_data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    for action in card.get("actions", []):
        if action.get("type") == "Action.Execute" and action.get("verb") == verb:
            return action["data"]
    raise AssertionError(f"no {verb} button in {card}")


def texts(card: Any) -> str:
    if isinstance(card, dict):
        return " ".join(
            v if k in ("text", "title", "value") and isinstance(v, str) else texts(v) for k, v in card.items()
        )
    if isinstance(card, list):
        return " ".join(texts(x) for x in card)
    return ""


@pytest.fixture
def no_graph_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's backoff between 503s waits real seconds; the outcome is what these tests check."""
    import kiota_http.middleware.retry_handler as rh

    async def no_wait(delay: float) -> None:
        return None

    monkeypatch.setattr(rh, "asyncio", types.SimpleNamespace(sleep=no_wait))


# -- the done criterion: the demo against the fake Graph -------------------------------------


async def test_the_demo_resolves_the_same_waves_from_graph_as_from_the_csv(world: GraphWorld) -> None:
    plan = world.app.services.plan
    roster = RosterDirectory.from_csv(FABRIKAM / "roster.csv")
    members = [u for u in roster.users if u.enabled and not u.is_guest]
    named = {
        "grace.okafor@fabrikamhealth.com",  # a champion: an Entra group puts her in the pilot
        "farah.ahmed@fabrikamhealth.com",  # an exception moved to wave 3
        "wesley.grant@fabrikamhealth.com",  # remote in Boise, moves with his department
        "nora.abbott@fabrikamhealth.com",  # the demo's default persona
    }
    sample = [u for u in members if u.upn.casefold() in named] + members[::12]
    assert len(sample) >= 20
    for user in sample:
        expected = resolve_wave(plan, user).wave
        reply = schedule_reply(await world.teams.say(person(user.upn), "when is my migration"))
        if expected is None:
            assert "not in any migration wave" in reply.card_text(), user.upn
        else:
            assert wave_shown(reply.card) == expected.title, user.upn


# -- the schedule answer -------------------------------------------------------------------------


async def test_schedule_answer_tells_a_user_without_mfa_what_to_do_before_cutover(world: GraphWorld) -> None:
    not_ready = as_person(wave_members(world, "wave-2", registered=False)[0])
    ready = as_person(wave_members(world, "wave-2", registered=True)[0])
    line = f"Before your cutover on Saturday 13 February 2027: {SET_UP}."

    reply = schedule_reply(await world.teams.say(not_ready, "when is my migration", time_zone="America/Los_Angeles"))
    assert NOT_READY in reply.card_text() and line in reply.card_text()
    assert line in reply.body["summary"]  # the notification / text fallback says it too

    reply = schedule_reply(await world.teams.say(ready, "when is my migration", time_zone="America/Los_Angeles"))
    assert "Wave 2" in reply.card_text()
    assert NOT_READY not in reply.card_text() and "Before your cutover on" not in reply.card_text()
    assert "Before your cutover on" not in reply.body["summary"]


async def test_schedule_answer_uses_the_last_sync_not_a_graph_call(world: GraphWorld) -> None:
    not_ready = as_person(wave_members(world, "wave-3", registered=False)[0])
    before = len(world.graph.log("/userRegistrationDetails"))
    reply = schedule_reply(await world.teams.say(not_ready, "when is my move"))
    assert SET_UP in reply.card_text()
    assert len(world.graph.log("/userRegistrationDetails")) == before


async def test_schedule_answer_from_the_last_sync_during_a_graph_outage(
    world: GraphWorld, no_graph_backoff: None
) -> None:
    not_ready = as_person(wave_members(world, "wave-1", registered=False)[0])
    world.graph.down = True
    world.clock.advance(dt.timedelta(hours=1))  # past the lookup cache: the directory tries Graph, then the snapshot
    reply = schedule_reply(await world.teams.say(not_ready, "when is my migration"))
    assert "Wave 1" in reply.card_text() and SET_UP in reply.card_text()


async def test_schedule_answer_goes_without_readiness_when_it_fails(
    world: GraphWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    not_ready = as_person(wave_members(world, "wave-2", registered=False)[0])

    async def broken(user_id: str) -> None:
        raise RuntimeError("snapshot unreadable")

    monkeypatch.setattr(world.directory, "readiness", broken)
    with caplog.at_level(logging.ERROR, logger="switchover.readiness.service"):
        reply = schedule_reply(await world.teams.say(not_ready, "when is my migration"))
    assert "Wave 2" in reply.card_text() and NOT_READY not in reply.card_text()
    failures = [r for r in caplog.records if r.getMessage() == "readiness unavailable; answering without it"]
    assert failures and failures[0].exc_info is not None


async def test_schedule_answer_does_not_wait_for_a_slow_readiness(
    world: GraphWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import switchover.readiness.service as readiness_module

    not_ready = as_person(wave_members(world, "wave-2", registered=False)[0])

    async def stuck(user_id: str) -> None:
        await asyncio.sleep(30)

    monkeypatch.setattr(readiness_module, "NOTICE_TIMEOUT_SECONDS", 0.05)
    monkeypatch.setattr(world.directory, "readiness", stuck)
    started = asyncio.get_running_loop().time()
    reply = schedule_reply(await world.teams.say(not_ready, "when is my migration"))
    assert asyncio.get_running_loop().time() - started < 5
    assert "Wave 2" in reply.card_text() and NOT_READY not in reply.card_text()


# -- reminders before cutover ---------------------------------------------------------------------


async def test_reminders_before_cutover_carry_what_to_do_for_those_not_ready(world: GraphWorld) -> None:
    not_ready = as_person(wave_members(world, "wave-0", registered=False)[0])
    ready = as_person(wave_members(world, "wave-0", registered=True)[0])
    for p in (not_ready, ready):
        await world.teams.install(p)
    line = f"Before your cutover on Saturday 16 January 2027: {SET_UP}."
    for when, key in (
        (dt.datetime(2027, 1, 9, 9, 0, tzinfo=PACIFIC), "wave-0/one-week"),
        (dt.datetime(2027, 1, 15, 15, 0, tzinfo=PACIFIC), "wave-0/tomorrow"),
    ):
        since = len(world.teams.connector.received)
        world.clock.set(when)
        graph_calls = len(world.graph.log("/userRegistrationDetails"))
        assert key in await announcements_due(world.app.services)
        await deliver(world)
        # Readiness came from the last sync: the send asked Graph nothing about MFA.
        assert len(world.graph.log("/userRegistrationDetails")) == graph_calls
        [card] = cards_to(world, not_ready, since)
        assert NOT_READY in card.card_text() and line in card.card_text(), key
        [card] = cards_to(world, ready, since)
        assert "Saturday 16 January 2027" in card.card_text()
        assert NOT_READY not in card.card_text() and "Before your cutover on" not in card.card_text(), key


async def test_no_readiness_on_messages_after_the_cutover_has_started(world: GraphWorld) -> None:
    not_ready = as_person(wave_members(world, "wave-0", registered=False)[0])
    await world.teams.install(not_ready)
    since = len(world.teams.connector.received)
    world.clock.set(dt.datetime(2027, 1, 16, 8, 0, tzinfo=PACIFIC))
    assert "wave-0/cutover-start" in await announcements_due(world.app.services)
    await deliver(world)
    [card] = cards_to(world, not_ready, since)
    assert "Cutover in progress" in card.card_text() and NOT_READY not in card.card_text()


# -- "I've set up Authenticator" ------------------------------------------------------------------


async def test_mfa_done_is_checked_against_graph(world: GraphWorld) -> None:
    user = wave_members(world, "wave-1", registered=False)[0]
    who = as_person(user)
    await world.teams.install(who)
    since = len(world.teams.connector.received)
    world.clock.set(dt.datetime(2027, 1, 16, 9, 0, tzinfo=PACIFIC))  # wave 1's two-weeks message
    assert "wave-1/what-changes" in await announcements_due(world.app.services)
    await deliver(world)
    [sent] = cards_to(world, who, since)
    assert NOT_READY in sent.card_text()
    data = execute_data(sent.card, "mfa_done")
    service = world.app.services.announcements

    # Graph shows no registration: nothing recorded, the card says what to do and keeps the button.
    status, body = await world.teams.invoke_action(who, "mfa_done", data)
    assert status == 200, body
    card = body["value"]
    assert "does not show an Authenticator registration" in texts(card)
    assert "Acknowledged" not in texts(card)
    assert execute_data(card, "mfa_done") == data
    assert (await service.report("wave-1/what-changes")).acknowledged == 0

    # Registered since: recorded as now, the card thanks them and the not-ready block is gone.
    world.graph.data.mfa_registered[user.id] = True
    status, body = await world.teams.invoke_action(who, "mfa_done", data)
    assert status == 200, body
    card = body["value"]
    assert "Authenticator is registered for your account" in texts(card)
    assert "Acknowledged Sat 16 Jan 09:00" in texts(card)
    assert NOT_READY not in texts(card)
    assert all(a.get("verb") not in ("acknowledge", "mfa_done") for a in card["actions"])
    assert (await service.report("wave-1/what-changes")).acknowledged == 1
    # The lead's readiness figures agree with what the user was just told.
    readiness = await world.directory.readiness(user.id)
    assert readiness is not None and readiness.mfa_registered is True


async def test_mfa_done_from_someone_never_sent_it_asks_graph_nothing(world: GraphWorld) -> None:
    [sent_to, outsider] = [as_person(u) for u in wave_members(world, "wave-1", registered=False)[:2]]
    await world.teams.install(sent_to)
    world.clock.set(dt.datetime(2027, 1, 16, 9, 0, tzinfo=PACIFIC))
    await announcements_due(world.app.services)
    await deliver(world)
    before = len(world.graph.log("/userRegistrationDetails"))
    status, body = await world.teams.invoke_action(outsider, "mfa_done", {"announcement_id": "wave-1/what-changes"})
    assert status == 200 and "not sent to you" in texts(body["value"])
    assert len(world.graph.log("/userRegistrationDetails")) == before
