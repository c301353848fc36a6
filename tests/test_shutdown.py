"""Stopping the app in the middle of a broadcast: nobody gets a message twice, nobody is left without one.

The app runs its delivery worker and its email worker (``start_scheduler=True``) on SQLite and on
PostgreSQL and sends to a loopback Bot Connector and a loopback Graph ``sendMail`` that answer
slowly, so sends are on the wire when the app stops.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web

from switchover.clock import ManualClock
from switchover.delivery import DeliveryRequest, DeliveryStatus, Recipient
from switchover.directory.factory import build_directory
from switchover.directory.graph import GraphDirectory
from switchover.mail import EmailRequest, EmailStatus, OutgoingEmail
from switchover.messaging import OutgoingMessage
from switchover.plan.loader import load_plan
from switchover.settings import Settings
from switchover.storage import ConversationRecord
from tests.support.app import TENANT_ID, make_settings
from tests.support.connector import LoopbackConnector
from tests.support.db import BACKENDS
from tests.support.db import app_database_url as database_url
from tests.support.fake_graph import FakeGraph, FakeGraphData, StaticTokenCredential

START = dt.datetime(2027, 1, 2, 17, 0, tzinfo=dt.UTC)
PEOPLE = 40


def _conversation(n: int) -> str:
    return f"a:shutdown-{n:03d}"


MAILBOX = "switchover@example.org"
EMAILS = 12


async def _started(settings, clock: ManualClock, *, background: bool, directory=None) -> web.AppRunner:
    from app import create_app

    app = create_app(settings, clock=clock, start_scheduler=background, directory=directory)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()  # runs the app's start-up (and, with background work, its delivery and email workers)
    return runner


def _graph_directory(settings: Settings, clock: ManualClock) -> GraphDirectory:
    """The Graph directory on the loopback Graph (so the app sends email through its ``sendMail``);
    nobody in it, and no sync: these tests are about the outboxes."""
    assert settings.plan_path is not None
    directory = build_directory(
        settings, load_plan(settings.plan_path), None, clock=clock, credential=StaticTokenCredential()
    )
    assert isinstance(directory, GraphDirectory)

    async def synced() -> bool:
        return True

    directory.sync = synced  # type: ignore[method-assign]
    return directory


def _graph_settings(tmp_path: Path, graph: FakeGraph, **overrides) -> Settings:
    return make_settings(
        tmp_path,
        directory_source="graph",
        graph_base_url=graph.base_url,
        graph_tenant_id=TENANT_ID,
        graph_timeout_seconds=2,
        **overrides,
    )


def _email(n: int) -> EmailRequest:
    return EmailRequest(
        tenant_id=TENANT_ID,
        dedupe_key=f"announcement:ann-stop:announcement:user-{n}",
        purpose="announcement",
        subject_id="ann-stop",
        kind="announcement",
        person_id=f"user-{n}",
        email=OutgoingEmail(MAILBOX, f"person{n}@example.org", f"Person {n}", "Your move", "<p>Hello</p>"),
    )


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


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_stop_mid_email_loses_no_email_and_sends_none_twice(tmp_path: Path, backend: str) -> None:
    from app import SERVICES

    clock = ManualClock(START)
    async with FakeGraph(FakeGraphData(mailboxes={MAILBOX})) as graph, database_url(backend, tmp_path) as url:
        settings = _graph_settings(tmp_path, graph, database_url=url)
        runner = await _started(settings, clock, background=True, directory=_graph_directory(settings, clock))
        graph.mail_latency = 0.5  # a slow mailbox: sendMail requests are on the wire as the app stops
        outbox = runner.app[SERVICES].email
        assert outbox is not None and outbox.enabled
        ids = await outbox.enqueue([_email(n) for n in range(EMAILS)])
        await graph.wait_for_mail(2, timeout=30)
        await runner.cleanup()
        sent_at_stop = Counter(m.to[0] for m in graph.mail)
        assert 0 < len(sent_at_stop) < EMAILS  # the stop came mid-send, and the sends on the wire finished
        assert set(sent_at_stop.values()) == {1}

        # Restart at once (no lease has run out): every email is recorded sent, or free to send.
        graph.mail_latency = 0.0
        runner = await _started(settings, clock, background=False, directory=_graph_directory(settings, clock))
        outbox = runner.app[SERVICES].email
        assert outbox is not None
        try:
            after_stop = Counter([(await outbox.get(i)).status for i in ids])
            assert set(after_stop) <= {EmailStatus.SENT, EmailStatus.PENDING}, after_stop
            assert after_stop[EmailStatus.SENT] == len(sent_at_stop)  # nothing unsent was recorded as sent
            async with asyncio.timeout(60):  # an email left claimed would wait for its 2-minute lease
                await outbox.drain()
            outcomes = [await outbox.get(i) for i in ids]
        finally:
            await runner.cleanup()
        assert Counter(m.to[0] for m in graph.mail) == {f"person{n}@example.org": 1 for n in range(EMAILS)}
        assert {o.status for o in outcomes} == {EmailStatus.SENT}
        assert {o.attempts for o in outcomes} == {1}  # an email put back unsent counts no attempt


async def test_the_teams_and_email_outboxes_stop_within_one_shared_grace(tmp_path: Path, monkeypatch) -> None:
    import app as app_module
    from app import SERVICES

    grace = 2.0
    monkeypatch.setattr(app_module, "OUTBOX_STOP_SECONDS", grace)
    clock = ManualClock(START)
    async with (
        LoopbackConnector(latency=5.0) as connector,
        FakeGraph(FakeGraphData(mailboxes={MAILBOX})) as graph,
    ):
        graph.mail_latency = 5.0  # both sends outlast the grace
        settings = _graph_settings(tmp_path, graph)
        runner = await _started(settings, clock, background=True, directory=_graph_directory(settings, clock))
        services = runner.app[SERVICES]
        aad = "00000000-0000-0000-0000-000000000001"
        await services.conversations.upsert(
            ConversationRecord(
                tenant_id=TENANT_ID,
                kind="personal",
                conversation_id=_conversation(1),
                service_url=connector.url,
                user_id="29:user-1",
                aad_object_id=aad,
                user_name="User 1",
            ),
            START,
        )
        recipient = Recipient(TENANT_ID, "user", aad, "User 1")
        await services.delivery.enqueue(
            [
                DeliveryRequest(
                    recipient=recipient,
                    message=OutgoingMessage(text="Hello"),
                    purpose="announcement",
                    subject_id="ann-grace",
                    dedupe_key=f"announcement:ann-grace:{aad}",
                )
            ]
        )
        assert services.email is not None
        [email_id] = await services.email.enqueue([_email(1)])
        await graph.wait_for_mail(1, timeout=30)
        async with asyncio.timeout(30):
            while not connector.stats.by_op["send"]:  # noqa: ASYNC110 - the connector tells only of answered sends
                await asyncio.sleep(0.01)
        started = time.monotonic()
        stop = asyncio.create_task(runner.cleanup())
        await asyncio.sleep(grace / 2)
        assert not stop.done()  # the sends on the wire are given their grace
        await stop
        took = time.monotonic() - started
        # One grace for both (a grace each, one after the other, would take twice as long).
        assert grace <= took < 1.75 * grace, took

        runner = await _started(settings, clock, background=False, directory=_graph_directory(settings, clock))
        try:
            cut_off = await runner.app[SERVICES].email.get(email_id)  # type: ignore[union-attr]
        finally:
            await runner.cleanup()
        assert cut_off.status is EmailStatus.PENDING and cut_off.sent_at is None  # never recorded as sent
        assert "may arrive twice" in (cut_off.reason or "")
