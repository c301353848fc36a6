"""Dates, times and cutover windows as the product writes them for people.

The one place that turns a datetime into words: ``Saturday 30 January 2027``,
``Sat 30 Jan``, ``07:00 PST``, a moment ``Sat 30 Jan 07:00 PST`` and the cutover window ``07:00-15:00 PST``
(``Saturday 30 January 2027, 07:00-15:00 PST`` with its day). Every part of
the product that shows a cutover window is to call :func:`format_window`; nothing here
knows of answers, plans or cards, so any of them may use it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_skeleton as _babel_skeleton
from babel.dates import format_time as _babel_time

from switchover import i18n

__all__ = [
    "DAY_NAMES",
    "MONTH_NAMES",
    "format_date",
    "format_day",
    "format_moment",
    "format_short_day",
    "format_time",
    "format_window",
    "localise_times",
    "names_a_day",
]

# English names, as strftime gives them in the C locale the bot runs in; looked up
# rather than formatted (strftime builds a time tuple and asks the zone again for
# every field, and a schedule answer formats a dozen dates).
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _foreign() -> i18n.Language | None:
    """The reader's language when it is not the source language (whose house style is below)."""
    lang = i18n.current()
    return lang if lang.code not in (i18n.DEFAULT, i18n.PSEUDO) else None


@lru_cache(maxsize=64)
def _long_day_pattern(locale: str) -> str:
    """The locale's "weekday, day month" pattern with the weekday written out (CLDR has no skeleton
    for it: its ``MMMMEd`` abbreviates the weekday)."""
    from babel import Locale

    skeleton = Locale.parse(locale).datetime_skeletons.get("MMMMEd")
    pattern = skeleton.pattern if skeleton is not None else "EEEE d MMMM"
    return re.sub(r"E+", "EEEE", pattern)


def format_day(when: dt.datetime | dt.date, *, year: bool = True) -> str:
    """``Saturday 30 January 2027`` (``Saturday 30 January`` without the year); in another language,
    as its readers write a day (``sábado, 30 de enero de 2027``)."""
    if (lang := _foreign()) is not None:
        if year:
            return _babel_date(when, "full", locale=lang.locale)
        return _babel_date(when, _long_day_pattern(str(lang.locale)), locale=lang.locale)
    day = f"{DAY_NAMES[when.weekday()]} {when.day} {MONTH_NAMES[when.month - 1]}"
    return f"{day} {when.year}" if year else day


def format_date(when: dt.date) -> str:
    """A date on its own, as a lead writes one to the bot: ``2027-01-30``; in another language, as its
    readers write a date in a sentence (``30 ene 2027``, ``30 sty 2027``)."""
    if (lang := _foreign()) is not None:
        return _babel_date(when, "medium", locale=lang.locale)
    return when.isoformat()


def format_short_day(when: dt.datetime | dt.date) -> str:
    """``Sat 30 Jan`` (``sáb., 30 ene.``)."""
    if (lang := _foreign()) is not None:
        return _babel_skeleton("MMMEd", when, locale=lang.locale)
    return f"{DAY_NAMES[when.weekday()][:3]} {when.day} {MONTH_NAMES[when.month - 1][:3]}"


def format_time(at: dt.datetime) -> str:
    """``07:00 PST``: the clock time and the zone's abbreviation (in another language, its reader's
    clock: ``7:00 a. m. PST`` in the United States' Spanish, ``07:00 PST`` in Poland)."""
    if (lang := _foreign()) is not None:
        return f"{_babel_time(at, 'short', locale=lang.locale)} {at.tzname() or ''}".rstrip()
    return f"{at.hour:02d}:{at.minute:02d} {at.tzname() or ''}"


def format_moment(at: dt.datetime, *, year: bool = False) -> str:
    """One moment in its own zone: ``Sat 16 Jan 09:05 PST`` (``Sat 16 Jan 2027 09:05 PST`` with the year).

    For a send time, a deadline, a "checked at"; a cutover window is :func:`format_window`.
    """
    day = format_short_day(at)
    return f"{day} {at.year} {format_time(at)}" if year else f"{day} {format_time(at)}"


def format_window(start: dt.datetime, end: dt.datetime, *, day: Literal["long", "iso"] | None = None) -> str:
    """A cutover window: ``07:00-15:00 PST``, or with its day (``day="long"``):
    ``Saturday 30 January 2027, 07:00-15:00 PST``, or for an operator's terminal
    (``day="iso"``, sortable): ``Sat 2027-01-30 07:00-15:00 PST``.

    Both ends are shown in their own zone (convert them to the reader's first); the end's
    abbreviation is given too when it differs (a change to or from daylight saving time),
    and its short day when the window runs past midnight: ``07:00 PST - Sun 10 Jan 02:00 PST``.

    Args:
        start: the window's start, in the reader's zone.
        end: its end, in the same zone.
        day: begin with the start's day: ``long`` (``format_day``) or ``iso``; None for the times alone.
    """
    start_zone, end_zone = start.tzname() or "", end.tzname() or ""
    if _foreign() is not None and start.date() == end.date() and start_zone == end_zone:
        start_clock = format_time(start).removesuffix(start_zone).rstrip()
        window = f"{start_clock}–{format_time(end)}"
    elif start.date() != end.date():
        window = f"{format_time(start)} - {format_short_day(end)} {format_time(end)}"
    elif start_zone != end_zone:
        window = f"{format_time(start)} - {format_time(end)}"
    else:
        window = f"{start.hour:02d}:{start.minute:02d}-{format_time(end)}"
    if day == "long":
        return f"{format_day(start)}, {window}"
    if day == "iso":
        return f"{DAY_NAMES[start.weekday()][:3]} {start.date().isoformat()} {window}"
    return window


# -- text written in one zone, read in another --

_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")


@lru_cache(maxsize=16)
def _day_words(code: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """How text in language ``code`` speaks of the day it is sent ("today", "tonight") and of the weekend
    it is sent in ("this weekend"): the catalogs' words, each way of saying it separated by ``|``."""
    with i18n.use(i18n.language(code)):
        # Translators: every word or phrase a message in your language may use for the day it is sent,
        # separated by "|" (no spaces around it). A longer phrase is matched before a shorter one.
        today = i18n.pgettext("words for the day a message is sent", "today|tonight")
        # Translators: as above, for the weekend a message is sent in ("|" between ways of saying it).
        weekend = i18n.pgettext("words for the weekend a message is sent in", "this weekend")
    return _alternatives(today), _alternatives(weekend)


def _alternatives(words: str) -> re.Pattern[str]:
    """``a|b c`` as a pattern matching either, as whole words, any case, any spacing."""
    phrases = sorted({w.strip() for w in words.split("|") if w.strip()}, key=len, reverse=True)
    if not phrases:
        return re.compile(r"(?!)")  # matches nothing
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _languages_to_try() -> list[tuple[str, i18n.Language]]:
    """The catalogs' languages whose words a text may use, the one in force first (the pseudo-locale
    reads English text), each with the language to write in when its words are the text's."""
    lang = i18n.current()
    own = i18n.DEFAULT if lang.code == i18n.PSEUDO else lang.code
    out = [(own, lang)] if own in i18n.SUPPORTED else []
    return out + [(code, i18n.language(code)) for code in i18n.SUPPORTED if code != own]


def _text_language(text: str) -> tuple[i18n.Language, re.Pattern[str], re.Pattern[str]]:
    """The language whose words for "today" (else "this weekend") ``text`` uses, and its patterns;
    the language in force when it uses none."""
    tried = [(lang, *_day_words(code)) for code, lang in _languages_to_try()]
    for which in (1, 2):  # "today" decides before "this weekend"
        for found in tried:
            if found[which].search(text):
                return found
    return tried[0]


def names_a_day(text: str) -> bool:
    """The text speaks of the day it is sent ("at 17:30 today", "tonight", "hoy", "dziś"), in any
    language the catalogs have."""
    return any(_day_words(code)[0].search(text) for code, _lang in _languages_to_try())


def localise_times(text: str, sent: dt.datetime, reader: ZoneInfo) -> str:
    """Text written for the day it is sent (``sent``, in the writer's zone), made to stand on its own
    for a reader in ``reader``: each clock time becomes the same moment in the reader's zone, and
    "today" the reader's own day of that moment.

    "T: becomes read-only at 17:30 today." sent on Friday in Helsinki reads, in Denver,
    "T: becomes read-only at 08:30 MST on Friday 12 March"; at 02:00 in Helsinki it would be
    "at 17:00 MST on Thursday 11 March": never Helsinki's date with Denver's time.

    The text may be in any language the catalogs have: its words for "today", "tonight" and "this
    weekend" are the catalogs' (``hoy``, ``esta noche``, ``este fin de semana``; ``dziś``, ``w ten
    weekend``). The words and times put in ("on Friday 12 March", "el viernes, 12 de marzo", "on the
    cutover weekend") are written in the language of those words, so a line the plan does not
    translate reads in one language, not two; the language in force (``with i18n.use(...)``) decides
    when the text is in it (its region's clock, ``es-US`` or ``es-ES``) and when it uses no such words.
    """
    writer = sent.tzinfo
    assert writer is not None, "sent must be timezone-aware"
    lang, today, weekend = _text_language(text)
    with i18n.use(lang):
        day = sent.date()
        moments: list[dt.datetime] = []

        def local_time(m: re.Match[str]) -> str:
            hour, minute = int(m.group(1)), int(m.group(2))
            if hour > 23 or minute > 59:
                return m.group(0)
            at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=writer).astimezone(reader)
            moments.append(at)
            return format_time(at)

        out = _CLOCK.sub(local_time, text)
        # The day the text means, as the reader counts days: that of its (first) time, else the sending's.
        on = moments[0] if moments else sent.astimezone(reader)
        # The words put in are the text's language's (``on Friday 12 March``, ``el viernes, 12 de marzo``).
        day_words = i18n.gettext("on {day}").format(day=format_day(on, year=False))
        out = today.sub(lambda _m: day_words, out)
        return weekend.sub(lambda _m: i18n.gettext("on the cutover weekend"), out)
