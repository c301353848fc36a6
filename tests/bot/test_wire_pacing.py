"""The Teams limits hold where the requests arrive: at the Bot Connector, over any sliding window.

The app runs for real (its delivery engine, the Bot Framework adapter, real HTTP, group-committed
``sending`` marks) against the loopback connector, which notes when each request arrives on the
same monotonic clock the engine paces on. Between taking its slot and reaching the connector,
each request is held back a random while, as a busy event loop or the network would: a request
counted only from when it took its slot could then arrive in the same second as the next
second's allowance. The limit is low so that the broadcast takes a few seconds; how fast a
broadcast goes is measured in bench/broadcast.py, not here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

from switchover.clock import SystemClock
from switchover.delivery import DeliveryRequest, DeliveryStatus, Recipient
from switchover.messaging import ConversationTarget, Messenger, OutgoingMessage
from switchover.storage import ConversationRecord
from tests.support.app import TENANT_ID, make_settings, start_app
from tests.support.connector import TEAMS_CONVERSATION_WINDOWS, LoopbackConnector, peak_in_window

RATE = 20  # requests per second for the tenant, in this test
PEOPLE = 70
CHANNEL_POSTS = 12  # to one channel: more than its 7-per-second window allows at once


class HeldBack:
    """The app's messenger, but every request waits a random 0-120 ms before it goes out."""

    def __init__(self, inner: Messenger, seed: int) -> None:
        self.inner = inner
        self.rng = random.Random(seed)  # noqa: S311 - test dice

    async def send(self, target: ConversationTarget, message: OutgoingMessage) -> str:
        await asyncio.sleep(self.rng.uniform(0, 0.12))
        return await self.inner.send(target, message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_peak_in_window_counts_any_sliding_window() -> None:
    assert peak_in_window([], 1.0) == 0
    assert peak_in_window([0.0, 0.5, 0.99, 1.0, 1.5], 1.0) == 3  # 0.5, 0.99, 1.0 (0.0 has left by 1.0)
    assert peak_in_window([0.0, 0.01, 0.02, 5.0], 0.1) == 3


async def test_a_broadcast_held_back_on_its_way_never_exceeds_a_limit_at_the_connector(
    tmp_path: Any, identity: Any
) -> None:
    async with LoopbackConnector(
        enforce_limits=True, tenant_rate=RATE, require_token=identity.bot_token if identity else None
    ) as connector:
        settings = make_settings(tmp_path, identity=identity, tenant_rate=RATE)
        runner, app = await start_app(settings, SystemClock(), identity=identity)
        try:
            services = app.services
            engine = services.delivery
            engine.messenger = HeldBack(services.messenger, seed=16)
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
            channel = ConversationRecord(
                tenant_id=TENANT_ID,
                kind="channel",
                conversation_id="19:wire-general@thread.tacv2",
                service_url=connector.url,
                team_id="19:wire-team@thread.tacv2",
                team_name="Migration",
                channel_name="General",
            )
            await services.conversations.upsert(channel, now)
            requests = [
                DeliveryRequest(
                    recipient=r,
                    message=OutgoingMessage(text="Your move is on Saturday", summary="Cutover notice"),
                    purpose="announcement",
                    subject_id="wire",
                    dedupe_key=f"announcement:wire:{r.key}",
                )
                for r in recipients
            ]
            requests += [
                DeliveryRequest(
                    recipient=Recipient(TENANT_ID, "channel", "Migration / General", "Migration / General"),
                    message=OutgoingMessage(text=f"Status update {i}", summary="Status"),
                    purpose="status",
                    subject_id=f"status-{i}",
                    dedupe_key=f"status:wire:{i}",
                )
                for i in range(CHANNEL_POSTS)
            ]
            ids = await engine.enqueue(requests)
            await engine.drain()
            statuses = [(await engine.get(i)).status for i in ids]
        finally:
            await runner.cleanup()

    assert peak_in_window(connector.arrivals, 1.0) <= RATE
    assert connector.stats.throttled == 0, "the connector refused requests for going over a limit"
    assert statuses == [DeliveryStatus.SENT] * len(requests)  # everyone got it, once each:
    sends = [r for r in connector.received if r.op == "send"]
    assert len(sends) == len(requests) == len(connector.arrivals)
    to_channel = [r.at for r in sends if r.conversation_id == channel.conversation_id]
    assert len(to_channel) == CHANNEL_POSTS
    for seconds, limit in TEAMS_CONVERSATION_WINDOWS:
        assert peak_in_window(to_channel, seconds) <= limit
