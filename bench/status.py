"""The leads' status card: time to build the picture and render the card for a big tenant.

A 5,000-person roster spread over Fabrikam's four waves (the plan's own rules), 70% with a stored
1:1 chat, readiness known for everyone, 16 sent announcements with 20,000 deliveries in all (a
third read, a quarter acknowledged), and 500 problem reports (a fifth resolved, some overdue,
three major incidents), in a SQLite database on disk. Each build is what ``status`` does:
:meth:`StatusService.picture` then the card. Median and p99 over the builds (after one warm-up).

Usage: python bench/status.py [--quick] [--users N]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from bot.features.status import status_card  # noqa: E402
from cards.render import card_bytes  # noqa: E402
from switchover.announcements import AnnouncementService  # noqa: E402
from switchover.announcements.tables import acknowledgements, announcements  # noqa: E402
from switchover.clock import ManualClock  # noqa: E402
from switchover.delivery import DeliveryEngine  # noqa: E402
from switchover.delivery.conversations import StoredConversations  # noqa: E402
from switchover.delivery.tables import deliveries  # noqa: E402
from switchover.directory.base import DirectoryUser, Readiness  # noqa: E402
from switchover.plan.loader import load_plan  # noqa: E402
from switchover.problems.tables import incidents, reports  # noqa: E402
from switchover.readiness.service import ReadinessService  # noqa: E402
from switchover.status import StatusService  # noqa: E402
from switchover.storage import ConversationStore, Database  # noqa: E402
from switchover.storage.conversations import ConversationRef  # noqa: E402

PLAN = REPO / "examples" / "fabrikam" / "plan.yaml"
TENANT = "bench-tenant"
NOW = dt.datetime(2027, 2, 13, 18, 0, tzinfo=dt.UTC)  # wave 2's cutover
# (department, office) that land in each wave under Fabrikam's rules.
PLACES = [
    ("Information Technology", "Seattle HQ"),
    ("Finance", "Seattle HQ"),
    ("Clinical Operations", "Tacoma Clinic"),
    ("Clinical Operations", "Spokane Clinic"),
]
AREAS = ["email", "files", "teams", "sign-in", "devices", "printing-apps", "other"]


class BenchDirectory:
    """``users`` people in memory, readiness known for all (as after a Graph sync)."""

    def __init__(self, users: int) -> None:
        self.users = [
            DirectoryUser(
                id=f"00000000-0000-4000-8000-{i:012d}",
                upn=f"person{i}@example.test",
                display_name=f"Person {i:05d}",
                department=PLACES[i % 4][0],
                office=PLACES[i % 4][1],
            )
            for i in range(users)
        ]
        self.by_id = {u.id: u for u in self.users}
        self.ready = {
            u.id: Readiness(u.id, mfa_registered=(i % 10) < 7, checked_at=NOW) for i, u in enumerate(self.users)
        }

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        return self.by_id.get(id_or_upn)

    async def all_users(self) -> list[DirectoryUser]:
        return list(self.users)

    async def readiness(self, user_id: str) -> Readiness | None:
        return self.ready.get(user_id)


async def fill(db: Database, directory: BenchDirectory, n_deliveries: int, n_reports: int) -> None:
    users = directory.users
    then = NOW - dt.timedelta(days=2)
    async with db.begin() as c:
        await c.execute(
            sa.insert(ConversationRef.__table__),
            [
                {
                    "conversation_id": f"a:{u.id}",
                    "tenant_id": TENANT,
                    "kind": "personal",
                    "service_url": "https://smba.example.test/",
                    "channel_id": "msteams",
                    "user_id": f"29:{u.id}",
                    "aad_object_id": u.id,
                    "installed": True,
                    "first_seen": then,
                    "last_seen": then,
                }
                for i, u in enumerate(users)
                if i % 10 < 7
            ],
        )
        per_wave: dict[int, list[DirectoryUser]] = {w: users[w::4] for w in range(4)}
        made = 0
        k = 0
        while made < n_deliveries:
            wave = k % 4
            ann_id = f"wave-{wave}/bench-{k}"
            sent_at = then + dt.timedelta(minutes=k)
            await c.execute(
                sa.insert(announcements).values(
                    tenant_id=TENANT,
                    id=ann_id,
                    kind="freeform",
                    wave_key=None,
                    calendar_key=None,
                    title=f"Bench announcement {k}",
                    content={"summary": "x"},
                    audience={"kind": "wave", "values": [f"wave-{wave}"]},
                    send_at=sent_at,
                    status="sent",
                    created_at=sent_at,
                    started_at=sent_at,
                    updated_at=sent_at,
                )
            )
            rows = per_wave[wave][: n_deliveries - made]
            await c.execute(
                sa.insert(deliveries),
                [
                    {
                        "tenant_id": TENANT,
                        "dedupe_key": f"{ann_id}:{u.id}",
                        "purpose": "announcement",
                        "subject_id": ann_id,
                        "recipient_kind": "user",
                        "recipient_key": u.id,
                        "recipient_name": u.display_name,
                        "message": {},
                        "status": "sent" if j % 10 < 7 else "unreachable",
                        "next_attempt_at": sent_at,
                        "created_at": sent_at,
                        "updated_at": sent_at,
                        "sent_at": sent_at if j % 10 < 7 else None,
                        "read_at": sent_at if j % 3 == 0 else None,
                    }
                    for j, u in enumerate(rows)
                ],
            )
            await c.execute(
                sa.insert(acknowledgements),
                [
                    {
                        "tenant_id": TENANT,
                        "announcement_id": ann_id,
                        "user_id": u.id,
                        "verb": "acknowledge",
                        "at": sent_at,
                    }
                    for j, u in enumerate(rows)
                    if j % 4 == 0
                ],
            )
            made += len(rows)
            k += 1
        for i in range(3):
            await c.execute(
                sa.insert(incidents).values(
                    tenant_id=TENANT, area=AREAS[i], wave=f"wave-{i}", status="open", created_at=then
                )
            )
        await c.execute(
            sa.insert(reports),
            [
                {
                    "tenant_id": TENANT,
                    "reporter_id": users[i % len(users)].id,
                    "text": f"Problem {i}",
                    "area": AREAS[i % len(AREAS)],
                    "area_confidence": 0.9,
                    "impact": "me",
                    "urgency": "degraded",
                    "priority": f"P{1 + i % 4}",
                    "wave": f"wave-{i % 4}",
                    "status": "resolved" if i % 5 == 0 else ("acknowledged" if i % 5 == 1 else "open"),
                    "incident_id": 1 + i % 3 if i % 7 == 0 else None,
                    "created_at": then,
                    "clock_started_at": then,
                    "updated_at": then,
                    "ack_due_at": then + dt.timedelta(hours=i % 96),
                }
                for i in range(n_reports)
            ],
        )


async def run(users: int, n_deliveries: int, n_reports: int, builds: int) -> dict[str, object]:
    plan = load_plan(PLAN)
    clock = ManualClock(NOW)
    directory = BenchDirectory(users)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await db.migrate()
        try:
            await fill(db, directory, n_deliveries, n_reports)
            conversations = ConversationStore(db)
            engine = DeliveryEngine(db, None, StoredConversations(conversations, clock), clock)  # type: ignore[arg-type]
            readiness = ReadinessService(plan, directory)  # type: ignore[arg-type]
            anns = AnnouncementService(
                db,
                plan,
                directory,
                conversations,
                engine,
                clock,
                tenant_id=TENANT,
                readiness=readiness,  # type: ignore[arg-type]
            )
            service = StatusService(db, clock, directory, conversations, anns, readiness)  # type: ignore[arg-type]
            times: list[float] = []
            size = 0
            for i in range(builds + 1):
                start = time.perf_counter()
                picture = await service.picture(TENANT)
                card = status_card(picture, plan, buttons=True)
                elapsed = time.perf_counter() - start
                if i:  # the first is the warm-up
                    times.append(elapsed)
                size = card_bytes(card)
            members = sum(w.reach.members for w in picture.waves)
        finally:
            await db.dispose()
    times.sort()
    return {
        "users": users,
        "wave_members": members,
        "deliveries": n_deliveries,
        "reports": n_reports,
        "builds": builds,
        "median_ms": round(1000 * statistics.median(times), 1),
        "p99_ms": round(1000 * times[min(len(times) - 1, int(0.99 * len(times)))], 1),
        "card_bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 builds instead of 20 (under a minute)")
    parser.add_argument("--users", type=int, default=5000)
    args = parser.parse_args()
    figures = asyncio.run(run(args.users, 20_000, 500, 5 if args.quick else 20))
    print(f"status card for {figures['users']} people: median {figures['median_ms']} ms, p99 {figures['p99_ms']} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
