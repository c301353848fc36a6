"""Acknowledgement deadlines and escalation times, counted the way the plan says.

Durations in the plan are either wall-clock ("15 minutes") or business time
("4 business hours", "1 business day"). Business time runs only while the
Service Desk is staffed: the plan's weekly hours, plus the cutover-weekend
hours on the Saturday and Sunday of every wave's cutover. Everything here is a
pure function of the plan and aware datetimes; results are in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from switchover.plan.model import Duration, EscalationStep, HoursRange, Plan, Priority

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to cross any holiday-free calendar; a plan with no business hours at all
# must fail loudly instead of looping forever.
_MAX_DAYS_AHEAD = 366


class NoBusinessHoursError(ValueError):
    """The plan's business hours never open, so business time cannot be counted."""


def _cutover_weekend_days(plan: Plan) -> frozenset[dt.date]:
    days: set[dt.date] = set()
    for wave in plan.waves:
        start = wave.cutover.start.astimezone(plan.zone).date()
        # The weekend that holds the cutover: its Saturday and Sunday.
        saturday = start - dt.timedelta(days=(start.weekday() - 5) % 7)
        days.update({saturday, saturday + dt.timedelta(days=1)})
    return frozenset(days)


def _ranges_on(plan: Plan, day: dt.date, weekends: frozenset[dt.date]) -> list[HoursRange]:
    name = _DAY_NAMES[day.weekday()]
    ranges = [r for r in plan.business_hours.weekly if name in r.days]
    cw = plan.business_hours.cutover_weekends
    if cw is not None and day in weekends and name in cw.days:
        ranges.append(cw)
    return ranges


def open_intervals(plan: Plan, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The staffed intervals of one local calendar day, merged and sorted, as aware local datetimes."""
    zone = plan.zone
    spans = sorted(
        (dt.datetime.combine(day, r.start, zone), dt.datetime.combine(day, r.end, zone))
        for r in _ranges_on(plan, day, _cutover_weekend_days(plan))
        if r.end > r.start
    )
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _intervals_from(plan: Plan, when: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Staffed intervals that end after ``when``, clipped to start no earlier than it."""
    local = when.astimezone(plan.zone)
    for offset in range(_MAX_DAYS_AHEAD + 1):
        day = local.date() + dt.timedelta(days=offset)
        for s, e in open_intervals(plan, day):
            if e <= local:
                continue
            yield max(s, local), e
    raise NoBusinessHoursError("the plan's business hours never open within a year")


def is_business_time(plan: Plan, when: dt.datetime) -> bool:
    """Whether the Service Desk is staffed at ``when``."""
    local = when.astimezone(plan.zone)
    return any(s <= local < e for s, e in open_intervals(plan, local.date()))


def next_opening(plan: Plan, when: dt.datetime) -> dt.datetime:
    """``when`` itself if staffed, else the next moment the Service Desk opens (UTC)."""
    start, _ = next(_intervals_from(plan, when))
    return start.astimezone(dt.UTC)


def add_duration(plan: Plan, start: dt.datetime, duration: Duration) -> dt.datetime:
    """``start`` plus ``duration``, counting only business time when the duration says so.

    Business hours start counting at ``start`` when staffed, else at the next
    opening. ``N business days`` lands at the same local time of day on the
    N-th staffed day after the counting starts (clipped to that day's hours).
    """
    if start.tzinfo is None:
        raise ValueError("add_duration needs a timezone-aware start")
    if duration.business_days:
        return _add_business_days(plan, start, duration.business_days)
    if not duration.business:
        return (start + dt.timedelta(minutes=duration.minutes)).astimezone(dt.UTC)
    remaining = dt.timedelta(minutes=duration.minutes)
    for s, e in _intervals_from(plan, start):
        if remaining <= e - s:
            return (s + remaining).astimezone(dt.UTC)
        remaining -= e - s
    raise AssertionError("unreachable: _intervals_from raises when it runs out")  # pragma: no cover


def _add_business_days(plan: Plan, start: dt.datetime, days: int) -> dt.datetime:
    begin = next_opening(plan, start).astimezone(plan.zone)
    time_of_day = begin.timetz().replace(tzinfo=None)
    day = begin.date()
    counted = 0
    for offset in range(1, _MAX_DAYS_AHEAD + 1):
        candidate = day + dt.timedelta(days=offset)
        intervals = open_intervals(plan, candidate)
        if not intervals:
            continue
        counted += 1
        if counted == days:
            target = dt.datetime.combine(candidate, time_of_day, plan.zone)
            first, last = intervals[0][0], intervals[-1][1]
            return min(max(target, first), last).astimezone(dt.UTC)
    raise NoBusinessHoursError("the plan's business hours never open within a year")


def ack_deadline(plan: Plan, priority: Priority, created_at: dt.datetime) -> dt.datetime:
    """When a report of ``priority`` created at ``created_at`` must be acknowledged (UTC)."""
    return add_duration(plan, created_at, plan.service_level(priority).acknowledge_within)


def escalation_times(
    plan: Plan, priority: Priority, created_at: dt.datetime
) -> list[tuple[dt.datetime, EscalationStep]]:
    """Each escalation step of ``priority`` with the moment it falls due, in the plan's order."""
    return [(add_duration(plan, created_at, step.after), step) for step in plan.service_level(priority).escalation]
