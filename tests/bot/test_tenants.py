"""Closed by default: only the tenant the plan (or SWITCHOVER_ALLOWED_TENANTS) names is served, in every mode.

Over real HTTP against the app, with the loopback Bot Connector; in auth mode the
foreign tenant's activities carry a valid token (a multi-tenant bot's tokens do
not name the tenant), so only the tenant check stands between them and the plan.
"""

from __future__ import annotations

import aiohttp
import pytest
import sqlalchemy as sa

from bot.tenants import REFUSAL
from tests.support.app import (
    TENANT_ID,
    RunningApp,
    TeamsClient,
    make_settings,
    person,
    plan_naming_tenant,
    start_app,
)
from tests.support.connector import LoopbackConnector

OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
TABLES = (
    "conversation_refs",
    "bot_state",
    "problem_drafts",
    "problem_reports",
    "answers_gaps",
    "answers_feedback",
    "answers_picks",
    "delivery_outbox",
)


@pytest.fixture
async def served(tmp_path, clock, identity, connector):
    """The app on a plan that names its tenant (and no allow-list); a client for that tenant."""
    settings = make_settings(
        tmp_path,
        identity=identity,
        plan_path=plan_naming_tenant(tmp_path / "plan"),
        roster_path=tmp_path / "plan" / "roster.csv",
        allowed_tenants="",
    )
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsClient(running, connector, session, identity=identity)
    finally:
        await runner.cleanup()


def stranger(teams: TeamsClient, tenant: str = OTHER_TENANT) -> TeamsClient:
    """The same Teams, speaking for users of another tenant."""
    return TeamsClient(teams.app, teams.connector, teams.session, tenant_id=tenant, identity=teams.identity)


async def rows(app: RunningApp) -> dict[str, int]:
    async with app.services.db.begin(read_only=True) as conn:
        return {t: (await conn.execute(sa.text(f"SELECT count(*) FROM {t}"))).scalar_one() for t in TABLES}  # noqa: S608


async def test_activity_from_another_tenant_is_refused(served: TeamsClient) -> None:
    other = stranger(served)
    before = await rows(served.app)
    for text in ("when is my migration", "report a problem: outlook will not open since this morning", "help"):
        activity = other.activity(person("vanessa.fox"), text=text)
        resp = await other.post(activity)
        assert resp.status == 403
    replies = served.connector.received
    assert [r.text for r in replies] == [REFUSAL] * 3  # polite, and nothing from the plan
    assert all(r.card is None for r in replies)
    assert await rows(served.app) == before  # no conversation reference, dialog state, gap or report


async def test_the_plans_own_tenant_is_served(served: TeamsClient) -> None:
    replies = await served.say("vanessa.fox", "help")
    assert replies and replies[0].card is not None
    assert (await rows(served.app))["conversation_refs"] == 1


async def test_a_card_action_from_another_tenant_files_no_report(served: TeamsClient) -> None:
    other = stranger(served)
    await other.post(other.activity(person("vanessa.fox"), text="report a problem: outlook will not open"))
    draft = {"draft": "d-1", "text": "outlook will not open", "area": "email", "impact": "me", "urgency": "blocked"}
    status, body = await other.invoke_action("vanessa.fox", "problem_submit", draft)
    refusal = {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": REFUSAL}
    assert (status, body) == (200, refusal)
    assert await rows(served.app) == dict.fromkeys(TABLES, 0)  # no draft, no report, nothing at all
    status, body = await served.invoke_action("vanessa.fox", "problem_submit", draft)  # the served tenant is heard
    assert status == 200 and body != refusal


async def test_installing_in_another_tenant_stores_no_conversation_and_sends_no_welcome(served: TeamsClient) -> None:
    other = stranger(served)
    resp = await other.post(
        other.activity(person("omar.reyes"), type="conversationUpdate", membersAdded=[{"id": other.bot_id}])
    )
    assert resp.status == 403
    assert served.connector.received == []
    assert (await rows(served.app))["conversation_refs"] == 0


async def test_an_activity_naming_no_tenant_is_refused(served: TeamsClient) -> None:
    activity = served.activity(person("vanessa.fox"), text="when is my migration")
    del activity["channelData"]
    del activity["conversation"]["tenantId"]
    assert (await served.post(activity)).status == 403
    assert [r.text for r in served.connector.received] == [REFUSAL]


async def test_an_activity_whose_tenant_fields_disagree_is_refused(served: TeamsClient) -> None:
    activity = served.activity(person("vanessa.fox"), text="when is my migration")
    activity["conversation"]["tenantId"] = OTHER_TENANT  # channelData still names the served tenant
    assert (await served.post(activity)).status == 403
    assert [r.text for r in served.connector.received] == [REFUSAL]
    assert (await rows(served.app))["conversation_refs"] == 0


async def test_the_tenant_is_compared_without_regard_to_case(served: TeamsClient) -> None:
    shouting = stranger(served, TENANT_ID.upper())
    replies = await shouting.say("vanessa.fox", "help")
    assert replies and replies[0].card is not None


async def test_allow_list_refuses_other_tenants_politely(tmp_path, clock, identity, connector) -> None:
    allowed = "11111111-1111-1111-1111-111111111111"
    settings = make_settings(tmp_path, identity=identity, allowed_tenants=f" {allowed} , 22222222-0000-0000-0000-0 ")
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            client = TeamsClient(running, connector, session)  # speaks for TENANT_ID, not on the list
            resp = await client.post(client.activity(person("vanessa.fox"), text="when is my migration"))
            assert resp.status == 403
            assert [r.text for r in connector.received] == [REFUSAL]
            assert (await rows(running))["conversation_refs"] == 0
            listed = TeamsClient(running, connector, session, tenant_id=allowed)
            assert (await listed.say("vanessa.fox", "help"))[0].card is not None
    finally:
        await runner.cleanup()


async def test_with_no_tenant_named_in_local_mode_any_tenant_is_served(tmp_path, clock) -> None:
    # Local mode whatever SWITCHOVER_TEST_AUTH says: it runs once.
    runner, running = await start_app(make_settings(tmp_path, allowed_tenants=""), clock)
    try:
        async with LoopbackConnector() as connector, aiohttp.ClientSession() as session:
            client = TeamsClient(running, connector, session, tenant_id=OTHER_TENANT)
            assert (await client.say("vanessa.fox", "help"))[0].card is not None
    finally:
        await runner.cleanup()


async def test_the_refusal_is_in_the_askers_teams_language(served: TeamsClient) -> None:
    other = stranger(served)
    for locale in ("es-MX", "pl-PL", "it-IT"):
        activity = other.activity(person("vanessa.fox"), text="help", locale=locale)
        assert (await other.post(activity)).status == 403
    spanish, polish, italian = [r.text for r in served.connector.received]
    assert spanish.startswith("Lo siento, no estoy configurado para su organización")
    assert polish.startswith("Niestety nie mam konfiguracji dla Twojej organizacji")
    assert italian == REFUSAL  # no Italian catalog: English
