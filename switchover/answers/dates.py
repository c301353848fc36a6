"""Date expressions as clinic staff type them, relative to "now" in the asker's zone.

``find_date_range("is my move this weekend", today)`` gives the Saturday and
Sunday of this weekend. Handled: today, tomorrow, yesterday, tonight; a part of today
("this afternoon", "this arvo", "this morning"); this / next / last week, weekend, month;
"the weekend after next"; "the next fortnight"; a weekday alone ("friday" = the coming one),
"this friday", "next friday" (the Friday of next week), "saturday week" (British English:
the Saturday after the coming one); "feb 13", "13 february",
"february 13th", "the 13th of february", "2/13", "2027-02-13"; a month alone after "in" /
"during" ("in march", "in may"). Month names tolerate typos ("febuary") through rapidfuzz.

Numeric dates follow the organisation's way of writing them (``order``, the plan's
``organisation.date_order``): "6/3" is 3 June month-first (``mdy``, the default) and 6 March
day-first (``dmy``). A date that can be read only one way ("20/2", "2/20") is read that way
whatever the order; the dot form ("20.03.", "20.03.2027") is always day-first, and a year
written first ("2027-03-20", "2027/03/20") is always year-month-day.

Why not dateparser: it is slow unless limited to one language and parses
neither "next friday" nor "weekend" (reported in the issue; not installed
here), and those are the expressions people use about a cutover weekend.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ABBREV = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ABBREV = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_WORDS = re.compile(r"[a-z0-9]+")
# The words (besides weekday and month names) that start a date expression below.
_TODAY = frozenset(("today", "tonight", "tonite", "2day", "2nite", "sarvo"))
_TOMORROW = frozenset("tomorrow tomorow tmrw tmr 2morrow tommorow tommorrow tomoz 2moro tomorra".split())
# A part of the day after "this": "this arvo" (Australian and New Zealand for afternoon), "this avo".
_PART_OF_DAY = {
    "morning": "morning",
    "afternoon": "afternoon",
    "arvo": "afternoon",
    "avo": "afternoon",
    "evening": "evening",
    "eve": "evening",
    "night": "evening",
}
_CUE_WORDS = (
    _TODAY
    | _TOMORROW
    | frozenset(_PART_OF_DAY)
    | frozenset("yesterday weekend wknd weekned wekend weekends week wk month fortnight".split())
)
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_ISO = re.compile(r"\b(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\b")
_SLASH = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
# Day first, as German, Polish and most of Europe write it: "20.03." or "20.03.2027" (the
# trailing dot or the year tells it from a time such as "10.30").
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?:(\d{4}|\d{2})(?![\d.])|(?![\d.]))")
_WEEKEND_SHORT = re.compile(r"\bw/e\b")  # British shorthand: "what's on this w/e"


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of local calendar days, with the words it came from."""

    start: dt.date
    end: dt.date
    text: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def is_single_day(self) -> bool:
        return self.start == self.end


@lru_cache(maxsize=4096)
def month_of(word: str) -> int | None:
    """The month number a (possibly misspelt) word names, or None.

    Three-letter abbreviations must be exact; longer words may carry one or two
    typos ("febuary", "feburary", "janaury").
    """
    if word in _MONTH_ABBREV:
        return _MONTH_ABBREV[word]
    if len(word) < 5:
        return None
    hit = process.extractOne(word, MONTHS, scorer=fuzz.ratio, score_cutoff=80)
    return MONTHS.index(hit[0]) + 1 if hit else None


@lru_cache(maxsize=4096)
def weekday_of(word: str) -> int | None:
    """The weekday index (Monday = 0) a (possibly misspelt) word names, or None."""
    if word in _WEEKDAY_ABBREV:
        return _WEEKDAY_ABBREV[word]
    if len(word) < 5:
        return None
    if word.endswith("s") and word[:-1] in WEEKDAYS:  # "fridays"
        word = word[:-1]
    hit = process.extractOne(word, WEEKDAYS, scorer=fuzz.ratio, score_cutoff=80)
    return WEEKDAYS.index(hit[0]) if hit else None


def _day_of_month(word: str) -> int | None:
    m = _ORDINAL.match(word)
    if not m:
        return None
    day = int(m.group(1))
    return day if 1 <= day <= 31 else None


def _nearest_year(month: int, day: int, today: dt.date) -> dt.date | None:
    """A month/day without a year means the next one within the coming ~10 months,
    or one in the recent past (people ask about a cutover that just happened)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    # Prefer the closest date, leaning towards the future (a 60-day look-back).
    return min(candidates, key=lambda d: abs((d - today).days) if d >= today else (today - d).days * 5)


def _week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _weekend_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """This weekend: the current one on Saturday/Sunday, else the coming one."""
    if today.weekday() == 6:
        return today - dt.timedelta(days=1), today
    saturday = today + dt.timedelta(days=(5 - today.weekday()))
    return saturday, saturday + dt.timedelta(days=1)


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _numeric_day(first: int, second: int, year: str | None, today: dt.date, *, day_first: bool) -> dt.date | None:
    """The day two numbers name ("6/3"), read day-first or month-first unless only one reading is a date."""
    if day_first and first <= 12 < second:
        day_first = False  # "2/20" in a day-first organisation: only 20 February makes sense
    elif not day_first and second <= 12 < first:
        day_first = True  # "20/2" in a month-first one
    dom, month = (first, second) if day_first else (second, first)
    if not (1 <= month <= 12 and 1 <= dom <= 31):
        return None
    if not year:
        return _nearest_year(month, dom, today)
    try:
        return dt.date(int(year) + (2000 if len(year) == 2 else 0), month, dom)
    except ValueError:
        return None


# A range of days: "between jan 10 and jan 20", "from 20/2 to 6/3", "19-25 april", "15.-25.03.".
_RANGE_JOIN = re.compile(r"\s+(?:and|to|until|till|til|through|thru)\s+|\s*[-–]\s*")
_RANGE_START = re.compile(r"\b(?:between|from)\s+")
_DAYS_THEN_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s*[-–]\s*(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,})\b"
)
_MONTH_THEN_DAYS = re.compile(r"\b([a-z]{3,})\s+(\d{1,2})(?:st|nd|rd|th)?\s*[-–]\s*(\d{1,2})(?:st|nd|rd|th)?\b")
_DOTTED_DAYS = re.compile(r"(?<![\d.])(\d{1,2})\.?\s*[-–]\s*(\d{1,2})\.(\d{1,2})\.?(?![\d])")
# "the first week of march", "the last week of april": seven days of that month.
_WEEK_OF_MONTH = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+(?:week|wk)\s+(?:of|in)\s+([a-z]{3,})\b"
)
_NTH_WEEK = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3}
# "the weekend of jan 30", "the weekend of the 30th": the weekend that day is in (or the next one).
_WEEKEND_OF = re.compile(r"\b(?:weekend|wknd|wekend|weekned)\s+of\s+(?:the\s+)?")


def find_date_range(text: str, today: dt.date, *, order: str = "mdy") -> DateRange | None:
    """The first date expression in ``text``, or a range of days it names ("between jan 10 and jan 20",
    "19-25 april", "15.-25.03.", "the first week of march", "the weekend of jan 30"), or None."""
    return find_day_span(text, today, order=order) or _find_one(text, today, order=order)


def find_day_span(text: str, today: dt.date, *, order: str = "mdy") -> DateRange | None:  # noqa: C901 - a flat list
    """A range of days said with two ends ("between jan 10 and jan 20", "15.-25.03."), a week of a month
    ("the first week of march") or the weekend of a day ("the weekend of jan 30"), or None."""
    lowered = text.casefold()
    if not any(c.isdigit() for c in lowered) and "week" not in lowered and "wk" not in lowered:
        return None
    if m := _DOTTED_DAYS.search(lowered):
        end = _numeric_day(int(m.group(2)), int(m.group(3)), None, today, day_first=True)
        if end is not None and 1 <= int(m.group(1)) <= end.day:
            start = end.replace(day=int(m.group(1)))
            return DateRange(start, end, _span_words(start, end))
    for pattern, day_groups, month_group in ((_DAYS_THEN_MONTH, (1, 2), 3), (_MONTH_THEN_DAYS, (2, 3), 1)):
        if (m := pattern.search(lowered)) and (month := month_of(m.group(month_group))):
            first, last = (int(m.group(g)) for g in day_groups)
            start = _nearest_year(month, first, today) if 1 <= first <= 31 else None
            if start is not None and first < last:
                try:
                    return DateRange(start, start.replace(day=last), _span_words(start, start.replace(day=last)))
                except ValueError:
                    pass
    if m := _WEEK_OF_MONTH.search(lowered):
        month = month_of(m.group(2))
        if month:
            year = today.year if month >= today.month - 2 else today.year + 1
            first, last = _month_range(year, month)
            if m.group(1) == "last":
                start = last - dt.timedelta(days=6)
            else:
                start = first + dt.timedelta(days=7 * _NTH_WEEK[m.group(1)])
            return DateRange(start, start + dt.timedelta(days=6), f"in the {m.group(0)}")
    if m := _WEEKEND_OF.search(lowered):
        day = _find_one(lowered[m.end() :], today, order=order)
        if day is not None and day.is_single_day:
            saturday = day.start + dt.timedelta(days=(5 - day.start.weekday()) % 7)
            if day.start.weekday() == 6:
                saturday = day.start - dt.timedelta(days=1)
            return DateRange(
                saturday, saturday + dt.timedelta(days=1), f"the weekend of {day.text.removeprefix('on ')}"
            )
    if m := _RANGE_START.search(lowered):
        rest = lowered[m.end() :]
        for join in _RANGE_JOIN.finditer(rest):
            first = _find_one(rest[: join.start()], today, order=order)
            if first is None:
                continue
            second = _find_one(rest[join.end() :], today, order=order)
            if second is not None and second.end > first.start:
                return DateRange(first.start, second.end, _span_words(first.start, second.end))
            break
    return None


def _span_words(start: dt.date, end: dt.date) -> str:
    """ "from 15 March to 25 March": a range of days said back in English (other languages: range_words)."""
    return f"from {start.day} {MONTHS[start.month - 1].title()} to {end.day} {MONTHS[end.month - 1].title()}"


def _find_one(text: str, today: dt.date, *, order: str = "mdy") -> DateRange | None:  # noqa: C901 - a flat list of forms
    """The first date expression in ``text`` (already lower-cased is fine), or None.

    Args:
        text: the question as typed.
        today: the asker's local date (now in the asker's zone).
        order: how the organisation writes numeric dates: ``mdy`` ("6/3" is 3 June), ``dmy``
            ("6/3" is 6 March) or ``ymd`` (a year first; "6/3" is then read month-first).
    """
    lowered = _WEEKEND_SHORT.sub("weekend", text.casefold())
    if m := _ISO.search(lowered):
        try:
            day = dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            day = None
        if day:
            return DateRange(day, day, f"on {m.group(0)}")
    if m := _DOTTED.search(lowered):
        day = _numeric_day(int(m.group(1)), int(m.group(2)), m.group(3), today, day_first=True)
        if day:
            return DateRange(day, day, f"on {m.group(0).rstrip('.')}")
    if m := _SLASH.search(lowered):
        day = _numeric_day(int(m.group(1)), int(m.group(2)), m.group(3), today, day_first=order == "dmy")
        if day:
            return DateRange(day, day, f"on {m.group(0)}")

    words = _WORDS.findall(lowered.replace("'", ""))
    for i, word in enumerate(words):
        if word not in _CUE_WORDS and weekday_of(word) is None and month_of(word) is None:
            continue  # most words of a question name no day: skip the forms below
        prev = words[i - 1] if i > 0 else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        phrase = f"{prev} {word}".strip()
        if word in _TODAY:
            return DateRange(today, today, "this afternoon" if word == "sarvo" else word)
        if word in _PART_OF_DAY and prev == "this":
            return DateRange(today, today, f"this {_PART_OF_DAY[word]}")
        if word in _TOMORROW:
            day = today + dt.timedelta(days=1)
            return DateRange(day, day, "tomorrow")
        if word == "fortnight" and prev in ("this", "next", "coming"):
            # "in the next fortnight": the coming fourteen days.
            return DateRange(today, today + dt.timedelta(days=13), "in the next fortnight")
        if word == "yesterday":
            day = today - dt.timedelta(days=1)
            return DateRange(day, day, word)
        if word in ("weekend", "wknd", "weekned", "wekend", "weekends"):
            start, end = _weekend_of(today)
            after_next = nxt == "after" and i + 2 < len(words) and words[i + 2] == "next"
            if after_next:
                # "the weekend after next": not the coming weekend but the one after it (as "saturday week").
                return DateRange(start + dt.timedelta(days=7), end + dt.timedelta(days=7), "the weekend after next")
            if prev == "next":
                start, end = start + dt.timedelta(days=7), end + dt.timedelta(days=7)
            elif prev == "last":
                start, end = start - dt.timedelta(days=7), end - dt.timedelta(days=7)
            # "at the weekend", "over the weekend" (British): this weekend, and said so.
            said = "this weekend" if prev == "the" else phrase if prev in ("this", "next", "last") else word
            return DateRange(start, end, said)
        if word in ("week", "wk") and prev in ("this", "next", "last"):
            start, end = _week_of(today)
            shift = {"this": 0, "next": 7, "last": -7}[prev]
            return DateRange(start + dt.timedelta(days=shift), end + dt.timedelta(days=shift), phrase)
        if word == "month" and prev in ("this", "next"):
            year, month = today.year, today.month
            if prev == "next":
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            start, end = _month_range(year, month)
            return DateRange(start, end, phrase)
        weekday = weekday_of(word)
        after_the = words[i + 2] if nxt == "the" and i + 2 < len(words) else ""
        if weekday is not None and not _day_of_month(nxt) and not month_of(nxt) and not _BARE_ORDINAL.match(after_the):
            ahead = (weekday - today.weekday()) % 7
            if prev == "next":
                # "next friday": the Friday of next week, as most people mean it.
                monday_next = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
                day = monday_next + dt.timedelta(days=weekday)
            elif prev == "last":
                day = today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
            else:
                day = today + dt.timedelta(days=ahead)
            if nxt in ("week", "fortnight") and prev not in ("next", "last"):
                # "saturday week" (British English): a week after the coming Saturday; "saturday fortnight": two.
                day += dt.timedelta(days=7 if nxt == "week" else 14)
                return DateRange(day, day, f"{word} {nxt}")
            return DateRange(day, day, phrase if prev in ("this", "next", "last", "on") else word)
        before_of = words[i - 2] if prev == "of" and i >= 2 else ""
        # "may" is a month only next to a day ("may 8th", "the 8th of may") or after "in" ("in may").
        is_month = word != "may" or bool(_day_of_month(nxt) or _day_of_month(prev) or _day_of_month(before_of))
        named_month = month_of(word) if is_month or prev in ("in", "during") else None
        if named_month is not None:
            day_number = _day_of_month(nxt) or _day_of_month(prev) or _day_of_month(before_of)
            if day_number:
                day = _nearest_year(named_month, day_number, today)
                if day and prev == "of" and before_of == "week" and not _day_of_month(prev):
                    # "the week of may 17": the week that day is in.
                    start, end = _week_of(day)
                    return DateRange(start, end, f"in the week of {word} {nxt}")
                if day:
                    if _day_of_month(nxt):
                        said = f"{word} {nxt}"
                    elif _day_of_month(prev):
                        said = phrase
                    else:
                        said = f"the {before_of} of {word}"
                    return DateRange(day, day, f"on {said}")
            elif prev in ("in", "during", "of", "early", "late", "mid") and len(word) >= 3:
                year = today.year if named_month >= today.month - 2 else today.year + 1
                start, end = _month_range(year, named_month)
                return DateRange(start, end, phrase)
    return _bare_day_of_month(words, today)


# "the 6th", "the 21st": a day of the month said with its ordinal ending and no month.
_BARE_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")


def _bare_day_of_month(words: list[str], today: dt.date) -> DateRange | None:
    """ "is my cutover on the 6th?": the next day of that number, this month or the next."""
    for i, word in enumerate(words):
        m = _BARE_ORDINAL.match(word)
        if not m or i == 0 or words[i - 1] not in ("the", "on"):
            continue
        number = int(m.group(1))
        year, month = today.year, today.month
        for _ in range(3):  # the 31st may skip a month
            if number >= (today.day if (year, month) == (today.year, today.month) else 1):
                try:
                    day = dt.date(year, month, number)
                except ValueError:
                    day = None
                if day:
                    return DateRange(day, day, f"on the {word}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None
