"""The Microsoft Graph directory, measured against the loopback fake Graph.

A full sync (users paged, one transitiveMemberOf per user, MFA registrations,
devices) through the real msgraph-sdk client and its middleware, for the
Fabrikam roster and for a tenant N times its size (synthetic copies); the
snapshot save and load in SQLite; single-user lookups from the TTL cache and
the snapshot; and, for comparison, the SDK's own typed model parsing of one
page of users (the path this module avoids; see switchover/directory/graph.py).

The fake Graph runs in this process, so its own time is included in the sync
figures: they are an upper bound for the client side.

Usage: python bench/graph_sync.py [--quick] [--scale 10]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from switchover.clock import ManualClock  # noqa: E402
from switchover.directory.graph import GraphDirectory  # noqa: E402
from switchover.directory.graph_client import build_graph_client  # noqa: E402
from switchover.directory.store import DirectoryStore  # noqa: E402
from switchover.plan.model import ReadinessChecks  # noqa: E402
from switchover.storage import Database  # noqa: E402
from tests.support.fake_graph import FakeGraph, FakeGraphData, StaticTokenCredential, seeded_data  # noqa: E402


def scaled(factor: int) -> FakeGraphData:
    """The Fabrikam tenant copied ``factor`` times (new ids and UPNs; groups and MFA state carried over)."""
    base = seeded_data()
    if factor <= 1:
        return base
    data = copy.deepcopy(base)
    for i in range(1, factor):
        for uid, user in base.users.items():
            new = dict(user)
            new["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{uid}/{i}"))
            local, domain = user["userPrincipalName"].split("@", 1)
            new["userPrincipalName"] = f"{local}.{i}@{domain}"
            new["mail"] = new["userPrincipalName"]
            data.users[new["id"]] = new
            data.mfa_registered[new["id"]] = base.mfa_registered[uid]
            for g in data.groups.values():
                if uid in g["members"]:
                    g["members"].append(new["id"])
    return data


async def sync_once(data: FakeGraphData, db: Database | None) -> dict[str, float]:
    clock = ManualClock(dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC))
    async with FakeGraph(data, page_size=999) as fake:
        client = build_graph_client(StaticTokenCredential(), base_url=fake.base_url)
        store = DirectoryStore(db) if db is not None else None
        directory = GraphDirectory(
            client, clock=clock, tenant_id="bench", checks=ReadinessChecks(mfa=True, device_compliance=True)
        )
        try:
            t0 = time.perf_counter()
            ok = await directory.sync()
            sync_s = time.perf_counter() - t0
            assert ok, directory.health()
            snap = directory._snapshot
            assert snap is not None
            out = {
                "users": len(snap.users),
                "requests": len(fake.requests),
                "sync_s": round(sync_s, 3),
                "requests_per_s": round(len(fake.requests) / sync_s, 1),
            }
            if store is not None:
                t0 = time.perf_counter()
                await store.save("bench", snap)
                out["save_s"] = round(time.perf_counter() - t0, 3)
                t0 = time.perf_counter()
                loaded = await store.load("bench")
                out["load_s"] = round(time.perf_counter() - t0, 3)
                assert loaded is not None and len(loaded.users) == len(snap.users)
            # Lookups answered from the fresh snapshot (no Graph call).
            upns = [u.upn for u in snap.users[:200]]
            times = []
            for upn in upns:
                t0 = time.perf_counter()
                await directory.get(upn)
                times.append((time.perf_counter() - t0) * 1e6)
            out["snapshot_lookup_us_median"] = round(statistics.median(times), 1)
            # A live lookup (cache and snapshot stale): one user + one transitiveMemberOf request.
            clock.advance(dt.timedelta(hours=1))
            times = []
            for upn in upns[:20]:
                t0 = time.perf_counter()
                await directory.get(upn)
                times.append((time.perf_counter() - t0) * 1e3)
            out["live_lookup_ms_median"] = round(statistics.median(times), 2)
            return out
        finally:
            await directory.aclose()


async def sdk_model_parse(data: FakeGraphData) -> dict[str, float]:
    """The SDK's typed path: ``client.users.get()`` parsing one page into ``User`` models."""
    async with FakeGraph(data, page_size=999) as fake:
        client = build_graph_client(StaticTokenCredential(), base_url=fake.base_url)
        try:
            await client.users.get()  # first call pays imports; not counted
            t0 = time.perf_counter()
            page = await client.users.get()
            seconds = time.perf_counter() - t0
            n = len(page.value or []) if page else 0
            return {"sdk_typed_page_users": n, "sdk_typed_ms_per_user": round(seconds * 1e3 / max(n, 1), 2)}
        finally:
            from switchover.directory.graph_client import close_graph_client

            await close_graph_client(client)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the Fabrikam roster only (under a minute)")
    parser.add_argument("--scale", type=int, default=10, help="synthetic tenant size as a multiple of the roster")
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await db.migrate()
        try:
            figures["fabrikam"] = await sync_once(scaled(1), db)
            print("fabrikam", figures["fabrikam"], flush=True)
            if not args.quick:
                figures[f"x{args.scale}"] = await sync_once(scaled(args.scale), db)
                print(f"x{args.scale}", figures[f"x{args.scale}"], flush=True)
        finally:
            await db.dispose()
    figures.update(await sdk_model_parse(scaled(1)))
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
