"""Storage figures: conversation-reference upserts (written and skipped), bulk lookups, dialog-state turns.

For each backend (a temp SQLite file; a throw-away schema in PostgreSQL at
127.0.0.1:5432 when reachable):
- ``upsert_write``: first sighting of N conversations, one after another (ops/s);
- ``upsert_skip``: the same N seen again unchanged (answered from memory, ops/s);
- ``upsert_concurrent``: N forced upserts, 50 at a time via asyncio.gather (ops/s);
- ``lookup_bulk_ms``: ``personal_for_users`` for all N users at once;
- ``state_turn_ms``: one dialog-state turn (read + write with e-tag) p50/p95;
- ``commit_ms`` / ``durable_commit_ms``: one small writing transaction, p50/p95, as most are
  and as those that store what a user is told are (``begin(durable=True)``: on SQLite the
  commit is synced to disk, see docs/durability.md).

Usage: python bench/storage.py [--quick] [--postgres-url URL]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.state import DatabaseStorage
from switchover.storage import ConversationRecord, ConversationStore, Database

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


def _record(n: int) -> ConversationRecord:
    return ConversationRecord(
        tenant_id="bench-tenant",
        kind="personal",
        conversation_id=f"a:bench{n}",
        service_url="https://smba.trafficmanager.net/emea/",
        bot_id="28:bot",
        user_id=f"29:user{n}",
        aad_object_id=f"aad-{n}",
        upn=f"user{n}@fabrikamhealth.example",
        user_name=f"User {n}",
        time_zone="Europe/London",
    )


async def _measure(db: Database, n: int, turns: int) -> dict[str, Any]:
    await db.migrate()
    store = ConversationStore(db)
    records = [_record(i) for i in range(n)]

    started = time.perf_counter()
    for record in records:
        await store.upsert(record, T0)
    write_s = time.perf_counter() - started

    started = time.perf_counter()
    for record in records:
        await store.upsert(record, T0 + dt.timedelta(seconds=1))
    skip_s = time.perf_counter() - started

    started = time.perf_counter()
    for start in range(0, n, 50):
        await asyncio.gather(
            *(store.upsert(r, T0 + dt.timedelta(seconds=2), force=True) for r in records[start : start + 50])
        )
    concurrent_s = time.perf_counter() - started

    started = time.perf_counter()
    found = await store.personal_for_users("bench-tenant", [r.aad_object_id for r in records])
    lookup_s = time.perf_counter() - started
    assert len(found) == n

    storage = DatabaseStorage(db)
    key = "msteams/conversations/a:bench0/"
    await storage.write({key: {"dialogState": {"dialogStack": [{"id": "wizard", "state": {"stepIndex": 0}}]}}})
    timings = []
    for i in range(turns):
        started = time.perf_counter()
        state = (await storage.read([key]))[key]
        state["dialogState"]["dialogStack"][0]["state"]["stepIndex"] = i
        await storage.write({key: state})
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    commits = {}
    for durable in (False, True):
        took = []
        for i in range(turns):
            started = time.perf_counter()
            async with db.begin(durable=durable) as conn:
                await conn.execute(
                    text("UPDATE bot_state SET e_tag = :tag WHERE key = :key"), {"tag": str(i), "key": key}
                )
            took.append((time.perf_counter() - started) * 1000)
        took.sort()
        name = "durable_commit_ms" if durable else "commit_ms"
        commits[f"{name}_p50"] = round(statistics.median(took), 2)
        commits[f"{name}_p95"] = round(took[int(len(took) * 0.95) - 1], 2)
    return {
        "n": n,
        "upsert_write_per_s": round(n / write_s),
        "upsert_skip_per_s": round(n / skip_s),
        "upsert_concurrent_per_s": round(n / concurrent_s),
        "lookup_bulk_ms": round(lookup_s * 1000, 1),
        "state_turn_ms_p50": round(statistics.median(timings), 2),
        "state_turn_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
        **commits,
    }


async def _postgres(url: str, n: int, turns: int) -> dict[str, Any] | str:
    admin_dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = await asyncpg.connect(admin_dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"unreachable: {exc}"
    schema = f"switchover_bench_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    db = Database(
        make_url(url).set(drivername="postgresql+asyncpg"), connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        return await _measure(db, n, turns)
    finally:
        await db.dispose()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer conversations and turns (under a minute)")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    n, turns = (500, 100) if args.quick else (5000, 500)

    figures: dict[str, Any] = {"quick": args.quick}
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            figures["sqlite"] = await _measure(db, n, turns)
        finally:
            await db.dispose()
    print("sqlite", figures["sqlite"])
    figures["postgresql"] = await _postgres(args.postgres_url, n, turns)
    print("postgresql", figures["postgresql"])
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
