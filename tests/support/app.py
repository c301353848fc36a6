"""The whole app over real HTTP, with a loopback Bot Connector, as Teams would drive it.

Fixtures:
    identity: None in local mode; a started :class:`LoopbackIdentity` with authentication on.
    connector: a started :class:`LoopbackConnector` (with authentication on it demands the bot's token).
    app_settings: Settings for a test app (temp SQLite database, bundled Fabrikam plan).
    running_app: the app served on a random loopback port (on the ``clock`` of
        :mod:`tests.support.clock`); yields a :class:`RunningApp`.
    teams: a :class:`TeamsClient` that posts activities to ``running_app`` as Fabrikam users
        (signed with a Bot Connector JWT when authentication is on).

Authentication: ``SWITCHOVER_TEST_AUTH`` = ``off`` (local mode, the default when
unset), ``on`` (every app test runs with an app id, signed activities and a
token-checking connector) or ``both`` (each test runs in both modes, ids ``[local]``
and ``[auth]``; ``./scripts/test`` uses this unless told otherwise).

A feature that needs its own app (more features, another clock, a fake Graph)
builds it from the same pieces so it honours the mode: take the ``identity`` and
``connector`` fixtures, ``make_settings(tmp_path, identity=identity, ...)``,
``start_app(settings, clock, identity=identity)``; a :class:`TeamsClient` signs
for the app it talks to, and :func:`restart_app` keeps the identity.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from aiohttp import web

from switchover.clock import Clock, ManualClock
from switchover.settings import Settings
from tests.support.connector import LoopbackConnector, Received
from tests.support.identity import LoopbackCredentialFactory, LoopbackIdentity

if TYPE_CHECKING:
    from switchover.services import Services

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FABRIKAM = EXAMPLES / "fabrikam"
TENANT_ID = "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11"  # the demo's Fabrikam tenant
TEST_APP_ID = "3f0c2b1a-5d4e-4f6a-8b7c-9d0e1f2a3b4c"


def _auth_modes() -> list[str]:
    mode = os.environ.get("SWITCHOVER_TEST_AUTH", "").strip().lower() or "off"
    modes = {"off": ["local"], "on": ["auth"], "both": ["local", "auth"]}
    if mode not in modes:
        # A typo must not quietly run everything in local mode.
        raise ValueError(f"SWITCHOVER_TEST_AUTH is {mode!r}; use off, on or both")
    return modes[mode]


@dataclass(frozen=True)
class Person:
    """A roster user as Teams would present them to the bot."""

    upn: str
    name: str
    aad_object_id: str

    @property
    def teams_id(self) -> str:
        return f"29:{self.aad_object_id}"

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.aad_object_id}"


def roster_people(customer: str = "fabrikam") -> dict[str, Person]:
    """The users of an example customer's roster (``examples/<customer>/roster.csv``) by UPN."""
    with (EXAMPLES / customer / "roster.csv").open(encoding="utf-8-sig") as fh:
        return {
            row["userPrincipalName"].casefold(): Person(row["userPrincipalName"], row["displayName"], row["id"])
            for row in csv.DictReader(fh)
        }


def person(upn: str, customer: str = "fabrikam") -> Person:
    """A roster user by UPN (or the local part before @): Fabrikam's, or another example customer's."""
    people = roster_people(customer)
    key = upn.casefold()
    if key in people:
        return people[key]
    for candidate in people.values():
        if candidate.upn.casefold().split("@")[0] == key:
            return candidate
    raise KeyError(f"no {customer} roster user {upn!r}")


def plan_naming_tenant(folder: Path, tenant_id: str = TENANT_ID, customer: str = "fabrikam") -> Path:
    """An example customer's plan that names its tenant (``organisation.tenant_id``), with its roster beside it."""
    import re
    import shutil

    text = (EXAMPLES / customer / "plan.yaml").read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^organisation:\n", f"organisation:\n  tenant_id: {tenant_id}\n", text, count=1)
    assert found == 1, "the example plan has no organisation: block"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    shutil.copyfile(EXAMPLES / customer / "roster.csv", folder / "roster.csv")
    return folder / "plan.yaml"


def make_settings(
    tmp_path: Path, *, identity: LoopbackIdentity | None = None, customer: str = "fabrikam", **overrides: Any
) -> Settings:
    """Settings for a test app on an example customer's plan and roster (Fabrikam unless told);
    with ``identity`` the app has an app id and trusts that provider. Only :data:`TENANT_ID`
    is served unless ``allowed_tenants`` says otherwise."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'switchover.db'}",
        "data_dir": tmp_path,
        "plan_path": EXAMPLES / customer / "plan.yaml",
        "roster_path": EXAMPLES / customer / "roster.csv",
        "app_id": "",
        "log_level": "DEBUG",
        # Closed, as a deployment must be: only the tenant TeamsClient speaks for.
        "allowed_tenants": TENANT_ID,
    }
    if identity is not None:
        values.update(identity.settings_overrides())
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class RunningApp:
    url: str
    app: web.Application
    settings: Settings
    clock: Clock
    identity: LoopbackIdentity | None = None  # the provider the app trusts when authentication is on

    @property
    def services(self) -> Services:
        from app import SERVICES

        return self.app[SERVICES]


@dataclass
class TeamsClient:
    """Posts Bot Framework activities to the app the way Teams does."""

    app: RunningApp
    connector: LoopbackConnector
    session: aiohttp.ClientSession
    tenant_id: str = TENANT_ID
    identity: LoopbackIdentity | None = None  # signs activities; by default the app's own provider
    bot_id: str = "28:switchover-bot"
    customer: str = "fabrikam"  # whose roster names given as text are looked up in
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        # An app with authentication on gets signed activities, as from Teams.
        if self.identity is None:
            self.identity = self.app.identity

    def activity(
        self,
        who: Person,
        *,
        type: str = "message",  # noqa: A002 - the Bot Framework's word
        text: str | None = None,
        conversation_id: str | None = None,
        conversation_type: str = "personal",
        time_zone: str | None = None,
        value: Any = None,
        name: str | None = None,
        reply_to_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": type,
            "id": f"in-{next(self._ids)}",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": who.teams_id, "name": who.name, "aadObjectId": who.aad_object_id},
            "recipient": {"id": self.bot_id, "name": "Switchover"},
            "conversation": {
                "id": conversation_id or who.personal_conversation,
                "conversationType": conversation_type,
                "tenantId": self.tenant_id,
            },
            "channelData": {"tenant": {"id": self.tenant_id}},
        }
        if text is not None:
            activity["text"] = text
        if time_zone:
            activity["localTimezone"] = time_zone
        if value is not None:
            activity["value"] = value
        if name is not None:
            activity["name"] = name
        if reply_to_id is not None:
            activity["replyToId"] = reply_to_id
        activity.update(extra)
        return activity

    def auth_headers(self) -> dict[str, str]:
        if self.identity is None:
            return {}
        return {"Authorization": f"Bearer {self.identity.channel_token(self.connector.url)}"}

    async def post(self, activity: dict[str, Any], *, headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        all_headers = {"Content-Type": "application/json", **self.auth_headers()}
        all_headers.update(headers or {})
        async with self.session.post(f"{self.app.url}/api/messages", json=activity, headers=all_headers) as resp:
            await resp.read()
            return resp

    async def say(self, who: Person | str, text: str, *, time_zone: str | None = None, **kw: Any) -> list[Received]:
        """Send ``text`` as ``who`` in their 1:1 chat; returns what the bot sent back during the turn.

        A ``who`` given by name is looked up in the roster of the customer the app serves.
        """
        who = person(who, self.customer) if isinstance(who, str) else who
        before = len(self.connector.received)
        activity = self.activity(who, text=text, time_zone=time_zone, **kw)
        resp = await self.post(activity)
        assert resp.status == 202, f"bot answered HTTP {resp.status} to {text!r}"
        return [r for r in self.connector.received[before:] if r.conversation_id == activity["conversation"]["id"]]

    async def invoke_action(
        self,
        who: Person | str,
        verb: str,
        data: dict[str, Any] | None = None,
        *,
        reply_to_id: str | None = None,
        conversation_id: str | None = None,
    ) -> tuple[int, Any]:
        """Press an ``Action.Execute`` button as ``who``; returns (HTTP status, invoke response body)."""
        who = person(who) if isinstance(who, str) else who
        activity = self.activity(
            who,
            type="invoke",
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": verb, "data": data or {}}, "trigger": "manual"},
            reply_to_id=reply_to_id,
            conversation_id=conversation_id,
        )
        headers = {"Content-Type": "application/json", **self.auth_headers()}
        async with self.session.post(f"{self.app.url}/api/messages", json=activity, headers=headers) as resp:
            body = await resp.json() if resp.content_length != 0 else None
            return resp.status, body

    async def install(self, who: Person | str) -> list[Received]:
        """The user installs the app in personal scope: conversationUpdate adding the bot."""
        who = person(who) if isinstance(who, str) else who
        before = len(self.connector.received)
        activity = self.activity(who, type="conversationUpdate", membersAdded=[{"id": self.bot_id}])
        resp = await self.post(activity)
        assert resp.status == 202
        return self.connector.received[before:]


@pytest.fixture(params=_auth_modes())
def identity(request: pytest.FixtureRequest) -> Any:
    if request.param == "local":
        yield None
        return
    provider = LoopbackIdentity(TEST_APP_ID).start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
async def connector(identity: LoopbackIdentity | None) -> AsyncIterator[LoopbackConnector]:
    async with LoopbackConnector(require_token=identity.bot_token if identity else None) as c:
        yield c


@pytest.fixture
def app_settings(tmp_path: Path, identity: LoopbackIdentity | None) -> Settings:
    return make_settings(tmp_path, identity=identity)


async def start_app(
    settings: Settings, clock: Clock, *, identity: LoopbackIdentity | None = None, **kw: Any
) -> tuple[web.AppRunner, RunningApp]:
    """Serve ``create_app(settings)`` on a random loopback port (no scheduler: tests deliver by hand).

    With ``identity`` (settings from ``make_settings(..., identity=identity)``) the bot's
    outbound token comes from that provider; Entra ID cannot be reached from here.
    """
    from app import create_app

    if identity is not None:
        kw.setdefault("credentials_factory", LoopbackCredentialFactory(identity))
    app = create_app(settings, clock=clock, start_scheduler=False, **kw)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, RunningApp(f"http://127.0.0.1:{port}", app, settings, clock, identity)


async def restart_app(runner: web.AppRunner, running: RunningApp, **kw: Any) -> tuple[web.AppRunner, RunningApp]:
    """Stop the app and start a new one on the same settings, clock and identity, as a deploy or crash would."""
    await runner.cleanup()
    return await start_app(running.settings, running.clock, identity=running.identity, **kw)


@contextlib.asynccontextmanager
async def customer_app(
    customer: str, home: Path, clock: Clock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[TeamsClient]:
    """An example customer's app (``examples/<customer>/``) served from ``home``, and a Teams client for it."""
    settings = make_settings(home, identity=identity, customer=customer)
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsClient(
                running, connector, session, identity=identity, bot_id=f"28:{uuid.uuid4()}", customer=customer
            )
    finally:
        await runner.cleanup()


@pytest.fixture
async def running_app(
    app_settings: Settings, clock: ManualClock, identity: LoopbackIdentity | None
) -> AsyncIterator[RunningApp]:
    runner, running = await start_app(app_settings, clock, identity=identity)
    try:
        yield running
    finally:
        await runner.cleanup()


@pytest.fixture
async def teams(
    running_app: RunningApp, connector: LoopbackConnector, identity: LoopbackIdentity | None
) -> AsyncIterator[TeamsClient]:
    async with aiohttp.ClientSession() as session:
        yield TeamsClient(running_app, connector, session, identity=identity, bot_id=f"28:{uuid.uuid4()}")
