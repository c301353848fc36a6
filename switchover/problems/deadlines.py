"""Acknowledgement deadlines and escalation times, counted the way the plan says.

Durations in the plan are either wall-clock ("15 minutes") or business time
("4 business hours", "1 business day"). Business time runs only while the report
is staffed, which is a :class:`Schedule`:

- the hours of the Service Desk that serves the reporter (their site's or country's
  desk, in that desk's own time zone; the plan's ``business_hours`` by default), plus
  the cutover cover (``business_hours.cutover`` spans and the ``cutover_weekends``
  hours on the Saturday and Sunday of every wave's cutover);
- or the report's area's own hours: ``always`` (business time is wall-clock time)
  or contract hours in their own zone (no cutover cover: the contract says when).

An area's own ``service_levels`` replace the plan's for their priorities.
Everything here is a pure function of the plan and aware datetimes; results are in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from switchover.plan.desks import Desk, desk_for
from switchover.plan.model import (
    CutoverMoment,
    Duration,
    EscalationStep,
    HoursRange,
    Plan,
    Priority,
    ServiceLevel,
    Wave,
)
from switchover.problems.model import ProblemReport

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to cross any holiday-free calendar; a plan with no business hours at all
# must fail loudly instead of looping forever.
_MAX_DAYS_AHEAD = 366


class NoBusinessHoursError(ValueError):
    """The plan's business hours never open, so business time cannot be counted."""


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity: schedules are made once per plan and kept
class Schedule:
    """When a report's clock runs: weekly hours in a zone, plus fixed staffed spans.

    Attributes:
        zone: the zone the weekly hours are in.
        weekly: the weekly ranges.
        spans: staffed spans (aware, sorted): the cutover cover.
        always: round the clock (business time is wall-clock time).
    """

    zone: ZoneInfo
    weekly: tuple[HoursRange, ...]
    spans: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    always: bool = False


# -- the schedules of a plan ---------------------------------------------------------


def _cutover_day(wave: Wave, plan: Plan) -> tuple[dt.date, dt.tzinfo]:
    # The cutover is read in the wave's own zone (its sites' or time_zone), as calendar timings are.
    zone = wave.cutover.start.tzinfo or plan.zone
    return wave.cutover.start.astimezone(zone).date(), zone


def _moment(wave: Wave, plan: Plan, m: CutoverMoment) -> dt.datetime:
    if m.cutover is not None:
        at = wave.cutover.start if m.cutover == "start" else wave.cutover.end
        if m.before is not None:
            at -= dt.timedelta(minutes=m.before.minutes)
        if m.after is not None:
            at += dt.timedelta(minutes=m.after.minutes)
        return at
    day, zone = _cutover_day(wave, plan)
    return dt.datetime.combine(day + dt.timedelta(days=m.days or 0), m.at or dt.time(0), zone)


def _cover_spans(plan: Plan) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """Every staffed span around the waves' cutovers, as aware datetimes."""
    hours = plan.business_hours
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for wave in plan.waves:
        for cover in hours.cutover:
            s, e = _moment(wave, plan, cover.from_), _moment(wave, plan, cover.to)
            if e > s:
                spans.append((s, e))
    cw = hours.cutover_weekends
    if cw is not None and cw.end > cw.start:
        days: set[dt.date] = set()
        for wave in plan.waves:
            start = wave.cutover.start.astimezone(plan.zone).date()
            # The weekend that holds the cutover: its Saturday and Sunday.
            saturday = start - dt.timedelta(days=(start.weekday() - 5) % 7)
            days.update({saturday, saturday + dt.timedelta(days=1)})
        for day in days:
            if _DAY_NAMES[day.weekday()] in cw.days:
                spans.append(
                    (dt.datetime.combine(day, cw.start, plan.zone), dt.datetime.combine(day, cw.end, plan.zone))
                )
    return tuple(sorted(spans))


class _Key:
    """A plan as a cache key by identity (a plan holds dicts, so it does not hash)."""

    __slots__ = ("plan",)

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def __hash__(self) -> int:
        return id(self.plan)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.plan is self.plan


@lru_cache(maxsize=256)
def _schedule(key: _Key, desk: Desk | None, area: str | None) -> Schedule:
    plan = key.plan
    own = plan.area(area).hours if area is not None and _has_area(plan, area) else None
    if own is not None:
        if own.always:
            return Schedule(ZoneInfo("UTC"), (), (), always=True)
        return Schedule(own.zone or plan.zone, own.weekly)
    if desk is not None and desk.hours is not None:
        return Schedule(desk.zone, desk.hours.weekly, _cover_spans(plan), always=desk.hours.always)
    return Schedule(plan.zone, plan.business_hours.weekly, _cover_spans(plan))


def _has_area(plan: Plan, key: str) -> bool:
    return any(a.key == key for a in plan.areas)


def schedule_for(
    plan: Plan,
    *,
    area: str | None = None,
    site: str | None = None,
    city: str | None = None,
    country: str | None = None,
    desk: Desk | None = None,
) -> Schedule:
    """When a report's clock runs: its area's own hours, else the hours of the desk that serves the
    reporter (at ``site`` or ``city`` in ``country``; ``desk`` when already known)."""
    if desk is None and (site or city or country):
        desk = desk_for(plan, site=site, city=city, country=country)
    if desk is not None and desk.hours is None:
        desk = None  # the plan's own hours: one cached schedule for every such desk
    return _schedule(_Key(plan), desk, area)


def report_schedule(plan: Plan, report: ProblemReport) -> Schedule:
    """When ``report``'s clock runs: its area's hours, else those of the desk serving its reporter."""
    r = report.reporter
    return schedule_for(plan, area=report.area, site=r.site, city=r.city, country=r.country)


def _or_default(plan: Plan, schedule: Schedule | None) -> Schedule:
    return schedule if schedule is not None else _schedule(_Key(plan), None, None)


def service_level(plan: Plan, priority: Priority, area: str | None = None) -> ServiceLevel:
    """The service level of ``priority``: the area's own when it has one, else the plan's."""
    if area is not None and _has_area(plan, area):
        for level in plan.area(area).service_levels:
            if level.priority == priority:
                return level
    return plan.service_level(priority)


# -- counting -------------------------------------------------------------------------


def open_intervals(plan: Plan, day: dt.date, schedule: Schedule | None = None) -> list[tuple[dt.datetime, dt.datetime]]:
    """The staffed intervals of one local calendar day (in the schedule's zone), merged and sorted."""
    return list(_day_intervals(_or_default(plan, schedule), day))


@lru_cache(maxsize=8192)
def _day_intervals(sched: Schedule, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    zone = sched.zone
    day_start = dt.datetime.combine(day, dt.time(0), zone)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone)
    if sched.always:
        return ((day_start, day_end),)
    name = _DAY_NAMES[day.weekday()]
    spans = [
        (dt.datetime.combine(day, r.start, zone), dt.datetime.combine(day, r.end, zone))
        for r in sched.weekly
        if name in r.days and r.end > r.start
    ]
    for s, e in sched.spans:
        if s < day_end and e > day_start:
            spans.append((max(s, day_start).astimezone(zone), min(e, day_end).astimezone(zone)))
    spans.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return tuple(merged)


def _intervals_from(plan: Plan, when: dt.datetime, schedule: Schedule) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Staffed intervals that end after ``when``, clipped to start no earlier than it."""
    local = when.astimezone(schedule.zone)
    for offset in range(_MAX_DAYS_AHEAD + 1):
        day = local.date() + dt.timedelta(days=offset)
        for s, e in _day_intervals(schedule, day):
            if e <= local:
                continue
            yield max(s, local), e
    raise NoBusinessHoursError("the plan's business hours never open within a year")


def is_business_time(plan: Plan, when: dt.datetime, schedule: Schedule | None = None) -> bool:
    """Whether the report's desk (or area) is staffed at ``when``."""
    sched = _or_default(plan, schedule)
    local = when.astimezone(sched.zone)
    return any(s <= local < e for s, e in _day_intervals(sched, local.date()))


def next_opening(plan: Plan, when: dt.datetime, schedule: Schedule | None = None) -> dt.datetime:
    """``when`` itself if staffed, else the next moment the desk (or area) opens (UTC)."""
    start, _ = next(_intervals_from(plan, when, _or_default(plan, schedule)))
    return start.astimezone(dt.UTC)


def add_duration(plan: Plan, start: dt.datetime, duration: Duration, schedule: Schedule | None = None) -> dt.datetime:
    """``start`` plus ``duration``, counting only business time when the duration says so.

    Business hours start counting at ``start`` when staffed, else at the next
    opening. ``N business days`` lands at the same local time of day on the
    N-th staffed day after the counting starts (clipped to that day's hours).
    Round the clock (an ``always`` area), business time is wall-clock time.
    """
    if start.tzinfo is None:
        raise ValueError("add_duration needs a timezone-aware start")
    sched = _or_default(plan, schedule)
    if sched.always and (duration.business or duration.business_days):
        minutes = duration.minutes + duration.business_days * 24 * 60
        return (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)
    if duration.business_days:
        return _add_business_days(plan, start, duration.business_days, sched)
    if not duration.business:
        return (start + dt.timedelta(minutes=duration.minutes)).astimezone(dt.UTC)
    remaining = dt.timedelta(minutes=duration.minutes)
    for s, e in _intervals_from(plan, start, sched):
        if remaining <= e - s:
            return (s + remaining).astimezone(dt.UTC)
        remaining -= e - s
    raise AssertionError("unreachable: _intervals_from raises when it runs out")  # pragma: no cover


def _add_business_days(plan: Plan, start: dt.datetime, days: int, schedule: Schedule) -> dt.datetime:
    begin = next_opening(plan, start, schedule).astimezone(schedule.zone)
    time_of_day = begin.timetz().replace(tzinfo=None)
    day = begin.date()
    counted = 0
    for offset in range(1, _MAX_DAYS_AHEAD + 1):
        candidate = day + dt.timedelta(days=offset)
        intervals = _day_intervals(schedule, candidate)
        if not intervals:
            continue
        counted += 1
        if counted == days:
            target = dt.datetime.combine(candidate, time_of_day, schedule.zone)
            first, last = intervals[0][0], intervals[-1][1]
            return min(max(target, first), last).astimezone(dt.UTC)
    raise NoBusinessHoursError("the plan's business hours never open within a year")


def ack_deadline(
    plan: Plan,
    priority: Priority,
    created_at: dt.datetime,
    *,
    area: str | None = None,
    schedule: Schedule | None = None,
) -> dt.datetime:
    """When a report of ``priority`` (in ``area``) created at ``created_at`` must be acknowledged (UTC)."""
    level = service_level(plan, priority, area)
    return add_duration(plan, created_at, level.acknowledge_within, schedule)


def escalation_times(
    plan: Plan,
    priority: Priority,
    created_at: dt.datetime,
    *,
    area: str | None = None,
    schedule: Schedule | None = None,
) -> list[tuple[dt.datetime, EscalationStep]]:
    """Each escalation step of ``priority`` (in ``area``) with the moment it falls due, in the plan's order."""
    level = service_level(plan, priority, area)
    return [(add_duration(plan, created_at, step.after, schedule), step) for step in level.escalation]
