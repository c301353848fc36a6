"""The whole app over real HTTP for the status card and ``GET /api/status``: Fabrikam's plan and
roster, with readiness the directory can tell (a roster whose readiness is known, as a synced
directory's would be), an API token, and Teams clients for the lead, the sponsor and everyone else.

Every figure the tests expect is counted here from the database itself (raw SQL through
``sqlite3``), never through the status service."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from switchover.clock import ManualClock
from switchover.directory.base import Directory, DirectoryUser, Readiness
from switchover.directory.factory import build_directory
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan
from switchover.plan.model import Plan
from tests.support.app import TENANT_ID, RunningApp, TeamsClient, make_settings, start_app
from tests.support.connector import LoopbackConnector
from tests.support.identity import LoopbackIdentity

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"
SPONSOR = "robert.kim@fabrikamhealth.com"
API_TOKEN = "status-test-token"
PACIFIC = dt.timezone(dt.timedelta(hours=-8))
START = dt.datetime(2027, 1, 20, 9, 0, tzinfo=PACIFIC)  # before wave 1; the pilot in its hypercare


def mfa_of(user_id: str) -> bool | None:
    """The test's own readiness: registered, not registered or unknown, from the id's last hex digit."""
    digit = int(user_id[-1], 16) % 10
    return True if digit < 6 else (False if digit < 8 else None)


class KnownReadiness:
    """A directory that can tell MFA registration (:func:`mfa_of`), otherwise the roster it wraps."""

    def __init__(self, inner: Directory) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        return await self.inner.get(id_or_upn)

    async def all_users(self) -> list[DirectoryUser]:
        return await self.inner.all_users()

    async def readiness(self, user_id: str) -> Readiness | None:
        user = await self.inner.get(user_id)
        if user is None:
            return None
        return Readiness(user.id, mfa_registered=mfa_of(user.id), checked_at=START.astimezone(dt.UTC))


@dataclass
class StatusWorld:
    app: RunningApp
    teams: TeamsClient
    clock: ManualClock
    session: aiohttp.ClientSession
    db_path: Path
    plan: Plan
    users: list[DirectoryUser]

    async def api(self, path: str, token: str | None = API_TOKEN) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.get(f"{self.app.url}{path}", headers=headers) as resp:
            return resp.status, await resp.json()

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(query, args).fetchall()

    def members(self) -> dict[str, list[DirectoryUser]]:
        """Each wave's enabled members (no guests), by the plan's rules."""
        out: dict[str, list[DirectoryUser]] = {w.key: [] for w in self.plan.waves}
        for u in self.users:
            if u.enabled and not u.is_guest and (wave := resolve_wave(self.plan, u).wave) is not None:
                out[wave.key].append(u)
        return out


def utc(text: str | None) -> dt.datetime | None:
    """A timestamp as SQLite holds it (naive UTC text)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) if text else None


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass
class Expected:
    """Every figure of the picture, counted from the database."""

    reach: dict[str, tuple[int, int]]  # wave -> (reachable, members)
    mfa: dict[str, tuple[int, int, int]]  # wave -> (registered, unknown, not registered)
    announcement: dict[str, tuple[str, str, int, int, int, int] | None]  # id, title, recipients, sent, read, acked
    open_by_wave: dict[str, Counter[str]]  # wave -> priority -> n
    open_by_priority: Counter[str]
    open_by_area: Counter[str]
    open_total: int
    overdue: list[tuple[int, str, str, str | None]]  # id, priority, area, assignee, most overdue first
    incidents: list[tuple[int, str, str | None, int]]  # id, area, wave, open reports


def count(world: StatusWorld, now: dt.datetime) -> Expected:
    """Every figure, straight from the database (and the roster's wave rules and the test's readiness)."""
    members = world.members()
    installed = {
        r[0]
        for r in world.sql(
            "SELECT aad_object_id FROM conversation_refs WHERE tenant_id = ? AND kind = 'personal' AND installed",
            TENANT_ID,
        )
    }
    reach = {k: (sum(u.id in installed for u in people), len(people)) for k, people in members.items()}
    mfa = {
        k: (
            sum(mfa_of(u.id) is True for u in people),
            sum(mfa_of(u.id) is None for u in people),
            sum(mfa_of(u.id) is False for u in people),
        )
        for k, people in members.items()
    }
    rows = world.sql(
        "SELECT id, title, wave_key, audience, started_at, send_at FROM announcement_announcements "
        "WHERE tenant_id = ? AND status = 'sent' ORDER BY started_at DESC, send_at DESC, id DESC",
        TENANT_ID,
    )
    announcement: dict[str, Any] = {}
    for ann_id, title, wave_key, audience, _, _ in rows:
        aud = json.loads(audience)
        if aud["kind"] != "wave":
            continue  # a copy for the Service Desk's channel or the leads is not the wave's
        waves = ({wave_key} if wave_key else set()) | set(aud["values"])
        for w in waves:
            if w in members and w not in announcement:
                (recipients, sent, read) = world.sql(
                    "SELECT count(*), coalesce(sum(status = 'sent'), 0), coalesce(sum(read_at IS NOT NULL), 0) "
                    "FROM delivery_outbox WHERE tenant_id = ? AND purpose = 'announcement' AND subject_id = ?",
                    TENANT_ID,
                    ann_id,
                )[0]
                (acked,) = world.sql(
                    "SELECT count(*) FROM delivery_outbox d WHERE d.tenant_id = ? AND d.purpose = 'announcement' "
                    "AND d.subject_id = ? AND d.recipient_key IN "
                    "(SELECT user_id FROM announcement_acks WHERE tenant_id = ? AND announcement_id = ?)",
                    TENANT_ID,
                    ann_id,
                    TENANT_ID,
                    ann_id,
                )[0]
                announcement[w] = (ann_id, title, recipients, sent, read, acked)
    open_rows = world.sql(
        "SELECT wave, priority, area FROM problem_reports WHERE tenant_id = ? AND status != 'resolved'", TENANT_ID
    )
    open_by_wave: dict[str, Counter[str]] = {k: Counter() for k in members}
    for wave, priority, _ in open_rows:
        if wave in open_by_wave:
            open_by_wave[wave][priority] += 1
    overdue = sorted(
        (
            (utc(due), rid, priority, area, assignee)
            for rid, priority, area, assignee, due in world.sql(
                "SELECT id, priority, area, assignee, ack_due_at FROM problem_reports "
                "WHERE tenant_id = ? AND status = 'open' AND ack_due_at IS NOT NULL",
                TENANT_ID,
            )
            if utc(due) < now
        ),
    )
    incidents = [
        (iid, area, wave, n)
        for iid, area, wave, n in world.sql(
            "SELECT i.id, i.area, i.wave, (SELECT count(*) FROM problem_reports r WHERE r.tenant_id = i.tenant_id "
            "AND r.incident_id = i.id AND r.status != 'resolved') FROM problem_incidents i "
            "WHERE i.tenant_id = ? AND i.status = 'open' ORDER BY i.created_at, i.id",
            TENANT_ID,
        )
    ]
    return Expected(
        reach=reach,
        mfa=mfa,
        announcement={k: announcement.get(k) for k in members},
        open_by_wave=open_by_wave,
        open_by_priority=Counter(p for _, p, _ in open_rows),
        open_by_area=Counter(a for _, _, a in open_rows),
        open_total=len(open_rows),
        overdue=[(rid, p, a, s) for _, rid, p, a, s in overdue],
        incidents=incidents,
    )


@pytest.fixture
def clock_start() -> dt.datetime:
    return START.astimezone(dt.UTC)


@pytest.fixture
async def world(
    tmp_path: Path, clock: ManualClock, identity: LoopbackIdentity | None, connector: LoopbackConnector
) -> AsyncIterator[StatusWorld]:
    settings = make_settings(tmp_path, identity=identity, api_token=API_TOKEN)
    plan = load_plan(settings.plan_path)
    directory = KnownReadiness(build_directory(settings, plan, clock=clock))
    runner, running = await start_app(settings, clock, identity=identity, directory=directory)  # type: ignore[arg-type]
    # The test's own readiness alone: the Fabrikam plan's sample exports would fill in whom it leaves unknown.
    running.services.readiness.exports = None
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            yield StatusWorld(
                running, teams, clock, session, tmp_path / "switchover.db", plan, await directory.all_users()
            )
    finally:
        await runner.cleanup()
