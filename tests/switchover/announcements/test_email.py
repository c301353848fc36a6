"""The announcement emails: every plan announcement of the Fabrikam plan as HTML, compared with its
snapshot (``email_snapshots/``; ``SWITCHOVER_UPDATE_SNAPSHOTS=1`` writes them again), well formed,
with no external resources and no link but the bot's own signed ones and those the plan gives; and
what the Teams outcome decides (email or not)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from switchover.announcements import AnnouncementService
from switchover.announcements.calendar import WaveDates
from switchover.announcements.email import LINK_PURPOSE, email_key
from switchover.announcements.model import Audience, Button, Content
from switchover.delivery import DeliveryOutcome, DeliveryStatus, Recipient
from switchover.delivery.tables import deliveries
from switchover.directory.graph_client import build_graph_client, close_graph_client
from switchover.links import LinkError, LinkSigner
from switchover.mail import EmailOutbox, EmailStatus, GraphMailSender
from switchover.membership import resolve_wave
from switchover.plan.model import EmailSettings
from tests.cards.html_check import check_html
from tests.support.fake_graph import FakeGraph, FakeGraphData, StaticTokenCredential

from .conftest import TENANT

SNAPSHOTS = Path(__file__).parent / "email_snapshots"
UPDATE = os.environ.get("SWITCHOVER_UPDATE_SNAPSHOTS", "").strip().lower() in ("1", "true", "yes")
BASE = "https://switchover.example.org"
TOKEN = re.compile(re.escape(BASE) + r"/email/ack/[A-Za-z0-9_.\-]+")


@pytest.fixture
async def emailing(database, plan, directory, store, engine, clock):
    """The announcement service with email on: a mailbox in the plan, the outbox sending to a loopback Graph."""
    plan = plan.model_copy(update={"email": EmailSettings.model_validate({"from": "switchover@example.org"})})
    async with FakeGraph(FakeGraphData(mailboxes={"switchover@example.org"})) as graph:
        client = build_graph_client(StaticTokenCredential(), base_url=graph.base_url)
        outbox = EmailOutbox(database, GraphMailSender(client), clock)
        svc = AnnouncementService(
            database,
            plan,
            directory,
            store,
            engine,
            clock,
            tenant_id=TENANT,
            email=outbox,
            links=LinkSigner("snapshot-secret", LINK_PURPOSE),
            public_base=BASE,
        )
        svc.graph = graph  # type: ignore[attr-defined]
        yield svc
        await svc.jobs.idle()
        await close_graph_client(client)


async def first_member(svc: AnnouncementService, wave_key: str):
    for user in await svc.sending.directory.all_users():
        if user.enabled and not user.is_guest and resolve_wave(svc.plan, user).wave_key == wave_key:
            return user
    raise AssertionError(f"nobody in {wave_key}")


def plan_links(svc: AnnouncementService, ann) -> set[str]:
    links = {str(b.url) for b in ann.content.buttons if b.url}
    if ann.content.image_url:
        links.add(str(ann.content.image_url))
    return links


def compare(name: str, html: str) -> None:
    shown = TOKEN.sub(f"{BASE}/email/ack/TOKEN", html)  # tokens carry the time they were made
    path = SNAPSHOTS / f"{name.replace('/', '--')}.html"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no snapshot {path.name}: run with SWITCHOVER_UPDATE_SNAPSHOTS=1 and review it")
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(shown, encoding="utf-8")
    assert shown == path.read_text(encoding="utf-8"), f"{path.name} changed (SWITCHOVER_UPDATE_SNAPSHOTS=1 rewrites it)"


async def check_email(svc: AnnouncementService, ann, user) -> str:
    subject, html = await svc.email.render(ann.id, user.id)
    checked = check_html(html)
    assert checked.errors == [], (ann.id, checked.errors)
    assert checked.lang == "en"
    assert subject and subject == checked.headings[0][1] or ann.kind == "reschedule"
    own = {link for link in checked.links if link.startswith(f"{BASE}/email/ack/")}
    assert set(checked.links) - own <= plan_links(svc, ann), ann.id
    for link in own:  # every acknowledgement link is this person's, for this announcement
        found = svc.email.read_link(link.rsplit("/", 1)[1])
        assert (found.announcement_id, found.user_id) == (ann.id, user.id)
    return html


async def test_every_plan_announcement_as_an_email_matches_its_snapshot(emailing):
    svc = emailing
    await svc.reconcile_plan()
    announcements = [a for a in await svc.list() if a.kind == "calendar"]
    expected = {(w.key, m.key) for w in svc.plan.waves for m in svc.plan.calendar_for(w)}
    assert {(a.wave_key, a.calendar_key) for a in announcements} == expected
    names = set()
    for ann in announcements:
        user = await first_member(svc, ann.wave_key)
        html = await check_email(svc, ann, user)
        compare(ann.id, html)
        names.add(f"{ann.id.replace('/', '--')}.html")
    # A free-form announcement with a link, a picture and "Got it"; a reschedule notice.
    free = await svc.create(
        title="Parking <closed> & the garage",
        audience=Audience(kind="wave", values=("wave-2",)),
        content=Content(
            body="The car park is closed on Saturday.\n\nUse the garage on 5th Avenue.",
            buttons=(Button(title="Map", url="https://example.org/map"), Button(title="Got it", verb="acknowledge")),
            image_url="https://example.org/garage.png",
            urgency="important",
        ),
    )
    compare("freeform", await check_email(svc, free, await first_member(svc, "wave-2")))
    old = await svc.wave_dates("wave-3")
    week = dt.timedelta(days=7)
    await svc.calendar.move_wave("wave-3", WaveDates(old.start + week, old.end + week), by=None)
    await svc.corrections._store_notice(
        "wave-3/reschedule-2027-03-06", "wave-3", old, now=svc.store.clock.now(), by=None
    )
    notice = await svc.get("wave-3/reschedule-2027-03-06")
    compare("reschedule", await check_email(svc, notice, await first_member(svc, "wave-3")))
    names |= {"freeform.html", "reschedule.html"}
    assert {p.name for p in SNAPSHOTS.glob("*.html")} == names  # no snapshot left over from an old plan


async def test_an_ack_link_is_bound_to_its_purpose_and_refuses_tampering(emailing):
    svc = emailing
    url = svc.email.ack_url("wave-2/what-changes", "user-1", "acknowledge")
    token = url.rsplit("/", 1)[1]
    link = svc.email.read_link(token)
    assert (link.announcement_id, link.user_id, link.verb) == ("wave-2/what-changes", "user-1", "acknowledge")
    for bad in (
        token[:-2] + "xx",
        LinkSigner("snapshot-secret", "chart").sign({"a": "x", "u": "y", "v": "acknowledge"}),
    ):
        with pytest.raises(LinkError):
            svc.email.read_link(bad)
    other_verb = LinkSigner("snapshot-secret", LINK_PURPOSE).sign({"a": "x", "u": "y", "v": "report_problem"})
    with pytest.raises(LinkError):
        svc.email.read_link(other_verb)


def outcome(ann_id: str, user_id: str, status: DeliveryStatus) -> DeliveryOutcome:
    return DeliveryOutcome(
        id=1,
        tenant_id=TENANT,
        purpose="announcement",
        subject_id=ann_id,
        dedupe_key=f"announcement:{ann_id}:user:{user_id}",
        recipient=Recipient(TENANT, "user", user_id, None),
        status=status,
        attempts=1,
        activity_id=None,
        target=None,
        reason=None,
        sent_at=None,
        read_at=None,
    )


async def test_only_a_card_teams_did_not_deliver_goes_by_email_once(emailing, database, clock):
    svc = emailing
    await svc.reconcile_plan()
    user = await first_member(svc, "wave-2")
    ann_id = "wave-2/what-changes"
    await svc.email.on_teams_outcome(outcome(ann_id, user.id, DeliveryStatus.SENT))
    assert await svc.email.outcomes(ann_id) == []
    for status in (DeliveryStatus.UNREACHABLE, DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE):
        await svc.email.on_teams_outcome(outcome(ann_id, user.id, status))
    [email] = await svc.email.outcomes(ann_id)
    assert (email.person_id, email.to_address, email.status) == (user.id, user.mail, EmailStatus.PENDING)
    assert email.id == await svc.email.queue(ann_id, user.id)  # the reusable queue: the same email
    reminder = await svc.email.queue(ann_id, user.id, "reminder-1")  # another kind: another email
    assert reminder is not None and reminder != email.id
    assert {e.dedupe_key for e in await svc.email.outcomes(ann_id)} == {
        email_key(ann_id, user.id),
        email_key(ann_id, user.id, "reminder-1"),
    }
    await svc.email.outbox.drain()
    assert [m.to for m in svc.graph.mail] == [[user.mail], [user.mail]]


async def test_no_mailbox_in_the_plan_means_no_email(service):
    await service.reconcile_plan()
    assert not service.email.enabled
    assert await service.email.queue("wave-2/what-changes", "anyone") is None


async def test_a_recalled_announcement_sends_no_more_emails(emailing):
    svc = emailing
    user = await first_member(svc, "wave-2")
    ann = await svc.create(
        title="Parking", audience=Audience(kind="users", values=(user.id,)), content=Content(body="Closed")
    )
    await svc.run_due()
    assert (await svc.get(ann.id)).status.value == "sent"
    email_id = await svc.email.queue(ann.id, user.id)
    assert email_id is not None
    await svc.recall(ann.id)
    assert (await svc.email.outbox.get(email_id)).status is EmailStatus.CANCELLED
    assert await svc.email.queue(ann.id, user.id, "reminder-1") is None
    await svc.email.outbox.drain()
    assert svc.graph.mail == []


async def test_a_teams_send_in_doubt_also_goes_by_email_and_the_report_says_both(emailing, database):
    svc = emailing
    user = await first_member(svc, "wave-2")
    ann = await svc.create(
        title="Parking", audience=Audience(kind="users", values=(user.id,)), content=Content(body="x")
    )
    await svc.run_due()
    await svc.engine.drain()
    # A hard stop mid-send, held for the lead (SWITCHOVER_DELIVERY_IN_DOUBT=hold): it may have arrived.
    async with database.begin() as c:
        await c.execute(sa.update(deliveries).where(deliveries.c.subject_id == ann.id).values(status="in_doubt"))
    assert await svc.email.sweep() == 1
    assert await svc.email.sweep() == 0  # once
    await svc.email.outbox.drain()
    [mail] = svc.graph.mail
    assert "may have reached Teams" in mail.html
    report = await svc.report(ann.id)
    assert (report.reached, report.by_email, report.both) == (1, 0, 1)
    assert report.as_dict()["by_channel"] == {"teams": 0, "email": 0, "both": 1}
    assert [r["channel"] for r in report.rows] == ["teams+email"]
