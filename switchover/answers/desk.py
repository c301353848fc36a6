"""The asker's own Service Desk in words: its number and its opening hours, in the asker's time zone.

A desk's hours are weekly ranges in the desk's zone; shown in another zone they move
by the zones' offset on the days that come (so a European desk reads an hour differently
in America in the weeks the US and EU clocks disagree). The next seven days are
converted one by one and days with the same hours are said together.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_time as _babel_time
from babel.dates import get_day_names

from switchover import i18n
from switchover.i18n import gettext as _
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


def _day_name(weekday: int) -> str:
    """A weekday's name in the reader's language (``Monday``, ``lunes``, ``poniedziałek``)."""
    lang = i18n.current()
    if lang.code in (i18n.DEFAULT, i18n.PSEUDO):
        return _DAY_NAMES[weekday]
    return get_day_names("wide", context="stand-alone", locale=lang.locale)[weekday]


def _clock(at: dt.datetime, stop: bool = False) -> str:
    """A clock time as the reader writes it (``07:00``; ``7:00 a. m.`` in the United States' Spanish)."""
    lang = i18n.current()
    if stop and at.time() == dt.time(0):
        return "24:00"
    if lang.code in (i18n.DEFAULT, i18n.PSEUDO):
        return f"{at:%H:%M}"
    return _babel_time(at, "short", locale=lang.locale)


def _days(first: int, last: int) -> str:
    if first == last:
        return _day_name(first)
    if last == first + 1:
        return _("{first} and {last}").format(first=_day_name(first), last=_day_name(last))
    return _("{first} to {last}").format(first=_day_name(first), last=_day_name(last))


def desk_hours_text(plan: Plan, desk: Desk, zone: ZoneInfo, now: dt.datetime) -> str:
    """``Monday to Friday 07:00-16:00, Saturday 08:00-12:00``: the desk's weekly hours in ``zone``,
    for the week that starts today (in ``zone``)."""
    weekly, desk_zone, always = _weekly(plan, desk)
    if always:
        return _("round the clock, every day")
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
            stop = _clock(end, stop=end.date() != start.date())
            dash = "-" if i18n.current().code in (i18n.DEFAULT, i18n.PSEUDO) else "–"  # as Babel writes a range
            by_day.setdefault(start.weekday(), []).append(f"{_clock(start)}{dash}{stop}")
        else:
            said = _("{first_day} {first_time} to {last_day} {last_time}").format(
                first_day=_day_name(start.weekday()),
                first_time=_clock(start),
                last_day=_day_name(end.weekday()),
                last_time=_clock(end),
            )
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
    return "; ".join(text for _day, text in sorted([*parts, *crossing])) or _("no regular hours")


def desk_line(plan: Plan, desk: Desk, zone: ZoneInfo, now: dt.datetime, *, zone_from_teams: bool) -> str:
    """One sentence: the asker's desk, its number and its hours in the asker's zone."""
    name = desk.name if desk.name != "Service Desk" else _("Service Desk")
    hours = desk_hours_text(plan, desk, zone, now)
    said = {"desk": name, "phone": desk.phone, "hours": hours, "zone": zone.key}
    if desk.phone and zone_from_teams:
        return _("Your {desk}: {phone}, open {hours} (your time, {zone}).").format(**said)
    if desk.phone:
        return _("Your {desk}: {phone}, open {hours} (the project's time, {zone}).").format(**said)
    if zone_from_teams:
        return _("Your {desk}, open {hours} (your time, {zone}).").format(**said)
    return _("Your {desk}, open {hours} (the project's time, {zone}).").format(**said)
