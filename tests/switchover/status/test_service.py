"""The status service on SQLite and PostgreSQL: the picture's set-based figures for a 2,000-person
wave, and the drill-down pages behind them (rows written straight into the tables, counted here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from switchover.announcements import AnnouncementService
from switchover.announcements.tables import acknowledgements, announcements
from switchover.clock import ManualClock
from switchover.delivery import DeliveryEngine
from switchover.delivery.conversations import StoredConversations
from switchover.delivery.tables import deliveries
from switchover.directory.base import DirectoryUser, Readiness
from switchover.plan.loader import load_plan
from switchover.problems.tables import incidents, reports
from switchover.readiness.service import ReadinessService
from switchover.status import ReportFilter, StatusPicture, StatusService, WaveState
from switchover.storage import ConversationStore, Database
from switchover.storage.conversations import ConversationRef

PLAN = Path(__file__).resolve().parents[3] / "examples" / "fabrikam" / "plan.yaml"
TENANT = "status-tenant"
NOW = dt.datetime(2027, 2, 10, 18, 0, tzinfo=dt.UTC)  # three days before wave 2's cutover
WAVE2 = 2000  # people at the Tacoma Clinic: wave 2 under the plan's rules


class Directory:
    def __init__(self) -> None:
        self.users = [
            DirectoryUser(
                id=f"u{i:05d}", upn=f"p{i}@example.test", display_name=f"Person {i:05d}", office="Tacoma Clinic"
            )
            for i in range(WAVE2)
        ]
        self.users.append(DirectoryUser(id="guest", upn="g@example.test", display_name="Guest", user_type="Guest"))
        self.by_id = {u.id: u for u in self.users}

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        return self.by_id.get(id_or_upn)

    async def all_users(self) -> list[DirectoryUser]:
        return list(self.users)

    async def readiness(self, user_id: str) -> Readiness | None:
        n = int(user_id[1:]) if user_id[1:].isdigit() else 0
        return Readiness(user_id, mfa_registered=None if n % 10 == 9 else n % 4 != 0)


async def world(database: Database) -> tuple[StatusService, ManualClock]:
    clock = ManualClock(NOW)
    plan = load_plan(PLAN)
    directory = Directory()
    then = NOW - dt.timedelta(days=1)
    async with database.begin() as c:
        await c.execute(
            sa.insert(ConversationRef.__table__),
            [
                {
                    "conversation_id": f"a:u{i:05d}", "tenant_id": TENANT, "kind": "personal",
                    "service_url": "https://smba.example.test/", "channel_id": "msteams",
                    "aad_object_id": f"u{i:05d}", "installed": i % 3 != 2, "first_seen": then, "last_seen": then,
                }
                for i in range(0, WAVE2, 2)
            ],
        )  # fmt: skip
        for k, at in enumerate((then, then + dt.timedelta(hours=1))):
            await c.execute(
                sa.insert(announcements).values(
                    tenant_id=TENANT, id=f"a{k}", kind="freeform", title=f"Notice {k}", content={},
                    audience={"kind": "wave", "values": ["wave-2"]}, send_at=at, status="sent",
                    created_at=at, started_at=at, updated_at=at,
                )
            )  # fmt: skip
            await c.execute(
                sa.insert(deliveries),
                [
                    {
                        "tenant_id": TENANT, "dedupe_key": f"a{k}:{i}", "purpose": "announcement",
                        "subject_id": f"a{k}", "recipient_kind": "user", "recipient_key": f"u{i:05d}",
                        "message": {}, "status": "sent" if i % 5 else "unreachable", "next_attempt_at": at,
                        "created_at": at, "updated_at": at, "read_at": at if i % 7 == 0 else None,
                    }
                    for i in range(WAVE2)
                ],
            )  # fmt: skip
            await c.execute(
                sa.insert(acknowledgements),
                [
                    {
                        "tenant_id": TENANT, "announcement_id": f"a{k}", "user_id": f"u{i:05d}",
                        "verb": "acknowledge", "at": at,
                    }
                    for i in range(0, WAVE2, 11)
                ],
            )  # fmt: skip
        await c.execute(
            sa.insert(incidents).values(tenant_id=TENANT, area="email", wave="wave-2", status="open", created_at=then)
        )
        await c.execute(
            sa.insert(reports),
            [
                {
                    "tenant_id": TENANT, "reporter_id": f"u{i:05d}", "text": f"Problem {i}",
                    "area": ("email", "files", "printing-apps")[i % 3], "area_confidence": 0.9, "impact": "me",
                    "urgency": "degraded", "priority": f"P{1 + i % 4}", "wave": "wave-2",
                    "status": ("open", "acknowledged", "resolved")[i % 3 if i % 2 else 0],
                    "incident_id": 1 if i < 6 else None, "created_at": then, "clock_started_at": then,
                    "updated_at": then, "ack_due_at": NOW + dt.timedelta(minutes=30 * (i - 20)),
                }
                for i in range(60)
            ],
        )  # fmt: skip
    conversations = ConversationStore(database)
    engine = DeliveryEngine(database, None, StoredConversations(conversations, clock), clock)  # type: ignore[arg-type]
    readiness = ReadinessService(plan, directory)  # type: ignore[arg-type]
    anns = AnnouncementService(
        database,
        plan,
        directory,
        conversations,
        engine,
        clock,
        tenant_id=TENANT,
        readiness=readiness,  # type: ignore[arg-type]
    )
    return StatusService(database, clock, directory, conversations, anns, readiness), clock  # type: ignore[arg-type]


async def test_the_picture_of_a_2000_person_wave_on_both_databases(database: Database) -> None:
    service, _ = await world(database)
    picture = await service.picture(TENANT)
    wave = picture.wave("wave-2")
    assert wave.state is WaveState.UPCOMING and wave.days_to_cutover == 3
    installed = [i for i in range(0, WAVE2, 2) if i % 3 != 2]
    assert (wave.reach.reachable, wave.reach.members) == (len(installed), WAVE2)  # the guest is no member
    assert wave.readiness.mfa_unknown == sum(1 for i in range(WAVE2) if i % 10 == 9)
    assert wave.readiness.mfa_registered == sum(1 for i in range(WAVE2) if i % 10 != 9 and i % 4 != 0)
    a = wave.announcement
    assert a is not None and a.id == "a1"  # the later of the two
    assert (a.recipients, a.delivered, a.read, a.acknowledged) == (
        WAVE2,
        sum(1 for i in range(WAVE2) if i % 5),
        sum(1 for i in range(WAVE2) if i % 7 == 0),
        len(range(0, WAVE2, 11)),
    )
    status = {i: ("open", "acknowledged", "resolved")[i % 3 if i % 2 else 0] for i in range(60)}
    still_open = [i for i, s in status.items() if s != "resolved"]
    assert picture.problems.open == wave.open_reports == len(still_open)
    assert picture.problems.by_priority == {f"P{p}": sum(1 for i in still_open if i % 4 == p - 1) for p in (1, 2, 3, 4)}
    overdue = [i for i, s in status.items() if s == "open" and i < 20]
    assert [o.report_id - 1 for o in picture.problems.overdue] == overdue  # ids from 1; most overdue first
    assert picture.problems.overdue[0].owner_name == "Priya Raman"  # email's owner in the plan
    [incident] = picture.problems.incidents
    assert incident.reports == sum(1 for i in range(6) if status[i] != "resolved")
    # The picture goes to JSON and back unchanged (the digest compares a stored one with today's).
    assert StatusPicture.model_validate_json(picture.model_dump_json()) == picture


async def test_drill_downs_page_25_at_a_time(database: Database) -> None:
    service, _ = await world(database)
    unreachable = sorted(f"Person {i:05d}" for i in range(WAVE2) if not (i % 2 == 0 and i % 3 != 2))
    first = await service.people(TENANT, "wave-2", "unreachable", 1)
    assert (first.total, first.pages) == (len(unreachable), -(-len(unreachable) // 25))
    assert [p.name for p in first.items] == unreachable[:25]
    last = await service.people(TENANT, "wave-2", "unreachable", 10_000)  # past the end: the last page
    assert last.page == last.pages and [p.name for p in last.items] == unreachable[25 * (last.pages - 1) :]
    not_ready = await service.people(TENANT, "wave-2", "not_ready", 2)
    assert not_ready.total == sum(1 for i in range(WAVE2) if i % 10 != 9 and i % 4 == 0)
    assert {p.detail for p in not_ready.items} == {"MFA not registered"}
    page = await service.reports(TENANT, ReportFilter(wave="wave-2", priority="P1"), 1)
    expected = [
        i + 1
        for i in range(60)
        if i % 4 == 0 and ("open", "acknowledged", "resolved")[i % 3 if i % 2 else 0] != "resolved"
    ]
    assert page.total == len(expected) and [r.id for r in page.items] == sorted(expected, reverse=True)[:25]


async def test_readiness_is_unknown_not_zero_when_the_directory_cannot_tell(database: Database) -> None:
    from bot.features.status import status_card

    service, _ = await world(database)

    async def cannot_tell(user_id: str) -> None:  # the CSV roster's answer
        return None

    service.directory.readiness = cannot_tell  # type: ignore[method-assign]
    picture = await service.picture(TENANT)
    wave = picture.wave("wave-2")
    assert picture.readiness_known is False
    assert (wave.readiness.known, wave.readiness.mfa_registered, wave.readiness.not_ready) == (False, None, None)
    card = str(status_card(picture, service.plan, buttons=True))
    assert "unknown (the directory cannot tell)" in card and "Not ready" not in card


async def test_a_wave_renamed_while_the_picture_is_built_keeps_its_readiness(database: Database) -> None:
    """A revision renaming wave 2 lands between the picture reading the plan and the readiness report:
    the wave's figures are still its own (rows are matched by wave key, not by title)."""
    from switchover.plan.current import CurrentPlan

    service, _ = await world(database)
    plan = service.plan
    waves = tuple(w.model_copy(update={"name": "Clinics"}) if w.key == "wave-2" else w for w in plan.waves)
    renamed = plan.model_copy(update={"waves": waves})
    assert renamed.wave("wave-2").title != plan.wave("wave-2").title  # type: ignore[union-attr]
    report = service.readiness.report

    async def renamed_meanwhile(wave_key: str | None = None):  # type: ignore[no-untyped-def]
        service.readiness.current = CurrentPlan.of(renamed)  # another instance's revision
        return await report(wave_key)

    service.readiness.report = renamed_meanwhile  # type: ignore[method-assign]
    wave = (await service.picture(TENANT)).wave("wave-2")
    assert wave.readiness.members == WAVE2
    assert wave.readiness.mfa_unknown == sum(1 for i in range(WAVE2) if i % 10 == 9)
    assert wave.readiness.mfa_registered == sum(1 for i in range(WAVE2) if i % 10 != 9 and i % 4 != 0)
