"""The whole app with announcements registered, over real HTTP with the loopback connector."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from switchover.announcements import AnnouncementService
from switchover.clock import ManualClock
from switchover.delivery import DeliveryEngine
from switchover.services import Services
from tests.support.app import FABRIKAM, Person, RunningApp, TeamsClient, make_settings, person, restart_app, start_app
from tests.support.connector import LoopbackConnector, Received
from tests.support.identity import LoopbackIdentity

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"


def roster_rows() -> list[dict[str, str]]:
    with (FABRIKAM / "roster.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def people_where(**match: str) -> list[Person]:
    """Enabled members (not guests) whose roster columns match."""
    return [
        person(r["userPrincipalName"])
        for r in roster_rows()
        if all(r[k] == v for k, v in match.items()) and r["accountEnabled"] == "True" and r["userType"] == "Member"
    ]


@dataclass
class AnnouncementsWorld:
    teams: TeamsClient
    connector: LoopbackConnector
    clock: ManualClock
    app: RunningApp
    runner: Any = None
    since: int = 0

    @property
    def services(self) -> Services:
        return self.app.services

    @property
    def service(self) -> AnnouncementService:
        return self.services.announcements

    @property
    def engine(self) -> DeliveryEngine:
        return self.services.delivery

    async def deliver(self, *, step: dt.timedelta = dt.timedelta(seconds=1), rounds: int = 200) -> None:
        """Send everything due; retries wait on the ManualClock, which this moves forward a step at a time.

        The background steps of a lead's bulk operations (queueing a Send, its cards' changes,
        finishing it) run as the app runs them; each round waits for them.
        """
        for _ in range(rounds):
            await self.service.jobs.idle()
            await self.engine.drain(until_idle=False)
            await self.service.jobs.idle()
            await self.engine.drain(until_idle=False)
            wait = await self.engine._seconds_until_more_work()
            if wait is None:
                return
            self.clock.advance(max(step, dt.timedelta(seconds=max(wait, 0))))
        raise AssertionError("deliveries still pending after many rounds")

    async def restart(self) -> None:
        """Stop the bot and start a new process on the same database, as a deploy or crash would."""
        self.runner, self.app = await restart_app(self.runner, self.app)
        self.teams.app = self.app

    def cards_to(self, who: Person) -> list[Received]:
        return [
            r
            for r in self.connector.received[self.since :]
            if r.conversation_id == who.personal_conversation and r.op == "send" and r.card
        ]

    def sends(self) -> Counter[str]:
        """Proactive messages per conversation since ``since``, the lead's own chat left out (see :meth:`told_lead`)."""
        lead = person(LEAD).personal_conversation
        return Counter(
            r.conversation_id
            for r in self.connector.received[self.since :]
            if r.op == "send" and r.conversation_id != lead
        )

    def told_lead(self) -> list[str]:
        """What the lead was told proactively since ``since`` (how their bulk operations ended)."""
        lead = person(LEAD).personal_conversation
        return [r.text for r in self.connector.received[self.since :] if r.op == "send" and r.conversation_id == lead]

    async def say(self, who: Person | str, text: str) -> list[Received]:
        return await self.teams.say(who, text)


@pytest.fixture
async def world(
    tmp_path: Path,
    clock: ManualClock,
    identity: LoopbackIdentity | None,
    connector: LoopbackConnector,
) -> AsyncIterator[AnnouncementsWorld]:
    settings = make_settings(tmp_path, identity=identity)
    runner, running = await start_app(settings, clock, identity=identity)
    w = None
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            w = AnnouncementsWorld(teams, connector, clock, running, runner=runner)
            await teams.install(person(LEAD))
            yield w
    finally:
        await (w.runner if w is not None else runner).cleanup()
