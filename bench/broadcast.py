"""Broadcast benchmark: one announcement to N recipients through the real delivery engine and
BotMessenger, against a loopback Bot Connector that enforces Teams' limits and misbehaves.

Recipients are SYNTHETIC users (``bench-user-<n>`` in the tenant ``bench-synthetic-tenant``;
the Fabrikam roster has only 243 people), each with a stored 1:1 conversation reference.
The connector (in this process) enforces the per-conversation windows and the per-tenant
limit (429 when exceeded) and injects, at random: 429 with Retry-After, 503, stale
conversations (404 ConversationNotFound: the engine reopens the 1:1 chat) and a few people
gone for good (their chat cannot be reopened either: they must end up "unreachable").

Two runs, each worker a real subprocess on its own SQLite file:

1. uninterrupted: achieved send rate over the configured tenant limit, lost, duplicates,
   the worker's peak memory;
2. the same broadcast with the worker killed by SIGKILL at 50% and a new worker started on
   the same database: lost and duplicates again (a kill can leave a few sends "in doubt";
   the default policy resends them, so duplicates here are bounded by the sends in flight).

Usage::

    .venv/bin/python bench/broadcast.py --quick                  # 600 recipients, 50/s, < 1 min
    .venv/bin/python bench/broadcast.py --recipients 10000 --tenant-rate 100

The last line of output is one JSON object of figures. Pacing is measured where the requests
arrive (the loopback connector), over sliding windows: ``wire_max_per_1s`` and
``wire_max_per_100ms`` (the most requests in any 1 s / 100 ms), ``wire_refusals_over_limit``
(the connector's 429s for a limit exceeded, injected ones not counted) and
``wire_rate_over_limit`` (all requests per second over the configured limit).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TENANT = "bench-synthetic-tenant"
PURPOSE = "announcement"
SUBJECT = "bench-broadcast"


def user_key(n: int) -> str:
    return f"bench-user-{n:06d}"


def conversation(n: int) -> str:
    return f"a:bench-{n:06d}"


def teams_id(n: int) -> str:
    return f"29:bench-{n:06d}"


def recipient_of(conversation_id: str) -> int | None:
    """Which synthetic user a conversation belongs to (their stored chat or a reopened one)."""
    for prefix in ("a:bench-", "a:loopback-29:bench-"):
        if conversation_id.startswith(prefix):
            return int(conversation_id.removeprefix(prefix))
    return None


# -- the worker (a subprocess) ---------------------------------------------------------


async def work(db_path: str, rate: float, lease: float, concurrency: int, in_doubt: str = "resend") -> dict[str, Any]:
    from bot.adapter import build_adapter
    from bot.connector import ConnectorPool
    from bot.messenger import BotMessenger
    from switchover.clock import SystemClock
    from switchover.delivery import DeliveryEngine, TeamsLimits
    from switchover.delivery.conversations import StoredConversations
    from switchover.settings import Settings
    from switchover.storage import ConversationStore, Database

    settings = Settings(_env_file=None, app_id="", database_url=f"sqlite:///{db_path}")  # type: ignore[call-arg]
    pool = ConnectorPool()
    messenger = BotMessenger(build_adapter(settings, pool), "")
    db = Database(settings.async_database_url)
    clock = SystemClock()
    engine = DeliveryEngine(
        db,
        messenger,
        StoredConversations(ConversationStore(db), clock),
        clock,
        limits=TeamsLimits(per_tenant_per_second=rate),
        concurrency=concurrency,
        batch_size=max(50, int(rate * 2)),
        lease=dt.timedelta(seconds=lease),
        backoff_base=0.5,
        in_doubt=in_doubt,  # type: ignore[arg-type]
    )
    started = time.perf_counter()
    try:
        await engine.drain()
    finally:
        await pool.close()
        await db.dispose()
    return {
        "worker_seconds": round(time.perf_counter() - started, 2),
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


# -- the parent: connector, seeding, measuring ----------------------------------------


def chaos_connector(rate: float, seed: int, p429: float, p5xx: float) -> Any:
    from aiohttp import web

    from tests.support.connector import LoopbackConnector, _error

    class ChaosConnector(LoopbackConnector):
        """The loopback connector plus random 429s and 503s on sends."""

        def __init__(self) -> None:
            super().__init__(enforce_limits=True, tenant_rate=rate)
            self.rng = random.Random(seed)  # noqa: S311 - a benchmark's dice
            self.injected = Counter[str]()

        async def _admit(self, request: web.Request, op: str, conversation_id: str) -> web.Response | None:
            if op == "send" and conversation_id not in self.blocked:
                roll = self.rng.random()
                if roll < p429 + p5xx:
                    self.arrivals.append(time.monotonic())  # super()._admit notes the others
                if roll < p429:
                    self.injected["429"] += 1
                    self.stats.calls += 1
                    self.stats.throttled += 1
                    return _error(429, "TooManyRequests", "injected", retry_after=1.0)
                if roll < p429 + p5xx:
                    self.injected["503"] += 1
                    self.stats.calls += 1
                    self.stats.failed += 1
                    return _error(503, "ServiceUnavailable", "injected")
            return await super()._admit(request, op, conversation_id)

    return ChaosConnector()


async def seed(db_path: Path, n: int, service_url: str, stale: set[int]) -> None:
    from cards.render import render_card
    from switchover.clock import SystemClock
    from switchover.delivery import DeliveryEngine, DeliveryRequest, Recipient
    from switchover.messaging import OutgoingMessage
    from switchover.storage import ConversationStore, Database

    db = Database(f"sqlite+aiosqlite:///{db_path}")
    await db.migrate()
    store = ConversationStore(db)
    now = dt.datetime.now(dt.UTC)
    # Bulk insert: n upserts one by one would dominate a short benchmark.
    from switchover.storage.conversations import ConversationRef

    rows = [
        {
            "tenant_id": TENANT,
            "conversation_id": conversation(i),
            "kind": "personal",
            "service_url": service_url,
            "channel_id": "msteams",
            "user_id": teams_id(i),
            "aad_object_id": user_key(i),
            "user_name": f"Synthetic user {i}",
            "installed": True,
            "first_seen": now,
            "last_seen": now,
        }
        for i in range(n)
    ]
    async with db.begin() as conn:
        for start in range(0, n, 1000):
            await conn.execute(ConversationRef.__table__.insert(), rows[start : start + 1000])
    del store
    card = render_card(
        "freeform",
        announcement_id=SUBJECT,
        title="Your move to Microsoft 365 is two weeks away",
        body="Register Microsoft Authenticator now at https://aka.ms/mfasetup. " * 3,
        urgency="important",
        image_url=None,
        buttons=[{"title": "Got it", "verb": "acknowledge", "url": None}],
        acknowledged_text=None,
        correction=None,
        refresh_user_ids=[],
        notice=None,
    )
    engine = DeliveryEngine(db, None, None, SystemClock())  # type: ignore[arg-type] - only enqueues
    await engine.enqueue(
        [
            DeliveryRequest(
                recipient=Recipient(TENANT, "user", user_key(i), f"Synthetic user {i}"),
                message=OutgoingMessage(card=card, summary="Your move to Microsoft 365"),
                purpose=PURPOSE,
                subject_id=SUBJECT,
                dedupe_key=f"announcement:{SUBJECT}:{user_key(i)}",
            )
            for i in range(n)
        ]
    )
    await db.dispose()


async def outcomes(db_path: Path) -> Counter[str]:
    import sqlalchemy as sa

    from switchover.delivery.tables import deliveries
    from switchover.storage import Database

    db = Database(f"sqlite+aiosqlite:///{db_path}")
    async with db.begin(read_only=True) as c:
        rows = await c.execute(sa.select(deliveries.c.status, sa.func.count()).group_by(deliveries.c.status))
        by_status = Counter({r[0]: r[1] for r in rows})
        resent = await c.scalar(
            sa.select(sa.func.count()).select_from(deliveries).where(deliveries.c.reason.like("resent:%"))
        )
    await db.dispose()
    by_status["resent_after_kill"] = resent or 0
    return by_status


def spawn_args(db_path: Path, args: argparse.Namespace) -> list[str]:
    script = os.environ.get("BENCH_WORKER_SCRIPT")  # e.g. an instrumented worker, for profiling
    if script:
        return [sys.executable, script, str(db_path), str(args.tenant_rate)]
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(db_path),
        "--tenant-rate",
        str(args.tenant_rate),
        "--lease",
        str(args.lease),
        "--concurrency",
        str(args.concurrency),
        "--in-doubt",
        args.in_doubt,
    ]


async def run_worker(db_path: Path, args: argparse.Namespace) -> tuple[asyncio.subprocess.Process, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = await asyncio.create_subprocess_exec(
        *spawn_args(db_path, args), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env
    )
    return proc, None


async def broadcast(args: argparse.Namespace, *, kill_at: float | None) -> dict[str, Any]:
    n = args.recipients
    rng = random.Random(args.seed)  # noqa: S311
    stale = {i for i in range(n) if rng.random() < args.stale}
    gone = {i for i in stale if rng.random() < 0.2}  # a fifth of the stale chats cannot be reopened either
    connector = chaos_connector(args.tenant_rate, args.seed, args.p429, args.p5xx)
    await connector.start()
    for i in stale:
        connector.block(conversation(i), 404, "ConversationNotFound")
    for i in gone:
        connector.block(f"create:{teams_id(i)}", 403, "BotNotInConversationRoster")
    with tempfile.TemporaryDirectory(prefix="switchover-bench-") as tmp:
        db_path = Path(tmp) / "broadcast.db"
        await seed(db_path, n, connector.url, stale)

        def delivered() -> int:
            return sum(1 for r in connector.received if r.op == "send")

        killed_at = None
        proc, _ = await run_worker(db_path, args)
        if kill_at is not None:
            while proc.returncode is None and delivered() < n * kill_at:  # noqa: ASYNC110 - polls another process
                await asyncio.sleep(0.02)
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            await proc.wait()
            killed_at = delivered()
            # The dead worker's claims must expire before another worker may take its rows.
            await asyncio.sleep(args.lease + 0.5)
            proc, _ = await run_worker(db_path, args)
        out, _ = await proc.communicate()
        lines = out.decode().strip().splitlines()
        worker = json.loads(lines[-1]) if lines else {}
        for line in lines[:-1]:
            print(f"worker: {line}", flush=True)
        by_status = await outcomes(db_path)
    await connector.stop()

    from tests.support.connector import peak_in_window

    sends = [r for r in connector.received if r.op == "send"]
    per_recipient = Counter(recipient_of(r.conversation_id) for r in sends)
    expected = set(range(n)) - gone
    # Lost: expected to get it, never did, and not reported as in doubt (a held row is reported).
    not_delivered = expected - set(per_recipient)
    lost = len(not_delivered) - min(len(not_delivered), by_status.get("in_doubt", 0))
    duplicates = sum(1 for c in per_recipient.values() if c > 1)
    elapsed = (sends[-1].at - sends[0].at) if len(sends) > 1 else 0.0
    rate = (len(sends) - 1) / elapsed if elapsed else 0.0
    # Pacing at the wire: every request (sends, chat openings, refused ones too) by its arrival
    # at the connector, over sliding windows; refusals are the connector's own 429s for going over
    # a limit (injected 429s are not the bot's doing).
    arrivals = connector.arrivals
    wire_seconds = (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
    wire_rate = (len(arrivals) - 1) / wire_seconds if wire_seconds else 0.0
    return {
        "recipients": n,
        "tenant_limit_per_s": args.tenant_rate,
        "achieved_per_s": round(rate, 1),
        "rate_over_limit": round(rate / args.tenant_rate, 3),
        "seconds": round(elapsed, 1),
        "delivered": len(per_recipient),
        "lost": lost,
        "duplicates": duplicates,
        "unreachable": by_status.get("unreachable", 0),
        "expected_unreachable": len(gone),
        "failed": by_status.get("failed", 0),
        "stale_reopened": len(stale) - len(gone),
        "injected_429": connector.injected["429"],
        "injected_503": connector.injected["503"],
        "connector_429_total": connector.stats.throttled,
        "wire_max_per_1s": peak_in_window(arrivals, 1.0),
        "wire_max_per_100ms": peak_in_window(arrivals, 0.1),
        "wire_refusals_over_limit": connector.stats.throttled - connector.injected["429"],
        "wire_rate_over_limit": round(wire_rate / args.tenant_rate, 3),
        "killed_at_sends": killed_at,
        "resent_after_kill": by_status.get("resent_after_kill", 0),
        "in_doubt_held": by_status.get("in_doubt", 0),
        "in_doubt_policy": args.in_doubt,
        "concurrency": args.concurrency,
        **worker,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=None, help="default 10000 (600 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer recipients, under a minute")
    parser.add_argument("--tenant-rate", type=float, default=50.0, help="configured per-tenant limit (Teams: 50/s)")
    parser.add_argument("--lease", type=float, default=5.0, help="claim lease in seconds (the app uses 120)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--stale", type=float, default=0.01, help="share of stale conversations")
    parser.add_argument("--p429", type=float, default=0.01, help="share of sends answered 429 at random")
    parser.add_argument("--p5xx", type=float, default=0.005, help="share of sends answered 503 at random")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--in-doubt", choices=("resend", "hold"), default="resend", help="policy for sends cut off by the kill"
    )
    parser.add_argument("--skip-kill", action="store_true", help="only the uninterrupted run")
    parser.add_argument("--worker", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        figures = asyncio.run(work(args.worker, args.tenant_rate, args.lease, args.concurrency, args.in_doubt))
        print(json.dumps(figures))
        return
    if args.recipients is None:
        args.recipients = 600 if args.quick else 10_000
    print(
        f"broadcast to {args.recipients} synthetic recipients, tenant limit {args.tenant_rate:g}/s"
        f"{' (raised above Teams default 50/s for this run)' if args.tenant_rate > 50 else ''}, "
        f"{args.p429:.1%} random 429, {args.p5xx:.1%} random 503, {args.stale:.1%} stale chats",
        flush=True,
    )
    result: dict[str, Any] = {"benchmark": "broadcast"}
    clean = asyncio.run(broadcast(args, kill_at=None))
    print(f"uninterrupted: {json.dumps(clean)}", flush=True)
    result["uninterrupted"] = clean
    if not args.skip_kill:
        killed = asyncio.run(broadcast(args, kill_at=0.5))
        print(f"killed at 50% and restarted: {json.dumps(killed)}", flush=True)
        result["killed_and_restarted"] = killed
    print(json.dumps(result))


if __name__ == "__main__":
    main()
