"""A wave's schedule as one reader sees it: in their time zone, with "in 5 days", in the plan's words."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from switchover import i18n
from switchover.i18n import gettext as _
from switchover.i18n import ngettext, pgettext
from switchover.plan.languages import LocalisedMessage, message_in
from switchover.plan.model import CalendarMessage, LegacyResource, Plan, Wave
from switchover.timefmt import format_day, format_window, localise_times, names_a_day

if TYPE_CHECKING:
    from switchover.answers.dates import DateRange


def humanise_days(days: int) -> str:
    """A distance in calendar days as people say it: today, tomorrow, in 5 days, 2 weeks ago."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days == -1:
        return _("yesterday")
    n = abs(days)
    ahead = days > 0
    # Whole phrases per unit and direction: languages put "in" and "ago" differently and decline the unit.
    if n < 14:
        if ahead:
            return ngettext("in {n} day", "in {n} days", n).format(n=n)
        return ngettext("{n} day ago", "{n} days ago", n).format(n=n)
    if n < 61:
        weeks = n // 7
        if ahead:
            return ngettext("in {n} week", "in {n} weeks", weeks).format(n=weeks)
        return ngettext("{n} week ago", "{n} weeks ago", weeks).format(n=weeks)
    months = round(n / 30.4)
    if ahead:
        return ngettext("in {n} month", "in {n} months", months).format(n=months)
    return ngettext("{n} month ago", "{n} months ago", months).format(n=months)


def range_words(days: DateRange) -> str:
    """The days a question asked about, as an answer says them: the asker's own words in English
    ("this weekend"), else the days themselves in the reader's words ("el sábado, 30 de enero")."""
    if i18n.current().code == i18n.DEFAULT:
        return days.text
    if days.is_single_day:
        return _("on {day}").format(day=format_day(days.start, year=False))
    return _("from {start} to {end}").format(
        start=format_day(days.start, year=False), end=format_day(days.end, year=False)
    )


def capitalised(words: str) -> str:
    """Words opening a sentence or a label (English as it always was: ``str.capitalize``)."""
    if i18n.current().code == i18n.DEFAULT:
        return words.capitalize()
    return words[:1].upper() + words[1:]


def status_words(status: str) -> str:
    """A schedule's status (``upcoming``, ``in progress``, ``done``) in the reader's words."""
    if status == "upcoming":
        return pgettext("cutover status", "upcoming")
    if status == "in progress":
        return pgettext("cutover status", "in progress")
    if status == "done":
        return pgettext("cutover status", "done")
    return status


def days_between(now: dt.datetime, when: dt.datetime | dt.date, zone: ZoneInfo) -> int:
    """Calendar days from ``now`` to ``when``, counted in ``zone`` (so 23:00 to 01:00 is "tomorrow")."""
    today = now.astimezone(zone).date()
    day = when.astimezone(zone).date() if isinstance(when, dt.datetime) else when
    return (day - today).days


def whose_words(whose: str) -> str:
    """Whose time zone the times are in ("the project's"), in the reader's words."""
    if whose == "your office's":
        return pgettext("whose time zone", "your office's")
    if whose == "your wave's":
        return pgettext("whose time zone", "your wave's")
    if whose == "the project's":
        return pgettext("whose time zone", "the project's")
    return whose


@dataclass(frozen=True, slots=True)
class ReaderZone:
    """The zone times are shown in, and whether Teams told us or we fell back to the plan's."""

    zone: ZoneInfo
    from_teams: bool
    # Whose zone it is when Teams did not say: "the project's", "your office's", "your wave's" (a key;
    # :func:`whose_words` gives it in the reader's words).
    whose: str = "the project's"

    @property
    def name(self) -> str:
        return self.zone.key

    def note(self, plan: Plan) -> str:
        """A sentence saying which zone times are in, when we had to guess."""
        if self.from_teams:
            return ""
        zone = self.zone.key
        if self.whose == "your office's":
            return _("Times are in your office's time zone ({zone}); Teams did not tell us yours.").format(zone=zone)
        if self.whose == "your wave's":
            return _("Times are in your wave's time zone ({zone}); Teams did not tell us yours.").format(zone=zone)
        return _("Times are in the project's time zone ({zone}); Teams did not tell us yours.").format(zone=zone)

    def for_person(self, plan: Plan, office: str | None, wave: Wave) -> ReaderZone:
        """With no zone from Teams, the best guess for one person: their office's zone (``sites:``),
        else their wave's when it has its own, else this one."""
        if self.from_teams:
            return self
        site = plan.site(office) if office else None
        if site is not None:
            return ReaderZone(site.zone, False, "your office's")
        zone = plan.zone_of(wave)
        if zone.key != self.zone.key:
            return ReaderZone(zone, False, "your wave's")
        return self

    @classmethod
    def choose(cls, time_zone: str | None, plan: Plan) -> ReaderZone:
        if time_zone:
            try:
                return cls(ZoneInfo(time_zone), True)
            except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
                pass
        return cls(plan.zone, False)


@dataclass(frozen=True, slots=True)
class WaveSchedule:
    """One wave's dates, shown in one reader's zone, with the plan's words for before and on the day."""

    wave_key: str
    wave_number: int
    wave_title: str
    cutover_start: dt.datetime  # in the reader's zone
    cutover_end: dt.datetime
    hypercare_until: dt.date
    read_only: tuple[ReadOnly, ...]  # the plan's legacy resources going read-only, in the reader's zone
    days_until: int  # calendar days from today (reader's zone) to the cutover's start
    distance: str  # "in 5 days", "tomorrow", "2 weeks ago"
    hypercare_distance: str
    status: str  # "upcoming", "in progress", "done"
    before: tuple[str, ...]  # what to do before, in the plan's words
    on_the_day: tuple[str, ...]  # what happens on the day, in the plan's words
    zone_name: str
    zone_from_teams: bool
    zone_whose: str = "the project's"  # whose zone it is when Teams did not say

    @property
    def day(self) -> str:
        return format_day(self.cutover_start)

    @property
    def window(self) -> str:
        return format_window(self.cutover_start, self.cutover_end)

    @property
    def when(self) -> str:
        """``Saturday 30 January 2027, 07:00-15:00 PST``."""
        return format_window(self.cutover_start, self.cutover_end, day="long")


@dataclass(frozen=True, slots=True)
class ReadOnly:
    """Legacy resources that go read-only at one moment for one wave, e.g. "K: and M:" at Friday 18:00."""

    names: tuple[str, ...]  # as answers name them together: "K:", "M:", "the timesheet system"
    at: dt.datetime
    drives: bool  # all of them are drives (the files answer speaks of these)

    @property
    def label(self) -> str:
        """``K:``, ``K: and M:``, ``K:, M: and the old intranet``."""
        if len(self.names) == 1:
            return self.names[0]
        return _("{names} and {last}").format(names=", ".join(self.names[:-1]), last=self.names[-1])

    @property
    def verb(self) -> str:
        """English's verb for the label (``becomes``/``become``); sentences in the catalogs use
        :meth:`read_only_sentence` instead."""
        return "becomes" if len(self.names) == 1 else "become"

    def read_only_sentence(self, day: str, time: str) -> str:
        """``K: and M: become read-only on Friday 29 January 2027 at 18:00 PST`` in the reader's words."""
        return ngettext(
            "{names} becomes read-only on {day} at {time}",
            "{names} become read-only on {day} at {time}",
            len(self.names),
        ).format(names=self.label, day=day, time=time)

    def shown_in(self, zone: ZoneInfo) -> ReadOnly:
        return ReadOnly(self.names, self.at.astimezone(zone), self.drives)


def read_only_at(plan: Plan, wave: Wave, resource: LegacyResource) -> dt.datetime | None:
    """When ``resource`` goes read-only for ``wave`` (from the wave's cutover as it stands), or None."""
    when = resource.read_only
    if when is None:
        return None
    if when.on is not None:
        return when.on
    if when.cutover == "start":
        return wave.cutover.start
    if when.at is not None:
        # Local time where the wave's people are, on the wave's own cutover day.
        zone = plan.zone_of(wave)
        day = wave.cutover.start.astimezone(zone).date() + dt.timedelta(days=when.days or 0)
        return dt.datetime.combine(day, when.at, tzinfo=zone)
    return None


def read_only_moments(plan: Plan, wave: Wave) -> tuple[ReadOnly, ...]:
    """The wave's legacy resources that go read-only, grouped by moment (drives apart from the rest), in time order."""
    groups: dict[tuple[dt.datetime, bool], list[str]] = {}
    for resource in plan.legacy_for(wave):
        at = read_only_at(plan, wave, resource)
        if at is not None:
            groups.setdefault((at, resource.kind == "drive"), []).append(resource.short)
    moments = [ReadOnly(tuple(names), at, drives) for (at, drives), names in groups.items()]
    return tuple(sorted(moments, key=lambda m: m.at))


def _in_reader_words(plan: Plan, message: CalendarMessage) -> tuple[LocalisedMessage, i18n.Language]:
    """``message`` in the reader's language when the plan translates it, and the language its words
    are in (a time or a day put into a line is written in the line's own language)."""
    reader = i18n.current()
    words = message_in(message, reader.code, plan.organisation.language)
    return words, reader if words.language == reader.code else i18n.language(words.language)


def before_steps(plan: Plan, wave: Wave | None = None, zone: ZoneInfo | None = None) -> tuple[str, ...]:
    """What to do before cutover: the points of the calendar messages sent before it, in order, de-duplicated.

    With a wave (its own calendar), points that speak of "today" are dated to the day their message
    goes out for that wave, and their times shown in ``zone``: day and time both the reader's.
    """
    steps: list[str] = []
    calendar = plan.calendar_for(wave) if wave is not None else plan.calendar
    messages = [m for m in calendar if m.timing.days is not None and m.timing.days < 0]
    for message in sorted(messages, key=lambda m: m.timing.days or 0):
        words, language = _in_reader_words(plan, message)
        for point in words.points:
            if wave is not None:
                written_in = plan.zone_of(wave)
                day = wave.cutover.start.astimezone(written_in).date() + dt.timedelta(days=message.timing.days or 0)
                sent = dt.datetime.combine(day, message.timing.at or dt.time(9, 0), tzinfo=written_in)
                with i18n.use(language):
                    point = localise_times(point, sent, zone or written_in)
            if point not in steps:
                steps.append(point)
    return tuple(steps)


def on_the_day_steps(plan: Plan, wave: Wave | None = None, zone: ZoneInfo | None = None) -> tuple[str, ...]:
    """What happens on the day: the cutover-start message, then what the completion message says
    (the wave's own calendar, with a wave). For a reader outside the wave's zone (``zone``), a line
    of the cutover-start message that speaks of "today" gets the reader's day and time."""
    steps: list[str] = []
    calendar = plan.calendar_for(wave) if wave is not None else plan.calendar
    written_in = plan.zone_of(wave) if wave is not None else plan.zone
    for message in calendar:
        if message.timing.cutover == "start":
            words, language = _in_reader_words(plan, message)
            lines = [words.summary, *words.points]
            if wave is not None and zone is not None and zone.key != written_in.key:
                sent = wave.cutover.start.astimezone(written_in)
                with i18n.use(language):
                    lines = [localise_times(line, sent, zone) if names_a_day(line) else line for line in lines]
            steps.extend(lines)
    for message in calendar:
        if message.timing.manual:
            steps.extend(_in_reader_words(plan, message)[0].points)
    return tuple(s for s in steps if s)


# Steps depend only on the plan, the wave and the zone, and every schedule answer needs them:
# worked out once per combination. Keyed by the plan object's identity, which the entry keeps
# alive (a reloaded plan is a new object, so its steps are worked out anew); bounded.
_STEPS: OrderedDict[tuple[int, str | None, str | None, str], tuple[Plan, tuple[str, ...]]] = OrderedDict()
_STEPS_KEPT = 256


def _steps(
    plan: Plan, wave_key: str | None, zone: ZoneInfo | None, work_out: Callable[[], tuple[str, ...]]
) -> tuple[str, ...]:
    # The reader's language too: a localised line names its day and time in the reader's words.
    key = (id(plan), wave_key, zone.key if zone is not None else None, i18n.current().code)
    hit = _STEPS.get(key)
    if hit is not None and hit[0] is plan:
        _STEPS.move_to_end(key)
        return hit[1]
    steps = work_out()
    _STEPS[key] = (plan, steps)
    if len(_STEPS) > _STEPS_KEPT:
        _STEPS.popitem(last=False)
    return steps


def wave_schedule(plan: Plan, wave: Wave, reader: ReaderZone, now: dt.datetime) -> WaveSchedule:
    """``wave``'s schedule for a reader in ``reader.zone`` at ``now``."""
    zone = reader.zone
    start = wave.cutover.start.astimezone(zone)
    end = wave.cutover.end.astimezone(zone)
    days = days_between(now, start, zone)
    if now >= wave.cutover.end:
        status = "done"
    elif now >= wave.cutover.start:
        status = "in progress"
    else:
        status = "upcoming"
    return WaveSchedule(
        wave_key=wave.key,
        wave_number=wave.number,
        wave_title=wave.title,
        cutover_start=start,
        cutover_end=end,
        hypercare_until=wave.hypercare_until,
        read_only=tuple(m.shown_in(zone) for m in read_only_moments(plan, wave)),
        days_until=days,
        distance=humanise_days(days),
        hypercare_distance=humanise_days(days_between(now, wave.hypercare_until, zone)),
        status=status,
        before=_steps(plan, wave.key, zone, lambda: before_steps(plan, wave, zone)),
        on_the_day=_steps(plan, f"{wave.key}@day", zone, lambda: on_the_day_steps(plan, wave, zone)),
        zone_name=zone.key,
        zone_from_teams=reader.from_teams,
        zone_whose=reader.whose,
    )
