"""Acknowledgement deadlines counted in business hours and days, cutover weekends included."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from switchover.plan.model import Duration, Priority
from switchover.problems.deadlines import (
    ack_deadline,
    add_duration,
    escalation_times,
    is_business_time,
    next_opening,
)
from tests.switchover.problems.plan_fixture import LA, fabrikam_plan


def la(y, mo, d, h, mi=0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=LA)


def test_p1_and_p2_count_wall_clock_minutes_even_at_night(plan):
    sunday_night = la(2027, 3, 21, 2, 10)
    assert ack_deadline(plan, Priority.P1, sunday_night) == sunday_night + dt.timedelta(minutes=15)
    assert ack_deadline(plan, Priority.P2, sunday_night) == sunday_night + dt.timedelta(minutes=30)


def test_p3_carries_business_hours_over_to_the_next_morning(plan):
    # Wednesday 17:00: two staffed hours left today, two more from 07:00 Thursday.
    assert ack_deadline(plan, Priority.P3, la(2027, 3, 17, 17)) == la(2027, 3, 18, 9)


def test_p3_skips_an_ordinary_weekend(plan):
    assert ack_deadline(plan, Priority.P3, la(2027, 3, 19, 18)) == la(2027, 3, 22, 10)


def test_p3_counts_the_cutover_saturday(plan):
    # Friday before Wave 1's cutover: one hour Friday, then the desk opens at 06:00 Saturday.
    assert ack_deadline(plan, Priority.P3, la(2027, 1, 29, 18)) == la(2027, 1, 30, 9)


def test_p3_reported_at_night_starts_counting_at_opening(plan):
    assert ack_deadline(plan, Priority.P3, la(2027, 3, 16, 23, 30)) == la(2027, 3, 17, 11)


def test_p4_is_one_business_day(plan):
    assert ack_deadline(plan, Priority.P4, la(2027, 3, 16, 10)) == la(2027, 3, 17, 10)
    # Saturday of no cutover: counting starts Monday 07:00, due Tuesday 07:00.
    assert ack_deadline(plan, Priority.P4, la(2027, 3, 20, 12)) == la(2027, 3, 23, 7)
    # Friday before a cutover: the cutover Saturday is a business day (clipped to its 18:00 close).
    assert ack_deadline(plan, Priority.P4, la(2027, 2, 12, 18, 30)) == la(2027, 2, 13, 18)


def test_business_hours_cross_daylight_saving(plan):
    # 2027-03-14 is the spring-forward Sunday; Friday 18:00 + 2 business hours = Monday 08:00 PDT.
    due = add_duration(plan, la(2027, 3, 12, 18), Duration(minutes=120, business=True))
    assert due == la(2027, 3, 15, 8)
    assert due.utcoffset() == dt.timedelta(0)  # returned in UTC
    assert due.astimezone(LA).utcoffset() == dt.timedelta(hours=-7)


def test_staffed_hours(plan):
    assert is_business_time(plan, la(2027, 3, 17, 7))
    assert not is_business_time(plan, la(2027, 3, 17, 19))
    assert is_business_time(plan, la(2027, 2, 27, 6, 30))  # Wave 3 cutover Saturday
    assert not is_business_time(plan, la(2027, 3, 20, 10))  # ordinary Saturday
    assert next_opening(plan, la(2027, 3, 20, 10)) == la(2027, 3, 22, 7)


def test_escalation_steps_follow_the_service_level(plan):
    created = la(2027, 3, 17, 10)
    steps = escalation_times(plan, Priority.P1, created)
    assert [(when - created, step.to.value) for when, step in steps] == [
        (dt.timedelta(minutes=15), "backup"),
        (dt.timedelta(minutes=30), "project_lead"),
    ]
    assert escalation_times(plan, Priority.P4, created) == []


instants = st.datetimes(
    min_value=dt.datetime(2027, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC)
)


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(min_value=1, max_value=60 * 40), st.sampled_from(list(Priority)))
def test_business_durations_end_inside_staffed_hours_and_never_early(created, minutes, priority):
    plan = fabrikam_plan()
    due = add_duration(plan, created, Duration(minutes=minutes, business=True))
    assert due >= created + dt.timedelta(minutes=minutes)
    # The last counted instant is staffed.
    assert is_business_time(plan, due - dt.timedelta(microseconds=1))
    assert ack_deadline(plan, priority, created) >= created


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=0, max_value=60 * 24 * 3))
def test_later_reports_never_get_earlier_deadlines(created, gap):
    plan = fabrikam_plan()
    later = created + dt.timedelta(minutes=gap)
    for priority in Priority:
        assert ack_deadline(plan, priority, later) >= ack_deadline(plan, priority, created)
