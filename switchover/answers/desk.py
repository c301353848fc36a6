"""The asker's own Service Desk in words: its number and its opening hours, in the asker's time zone.

A desk's hours are weekly ranges in the desk's zone; shown in another zone they move
by the zones' offset on the days that come (so a European desk reads an hour differently
in America in the weeks the US and EU clocks disagree). The next seven days are
converted one by one and days with the same hours are said together.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from switchover.plan.desks import Desk
from switchover.plan.model import FaqEntry, HoursRange, Plan

__all__ = ["DESK_TOPICS", "desk_hours_text", "desk_line", "is_about_desk"]

# FAQ topics that mark an entry about reaching the Service Desk: its answer carries the asker's desk.
DESK_TOPICS = frozenset({"service-desk", "service desk", "servicedesk", "helpdesk", "help-desk", "help desk"})

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_about_desk(entry: FaqEntry) -> bool:
    """Whether an FAQ entry is about reaching the Service Desk (one of its topics says so)."""
    return any(t.strip().casefold() in DESK_TOPICS for t in entry.topics)


def _weekly(plan: Plan, desk: Desk) -> tuple[tuple[HoursRange, ...], ZoneInfo, bool]:
    if desk.hours is not None:
        return desk.hours.weekly, desk.zone, desk.hours.always
    return plan.business_hours.weekly, plan.zone, False


def _days(first: int, last: int) -> str:
    if first == last:
        return _DAY_NAMES[first]
    if last == first + 1:
        return f"{_DAY_NAMES[first]} and {_DAY_NAMES[last]}"
    return f"{_DAY_NAMES[first]} to {_DAY_NAMES[last]}"


def desk_hours_text(plan: Plan, desk: Desk, zone: ZoneInfo, now: dt.datetime) -> str:
    """``Monday to Friday 07:00-16:00, Saturday 08:00-12:00``: the desk's weekly hours in ``zone``,
    for the week that starts today (in ``zone``)."""
    weekly, desk_zone, always = _weekly(plan, desk)
    if always:
        return "round the clock, every day"
    # The openings of the reader's coming week (today and six more days in their zone), in their zone.
    first = dt.datetime.combine(now.astimezone(zone).date(), dt.time(0), zone)
    last = first + dt.timedelta(days=7)
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for offset in range(-1, 9):
        day = first.astimezone(desk_zone).date() + dt.timedelta(days=offset)
        for r in weekly:
            if _DAY_KEYS[day.weekday()] in r.days and r.end > r.start:
                start = dt.datetime.combine(day, r.start, desk_zone).astimezone(zone)
                end = dt.datetime.combine(day, r.end, desk_zone).astimezone(zone)
                if first <= start < last:
                    spans.append((start, end))
    by_day: dict[int, list[str]] = {}
    crossing: list[tuple[int, str]] = []
    for start, end in sorted(spans, key=lambda s: (s[0].weekday(), s[0].time())):
        if start.date() == end.date() or end.time() == dt.time(0):
            stop = "24:00" if end.time() == dt.time(0) and end.date() != start.date() else f"{end:%H:%M}"
            by_day.setdefault(start.weekday(), []).append(f"{start:%H:%M}-{stop}")
        else:
            said = f"{_DAY_NAMES[start.weekday()]} {start:%H:%M} to {_DAY_NAMES[end.weekday()]} {end:%H:%M}"
            crossing.append((start.weekday(), said))
    parts: list[tuple[int, str]] = []
    run: list[int] = []
    for weekday in range(8):
        hours = by_day.get(weekday) if weekday < 7 else None
        if run and (hours is None or weekday != run[-1] + 1 or by_day[run[0]] != hours):
            parts.append((run[0], f"{_days(run[0], run[-1])} {', '.join(by_day[run[0]])}"))
            run = []
        if hours is not None:
            run.append(weekday)
    return "; ".join(text for _, text in sorted([*parts, *crossing])) or "no regular hours"


def desk_line(plan: Plan, desk: Desk, zone: ZoneInfo, now: dt.datetime, *, zone_from_teams: bool) -> str:
    """One sentence: the asker's desk, its number and its hours in the asker's zone."""
    name = f"Your {desk.name}" if desk.name != "Service Desk" else "Your Service Desk"
    phone = f": {desk.phone}" if desk.phone else ""
    whose = "your time" if zone_from_teams else "the project's time"
    return f"{name}{phone}, open {desk_hours_text(plan, desk, zone, now)} ({whose}, {zone.key})."
