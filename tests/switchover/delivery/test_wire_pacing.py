"""The per-tenant limit holds where the requests arrive: at the Bot Connector, over any sliding second.

The app runs for real (its delivery engine, the Bot Framework adapter, real HTTP) against the
loopback connector, which notes when each request arrives. The limit is set low so that a
broadcast of a few hundred people takes a few seconds; how fast a broadcast goes is measured
in bench/broadcast.py, not here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from switchover.clock import SystemClock
from switchover.delivery import DeliveryRequest, Recipient
from switchover.messaging import OutgoingMessage
from switchover.storage import ConversationRecord
from tests.support.app import TENANT_ID, make_settings, start_app
from tests.support.connector import LoopbackConnector, peak_in_window

RATE = 40  # requests per second for the tenant, in this test
PEOPLE = 240


def test_peak_in_window_counts_any_sliding_window() -> None:
    assert peak_in_window([], 1.0) == 0
    assert peak_in_window([0.0, 0.5, 0.99, 1.0, 1.5], 1.0) == 3  # 0.5, 0.99, 1.0 (0.0 has left by 1.0)
    assert peak_in_window([0.0, 0.01, 0.02, 5.0], 0.1) == 3


async def test_a_broadcast_never_exceeds_the_tenant_limit_in_any_second_at_the_connector(
    tmp_path: Any, identity: Any
) -> None:
    async with LoopbackConnector(
        enforce_limits=True,
        tenant_rate=RATE,
        require_token=identity.bot_token if identity else None,
    ) as connector:
        settings = make_settings(tmp_path, identity=identity, tenant_rate=RATE)
        runner, app = await start_app(settings, SystemClock(), identity=identity)
        try:
            services = app.services
            now = dt.datetime.now(dt.UTC)
            recipients = []
            for n in range(PEOPLE):
                aad = f"00000000-0000-0000-0000-{n:012d}"
                await services.conversations.upsert(
                    ConversationRecord(
                        tenant_id=TENANT_ID,
                        kind="personal",
                        conversation_id=f"a:wire-{n:05d}",
                        service_url=connector.url,
                        user_id=f"29:wire-{n}",
                        aad_object_id=aad,
                        user_name=f"Person {n}",
                    ),
                    now,
                )
                recipients.append(Recipient(TENANT_ID, "user", aad, f"Person {n}"))
            await services.delivery.enqueue(
                [
                    DeliveryRequest(
                        recipient=r,
                        message=OutgoingMessage(text="Your move is on Saturday", summary="Cutover notice"),
                        purpose="announcement",
                        subject_id="wire",
                        dedupe_key=f"announcement:wire:{r.key}",
                    )
                    for r in recipients
                ]
            )
            await services.delivery.drain()
        finally:
            await runner.cleanup()
        sends = {r.conversation_id for r in connector.received if r.op == "send"}

    assert len(sends) == PEOPLE  # everyone got it
    assert connector.stats.throttled == 0, "the connector refused requests for going over a limit"
    assert peak_in_window(connector.arrivals, 1.0) <= RATE
