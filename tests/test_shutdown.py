"""Stopping the app in the middle of a broadcast: nobody gets a message twice, nobody is left without one.

The app runs its delivery worker (``start_scheduler=True``) on SQLite and on PostgreSQL and sends
to a loopback Bot Connector that answers slowly, so sends are on the wire when the app stops.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web

from switchover.clock import ManualClock
from switchover.delivery import DeliveryRequest, DeliveryStatus, Recipient
from switchover.messaging import OutgoingMessage
from switchover.storage import ConversationRecord
from tests.support.app import TENANT_ID, make_settings
from tests.support.connector import LoopbackConnector
from tests.support.db import BACKENDS
from tests.support.db import app_database_url as database_url

START = dt.datetime(2027, 1, 2, 17, 0, tzinfo=dt.UTC)
PEOPLE = 40


def _conversation(n: int) -> str:
    return f"a:shutdown-{n:03d}"


async def _started(settings, clock: ManualClock, *, background: bool) -> web.AppRunner:
    from app import create_app

    runner = web.AppRunner(create_app(settings, clock=clock, start_scheduler=background), access_log=None)
    await runner.setup()  # runs the app's start-up (and, with background work, its delivery worker)
    return runner


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("policy", ["resend", "hold"])
async def test_a_stop_mid_broadcast_leaves_every_person_exactly_one_message(
    tmp_path: Path, backend: str, policy: str
) -> None:
    from app import SERVICES

    clock = ManualClock(START)
    async with LoopbackConnector(latency=0.4) as connector, database_url(backend, tmp_path) as url:
        settings = make_settings(tmp_path, database_url=url, delivery_in_doubt=policy)
        runner = await _started(settings, clock, background=True)
        services = runner.app[SERVICES]
        recipients = []
        for n in range(PEOPLE):
            aad = f"00000000-0000-0000-0000-{n:012d}"
            await services.conversations.upsert(
                ConversationRecord(
                    tenant_id=TENANT_ID,
                    kind="personal",
                    conversation_id=_conversation(n),
                    service_url=connector.url,
                    user_id=f"29:user-{n}",
                    aad_object_id=aad,
                    user_name=f"User {n}",
                ),
                START,
            )
            recipients.append(Recipient(TENANT_ID, "user", aad, f"User {n}"))
        await services.delivery.enqueue(
            [
                DeliveryRequest(
                    recipient=r,
                    message=OutgoingMessage(text=f"Hello {r.display_name}"),
                    purpose="announcement",
                    subject_id="ann-stop",
                    dedupe_key=f"announcement:ann-stop:{r.key}",
                )
                for r in recipients
            ]
        )
        # Requests arrive at the connector at once and are answered 0.4 s later: stop while some are on the wire.
        await connector.wait_for(lambda r: r.op == "send", count=5, timeout=30)
        assert len(connector.arrivals) > len(connector.received)  # sends are in flight as the app stops
        await runner.cleanup()
        sent_at_stop = Counter(r.conversation_id for r in connector.received if r.op == "send")
        assert len(sent_at_stop) < PEOPLE  # the stop came mid-broadcast
        assert set(sent_at_stop.values()) == {1}

        # Restart at once (no lease has run out): every row is either recorded sent or free to send.
        runner = await _started(settings, clock, background=False)
        engine = runner.app[SERVICES].delivery
        try:
            after_stop = await engine.outcomes(TENANT_ID, "announcement", "ann-stop")
            statuses = Counter(o.status for o in after_stop)
            assert set(statuses) <= {DeliveryStatus.SENT, DeliveryStatus.PENDING}, statuses
            assert statuses[DeliveryStatus.SENT] == len(sent_at_stop)
            async with asyncio.timeout(60):  # a row left claimed or sending would wait for its 2-minute lease
                await engine.drain()
            outcomes = await engine.outcomes(TENANT_ID, "announcement", "ann-stop")
        finally:
            await runner.cleanup()
        counts = Counter(r.conversation_id for r in connector.received if r.op == "send")
        assert counts == {_conversation(n): 1 for n in range(PEOPLE)}
        assert {o.status for o in outcomes} == {DeliveryStatus.SENT}
        assert not [o for o in outcomes if o.reason]  # none was resent as in doubt
