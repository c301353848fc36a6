"""The email outbox against the loopback Graph: the documented sendMail request, one email per key,
retries after Retry-After on 429 and 5xx, refusals reported, two instances never sending one twice."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest

from switchover.clock import ManualClock
from switchover.directory.graph_client import build_graph_client, close_graph_client
from switchover.mail import EmailOutbox, EmailRequest, EmailStatus, GraphMailSender, OutgoingEmail
from tests.support.fake_graph import FakeGraph, FakeGraphData, StaticTokenCredential

TENANT = "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11"
MAILBOX = "switchover@example.org"


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    async with FakeGraph(FakeGraphData(mailboxes={MAILBOX})) as g:
        yield g


@pytest.fixture
async def sender(graph: FakeGraph) -> AsyncIterator[GraphMailSender]:
    client = build_graph_client(StaticTokenCredential(), base_url=graph.base_url)
    yield GraphMailSender(client)
    await close_graph_client(client)


def outbox_for(database, sender, clock: ManualClock, **kw) -> EmailOutbox:
    async def manual_sleep(seconds: float) -> None:
        clock.advance(dt.timedelta(seconds=seconds))
        await asyncio.sleep(0)

    return EmailOutbox(database, sender, clock, sleep=manual_sleep, **kw)


def request(n: int, *, key: str | None = None, html: str = "<p>Hello</p>") -> EmailRequest:
    return EmailRequest(
        tenant_id=TENANT,
        dedupe_key=key or f"announcement:a-1:announcement:user-{n}",
        purpose="announcement",
        subject_id="a-1",
        kind="announcement",
        person_id=f"user-{n}",
        email=OutgoingEmail(MAILBOX, f"person{n}@example.org", f"Person {n}", "Your move", html),
    )


async def test_an_email_goes_as_graph_documents_send_mail(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock)
    [email_id] = await outbox.enqueue([request(1, html="<p>Caf\u00e9 &amp; more</p>")])
    await outbox.drain()

    [post] = graph.log("/sendMail", "POST")
    assert post.path == f"/v1.0/users/{MAILBOX}/sendMail" and post.status == 202
    assert post.body == {
        "message": {
            "subject": "Your move",
            "body": {"contentType": "HTML", "content": "<p>Caf\u00e9 &amp; more</p>"},
            "toRecipients": [{"emailAddress": {"address": "person1@example.org", "name": "Person 1"}}],
        },
        "saveToSentItems": False,
    }
    outcome = await outbox.get(email_id)
    assert (outcome.status, outcome.attempts, outcome.sent_at) == (EmailStatus.SENT, 1, clock.now())


async def test_one_email_per_key_however_often_it_is_queued(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock)
    first = await outbox.enqueue([request(1)])
    again = await outbox.enqueue([request(1), request(2)])
    assert again[0] == first[0] and again[1] != first[0]
    await outbox.drain()
    assert await outbox.enqueue([request(1)]) == first  # after sending too
    await outbox.drain()
    assert sorted(m.to[0] for m in graph.mail) == ["person1@example.org", "person2@example.org"]


async def test_throttled_email_waits_for_retry_after_then_goes(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock)
    graph.fail("/sendMail", 429, times=1, retry_after=30)
    start = clock.now()
    [email_id] = await outbox.enqueue([request(1)])
    assert await outbox.run_once() == 1
    assert graph.mail == []
    pending = await outbox.get(email_id)
    assert pending.status is EmailStatus.PENDING and "429" in (pending.reason or "")
    clock.advance(dt.timedelta(seconds=29))
    assert await outbox.run_once() == 0  # not before Retry-After
    await outbox.drain()
    sent = await outbox.get(email_id)
    assert (sent.status, sent.attempts) == (EmailStatus.SENT, 2)
    assert sent.sent_at is not None and sent.sent_at - start >= dt.timedelta(seconds=30)
    assert len(graph.mail) == 1


async def test_a_refused_email_fails_at_once_and_one_that_keeps_failing_gives_up(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock, max_attempts=3)
    graph.fail("/sendMail", 400, times=1)
    [refused] = await outbox.enqueue([request(1)])
    await outbox.drain()
    outcome = await outbox.get(refused)
    assert (outcome.status, outcome.attempts) == (EmailStatus.FAILED, 1)
    assert "400" in (outcome.reason or "")

    graph.fail("/sendMail", 503, times=10)
    [down] = await outbox.enqueue([request(2)])
    await outbox.drain()
    outcome = await outbox.get(down)
    assert (outcome.status, outcome.attempts) == (EmailStatus.FAILED, 3)
    assert (outcome.reason or "").startswith("gave up after 3 attempts")
    assert graph.mail == []


async def test_an_unknown_mailbox_is_reported_not_retried(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock)
    wrong = dataclasses.replace(
        request(1), email=OutgoingEmail("nobody@example.org", "p@example.org", None, "s", "<p>x</p>")
    )
    [email_id] = await outbox.enqueue([wrong])
    await outbox.drain()
    outcome = await outbox.get(email_id)
    assert outcome.status is EmailStatus.FAILED and "404" in (outcome.reason or "")


async def test_two_instances_never_send_the_same_email_twice(database, sender, graph, clock):
    a = outbox_for(database, sender, clock, worker_id="a")
    b = outbox_for(database, sender, clock, worker_id="b")
    await a.enqueue([request(n) for n in range(40)])
    await asyncio.gather(a.drain(), b.drain())
    assert sorted(m.to[0] for m in graph.mail) == sorted(f"person{n}@example.org" for n in range(40))


async def test_a_claim_left_by_a_stopped_worker_is_sent_after_its_lease(database, sender, graph, clock):
    stopped = outbox_for(database, sender, clock, worker_id="stopped")
    [email_id] = await stopped.enqueue([request(1)])
    assert len(await stopped._claim(10)) == 1  # claimed, then the worker stops before sending
    other = outbox_for(database, sender, clock, worker_id="other")
    assert await other.run_once() == 0  # the lease holds
    clock.advance(stopped.lease + dt.timedelta(seconds=1))
    await other.drain()
    assert (await other.get(email_id)).status is EmailStatus.SENT
    assert len(graph.mail) == 1


async def test_without_a_sender_emails_wait(database, clock):
    outbox = outbox_for(database, None, clock)
    [email_id] = await outbox.enqueue([request(1)])
    assert not outbox.enabled
    await outbox.drain()
    assert (await outbox.get(email_id)).status is EmailStatus.PENDING


async def test_a_stop_lets_the_sends_on_the_wire_finish_and_puts_the_claimed_rest_back(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock, concurrency=2, worker_id="stopping")
    ids = await outbox.enqueue([request(n) for n in range(5)])
    graph.mail_latency = 0.5  # a slow mailbox: two sends are on the wire, three wait claimed
    worker = asyncio.create_task(outbox.run_forever())
    await graph.wait_for_mail(2, timeout=30)
    started = time.monotonic()
    await outbox.shutdown(worker, grace=10)
    assert time.monotonic() - started < 5  # the sends on the wire were waited for, not the grace
    assert worker.done()

    on_the_wire = [await outbox.get(i) for i in ids[:2]]
    assert [(o.status, o.attempts) for o in on_the_wire] == [(EmailStatus.SENT, 1)] * 2
    put_back = [await outbox.get(i) for i in ids[2:]]
    # Back to pending at once (no lease to wait for), the attempt the claim counted given back.
    assert [(o.status, o.attempts, o.sent_at) for o in put_back] == [(EmailStatus.PENDING, 0, None)] * 3
    assert graph.mail_arrivals == 2 and len(graph.mail) == 2

    graph.mail_latency = 0.0
    restarted = outbox_for(database, sender, clock, worker_id="restarted")
    await restarted.drain()  # the same moment: no lease ran out
    assert sorted(m.to[0] for m in graph.mail) == sorted(f"person{n}@example.org" for n in range(5))
    assert {(await restarted.get(i)).status for i in ids} == {EmailStatus.SENT}


async def test_a_send_still_on_the_wire_after_the_grace_is_put_back_never_recorded_sent(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock, concurrency=1, worker_id="stopping")
    [email_id] = await outbox.enqueue([request(1)])
    graph.mail_latency = 2.0
    worker = asyncio.create_task(outbox.run_forever())
    await graph.wait_for_mail(1, timeout=30)
    started = time.monotonic()
    await outbox.shutdown(worker, grace=0.2)
    assert time.monotonic() - started < 1.5  # the grace bounds the stop
    cut_off = await outbox.get(email_id)
    assert (cut_off.status, cut_off.sent_at) == (EmailStatus.PENDING, None)
    assert cut_off.attempts == 1 and "may arrive twice" in (cut_off.reason or "")

    graph.mail_latency = 0.0
    restarted = outbox_for(database, sender, clock, worker_id="restarted")
    await restarted.drain()
    sent = await restarted.get(email_id)
    assert (sent.status, sent.attempts) == (EmailStatus.SENT, 2)
    assert "person1@example.org" in [m.to[0] for m in graph.mail]


async def test_a_stop_with_nothing_in_flight_returns_at_once(database, sender, graph, clock):
    outbox = outbox_for(database, sender, clock)
    [email_id] = await outbox.enqueue([request(1)])
    await outbox.drain()
    worker = asyncio.create_task(outbox.run_forever(poll=30))
    await asyncio.sleep(0.2)  # the worker finds nothing due and waits to be woken
    started = time.monotonic()
    await outbox.shutdown(worker, grace=20)
    assert time.monotonic() - started < 1.0
    assert worker.done() and not worker.cancelled()  # it stopped of itself, not cut off
    assert (await outbox.get(email_id)).status is EmailStatus.SENT
    assert await outbox.run_once() == 0  # a stopped outbox claims nothing more
