"""Reach for leads over Teams, and the app installed ahead of each wave, with the Graph directory on the
loopback Graph: the scheduler's wake-up installs for the waves whose time has come, the outcomes feed
the ``reach wave-N`` card, its paged drill-down and the status card's reach figure.

The reach API (``api/reach.py``) is tested in ``tests/api/test_reach.py``."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from scheduler.jobs import reach_due
from switchover.membership import resolve_wave, rule_wave
from switchover.storage.conversations import ConversationRecord
from tests.bot.features.readiness.conftest import GraphWorld
from tests.support.app import person

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"
PACIFIC = ZoneInfo("America/Los_Angeles")


def members(world: GraphWorld, wave: str) -> list:  # noqa: ANN001
    """The wave's people as a lead counts them: its members, and disabled accounts its rules would place there."""
    plan = world.app.services.plan
    users = world.directory._snapshot.users  # type: ignore[union-attr]
    return [
        u
        for u in users
        if not u.is_guest
        and (
            resolve_wave(plan, u).wave_key == wave
            or (not u.enabled and getattr(rule_wave(plan, u), "key", None) == wave)
        )
    ]


def card_text(card: dict) -> str:  # noqa: ANN001
    return json.dumps(card, ensure_ascii=False)


async def test_installs_ahead_of_each_wave_and_the_lead_sees_reach(world: GraphWorld) -> None:
    services = world.app.services
    reach = services.reach
    assert reach is not None and reach.queue is not None
    # Before anything is installed (and the lead's message makes the tenant known): everyone unknown.
    [before] = [r for r in await world.teams.say(person(LEAD), "reach wave-1") if r.card]
    assert "being installed" in card_text(before.card) and "Unknown: " in card_text(before.card)
    tenant = await services.tenant.settle()  # the tenant served: the announcement calendar is in place
    assert tenant
    starts = await reach.install_starts()
    # 21 days (the plan's default) before the wave's first announcement, T-14 at 09:00 in the wave's zone.
    assert starts["wave-2"] == dt.datetime(2027, 1, 30, 9, 0, tzinfo=PACIFIC) - dt.timedelta(days=21)
    now = world.clock.now()
    due = {k for k, at in starts.items() if at <= now}
    assert {"wave-0", "wave-1"} <= due and "wave-2" not in due and "wave-3" not in due

    pilot = members(world, "wave-1")  # Corporate: due, and with disabled accounts
    enabled = [u for u in pilot if u.enabled]
    chatting, refused = enabled[0], enabled[1]
    world.graph.data.install_forbidden.add(refused.id)
    await services.conversations.upsert(
        ConversationRecord(
            tenant_id=tenant,
            kind="personal",
            conversation_id="a:chatting",
            service_url="https://smba.example.test/",
            aad_object_id=chatting.id,
        ),
        now,
    )

    await reach_due(services)
    posted = world.graph.installs_by_user()
    for wave in ("wave-2", "wave-3"):
        assert not {u.id for u in members(world, wave)} & set(posted), f"{wave} installed before its time"
    for wave in due:
        expected = {u.id for u in members(world, wave) if u.enabled} - {chatting.id}
        assert expected <= set(posted)
    assert chatting.id not in posted
    assert not {u.id for u in pilot if not u.enabled} & set(posted)
    assert set(posted.values()) == {1}
    await reach_due(services)  # nothing again
    assert world.graph.installs_by_user() == posted

    wave1 = await reach.wave(tenant, "wave-1")
    disabled = len(pilot) - len(enabled)
    assert disabled, "the wave has a disabled account to show"
    assert wave1.counts == {
        "conversation": 1,
        "installed": len(enabled) - 2,
        "blocked": 0,
        "no_teams": 1,
        "disabled": disabled,
        "unknown": 0,
    }

    # The lead's card: counts per state, the names in the states to act on, a button per state.
    [reply] = [r for r in await world.teams.say(person(LEAD), "reach wave-1") if r.card]
    text = card_text(reply.card)
    assert f"{len(enabled) - 1} of {len(enabled)} can be messaged" in text
    assert refused.display_name in text and "No Teams licence or not found: 1" in text
    assert f"Account disabled: {disabled}" in text
    status, body = await world.teams.invoke_action(
        person(LEAD), "reach_people", {"wave": "wave-1", "state": "no_teams"}
    )
    assert status == 200
    page = card_text(body["value"])
    assert refused.upn in page and "page 1 of 1" in page
    assert [r.text for r in await world.teams.say("omar.reyes", "reach wave-1")] == [
        "Reach figures are for the project leads."
    ]
    # A lead whose Teams is in Spanish: the same counts in Spanish; a refusal in the asker's language.
    [spanish] = [r for r in await world.teams.say(person(LEAD), "reach wave-1", locale="es-US") if r.card]
    es_text = card_text(spanish.card)
    assert f"se puede escribir a {len(enabled) - 1} de {len(enabled)}" in es_text
    assert "Sin licencia de Teams o no encontrado: 1" in es_text and f"Cuenta deshabilitada: {disabled}" in es_text
    assert "can be messaged" not in es_text and "Account disabled" not in es_text
    assert [r.text for r in await world.teams.say("omar.reyes", "reach wave-1", locale="pl-PL")] == [
        "Dane o zasięgu są dostępne dla kierowników projektu."
    ]

    # Someone joins wave 2 after its installation began: queued on the next wake-up.
    world.clock.set(starts["wave-2"] + dt.timedelta(minutes=1))
    await reach_due(services)
    wave2 = {u.id for u in members(world, "wave-2") if u.enabled}
    chats = await services.conversations.personal_for_users(tenant, wave2)  # those who talked to the bot
    assert wave2 - set(chats) <= set(world.graph.installs_by_user())
    assert not set(chats) & set(world.graph.installs_by_user())

    # The status card's reach figure counts the installed.
    picture = await services.reach.counts_by_wave(tenant, await reach.members())
    assert picture["wave-1"]["installed"] == len(enabled) - 2
