"""Bulk operations benchmark: a lead's Send to many people and a recall of an announcement sent
to many, through the whole app over HTTP (the Bot Framework endpoint, the delivery worker, the
scheduler), against a loopback Bot Connector that enforces the per-tenant rate limit.

Recipients are SYNTHETIC users (department ``Bench Send`` / ``Bench Recall``) added to a copy of
the Fabrikam roster, each with a stored 1:1 conversation; the lead is the plan's project lead.
Everything runs in this one process (app, connector and the lead's Teams client share a loop).

Measured:

- the time from the lead's action to the bot's answer (pressing Send on the confirmation card;
  typing ``recall <id>``): the work itself runs afterwards in the background;
- the rate the cards went out (or were removed) at, measured where the requests arrive, over
  the configured per-tenant limit, before and after a restart;
- a restart half-way: the app is stopped when half the cards are done and a new one is started
  on the same database; lost (never reached) and repeated (reached twice) cards, and how many
  final "finished" messages the lead got (must be exactly one per operation).

The delivery lease is shortened to 15 s for the bench (production: 2 min), so the few rows the
stopped worker had claimed but not sent are taken over within seconds instead of minutes.

With ``--replies`` it measures only the answers to a Send (to ``--send`` people, default 10,000),
each on a fresh app and database: pressing Send on the confirmation card, and
``POST /api/announcements`` with no ``send_at`` (send now); and how long after the answer every
delivery was queued by the background job (``queued_seconds``). It does not wait for the sends.

Usage::

    PYTHONPATH=$PWD .venv/bin/python bench/bulk.py --quick        # Send 300, recall 100: < 1 min
    PYTHONPATH=$PWD .venv/bin/python bench/bulk.py                # Send 10,000, recall 2,000
    PYTHONPATH=$PWD .venv/bin/python bench/bulk.py --replies      # the Send's answer, card and API

The last line of output is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from tests.support.app import FABRIKAM, TENANT_ID, RunningApp, TeamsClient, make_settings, person  # noqa: E402
from tests.support.connector import LoopbackConnector  # noqa: E402

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"


def synthetic_id(group: str, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-bulk/{group}/{n}"))


def write_roster(path: Path, groups: dict[str, int]) -> list[tuple[str, str]]:
    """The Fabrikam roster plus ``groups`` (department -> how many) of synthetic members; their (id, department)."""
    with (FABRIKAM / "roster.csv").open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    people = []
    for department, count in groups.items():
        for n in range(count):
            uid = synthetic_id(department, n)
            slug = department.lower().replace(" ", "-")
            row = dict.fromkeys(fields, "")
            row.update(
                userPrincipalName=f"{slug}-{n:06d}@bench.invalid",
                displayName=f"Synthetic {n}",
                givenName="Synthetic",
                surname=str(n),
                mail=f"{slug}-{n:06d}@bench.invalid",
                id=uid,
                userType="Member",
                department=department,
                accountEnabled="True",
                usageLocation="US",
                country="United States",
                officeLocation="Bench Office",
                city="Portland",
            )
            rows.append(row)
            people.append((uid, department))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return people


def chat(uid: str) -> str:
    return f"a:bench-{uid}"


async def seed_conversations(database_url: str, people: list[tuple[str, str]], service_url: str) -> None:
    from switchover.storage import Database
    from switchover.storage.conversations import ConversationRef

    db = Database(database_url)
    await db.migrate()
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "tenant_id": TENANT_ID,
            "conversation_id": chat(uid),
            "kind": "personal",
            "service_url": service_url,
            "channel_id": "msteams",
            "user_id": f"29:{uid}",
            "aad_object_id": uid,
            "user_name": "Synthetic",
            "installed": True,
            "first_seen": now,
            "last_seen": now,
        }
        for uid, _ in people
    ]
    async with db.begin() as conn:
        for start in range(0, len(rows), 1000):
            await conn.execute(ConversationRef.__table__.insert(), rows[start : start + 1000])
    await db.dispose()


async def start(settings: Any) -> tuple[web.AppRunner, RunningApp]:
    from app import SERVICES, create_app
    from switchover.clock import SystemClock

    clock = SystemClock()
    app = create_app(settings, clock=clock, start_scheduler=True)
    app[SERVICES].delivery.lease = dt.timedelta(seconds=15)  # see the module docs
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, RunningApp(f"http://127.0.0.1:{port}", app, settings, clock)


class Bench:
    def __init__(self, connector: LoopbackConnector, teams: TeamsClient, runner: web.AppRunner, settings: Any):
        self.connector = connector
        self.teams = teams
        self.runner = runner
        self.settings = settings
        self.lead_chat = person(LEAD).personal_conversation
        self.restarted_at: float | None = None

    async def restart(self) -> float:
        began = time.perf_counter()
        self.restarted_at = time.monotonic()
        await self.runner.cleanup()
        self.runner, self.teams.app = await start(self.settings)
        return time.perf_counter() - began

    def told(self, prefix: str) -> list[str]:
        return [
            r.text for r in self.connector.received if r.conversation_id == self.lead_chat and r.text.startswith(prefix)
        ]

    async def wait(self, predicate: Any, count: int, timeout: float) -> None:  # noqa: ASYNC109 - the connector's own wait
        await self.connector.wait_for(predicate, count=count, timeout=timeout)

    async def send(self, department: str, title: str, expected: int, *, restart: bool) -> dict[str, Any]:
        """Compose, press Send, and (optionally) restart half-way; the figures."""
        replies = await self.teams.say(LEAD, f"announce department {department} : {title} | A synthetic message")
        confirm = [r.card for r in replies if r.card][-1]
        ann_id = next(a["data"]["announcement_id"] for a in confirm["actions"] if a.get("verb") == "announce_confirm")
        began = time.perf_counter()
        status, body = await self.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
        reply = time.perf_counter() - began
        assert status == 200 and "Sending" in json.dumps(body), body

        def mine(r: Any) -> bool:
            return r.op == "send" and r.conversation_id.startswith("a:bench-") and r.body.get("summary") == title

        restart_seconds = None
        if restart:
            await self.wait(mine, expected // 2, timeout=expected / 10 + 60)
            restart_seconds = await self.restart()
        await self.wait(
            lambda r: r.conversation_id == self.lead_chat and r.text.startswith(f"Sending of {title} finished"),
            1,
            timeout=expected / 10 + 120,
        )
        await asyncio.sleep(1.0)  # anything repeated after the end would show here
        arrivals = [r for r in self.connector.received if mine(r)]
        per_person = Counter(r.conversation_id for r in arrivals)
        return {
            "reply_seconds": round(reply, 3),
            "cards": len(per_person),
            "lost": expected - len(per_person),
            "repeated": sum(n - 1 for n in per_person.values()),
            **_rates(arrivals, self.connector, self.restarted_at if restart else None),
            "restart_seconds": round(restart_seconds, 2) if restart_seconds is not None else None,
            "lead_told": self.told(f"Sending of {title} finished"),
            "announcement": ann_id,
        }

    async def recall(self, ann_id: str, title: str, expected: int, *, restart: bool) -> dict[str, Any]:
        since = len(self.connector.received)
        began = time.perf_counter()
        replies = await self.teams.say(LEAD, f"recall {ann_id}")
        reply = time.perf_counter() - began
        assert any("being removed" in r.text for r in replies), [r.text for r in replies]
        answered_at = len(self.connector.received)

        def mine(r: Any) -> bool:
            return r.op == "delete" and r.conversation_id.startswith("a:bench-")

        restart_seconds = None
        if restart:
            await self.wait(mine, expected // 2, timeout=expected / 10 + 60)
            restart_seconds = await self.restart()
        await self.wait(
            lambda r: r.conversation_id == self.lead_chat and r.text.startswith(f"Recall of {title} finished"),
            1,
            timeout=expected / 10 + 120,
        )
        await asyncio.sleep(1.0)
        window = self.connector.received[since:]
        arrivals = [r for r in window if mine(r)]
        per_person = Counter(r.conversation_id for r in arrivals)
        first_removal = min((i for i, r in enumerate(window) if mine(r)), default=None)
        return {
            "reply_seconds": round(reply, 3),
            "answered_before_first_removal": first_removal is not None and first_removal >= answered_at - since,
            "cards": len(per_person),
            "lost": expected - len(per_person),
            "repeated": sum(n - 1 for n in per_person.values()),
            **_rates(arrivals, self.connector, self.restarted_at if restart else None),
            "restart_seconds": round(restart_seconds, 2) if restart_seconds is not None else None,
            "lead_told": self.told(f"Recall of {title} finished"),
        }


def _rates(arrivals: list[Any], connector: LoopbackConnector, restarted_at: float | None) -> dict[str, Any]:
    """Requests per second over the limit: over all the work (a restart's pause included), and
    before and after the restart apart."""
    if len(arrivals) < 2:
        return {}
    times = sorted(r.at for r in arrivals)
    limit = connector.tenant_rate or 1

    def rate(ts: list[float]) -> float | None:
        return round((len(ts) - 1) / (ts[-1] - ts[0]) / limit, 3) if len(ts) > 1 and ts[-1] > ts[0] else None

    figures: dict[str, Any] = {"seconds": round(times[-1] - times[0], 2), "rate_over_limit": rate(times)}
    if restarted_at is not None:
        figures["rate_over_limit_before_restart"] = rate([t for t in times if t < restarted_at])
        figures["rate_over_limit_after_restart"] = rate([t for t in times if t >= restarted_at])
    figures["wire_max_per_1s"] = connector.peak(1.0)
    return figures


API_TOKEN = "bench-bulk-api-token"


async def _queued(running: RunningApp, ann_id: str, expected: int, within: float = 600.0) -> float:
    """Seconds until ``expected`` deliveries of ``ann_id`` are in the outbox (the background job's work)."""
    import sqlalchemy as sa

    from app import SERVICES
    from switchover.delivery.tables import deliveries

    services = running.app[SERVICES]
    began = time.perf_counter()
    while time.perf_counter() - began < within:
        async with services.db.begin(read_only=True) as s:
            n = await s.scalar(sa.select(sa.func.count()).where(deliveries.c.subject_id == ann_id))
        if (n or 0) >= expected:
            return time.perf_counter() - began
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{ann_id}: not every delivery queued after {within} s")


async def replies(args: argparse.Namespace) -> dict[str, Any]:
    """The answer to a Send to ``args.send`` people, by card and by the API, each on a fresh app."""
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, Any] = {"bench": "bulk-replies", "send_people": args.send, "tenant_rate": args.tenant_rate}
    for how in ("card", "api"):
        home = Path(tempfile.mkdtemp(prefix=f"bench-bulk-{how}-"))
        people = write_roster(home / "roster.csv", {"Bench Send": args.send})
        settings = make_settings(
            home,
            roster_path=home / "roster.csv",
            tenant_rate=args.tenant_rate,
            log_level="WARNING",
            api_token=API_TOKEN,
        )
        connector = LoopbackConnector(enforce_limits=True, tenant_rate=int(args.tenant_rate))
        await connector.start()
        try:
            await seed_conversations(settings.async_database_url, people, connector.url)
            runner, running = await start(settings)
            try:
                async with aiohttp.ClientSession() as session:
                    teams = TeamsClient(running, connector, session)
                    await teams.install(person(LEAD))
                    if how == "card":
                        said = await teams.say(LEAD, "announce department Bench Send : Bench send | Synthetic")
                        confirm = [r.card for r in said if r.card][-1]
                        verbs = {a.get("verb"): a for a in confirm["actions"]}
                        ann_id = verbs["announce_confirm"]["data"]["announcement_id"]
                        began = time.perf_counter()
                        status, body = await teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
                        reply = time.perf_counter() - began
                        assert status == 200 and "Sending" in json.dumps(body), body
                        answer = json.dumps(body)
                    else:
                        began = time.perf_counter()
                        async with session.post(
                            f"{running.url}/api/announcements",
                            headers={"Authorization": f"Bearer {API_TOKEN}"},
                            json={
                                "title": "Bench send",
                                "body": "A synthetic message",
                                "audience": {"kind": "department", "values": ["Bench Send"]},
                            },
                        ) as response:
                            created = await response.json()
                            reply = time.perf_counter() - began
                            assert response.status == 201, created
                        ann_id = created["id"]
                        answer = json.dumps({k: created.get(k) for k in ("status", "job")})
                    queued = await _queued(running, ann_id, args.send)
                    figures[how] = {
                        "reply_seconds": round(reply, 3),
                        "queued_seconds": round(queued, 2),
                        "answer": answer[:300],
                    }
            finally:
                await runner.cleanup()
        finally:
            await connector.stop()
    return figures


async def main(args: argparse.Namespace) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    home = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    people = write_roster(home / "roster.csv", {"Bench Send": args.send, "Bench Recall": args.recall})
    settings = make_settings(home, roster_path=home / "roster.csv", tenant_rate=args.tenant_rate, log_level="WARNING")
    connector = LoopbackConnector(enforce_limits=True, tenant_rate=int(args.tenant_rate))
    await connector.start()
    try:
        await seed_conversations(settings.async_database_url, people, connector.url)
        runner, running = await start(settings)
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(running, connector, session)
            await teams.install(person(LEAD))
            bench = Bench(connector, teams, runner, settings)
            try:
                total = time.perf_counter()
                recall_target = await bench.send("Bench Recall", "Recall target", args.recall, restart=False)
                recall = await bench.recall(recall_target["announcement"], "Recall target", args.recall, restart=True)
                send = await bench.send("Bench Send", "Bench send", args.send, restart=True)
                total = time.perf_counter() - total
            finally:
                await bench.runner.cleanup()
    finally:
        await connector.stop()
    replies = [recall_target["reply_seconds"], recall["reply_seconds"], send["reply_seconds"]]
    return {
        "bench": "bulk",
        "quick": args.quick,
        "tenant_rate": args.tenant_rate,
        "send_people": args.send,
        "recall_cards": args.recall,
        "send_reply_seconds": send["reply_seconds"],
        "recall_reply_seconds": recall["reply_seconds"],
        "median_reply_seconds": round(statistics.median(replies), 3),
        "send": {k: v for k, v in send.items() if k != "announcement"},
        "recall": recall,
        "recall_target_send_reply_seconds": recall_target["reply_seconds"],
        "total_seconds": round(total, 1),
        "throttled_by_connector": connector.stats.throttled,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Send to 300, recall 100 (under a minute)")
    parser.add_argument("--send", type=int, default=10_000, help="people the big Send goes to")
    parser.add_argument("--recall", type=int, default=2_000, help="cards the recall removes")
    parser.add_argument("--tenant-rate", type=float, default=50.0, help="requests per second per tenant")
    parser.add_argument("--replies", action="store_true", help="only the answer to a Send, by card and by the API")
    args = parser.parse_args()
    if args.quick:
        args.send, args.recall = 300, 100
    figures = asyncio.run(replies(args) if args.replies else main(args))
    print(json.dumps(figures))
