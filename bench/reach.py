"""Installing the Teams app for a wave through the durable queue, measured against the loopback fake Graph.

Three runs, each a fresh SQLite database and fake tenant of N synthetic users, through the real
msgraph-sdk client (no retries in the SDK: the queue keeps its own):

* ``paced``: the queue's default pacing (25 POSTs a second) against a fake that enforces Graph's
  documented limit for ``POST installedApps`` (30 a second per app per tenant, 429 + Retry-After 1
  beyond it);
* ``unpaced``: no pacing against the same limit: Graph's 429s and the tenant-wide pause do the work;
* ``random_429``: the default pacing, with 10 % of POSTs answered 429 at random (Retry-After 1);
* ``killed``: as ``random_429``, but the queue is worked by a real worker process (``--worker``) that
  is killed with SIGKILL once half the users are installed; a second worker process then resumes
  from the database alone (the killed worker's claims are taken over when their lease runs out).
  Every user must still be installed exactly once (one 201 each at the fake; a 409 "already
  installed" only for a POST the kill cut off after Graph had done it).

Each prints installs per second (people whose installation reached a final state, over wall time),
the 429s seen, and checks that every user was installed exactly once (201 per user at the fake).
The fake Graph runs in this process, so its own time is included.

Usage: python bench/reach.py [--quick] [--users 2000] [--skip-kill]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from switchover.clock import SystemClock  # noqa: E402
from switchover.directory.graph_client import build_graph_client, close_graph_client  # noqa: E402
from switchover.directory.install import AppInstaller  # noqa: E402
from switchover.reach.installs import DEFAULT_RATE, GRAPH_INSTALL_LIMIT, InstallQueue, InstallTarget  # noqa: E402
from switchover.storage import Database  # noqa: E402
from tests.support.fake_graph import FakeGraph, FakeGraphData, StaticTokenCredential, synthetic_users  # noqa: E402

CATALOG_ID = "1542629c-01b3-4a6d-8f76-1938b779e48d"
TENANT = "bench-tenant"


async def run(users: int, *, rate: float, limit: float | None, ratio: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/reach.db")
        await db.migrate()
        async with FakeGraph(FakeGraphData()) as graph:
            ids = synthetic_users(graph.data, users)
            graph.install_limit_per_second = limit
            graph.install_throttle_ratio = ratio
            graph.install_retry_after = 1
            client = build_graph_client(StaticTokenCredential(), base_url=graph.base_url)
            queue = InstallQueue(
                db, AppInstaller(client, CATALOG_ID, base_url=graph.base_url), SystemClock(), rate=rate
            )
            await queue.enqueue(TENANT, [InstallTarget(u, graph.data.users[u]["userPrincipalName"]) for u in ids])
            started = time.perf_counter()
            result = await queue.drain()
            seconds = time.perf_counter() - started
            created = graph.installs_by_user(201)
            await close_graph_client(client)
        await db.dispose()
    assert result.idle and set(created) == set(ids) and set(created.values()) == {1}, "not every user installed once"
    return {
        "users": users,
        "seconds": round(seconds, 2),
        "installs_per_second": round(result.done / seconds, 1),
        "posts": result.posts,
        "throttled_429": result.throttled,
        "pacing_per_second": rate,
    }


KILL_LEASE_SECONDS = 5.0  # the workers' claim lease in the killed run (the product's default is 2 min)


async def worker(db_url: str, graph_url: str) -> None:
    """One worker process: work the queue until every installation is final (taking over the claims of a
    killed worker once their lease has run out)."""
    db = Database(db_url)
    client = build_graph_client(StaticTokenCredential(), base_url=graph_url)
    queue = InstallQueue(
        db,
        AppInstaller(client, CATALOG_ID, base_url=graph_url),
        SystemClock(),
        lease=dt.timedelta(seconds=KILL_LEASE_SECONDS),
    )
    try:
        while True:
            await queue.drain()
            if all(r.state.final for r in (await queue.rows(TENANT)).values()):
                return
            await asyncio.sleep(0.5)  # only another worker's live claims are left
    finally:
        await close_graph_client(client)
        await db.dispose()


async def killed(users: int) -> dict[str, Any]:
    """The random-429 run worked by a worker process killed (SIGKILL) half-way, then a second one."""
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite+aiosqlite:///{folder}/reach.db"
        db = Database(db_url)
        await db.migrate()
        async with FakeGraph(FakeGraphData()) as graph:
            ids = synthetic_users(graph.data, users)
            graph.install_throttle_ratio = 0.10
            graph.install_retry_after = 1
            client = build_graph_client(StaticTokenCredential(), base_url=graph.base_url)
            queue = InstallQueue(db, AppInstaller(client, CATALOG_ID, base_url=graph.base_url), SystemClock())
            await queue.enqueue(TENANT, [InstallTarget(u, graph.data.users[u]["userPrincipalName"]) for u in ids])
            await close_graph_client(client)  # this process only queues: the workers install
            command = [sys.executable, __file__, "--worker", db_url, graph.base_url]
            started = time.perf_counter()
            first = await asyncio.create_subprocess_exec(*command)  # this very script, as a worker
            while len(graph.installs_by_user(201)) < users // 2:
                if first.returncode is not None:
                    raise SystemExit("the first worker ended before half-way")
                await asyncio.sleep(0.01)  # noqa: ASYNC110 - watching the fake's count, not an event
            first.send_signal(signal.SIGKILL)
            await first.wait()
            at_kill = len(graph.installs_by_user(201))
            second = await asyncio.create_subprocess_exec(*command)
            await second.wait()
            seconds = time.perf_counter() - started
            created = graph.installs_by_user(201)
            already = graph.installs_by_user(409)
            posts = graph.log("/teamwork/installedApps", "POST")
        await db.dispose()
    twice = sum(1 for n in created.values() if n > 1)
    lost = len(set(ids) - set(created) - set(already))
    return {
        "users": users,
        "seconds": round(seconds, 2),
        "installs_per_second": round(users / seconds, 1),
        "installed_at_kill": at_kill,
        "second_worker_exit": second.returncode,
        "installed_once": sum(1 for n in created.values() if n == 1),
        "installed_twice": twice,
        "already_installed_409": len(already),
        "lost": lost,
        "posts": len(posts),
        "throttled_429": sum(1 for r in posts if r.status == 429),
        "lease_seconds": KILL_LEASE_SECONDS,
    }


async def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        await worker(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="150 users a run (under a minute)")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--skip-kill", action="store_true", help="leave out the run with a killed worker")
    parser.add_argument("--only", choices=["paced", "unpaced", "random_429", "killed"], help="one run alone")
    args = parser.parse_args()
    users = 150 if args.quick else args.users
    figures: dict[str, Any] = {"graph_limit_per_second": GRAPH_INSTALL_LIMIT}
    runs = {
        "paced": {"rate": DEFAULT_RATE, "limit": GRAPH_INSTALL_LIMIT, "ratio": 0.0},
        "unpaced": {"rate": 0.0, "limit": GRAPH_INSTALL_LIMIT, "ratio": 0.0},
        "random_429": {"rate": DEFAULT_RATE, "limit": None, "ratio": 0.10},
    }
    for name, options in runs.items():
        if args.only and name != args.only:
            continue
        figures[name] = await run(users, **options)  # type: ignore[arg-type]
        f = figures[name]
        print(
            f"{name:>10}: {f['users']} users in {f['seconds']} s, {f['installs_per_second']}/s "
            f"(Graph's limit {GRAPH_INSTALL_LIMIT:g}/s), {f['throttled_429']} x 429"
        )
    if not args.skip_kill and args.only in (None, "killed"):
        f = figures["killed"] = await killed(users)
        print(
            f"{'killed':>10}: {f['users']} users in {f['seconds']} s, worker killed at {f['installed_at_kill']} "
            f"installed; once {f['installed_once']}, twice {f['installed_twice']}, "
            f"409 after the kill {f['already_installed_409']}, lost {f['lost']}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
