"""A lead's reminders in Teams: composed with ``remind`` and ``important``, followed with
``chasers <id>``, stopped with ``cancel chasers <id>``; the reminders reach only who has not
pressed "Got it"."""

from __future__ import annotations

import datetime as dt

from scheduler.jobs import chasers_due
from switchover.announcements import Urgency

from .conftest import LEAD, people_where
from .test_e2e import execute_data


async def test_a_lead_composes_reminders_follows_them_and_cancels_them(world):
    hr = people_where(department="Human Resources")
    for p in hr:
        await world.teams.install(p)
    replies = await world.say(LEAD, "announce department Human Resources remind 1 day and 3 days : Payroll | Check it")
    confirm = [r.card for r in replies if r.card][-1]
    ann_id = execute_data(confirm, "announce_confirm")["announcement_id"]
    draft = await world.service.get(ann_id)
    assert draft.content.remind_minutes == (24 * 60, 3 * 24 * 60)
    assert draft.content.urgency is Urgency.NORMAL and not draft.content.nudge
    assert draft.audience.values == ("Human Resources",)
    status, _ = await world.teams.invoke_action(LEAD, "announce_confirm", {"announcement_id": ann_id})
    assert status == 200
    await world.deliver()
    status, _ = await world.teams.invoke_action(hr[0], "acknowledge", {"announcement_id": ann_id})
    assert status == 200

    world.since = len(world.connector.received)
    world.clock.advance(dt.timedelta(days=1))
    assert await chasers_due(world.services) == 1
    await world.deliver()
    assert world.sends() == {p.personal_conversation: 1 for p in hr[1:]}
    reminder = world.cards_to(hr[1])[0]
    assert "A reminder" in str(reminder.card)

    replies = await world.say(LEAD, f"chasers {ann_id}")
    text = replies[0].text
    assert "Reminder 1" in text and f"{len(hr) - 1} sent" in text and "Reminder 2" in text and "pending" in text
    replies = await world.say(LEAD, f"cancel chasers {ann_id}")
    assert "Stopped the chasers" in replies[0].text
    world.since = len(world.connector.received)
    world.clock.advance(dt.timedelta(days=5))
    assert await chasers_due(world.services) == 0
    await world.deliver()
    assert world.sends() == {}
    replies = await world.say(LEAD, f"cancel chasers {ann_id}")
    assert "no reminders left" in replies[0].text


async def test_compose_important_and_bad_reminders(world):
    replies = await world.say(
        LEAD, "announce wave-3 important remind 2 days at 2027-02-01 09:00 : Authenticator | Set it up"
    )
    confirm = [r.card for r in replies if r.card][-1]
    draft = await world.service.get(execute_data(confirm, "announce_confirm")["announcement_id"])
    assert draft.content.nudge and draft.content.urgency is Urgency.IMPORTANT
    assert draft.content.remind_minutes == (2 * 24 * 60,)
    assert draft.audience.values == ("wave-3",) and draft.send_at is not None
    replies = await world.say(LEAD, "announce wave-3 remind 2 business days : Authenticator | Set it up")
    assert "can't use those reminders" in replies[0].text and "calendar time" in replies[0].text
