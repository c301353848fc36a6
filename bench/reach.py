"""Installing the Teams app for a wave through the durable queue, measured against the loopback fake Graph.

Three runs, each a fresh SQLite database and fake tenant of N synthetic users, through the real
msgraph-sdk client (no retries in the SDK: the queue keeps its own):

* ``paced``: the queue's default pacing (25 POSTs a second) against a fake that enforces Graph's
  documented limit for ``POST installedApps`` (30 a second per app per tenant, 429 + Retry-After 1
  beyond it);
* ``unpaced``: no pacing against the same limit: Graph's 429s and the tenant-wide pause do the work;
* ``random_429``: the default pacing, with 10 % of POSTs answered 429 at random (Retry-After 1).

Each prints installs per second (people whose installation reached a final state, over wall time),
the 429s seen, and checks that every user was installed exactly once (201 per user at the fake).
The fake Graph runs in this process, so its own time is included.

Usage: python bench/reach.py [--quick] [--users 2000]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="150 users a run (under a minute)")
    parser.add_argument("--users", type=int, default=2000)
    args = parser.parse_args()
    users = 150 if args.quick else args.users
    figures: dict[str, Any] = {"graph_limit_per_second": GRAPH_INSTALL_LIMIT}
    runs = {
        "paced": {"rate": DEFAULT_RATE, "limit": GRAPH_INSTALL_LIMIT, "ratio": 0.0},
        "unpaced": {"rate": 0.0, "limit": GRAPH_INSTALL_LIMIT, "ratio": 0.0},
        "random_429": {"rate": DEFAULT_RATE, "limit": None, "ratio": 0.10},
    }
    for name, options in runs.items():
        figures[name] = await run(users, **options)  # type: ignore[arg-type]
        f = figures[name]
        print(
            f"{name:>10}: {f['users']} users in {f['seconds']} s, {f['installs_per_second']}/s "
            f"(Graph's limit {GRAPH_INSTALL_LIMIT:g}/s), {f['throttled_429']} x 429"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
