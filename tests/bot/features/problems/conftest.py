"""The whole app with problem reports registered, over real HTTP with the loopback connector."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from switchover.clock import ManualClock
from switchover.problems.desk import ProblemDesk
from switchover.services import Services
from tests.support.app import (
    TENANT_ID,
    Person,
    RunningApp,
    TeamsClient,
    make_settings,
    person,
    restart_app,
    start_app,
)
from tests.support.connector import LoopbackConnector, Received
from tests.support.identity import LoopbackIdentity

DESK_CHANNEL = "19:service-desk@thread.tacv2"
OWNERS = ("luis.ortega", "tom.becker", "dana.whitfield", "priya.raman", "robert.kim", "kevin.obrien")


def staff(key: str) -> Person:
    """A roster user by plan key (``luis.ortega``), MSP guests included."""
    try:
        return person(key)
    except KeyError:
        return person(f"{key}_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com")


@dataclass
class ProblemsWorld:
    """The running app, the Teams client, and helpers to drive problem reports."""

    teams: TeamsClient
    connector: LoopbackConnector
    clock: ManualClock
    app: RunningApp
    since: int = 0  # what the connector received before the test began (welcome cards) is not counted
    runner: Any = None
    confirm_card: dict[str, Any] | None = None  # the last confirmation card :meth:`confirm` reached

    async def restart(self) -> None:
        """Stop the bot and start a new process on the same database, as a deploy or crash would."""
        self.runner, self.app = await restart_app(self.runner, self.app)
        self.teams.app = self.app
        sleep_on_the_clock(self.app)

    @property
    def services(self) -> Services:
        return self.app.services

    @property
    def desk(self) -> ProblemDesk:
        return self.services.problems

    async def deliver(self) -> None:
        """Let the delivery engine send everything due now."""
        await self.services.delivery.drain()

    def to(self, who: str | Person) -> list[Received]:
        p = staff(who) if isinstance(who, str) else who
        mine = self.connector.received[self.since :]
        return [r for r in mine if r.conversation_id == p.personal_conversation and r.op in ("send", "reply", "create")]

    def updates_to(self, who: str) -> list[Received]:
        return [r for r in self.connector.to(staff(who).personal_conversation) if r.op == "update"]

    def channel(self) -> list[Received]:
        return [r for r in self.connector.to(DESK_CHANNEL) if r.op in ("send", "reply")]

    async def install_channel(self) -> None:
        who = person("kevin.obrien")
        activity = self.teams.activity(
            who,
            type="conversationUpdate",
            conversation_id=DESK_CHANNEL,
            conversation_type="channel",
            membersAdded=[{"id": self.teams.bot_id}],
            channelData={
                "tenant": {"id": TENANT_ID},
                "team": {"id": "19:fabrikam-it@thread.tacv2", "name": "Fabrikam IT"},
                "channel": {"id": DESK_CHANNEL, "name": "Service Desk"},
            },
        )
        resp = await self.teams.post(activity)
        assert resp.status == 202

    async def report(
        self,
        who: str,
        text: str,
        *,
        attachments: list[dict[str, Any]] | None = None,
        submit_extra: dict[str, Any] | None = None,
        **answers: str,
    ) -> dict[str, Any]:
        """Report ``text`` in one message, answer what the bot asks, submit; returns the submit response card.

        ``attachments`` go with the first message (as Teams sends them); ``submit_extra`` is added
        to the Submit's data (what a tampered card could carry).
        """
        data = await self.confirm(who, text, attachments=attachments, **answers)
        data.update(submit_extra or {})
        status, body = await self.teams.invoke_action(who, "problem_submit", data)
        assert status == 200, body
        return body["value"]

    async def confirm(
        self, who: str, text: str, *, attachments: list[dict[str, Any]] | None = None, **answers: str
    ) -> dict[str, Any]:
        """Report ``text`` and answer the bot's questions up to the confirmation card; returns its Submit data."""
        self.confirm_card = None
        extra = {"attachments": attachments} if attachments else {}
        sent = await self.teams.say(who, f"report a problem {text}", **extra)
        for _ in range(3):
            card = next((r.card for r in reversed(sent) if r.card), None)
            assert card is not None, f"the bot sent no card: {[r.body for r in sent]}"
            actions = executes(card)
            submit = next((data for verb, data in actions if verb == "problem_submit"), None)
            if submit is not None:
                self.confirm_card = card
                data = {**submit, **inputs(card)}
                data.update({k: v for k, v in answers.items() if k in ("area", "impact", "urgency")})
                return data
            # A question: press the answer the test gives, else the first button.
            choice = actions[0][1]
            for key, wanted in answers.items():
                choice = next((d for _, d in actions if d.get(key) == wanted), choice)
            before = len(self.connector.received)
            status, body = await self.teams.invoke_action(who, "problem_dialog", dict(choice))
            assert status == 200, body
            conv = staff(who).personal_conversation
            sent = [r for r in self.connector.received[before:] if r.conversation_id == conv]
        raise AssertionError("the dialog never reached the confirmation card")


def executes(card: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every Action.Execute in a card (nested show-cards included), as (verb, data)."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append((node["verb"], dict(node.get("data") or {})))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for element in card.get("body", []):
        if str(element.get("type", "")).startswith("Input.") and "value" in element:
            values[element["id"]] = element["value"]
    return values


def sleep_on_the_clock(app: RunningApp) -> None:
    """Tests deliver by hand (``deliver``; test apps run no background worker), and a
    rate-limit wait moves the ManualClock instead of sleeping, as in the engine's own tests."""
    engine = app.services.delivery
    clock = app.clock

    async def manual_sleep(seconds: float) -> None:
        clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)

    engine._sleep = manual_sleep


@pytest.fixture
def clock_start() -> dt.datetime:
    # Wednesday 17 February 2027, 10:00 Pacific: Wave 2's hypercare, Service Desk staffed.
    return dt.datetime(2027, 2, 17, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def api_token() -> str:
    """No API unless a test module asks for one."""
    return ""


@pytest.fixture
async def world(
    tmp_path: Path,
    clock: ManualClock,
    identity: LoopbackIdentity | None,
    connector: LoopbackConnector,
    api_token: str,
) -> AsyncIterator[ProblemsWorld]:
    settings = make_settings(tmp_path, identity=identity, api_token=api_token)
    runner, running = await start_app(settings, clock, identity=identity)
    sleep_on_the_clock(running)
    w = None
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            w = ProblemsWorld(teams, connector, clock, running, runner=runner)
            for key in OWNERS:
                await teams.install(staff(key))
            await w.install_channel()
            w.since = len(connector.received)
            yield w
    finally:
        await (w.runner if w is not None else runner).cleanup()
