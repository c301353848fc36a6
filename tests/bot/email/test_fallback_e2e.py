"""End to end: Fabrikam wave 2's T-14 announcement through the loopback Bot Connector and the
loopback Graph. A third of the wave never opened the bot, 3 have no Teams, 5 blocked it and one
chat keeps failing: each of them gets the announcement by email instead, everyone else in Teams,
nobody both, and the delivery report says which channel reached whom."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from scheduler.jobs import announcements_due, chasers_due
from switchover.delivery import DeliveryStatus
from switchover.directory.base import DirectoryUser
from switchover.exports.deliveries import delivery_export
from switchover.mail import EmailStatus
from switchover.privacy import PersonalData
from tests.support.app import Person

from .conftest import BOT_DOMAIN, MAILBOX, EmailWorld

T_MINUS_14 = dt.datetime(2027, 1, 30, 17, 0, tzinfo=dt.UTC)  # 09:00 Pacific
ACK_LINK = re.compile(r'href="https://' + re.escape(BOT_DOMAIN) + r'(/email/ack/[A-Za-z0-9_.\-]+)"')


def teams_person(user: DirectoryUser) -> Person:
    return Person(user.upn, user.display_name, user.id)


async def wave_2_t14(world: EmailWorld) -> str:
    [ann] = [a for a in await world.service.list() if a.wave_key == "wave-2" and a.calendar_key == "what-changes"]
    return ann.id


async def send_t14(world: EmailWorld) -> tuple[str, dict[str, list[DirectoryUser]]]:
    """Set the wave up (who installed, who blocked...), send the T-14 message, deliver everything."""
    users = world.wave_users("wave-2")
    third = len(users) // 3
    groups = {
        "never": users[:third],  # never opened the bot: no conversation
        "no_teams": users[third : third + 3],  # no Teams licence: no conversation, installation refused
        "blocked": users[third + 3 : third + 8],  # blocked the bot, and a fresh chat is refused too
        "failing": users[third + 8 : third + 9],  # Teams answers 503 to every attempt
        "teams": users[third + 9 :],
    }
    for user in groups["no_teams"]:
        world.graph.data.install_forbidden.add(user.id)
    for user in groups["blocked"] + groups["failing"] + groups["teams"]:
        await world.teams.install(teams_person(user))
    for user in groups["blocked"]:
        p = teams_person(user)
        world.connector.block(p.personal_conversation, 403, "ConversationBlockedByUser")
        world.connector.block(f"create:{p.teams_id}", 403, "BotNotInConversationRoster")
    for user in groups["failing"]:
        world.connector.block(teams_person(user).personal_conversation, 503, "ServiceUnavailable")
    # Graph throttles the first emails: they wait for Retry-After and go after it.
    world.graph.fail("/sendMail", 429, times=2, retry_after=7)

    world.clock.set(T_MINUS_14 + dt.timedelta(seconds=30))
    ann_id = await wave_2_t14(world)
    assert ann_id in await announcements_due(world.app.services)
    await world.deliver()
    return ann_id, groups


async def test_t14_reaches_every_enabled_wave_user_in_teams_or_by_email_and_the_report_says_which(world):
    ann_id, groups = await send_t14(world)
    users = world.wave_users("wave-2")
    assert len(groups["never"]) >= 10 and len(groups["teams"]) >= 10, {k: len(v) for k, v in groups.items()}
    not_in_teams = {u.id for name in ("never", "no_teams", "blocked", "failing") for u in groups[name]}

    # Teams: a card reached exactly the people whose chat works.
    outcomes = {
        o.recipient.key: o for o in await world.service.engine.outcomes(world.service.tenant_id, "announcement", ann_id)
    }
    assert set(outcomes) == {u.id for u in users}
    sent_in_teams = {k for k, o in outcomes.items() if o.status is DeliveryStatus.SENT}
    assert sent_in_teams == {u.id for u in groups["teams"]}
    assert outcomes[groups["failing"][0].id].status is DeliveryStatus.FAILED

    # Email: one each for everyone else, from the plan's mailbox, to their address, as HTML. (Wave 1's
    # "Cutover in progress" went at 07:00 the same day, to its own people: not this announcement.)
    by_address = {u.mail or u.upn: u for u in users}
    mails = [m for m in world.graph.mail if m.subject == "Your move to Microsoft 365"]
    assert Counter(a for m in mails for a in m.to) == Counter(
        {(u.mail or u.upn): 1 for u in users if u.id in not_in_teams}
    )
    assert {by_address[m.to[0]].id for m in mails} == not_in_teams
    assert {m.mailbox for m in mails} == {MAILBOX}
    assert world.graph.log("/sendMail", "POST")[0].status == 429  # throttled first, then sent after Retry-After
    for m in mails:
        assert m.content_type == "HTML"
        assert '<html lang="en">' in m.html and "<h1>Your move to Microsoft 365</h1>" in m.html
        assert "two weeks away" in m.html
        assert len(ACK_LINK.findall(m.html)) == 2  # "I've set up Authenticator" and "Got it"
    # Each person's links are their own.
    assert len({tuple(ACK_LINK.findall(m.html)) for m in mails}) == len(mails)

    # 100% of the enabled wave reached, and the report says how.
    report = await world.service.report(ann_id)
    assert report.recipients == len(users)
    assert report.reached == len(users)
    assert report.as_dict()["by_channel"] == {
        "teams": len(groups["teams"]),
        "email": len(not_in_teams),
        "both": 0,
    }
    assert (report.email_pending, report.email_failed) == (0, 0)
    channels = {row["recipient"]: row["channel"] for row in report.rows}
    assert channels == {u.id: ("teams" if u.id in sent_in_teams else "email") for u in users}
    card = world.service.report_card(report)
    assert f"Reached: {len(users)} of {len(users)}" in str(card)
    # The lead's per-person export says the same, with the email's own state.
    services = world.app.services
    export = delivery_export(services.db, services.plan, services.directory, await world.service.store.get(ann_id))
    rows = [row async for batch in export.batches for row in batch]
    assert {r["recipient_id"]: r["channel"] for r in rows} == channels
    assert {r["recipient_id"] for r in rows if r["email_status"] == "sent" and r["emailed_at"]} == not_in_teams

    # Again: the due run (with its sweep) and the workers find nothing more to send.
    before = len(world.graph.mail)
    await announcements_due(world.app.services)
    await world.deliver()
    assert len(world.graph.mail) == before
    emails = await world.service.email.outcomes(ann_id)
    assert len(emails) == len(not_in_teams)
    assert all(e.status is EmailStatus.SENT for e in emails)
    # The two throttled requests were tried again after Retry-After: every email once, none lost.
    posts = world.graph.log("/sendMail", "POST")
    assert [r.status for r in posts].count(429) == 2 and len(posts) == len(world.graph.mail) + 2
    assert len({(m.to[0], m.subject) for m in world.graph.mail}) == len(world.graph.mail)


async def test_the_emailed_got_it_link_shows_a_page_and_only_its_post_acknowledges(world):
    ann_id, groups = await send_t14(world)
    user = groups["never"][0]
    [mail] = [
        m for m in world.graph.mail if m.to == [user.mail or user.upn] and m.subject == "Your move to Microsoft 365"
    ]
    _, got_it = ACK_LINK.findall(mail.html)
    url = world.app.url + got_it

    # A mail scanner (or the person) opens the link: a page with a button, nothing recorded.
    async with world.session.get(url) as resp:
        assert resp.status == 200
        page = await resp.text()
        assert resp.headers["Cache-Control"] == "no-store"
    assert '<form method="post"' in page and "Got it" in page
    assert (await world.service.report(ann_id)).acknowledged == 0

    # The button: recorded exactly as the card's "Got it".
    async with world.session.post(url) as resp:
        assert resp.status == 200
        assert "recorded" in await resp.text()
    report = await world.service.report(ann_id)
    assert report.acknowledged == 1
    assert {r["recipient"] for r in report.rows if r["acknowledged"] == "yes"} == {user.id}

    # A link tampered with is refused, and records nothing.
    async with world.session.post(url[:-3] + "xyz") as resp:
        assert resp.status == 404
    assert (await world.service.report(ann_id)).acknowledged == 1


async def test_an_expired_or_strangers_link_records_nothing(world):
    ann_id, groups = await send_t14(world)
    user = groups["never"][0]
    [mail] = [
        m for m in world.graph.mail if m.to == [user.mail or user.upn] and m.subject == "Your move to Microsoft 365"
    ]
    _, got_it = ACK_LINK.findall(mail.html)
    token = got_it.rsplit("/", 1)[1]
    world.clock.advance(dt.timedelta(days=45, seconds=1))  # a link lasts 45 days, on the app's clock
    for method in ("GET", "POST"):
        async with world.session.request(method, f"{world.app.url}/email/ack/{token}") as resp:
            assert resp.status == 410
            assert "expired" in await resp.text()
    # A valid link for someone the announcement never went to (another wave).
    stranger = world.wave_users("wave-3")[0]
    url = world.service.email.ack_url(ann_id, stranger.id, "acknowledge").replace(
        f"https://{BOT_DOMAIN}", world.app.url
    )
    async with world.session.post(url) as resp:
        assert resp.status == 403
    assert (await world.service.report(ann_id)).acknowledged == 0


async def test_a_persons_emails_are_in_their_data_export_and_go_with_erase(world):
    _, groups = await send_t14(world)
    user = groups["never"][0]
    data = PersonalData(world.app.services.db)
    exported = await data.export(user.upn, object_ids=[user.id])
    assert exported["email_outbox"] and {e["to_address"] for e in exported["email_outbox"]} == {user.mail}
    counts = await data.erase(user.upn, object_ids=[user.id])
    assert counts["email_outbox"] == len(exported["email_outbox"])
    assert (await data.export(user.upn, object_ids=[user.id]))["email_outbox"] == []


async def test_a_reminder_teams_cannot_deliver_goes_by_email_to_those_who_have_not_acknowledged(world):
    ann_id, groups = await send_t14(world)
    not_in_teams = [u for name in ("never", "no_teams", "blocked", "failing") for u in groups[name]]
    # One of the emailed people and one reached in Teams have acknowledged by the reminder's day.
    await world.service.acknowledge(ann_id, not_in_teams[0].id, "acknowledge")
    await world.service.acknowledge(ann_id, groups["teams"][0].id, "acknowledge")
    first_emails = len(world.graph.mail)

    world.clock.set(T_MINUS_14 + dt.timedelta(days=2, minutes=1))
    await chasers_due(world.app.services)
    await world.deliver()

    reminders = world.graph.mail[first_emails:]
    assert {m.subject for m in reminders} == {"Reminder: Your move to Microsoft 365"}
    by_address = {(u.mail or u.upn): u.id for u in world.wave_users("wave-2")}
    assert Counter(by_address[m.to[0]] for m in reminders) == Counter({u.id: 1 for u in not_in_teams[1:]})
    # The people reached in Teams were reminded there, not by email; the ones who acknowledged, nowhere.
    reminded_in_teams = {
        r.conversation_id for r in world.connector.received if "A reminder: you have not confirmed" in str(r.body)
    }
    assert reminded_in_teams == {teams_person(u).personal_conversation for u in groups["teams"][1:]}
    # Again: nothing more.
    await chasers_due(world.app.services)
    await world.deliver()
    assert len(world.graph.mail) == first_emails + len(reminders)
