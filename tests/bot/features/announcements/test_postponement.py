"""One plan, changed in one place: the Fabrikam postponement (wave 3 from Saturday 27 February to
Saturday 6 March 2027, 07:00-16:00, hypercare until 19 March) seen everywhere a person or the desk
looks, on this instance and on a second one sharing the database, over /api/messages."""

from __future__ import annotations

import dataclasses
import datetime as dt

from scheduler.jobs import announcements_due
from switchover.plan.model import Priority
from switchover.problems.deadlines import ack_deadline, open_intervals
from tests.support.app import start_app

from .conftest import LEAD, people_where

PACIFIC = dt.timezone(dt.timedelta(hours=-8))  # February and early March: PST


def texts(replies) -> list[str]:
    return [r.card_text() if r.card else r.text for r in replies]


async def test_the_postponement_reaches_answers_cards_desk_and_a_second_instance(world, clock):
    spokane = people_where(officeLocation="Spokane Clinic")[:2]
    member = spokane[0]
    for p in spokane:
        await world.teams.install(p)
    # A second instance on the same database, started before the move: it must see it without a restart.
    runner2, second = await start_app(world.app.settings, clock, identity=world.app.identity)
    try:
        teams2 = dataclasses.replace(world.teams, app=second)
        clock.set(dt.datetime(2027, 2, 20, 9, 0, tzinfo=PACIFIC))  # wave 3's "one week to go"
        assert "wave-3/one-week" in await announcements_due(world.services)
        await world.deliver()
        before = [t for t in texts(await world.say(member, "when is my migration?"))]
        assert any("27 February 2027" in t for t in before), before

        replies = texts(await world.say(LEAD, "reschedule wave-3 2027-03-06 07:00-16:00"))
        assert any("Saturday 6 March 2027" in t and "hypercare until Friday 19 March 2027" in t for t in replies), (
            replies
        )

        # Answers, on this instance.
        after = texts(await world.say(member, "when is my migration?"))
        assert any("Saturday 6 March 2027" in t and "07:00" in t and "16:00" in t for t in after), after
        assert not any("27 February" in t for t in after), after
        hypercare = texts(await world.say(member, "when does hypercare end?"))
        assert any("19 March" in t for t in hypercare), hypercare
        assert not any("12 March" in t for t in hypercare), hypercare

        # Status, for the lead: wave 3 postponed to the new Saturday.
        status = " ".join(texts(await world.say(LEAD, "status")))
        assert (
            "Wave 3 - Spokane & Portland: postponed Cutover Saturday 6 March 2027, 07:00-16:00 PST (in 14 days), "
            "moved from Saturday 27 February 2027 Hypercare until Friday 19 March 2027"
        ) in status, status

        # The second instance: the next question after its version check (every few seconds).
        clock.advance(dt.timedelta(seconds=6))
        elsewhere = texts(await teams2.say(member, "when is my migration?"))
        assert any("Saturday 6 March 2027" in t for t in elsewhere), elsewhere
        assert not any("27 February" in t for t in elsewhere), elsewhere
        assert any("19 March" in t for t in texts(await teams2.say(member, "when does hypercare end?")))
        assert second.services.plan.wave("wave-3").hypercare_until == dt.date(2027, 3, 19)
        elsewhere_status = " ".join(texts(await teams2.say(LEAD, "status")))
        assert "Hypercare until Friday 19 March 2027" in elsewhere_status, elsewhere_status

        # The desk: 27 February is an ordinary Saturday now, 6 March the staffed cutover Saturday.
        for services in (world.services, second.services):
            desk_plan = services.problems.plan
            assert open_intervals(desk_plan, dt.date(2027, 2, 27)) == []
            staffed = open_intervals(desk_plan, dt.date(2027, 3, 6))
            assert [(s.time(), e.time()) for s, e in staffed] == [(dt.time(6, 0), dt.time(18, 0))]
            old_saturday = ack_deadline(desk_plan, Priority.P3, dt.datetime(2027, 2, 27, 10, 0, tzinfo=PACIFIC))
            new_saturday = ack_deadline(desk_plan, Priority.P3, dt.datetime(2027, 3, 6, 10, 0, tzinfo=PACIFIC))
            assert old_saturday.astimezone(PACIFIC).date() >= dt.date(2027, 3, 1)  # waits for Monday
            assert new_saturday.astimezone(PACIFIC).date() == dt.date(2027, 3, 6)  # answered that Saturday

        # The T-1 card: not on Friday 26 February, but on Friday 5 March at 15:00, with the new window.
        world.since = len(world.connector.received)
        clock.set(dt.datetime(2027, 2, 26, 15, 0, tzinfo=PACIFIC))
        assert "wave-3/tomorrow" not in await announcements_due(world.services)
        clock.set(dt.datetime(2027, 3, 5, 15, 0, tzinfo=PACIFIC))
        assert "wave-3/tomorrow" in await announcements_due(second.services)  # whichever instance is awake
        await second.services.delivery.drain()
        tomorrow = [
            r.card_text() for r in world.connector.received[world.since :] if r.card and "tomorrow" in r.card_text()
        ]
        assert tomorrow and all("Saturday 6 March 2027" in t and "07:00" in t and "16:00" in t for t in tomorrow)

        # The T+14 card: not on 13 March, but on 20 March (14 days after the new cutover day).
        world.since = len(world.connector.received)
        clock.set(dt.datetime(2027, 3, 13, 9, 0, tzinfo=PACIFIC))
        assert "wave-3/hypercare-ends" not in await announcements_due(world.services)
        clock.set(dt.datetime(2027, 3, 20, 9, 0, tzinfo=PACIFIC))
        assert "wave-3/hypercare-ends" in await announcements_due(world.services)
        await world.deliver()
        ends = [r.card_text() for r in world.cards_to(member)]
        assert any("Hypercare ends" in t and "Saturday 6 March 2027" in t for t in ends), ends
    finally:
        await runner2.cleanup()


async def test_a_day_only_reschedule_keeps_the_window_times_and_shifts_hypercare(world, clock):
    clock.set(dt.datetime(2027, 1, 5, 9, 0, tzinfo=PACIFIC))
    replies = texts(await world.say(LEAD, "reschedule wave-1 2027-02-06"))
    wave = world.services.plan.wave("wave-1")
    before = world.services.current_plan.base.wave("wave-1")
    shift = dt.date(2027, 2, 6) - before.cutover.start.date()
    assert wave.cutover.start.time() == before.cutover.start.time()
    assert wave.cutover.end.time() == before.cutover.end.time()
    assert wave.hypercare_until == before.hypercare_until + shift
    assert any("Saturday 6 February 2027" in t for t in replies), replies


async def test_a_window_that_ends_before_it_starts_moves_nothing(world, clock):
    clock.set(dt.datetime(2027, 1, 5, 9, 0, tzinfo=PACIFIC))
    version = world.services.current_plan.version
    replies = texts(await world.say(LEAD, "reschedule wave-3 2027-03-06 16:00-07:00x"))
    assert any("HH:MM-HH:MM" in t for t in replies), replies
    assert world.services.current_plan.version == version
    assert world.services.plan.wave("wave-3").cutover.start.date() == dt.date(2027, 2, 27)
