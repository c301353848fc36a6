"""An announcement's deliveries as export rows, read in batches, on SQLite and PostgreSQL: one row per
recipient, each figure as the announcement's report counts it, the first acknowledgement's time."""

# ruff: noqa: F811 - the tests take the fixtures imported below by name

from __future__ import annotations

import datetime as dt

from switchover.announcements import Audience, Content
from switchover.exports import delivery_export
from switchover.messaging import DeliveryError, FailureKind
from tests.switchover.announcements.conftest import (  # noqa: F401 - fixtures
    TENANT,
    clock_start,
    directory,
    engine,
    personal_conversation,
    plan,
    service,
    store,
)
from tests.switchover.delivery.conftest import gone


async def rows_of(export) -> list[dict]:
    out = []
    async for batch in export.batches:
        assert 0 < len(batch) <= 7  # the batch size the test asks for
        out.extend(batch)
    return out


async def test_one_row_per_recipient_with_delivered_read_and_acknowledged_times(
    service, engine, messenger, clock, directory, database, plan
):
    tacoma = [u for u in await directory.all_users() if u.office == "Tacoma Clinic" and u.enabled and not u.is_guest]
    assert len(tacoma) > 14  # several batches of 7
    blocked, rejected, reader, acker = tacoma[0], tacoma[1], tacoma[2], tacoma[3]
    messenger.failures[personal_conversation(blocked.id)] = [gone("ConversationBlockedByUser")]
    messenger.open_failures[f"29:{blocked.id}"] = gone("ConversationBlockedByUser")
    messenger.failures[personal_conversation(rejected.id)] = [
        DeliveryError(FailureKind.REJECTED, status=400, code="BadArgument")
    ]
    ann = await service.create(
        title="Kiosk swap", audience=Audience(kind="office", values=("Tacoma Clinic",)), content=Content(body="x")
    )
    await service.run_due()
    await engine.drain()
    sent_out = {o.recipient.key: o for o in await engine.outcomes(TENANT, "announcement", ann.id)}
    await service.on_read_receipt(personal_conversation(reader.id), sent_out[reader.id].activity_id)
    clock.advance(dt.timedelta(minutes=5))
    first_ack = clock.now()
    await service.acknowledge(ann.id, acker.id, "mfa_done")
    clock.advance(dt.timedelta(minutes=5))
    await service.acknowledge(ann.id, acker.id, "acknowledge")

    export = delivery_export(database, plan, directory, await service.get(ann.id), batch=7)
    assert export.name == f"deliveries-{ann.id}"
    rows = await rows_of(export)

    assert [r["recipient_id"] for r in rows] == [o.recipient.key for o in sent_out.values()]  # delivery order
    assert {r["recipient_id"] for r in rows} == {u.id for u in tacoma}
    by_id = {r["recipient_id"]: r for r in rows}
    assert by_id[blocked.id]["status"] == "unreachable" and by_id[blocked.id]["delivered"] is False
    assert by_id[blocked.id]["channel"] is None and by_id[blocked.id]["delivered_at"] is None
    assert "ConversationBlockedByUser" in by_id[blocked.id]["reason"]
    assert by_id[rejected.id]["status"] == "failed" and by_id[rejected.id]["delivered"] is False
    assert by_id[reader.id]["read"] is True and by_id[reader.id]["read_at"] is not None
    assert by_id[acker.id]["acknowledged"] is True
    assert by_id[acker.id]["acknowledged_at"] == first_ack  # the first of its two acknowledgements
    assert by_id[acker.id]["upn"] == acker.upn and by_id[acker.id]["department"] == acker.department
    assert by_id[acker.id]["wave"] == "wave-2"  # Tacoma moves in wave 2 (the demo's Nora Abbott)
    delivered = [r for r in rows if r["delivered"]]
    assert all(r["channel"] == "teams" and r["delivered_at"].tzinfo is not None for r in delivered)

    # The same figures as the announcement's own report (and so the status card).
    report = await service.report(ann.id)
    assert len(rows) == report.recipients
    assert len(delivered) == report.sent == len(tacoma) - 2
    assert sum(r["read"] for r in rows) == report.read == 1
    assert sum(r["acknowledged"] for r in rows) == report.acknowledged == 1


async def test_an_announcement_never_sent_exports_no_rows(service, database, plan, directory):
    await service.reconcile_plan()
    export = delivery_export(database, plan, directory, await service.get("wave-3/one-week"))
    assert [batch async for batch in export.batches] == []
    assert export.about["announcement"]["id"] == "wave-3/one-week"
