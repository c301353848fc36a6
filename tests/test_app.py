"""The app over real HTTP: Bot Framework activities in, replies out to the loopback connector."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.app import TeamsClient, make_settings, person, start_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity


async def test_help_gets_a_card_posted_back_to_the_service_url(teams: TeamsClient) -> None:
    replies = await teams.say("nadia.hassan", "help")
    assert len(replies) == 1
    reply = replies[0]
    assert reply.op == "reply"  # a reply to the incoming activity, at its serviceUrl
    assert reply.card is not None
    assert "What I can do" in reply.card_text()
    assert "report a problem" in reply.card_text()


async def test_help_shows_lead_commands_only_to_project_leads(teams: TeamsClient) -> None:
    lead = person("dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com")
    lead_card = (await teams.say(lead, "help"))[0].card_text()
    staff_card = (await teams.say("vanessa.fox", "help"))[0].card_text()
    assert "reschedule" in lead_card
    assert "reschedule" not in staff_card


async def test_install_welcomes_with_the_users_wave_in_their_time_zone(teams: TeamsClient) -> None:
    replies = await teams.install(person("omar.reyes"))
    cards = [r for r in replies if r.card]
    assert len(cards) == 1
    text = cards[0].card_text()
    assert "Hi Omar" in text
    # omar.reyes (Portland) is moved to Wave 2 by exception: Sat 13 Feb 2027 07:00-16:00 Pacific.
    assert "Wave 2" in text
    assert "Saturday 13 February 2027, 07:00-16:00 PST (America/Los_Angeles)" in text


async def test_conversation_reference_is_stored_on_first_message(teams: TeamsClient) -> None:
    who = person("wesley.grant")
    await teams.say(who, "help", time_zone="America/Boise")
    stored = await teams.app.services.conversations.personal_for_user(teams.tenant_id, who.aad_object_id)
    assert stored is not None
    assert stored.conversation_id == who.personal_conversation
    assert stored.service_url == teams.connector.url
    assert stored.time_zone == "America/Boise"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"type": "message", "text": "caf\xe9"}', "application/json", 400),  # Latin-1, not UTF-8
        (  # a lone surrogate escape: not text (every other field is fine)
            b'{"type": "message", "text": "\\ud800", "serviceUrl": "http://127.0.0.1:1/", '
            b'"conversation": {"id": "a"}, "from": {"id": "b"}}',
            "application/json",
            400,
        ),
        (json.dumps({"type": "message", "text": "hi"}).encode(), "application/json", 400),
        (json.dumps({"type": "message"}).encode(), "text/plain", 415),
        (
            json.dumps(
                {"type": "message", "serviceUrl": "ftp://x", "conversation": {"id": "a"}, "from": {"id": "b"}}
            ).encode(),
            "application/json",
            400,
        ),
        (
            json.dumps(
                {"type": "message", "serviceUrl": "http://127.0.0.1:1/", "conversation": "a", "from": {"id": "b"}}
            ).encode(),
            "application/json",
            400,
        ),
    ],
)
async def test_malformed_requests_get_a_4xx_and_the_app_keeps_serving(
    teams: TeamsClient, body: bytes, content_type: str, status: int
) -> None:
    async with teams.session.post(
        f"{teams.app.url}/api/messages", data=body, headers={"Content-Type": content_type}
    ) as resp:
        assert resp.status == status
        assert "error" in await resp.json()
    assert (await teams.say("vanessa.fox", "help"))[0].card is not None


async def test_a_byte_order_mark_before_the_json_is_ignored(teams: TeamsClient) -> None:
    activity = teams.activity(person("vanessa.fox"), text="help")
    async with teams.session.post(
        f"{teams.app.url}/api/messages",
        data=b"\xef\xbb\xbf" + json.dumps(activity).encode(),
        headers={"Content-Type": "application/json", **teams.auth_headers()},
    ) as resp:
        assert resp.status == 202
    assert len(teams.connector.received) == 1


async def test_oversized_body_is_refused_with_413(teams: TeamsClient) -> None:
    activity = teams.activity(person("vanessa.fox"), text="x" * (teams.app.settings.max_body_bytes + 10))
    resp = await teams.post(activity)
    assert resp.status == 413


async def test_unknown_activity_types_are_accepted_and_ignored(teams: TeamsClient) -> None:
    resp = await teams.post(teams.activity(person("vanessa.fox"), type="somethingNew"))
    assert resp.status == 202
    assert teams.connector.received == []


async def test_health_and_readiness(teams: TeamsClient) -> None:
    async with teams.session.get(f"{teams.app.url}/healthz") as resp:
        assert resp.status == 200
    async with teams.session.get(f"{teams.app.url}/readyz") as resp:
        body = await resp.json()
        assert resp.status == 200, body
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["plan"]["waves"] == 4


async def test_with_an_app_id_a_request_without_a_token_gets_401(tmp_path, clock) -> None:
    # Always with an app id, whatever SWITCHOVER_TEST_AUTH says: it runs once.
    settings = make_settings(tmp_path, app_id="00000000-0000-0000-0000-00000000abcd", app_password="not-a-secret")
    runner, running = await start_app(settings, clock)
    try:
        async with LoopbackConnector() as connector, aiohttp.ClientSession() as session:
            client = TeamsClient(running, connector, session)
            resp = await client.post(client.activity(person("vanessa.fox"), text="help"))
            assert resp.status == 401
            resp = await client.post(
                client.activity(person("vanessa.fox"), text="help"), headers={"Authorization": "Bearer forged.jwt.x"}
            )
            assert resp.status == 401
            assert connector.received == []
    finally:
        await runner.cleanup()


@pytest.fixture
async def authenticated(tmp_path, clock):
    """The app with an app id, a loopback identity provider and a token-checking connector (in every mode)."""
    identity = LoopbackIdentity("7d3f1e2a-0b9c-4d8e-a6f5-1c2b3a4d5e6f").start()
    async with LoopbackConnector(require_token=identity.bot_token) as connector:
        runner, running = await start_app(make_settings(tmp_path, identity=identity), clock, identity=identity)
        try:
            async with aiohttp.ClientSession() as session:
                yield TeamsClient(running, connector, session, identity=identity), identity
        finally:
            await runner.cleanup()
            identity.stop()


async def test_authenticated_turn_validates_the_channel_token_and_signs_the_reply(authenticated) -> None:
    teams, identity = authenticated
    replies = await teams.say("vanessa.fox", "help")
    assert len(replies) == 1
    assert replies[0].authorization == f"Bearer {identity.bot_token}"


@pytest.mark.parametrize(
    "forgery",
    ["wrong_audience", "expired", "other_key", "unknown_key", "wrong_issuer", "other_service_url", "hs256"],
)
async def test_forged_or_stale_tokens_get_401(authenticated, forgery: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    teams, identity = authenticated
    url = teams.connector.url
    token = {
        "wrong_audience": lambda: identity.channel_token(url, audience="another-bot"),
        "expired": lambda: identity.channel_token(url, lifetime=dt.timedelta(hours=-2)),
        "other_key": lambda: identity.channel_token(
            url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ),
        "unknown_key": lambda: identity.channel_token(
            url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048), kid="never-published"
        ),
        "wrong_issuer": lambda: identity.channel_token(url, issuer="https://evil.example"),
        # Signed with a shared secret under a published key id: the algorithm is not allowed.
        "hs256": lambda: jwt.encode(
            jwt.decode(identity.channel_token(url), options={"verify_signature": False}),
            "a-guessed-shared-secret-of-32-bytes-or-more",
            algorithm="HS256",
            headers={"kid": identity.kid},
        ),
        "other_service_url": lambda: identity.channel_token("https://evil.example/"),
    }[forgery]()
    activity = teams.activity(person("vanessa.fox"), text="help")
    async with teams.session.post(
        f"{teams.app.url}/api/messages",
        json=activity,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    ) as resp:
        assert resp.status == 401
    assert teams.connector.received == []


async def test_a_signing_key_rollover_is_picked_up_without_a_restart(authenticated) -> None:
    from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

    teams, identity = authenticated
    assert len(await teams.say("vanessa.fox", "help")) == 1  # the bot now holds the provider's keys
    identity.roll_over_key()
    # botbuilder fetches the keys again for an unknown key only if it has not for an hour.
    JwtTokenExtractor.metadataCache[identity.metadata_url].last_updated -= dt.timedelta(hours=2)
    replies = await teams.say("vanessa.fox", "help")
    assert len(replies) == 1 and replies[0].card is not None


def _authentication(teams: TeamsClient):  # noqa: ANN202 - bot.adapter.PooledAuthentication
    return teams.app.services.messenger._adapter.bot_framework_authentication


async def _post_with(teams: TeamsClient, token: str, who: str, **changes: Any) -> int:
    activity = teams.activity(person(who), text="help")
    activity.update(changes)
    async with teams.session.post(
        f"{teams.app.url}/api/messages",
        json=activity,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    ) as resp:
        return resp.status


async def test_a_channel_token_is_checked_once_then_trusted_for_its_next_activities(authenticated) -> None:
    teams, identity = authenticated
    auth = _authentication(teams)
    token = identity.channel_token(teams.connector.url)
    before = auth.validations
    assert [await _post_with(teams, token, "vanessa.fox") for _ in range(3)] == [202, 202, 202]
    assert len(teams.connector.received) == 3
    assert auth.validations == before + 1


async def test_a_trusted_token_is_checked_again_for_another_service_url_or_channel(authenticated) -> None:
    teams, identity = authenticated
    token = identity.channel_token(teams.connector.url)
    assert await _post_with(teams, token, "vanessa.fox") == 202
    # The same token with an activity claiming another service URL or channel is not waved through.
    assert await _post_with(teams, token, "vanessa.fox", serviceUrl="https://evil.example/") == 401
    assert await _post_with(teams, token, "vanessa.fox", channelId="emulator") == 401
    assert len(teams.connector.received) == 1


async def test_a_trusted_token_is_checked_again_after_five_minutes_and_refused_once_expired(authenticated) -> None:
    teams, identity = authenticated
    auth = _authentication(teams)
    now = [time.time()]
    auth._now = lambda: now[0]
    token = identity.channel_token(teams.connector.url, lifetime=dt.timedelta(minutes=20))
    assert await _post_with(teams, token, "vanessa.fox") == 202
    before = auth.validations
    now[0] += 299
    assert await _post_with(teams, token, "vanessa.fox") == 202
    assert auth.validations == before
    now[0] += 2  # past five minutes: botbuilder checks it again (still valid)
    assert await _post_with(teams, token, "vanessa.fox") == 202
    assert auth.validations == before + 1
    # A token past its expiry is never trusted from memory: botbuilder (which allows five
    # minutes of clock skew) checks it every time.
    short = identity.channel_token(teams.connector.url, lifetime=dt.timedelta(seconds=-1))
    before = auth.validations
    assert await _post_with(teams, short, "vanessa.fox") == 202
    assert await _post_with(teams, short, "vanessa.fox") == 202
    assert auth.validations == before + 2


async def test_fetching_signing_keys_does_not_stop_the_bot(authenticated) -> None:
    teams, identity = authenticated
    identity.hold.clear()  # the identity provider stalls on the metadata document
    first = asyncio.create_task(teams.say("vanessa.fox", "help"))
    second = asyncio.create_task(teams.say("omar.reyes", "help"))
    try:
        assert await asyncio.to_thread(identity.metadata_asked.wait, 10)
        # While the keys are being fetched the bot still answers other requests.
        async with asyncio.timeout(10), teams.session.get(f"{teams.app.url}/healthz") as resp:
            assert resp.status == 200
    finally:
        identity.hold.set()
    assert len(await first) == 1 and len(await second) == 1
    # Released by this test, not by the provider giving up: the loop was never stuck in the fetch.
    assert not identity.hold_expired
    assert identity.metadata_requests == 1  # one fetch served both turns


async def test_turns_waiting_on_a_failed_first_fetch_share_its_outcome(authenticated) -> None:
    teams, identity = authenticated
    identity.failing = True
    identity.hold.clear()
    posts = [asyncio.create_task(teams.post(teams.activity(person("vanessa.fox"), text="help"))) for _ in range(5)]
    try:
        assert await asyncio.to_thread(identity.metadata_asked.wait, 10)
        # The other four are queued behind that fetch (the lock is the patch's own, bot/adapter.py).
        from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

        from bot.adapter import _KeyState

        lock = _KeyState.of(JwtTokenExtractor.metadataCache[identity.metadata_url]).lock()
        async with asyncio.timeout(10):
            while len(lock._waiters or ()) < 4:  # noqa: ASYNC110 - polling another layer's lock
                await asyncio.sleep(0.01)
    finally:
        identity.hold.set()
    assert [(await p).status for p in posts] == [503] * 5
    assert identity.metadata_requests == 1  # not one fetch after another, each up to the timeout


async def test_no_signing_keys_gets_503_and_the_next_activity_fetches_again(authenticated) -> None:
    teams, identity = authenticated
    identity.failing = True
    resp = await teams.post(teams.activity(person("vanessa.fox"), text="help"))
    assert resp.status == 503 and resp.headers["Retry-After"] == "30"
    assert teams.connector.received == []
    identity.failing = False
    assert len(await teams.say("vanessa.fox", "help")) == 1


async def test_a_failed_key_refresh_keeps_the_keys_held(authenticated) -> None:
    from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

    teams, identity = authenticated
    assert len(await teams.say("vanessa.fox", "help")) == 1
    JwtTokenExtractor.metadataCache[identity.metadata_url].last_updated -= dt.timedelta(days=2)  # due daily
    identity.failing = True
    fetched = identity.metadata_requests
    assert len(await teams.say("vanessa.fox", "help")) == 1  # checked with the keys already held
    assert identity.metadata_requests == fetched + 1
    assert len(await teams.say("vanessa.fox", "help")) == 1
    assert identity.metadata_requests == fetched + 1  # not again at once: retried after a pause
    # Nor for tokens naming keys nobody published (botbuilder would fetch again for those).
    for _ in range(3):
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = identity.channel_token(teams.connector.url, key=stranger, kid=f"made-up-{uuid.uuid4().hex}")
        assert await _post_with(teams, token, "vanessa.fox") == 401
    assert identity.metadata_requests == fetched + 1


async def test_uninstall_marks_the_reference_and_reinstall_restores_it(teams: TeamsClient) -> None:
    who = person("vanessa.fox")
    store = teams.app.services.conversations
    await teams.install(who)
    assert (await store.personal_for_user(teams.tenant_id, who.aad_object_id)).installed
    resp = await teams.post(teams.activity(who, type="installationUpdate", action="remove"))
    assert resp.status == 202
    removed = await store.get(teams.tenant_id, who.personal_conversation)
    assert removed is not None and removed.uninstalled_at is not None
    await teams.post(teams.activity(who, type="installationUpdate", action="add"))
    again = await store.get(teams.tenant_id, who.personal_conversation)
    assert again.uninstalled_at is None


async def test_a_channel_conversation_is_stored_with_its_team_and_channel(teams: TeamsClient) -> None:
    who = person("kevin.obrien")
    activity = teams.activity(
        who,
        type="conversationUpdate",
        conversation_id="19:servicedesk@thread.tacv2",
        conversation_type="channel",
        membersAdded=[{"id": teams.bot_id}],
        channelData={
            "tenant": {"id": teams.tenant_id},
            "team": {"id": "19:team@thread.tacv2", "name": "Fabrikam IT"},
            "channel": {"id": "19:servicedesk@thread.tacv2", "name": "Service Desk"},
            "eventType": "teamMemberAdded",
        },
    )
    assert (await teams.post(activity)).status == 202
    stored = await teams.app.services.conversations.channel_by_name(teams.tenant_id, "Fabrikam IT", "Service Desk")
    assert stored is not None and stored.conversation_id == "19:servicedesk@thread.tacv2"
    assert stored.user_id is None  # a channel reference is not anyone's personal chat


FABRIKAM_IT = "19:fabrikam-it@thread.tacv2"  # the team's id, which is also its General channel's
DESK = "19:servicedesk@thread.tacv2"


def channel_activity(teams: TeamsClient, conversation_id: str, channel: dict, **extra: Any) -> dict:
    return teams.activity(
        person("kevin.obrien"),
        conversation_id=conversation_id,
        conversation_type="channel",
        channelData={
            "tenant": {"id": teams.tenant_id},
            "team": {"id": FABRIKAM_IT, "name": "Fabrikam IT"},
            "channel": channel,
            **extra.pop("channel_data", {}),
        },
        **extra,
    )


async def test_added_to_a_team_the_bot_learns_its_channels_by_name(teams: TeamsClient, connector) -> None:
    # As Teams does it: the bot is added to the whole team, told so in the General channel
    # (no channel name), and learns the other channels' names from the Bot Connector.
    connector.teams[FABRIKAM_IT] = [{"id": FABRIKAM_IT}, {"id": DESK, "name": "Service Desk"}]
    installed = channel_activity(
        teams,
        FABRIKAM_IT,
        {"id": FABRIKAM_IT},
        type="conversationUpdate",
        membersAdded=[{"id": teams.bot_id}],
        channel_data={"eventType": "teamMemberAdded"},
    )
    assert (await teams.post(installed)).status == 202
    store = teams.app.services.conversations
    desk = await store.channel_by_name(teams.tenant_id, "Fabrikam IT", "Service Desk")
    assert desk is not None and desk.conversation_id == DESK
    general = await store.channel_by_name(teams.tenant_id, "fabrikam it", "general")
    assert general is not None and general.conversation_id == FABRIKAM_IT

    # A message in a channel names its thread; the channel is stored, and keeps its name.
    message = channel_activity(teams, f"{DESK};messageid=1700000000001", {"id": DESK}, text="hello")
    assert (await teams.post(message)).status == 202
    assert await store.get(teams.tenant_id, f"{DESK};messageid=1700000000001") is None
    assert (await store.channel_by_name(teams.tenant_id, "Fabrikam IT", "Service Desk")).conversation_id == DESK

    # A rename arrives about that channel; General keeps its own name.
    renamed = channel_activity(
        teams,
        FABRIKAM_IT,
        {"id": DESK, "name": "Helpdesk"},
        type="conversationUpdate",
        channel_data={"eventType": "channelRenamed"},
    )
    assert (await teams.post(renamed)).status == 202
    assert (await store.channel_by_name(teams.tenant_id, "Fabrikam IT", "Helpdesk")).conversation_id == DESK
    assert (await store.channel_by_name(teams.tenant_id, "Fabrikam IT", "General")).conversation_id == FABRIKAM_IT

    # Removed from the team (told in General): gone from every channel of it.
    removed = channel_activity(teams, FABRIKAM_IT, {"id": FABRIKAM_IT}, type="installationUpdate", action="remove")
    assert (await teams.post(removed)).status == 202
    for channel_id in (FABRIKAM_IT, DESK):
        assert (await store.get(teams.tenant_id, channel_id)).installed is False, channel_id


async def test_card_actions_unknown_verbs_get_the_documented_400_error_and_handlers_may_answer_with_a_message(
    teams: TeamsClient,
) -> None:
    from app import ROUTER

    status, body = await teams.invoke_action("vanessa.fox", "no_such_verb", {"x": 1})
    assert status == 200 and body["statusCode"] == 400 and body["type"] == "application/vnd.microsoft.error"

    async def quiet(turn, data):
        return None

    teams.app.app[ROUTER].action("quiet_verb", quiet)
    status, body = await teams.invoke_action("vanessa.fox", "quiet_verb", {})
    assert status == 200
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": "Done"}


# -- the running services: built once, typed; background work owned by the app -----------------


def test_one_delivery_engine_keeps_the_configured_tenant_rate_and_crash_policy(tmp_path) -> None:
    from app import SERVICES, create_app

    settings = make_settings(tmp_path, tenant_rate=20, delivery_in_doubt="hold", missed_grace_minutes=30)
    services = create_app(settings, start_scheduler=False)[SERVICES]
    engine = services.delivery
    assert engine.limits.per_tenant_per_second == 20
    assert engine.in_doubt == "hold"
    assert services.announcements.sending.grace == dt.timedelta(minutes=30)
    # One engine, one set of limits, for announcements and problem notices alike.
    assert services.problems.delivery is engine
    assert services.announcements.engine is engine
    assert services.announcements.acknowledgements.readiness is services.readiness


def test_defaults_are_teams_limit_and_resend(tmp_path) -> None:
    from app import SERVICES, create_app

    services = create_app(make_settings(tmp_path), start_scheduler=False)[SERVICES]
    assert services.delivery.limits.per_tenant_per_second == 50
    assert services.delivery.in_doubt == "resend"
    assert services.announcements.sending.grace == dt.timedelta(hours=2)
    assert services.installer is None  # the roster directory cannot install the app
    chasers = services.announcements.chasers
    assert chasers.activity is None  # nor nudge anyone's activity feed
    assert chasers.escalate_to == "champions"


def test_chasers_settings_reach_the_announcements(tmp_path) -> None:
    from app import SERVICES, create_app

    settings = make_settings(tmp_path, chasers_escalate_to="managers", app_id="00000000-0000-0000-0000-00000000abcd")
    services = create_app(settings, start_scheduler=False)[SERVICES]
    assert services.announcements.chasers.escalate_to == "managers"
    assert services.announcements.chasers.app_id == "00000000-0000-0000-0000-00000000abcd"
    assert services.announcements.sending.on_sent == [services.announcements.chasers.schedule]


@pytest.mark.parametrize(
    ("env", "value"),
    [("SWITCHOVER_DELIVERY_IN_DOUBT", "maybe"), ("SWITCHOVER_TENANT_RATE", "0"), ("SWITCHOVER_TENANT_RATE", "fast")],
)
def test_a_bad_delivery_setting_is_refused_naming_the_variable(monkeypatch, env, value) -> None:
    from pydantic import ValidationError

    from switchover.settings import Settings

    monkeypatch.setenv(env, value)
    with pytest.raises(ValidationError) as err:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert env in str(err.value)


def _delivery_workers() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "delivery-worker" and not t.done()]


@pytest.mark.parametrize("background", [True, False], ids=["background", "test-app"])
async def test_the_app_runs_one_delivery_worker_only_with_background_work(tmp_path, background: bool) -> None:
    from aiohttp import web

    from app import WAKEUPS, create_app

    app = create_app(make_settings(tmp_path), start_scheduler=background)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        workers = _delivery_workers()
        assert len(workers) == (1 if background else 0)
        assert app[WAKEUPS]._scheduler.running is background
    finally:
        await runner.cleanup()
    assert all(w.done() for w in workers)  # stopped with the app
    assert _delivery_workers() == []


def test_exactly_one_fallback_is_routed(tmp_path) -> None:
    from app import ROUTER, create_app

    router = create_app(make_settings(tmp_path), start_scheduler=False)[ROUTER]
    match = router.match_command("is the wifi down in tacoma")
    assert match is not None and match[0].__module__ == "bot.features.freetext"
    with pytest.raises(ValueError, match="fallback is already routed"):
        router.fallback(lambda turn, text: None)  # type: ignore[arg-type, return-value]


def test_an_app_without_a_plan_is_refused_with_what_to_set(tmp_path) -> None:
    from app import create_app

    settings = make_settings(tmp_path, plan_path=None)
    with pytest.raises(ValueError, match="SWITCHOVER_PLAN is not set"):
        create_app(settings, start_scheduler=False)


# -- closed by default: which tenants, which interface ---------------------------------------


def test_an_app_id_with_no_tenant_named_does_not_start_and_says_why_in_one_line(tmp_path) -> None:
    import subprocess
    import sys

    from tests.support.app import EXAMPLES, REPO

    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "MicrosoftAppId": "00000000-0000-0000-0000-00000000abcd",
        "MicrosoftAppPassword": "not-a-secret",
        "SWITCHOVER_PLAN": str(EXAMPLES / "fabrikam" / "plan.yaml"),
        "SWITCHOVER_ROSTER": str(EXAMPLES / "fabrikam" / "roster.csv"),
        "SWITCHOVER_DATA_DIR": str(tmp_path),
        "PORT": "1",  # never reached
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, the repository's app.py
        [sys.executable, str(REPO / "app.py")], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "Switchover cannot start: MicrosoftAppId is set but no tenant is named" in lines[0]
    assert "SWITCHOVER_ALLOWED_TENANTS" in lines[0] and "SWITCHOVER_ALLOW_ANY_TENANT=true" in lines[0]


def test_an_app_id_serves_any_tenant_only_when_told_to(tmp_path) -> None:
    from app import create_app
    from switchover.tenant import TenantConfigurationError

    open_settings = {"app_id": "00000000-0000-0000-0000-00000000abcd", "allowed_tenants": ""}
    with pytest.raises(TenantConfigurationError, match="no tenant is named"):
        create_app(make_settings(tmp_path, **open_settings), start_scheduler=False)
    create_app(make_settings(tmp_path, allow_any_tenant=True, **open_settings), start_scheduler=False)


def _main_run(monkeypatch, **env: str) -> dict[str, Any]:
    """Run ``app.main()`` with ``env`` up to where it would serve; returns run_app's arguments."""
    import app as app_module

    started: dict[str, Any] = {}
    monkeypatch.setattr(app_module.web, "run_app", lambda app, **kw: started.update(kw))
    monkeypatch.setattr(app_module, "create_app", lambda settings: app_module.web.Application())
    monkeypatch.chdir(env.pop("_cwd"))  # no developer .env
    for name in ("HOST", "MicrosoftAppId", "MICROSOFT_APP_ID", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app_module.main()
    return started


def test_local_mode_listens_on_loopback_and_says_it_is_unauthenticated(monkeypatch, tmp_path, caplog) -> None:
    started = _main_run(monkeypatch, _cwd=str(tmp_path), SWITCHOVER_DATA_DIR=str(tmp_path), PORT="3999")
    assert started["host"] == "127.0.0.1"
    warning = [r.getMessage() for r in caplog.records if "NOT authenticated" in r.getMessage()]
    assert warning == [
        "local mode (no MicrosoftAppId): requests are NOT authenticated, anyone who can reach "
        "http://127.0.0.1:3999 can act as any user"
    ]


def test_local_mode_listens_on_every_interface_only_when_host_says_so(monkeypatch, tmp_path, caplog) -> None:
    started = _main_run(monkeypatch, _cwd=str(tmp_path), SWITCHOVER_DATA_DIR=str(tmp_path), HOST="0.0.0.0")  # noqa: S104
    assert started["host"] == "0.0.0.0"  # noqa: S104
    assert any("reachable from other machines" in r.getMessage() for r in caplog.records)


def test_with_an_app_id_the_app_listens_on_every_interface(monkeypatch, tmp_path) -> None:
    started = _main_run(monkeypatch, _cwd=str(tmp_path), SWITCHOVER_DATA_DIR=str(tmp_path), MicrosoftAppId="a-bot")
    assert started["host"] == "0.0.0.0"  # noqa: S104 - tokens are checked
