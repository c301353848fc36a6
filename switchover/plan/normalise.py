"""The plan's normaliser: the comfortable forms people write, brought to the model's, with friendly errors.

Driven by the model's own annotations: durations as text (``4 business hours``),
local datetimes in the plan's zone (a wave's in the wave's), ``"Team / Channel"``, a person key for a
contact, a single item for a list, mappings keyed by name for ``people`` and
``service_levels``; a value that cannot be brought round is reported at its
position, with the likely intended word where there is one.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from rapidfuzz import fuzz
from rapidfuzz import process as fuzz_process

from switchover.plan.model import ChannelRef, Contact, CutoverCover, Duration, ReadOnlyFrom, WorkingHours
from switchover.plan.reader import Loc, ReadContext, type_name

__all__ = ["INVALID", "closest", "keyed_to_list", "normalise_model", "parse_duration", "suggest"]


# -- text formats for durations, times, dates and datetimes ------------------------


_DURATION_PART = re.compile(
    r"(?P<n>\d+)\s*(?P<business>business\s+)?(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
    re.IGNORECASE,
)
_DURATION_HINT = 'expected a duration like "15 minutes", "2 hours", "4 business hours" or "1 business day"'


def parse_duration(text: str) -> Duration:
    """Parse ``15 minutes``, ``2 hours``, ``4 business hours``, ``1 business day``, ``1 hour 30 minutes``.

    Raises:
        ValueError: with a hint of the expected form.
    """
    s = text.strip()
    pos = 0
    minutes = 0
    business_days = 0
    business: bool | None = None
    parts = 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if not m:
            raise ValueError(f"{text!r} is not a duration; {_DURATION_HINT}")
        is_business = bool(m.group("business"))
        if business is not None and business != is_business:
            raise ValueError(f"{text!r} mixes business and calendar time; {_DURATION_HINT}")
        business = is_business
        n = int(m.group("n"))
        unit = m.group("unit").lower()
        if unit.startswith("d"):
            if is_business:
                business_days += n
            else:
                minutes += n * 24 * 60
        elif unit.startswith("h"):
            minutes += n * 60
        else:
            minutes += n
        parts += 1
        pos = m.end()
        while pos < len(s) and s[pos] in " ,\t":
            pos += 1
        if s[pos : pos + 4].lower() == "and ":
            pos += 4
    if not parts:
        raise ValueError(f"empty duration; {_DURATION_HINT}")
    if business_days and minutes:
        raise ValueError(f"{text!r}: write business days or business hours, not both; {_DURATION_HINT}")
    return Duration(minutes=minutes, business=bool(business), business_days=business_days)


_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DATETIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _parse_time(text: str) -> dt.time:
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a time; expected a time like 09:00")
    try:
        return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day; expected a time like 09:00 (00:00 to 23:59)") from None


def _parse_date(text: str) -> dt.date:
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date; expected a date like 2027-01-29")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc}); expected a date like 2027-01-29") from None


def _parse_local_datetime(text: str, zone: ZoneInfo | None) -> dt.datetime:
    m = _DATETIME.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date and time; expected a local time like 2027-01-16 08:00")
    y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
    try:
        naive = dt.datetime(y, mo, d, h, mi, sec)  # noqa: DTZ001 - made aware just below
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date and time ({exc}); expected e.g. 2027-01-16 08:00") from None
    aware = naive.replace(tzinfo=zone or dt.UTC)
    if zone is not None:
        # A wall time skipped by a daylight-saving jump does not survive a round trip through UTC.
        back = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if back != naive:
            raise ValueError(f"{text!r} does not exist in {zone.key} (clocks jump forward); pick another time")
    return aware


# Date and time fields: how each is read from text, and what the error says to write instead.
_MOMENTS: dict[type, tuple[Callable[[str, ZoneInfo | None], Any], str]] = {
    dt.datetime: (_parse_local_datetime, "a date and time; expected a local time like 2027-01-16 08:00"),
    dt.date: (lambda text, _zone: _parse_date(text), "a date; expected a date like 2027-01-29"),
    dt.time: (lambda text, _zone: _parse_time(text), "a time; expected a time like 09:00 (in quotes)"),
}


# -- schema-driven normalisation ----------------------------------------------------


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be (a typo or a shortened key), or None.

    Plain edit similarity, not rapidfuzz's default WRatio: that one scores any short
    word found inside a long choice highly ("a" -> "changes").
    """
    options = list(choices)
    if not options:
        return None
    best = fuzz_process.extractOne(word, options, scorer=fuzz.ratio, score_cutoff=70)
    if best:
        return str(best[0])
    folded = word.strip().casefold()
    if len(folded) >= 3:
        starts = [o for o in options if o.casefold().startswith(folded)]
        if len(starts) == 1:
            return starts[0]
    return None


def suggest(word: str, choices: Iterable[str]) -> str:
    best = closest(word, choices)
    return f" - did you mean {best!r}?" if best else ""


INVALID = object()


def _norm(value: Any, ann: Any, loc: Loc, ctx: ReadContext) -> Any:
    """Bring ``value`` to the shape pydantic expects for ``ann``; report what cannot be fixed."""
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)

    if origin is typing.Annotated:
        return _norm(value, args[0], loc, ctx)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        if value is None and len(non_none) < len(args):
            return None
        if len(non_none) == 1:
            return _norm(value, non_none[0], loc, ctx)
        return value
    if origin is tuple:
        if value is None:
            return []
        item = args[0] if args else Any
        single = isinstance(value, str | int | float) and not isinstance(value, bool)
        if single or (isinstance(value, dict) and isinstance(item, type) and issubclass(item, BaseModel)):
            value = [value]  # a single item written without the list around it
        if not isinstance(value, list):
            ctx.error(loc, f"expected a list, got {type_name(value)}")
            return INVALID
        out = []
        for i, v in enumerate(value):
            nv = _norm(v, item, (*loc, i), ctx)
            if nv is not INVALID:
                out.append(nv)
        return out
    if origin is dict:
        if not isinstance(value, dict):
            ctx.error(loc, f"expected a mapping, got {type_name(value)}")
            return INVALID
        key_ann, val_ann = args
        out_d = {}
        for k, v in value.items():
            nk = _norm(k, key_ann, (*loc, k), ctx)
            if nk is INVALID:
                continue
            nv = _norm(v, val_ann, (*loc, k), ctx)
            if nv is not INVALID:
                out_d[nk] = nv
        return out_d
    if origin is Literal:
        choices = [str(a) for a in args]
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        ctx.error(
            loc,
            f"{_show(value, loc, ctx)} is not allowed; use one of {', '.join(choices)}" + suggest(str(value), choices),
        )
        return INVALID
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        choices = [m.value for m in ann]
        if isinstance(value, str):
            for c in choices:
                if value.strip().casefold() == str(c).casefold():
                    return c
        ctx.error(
            loc,
            f"{_show(value, loc, ctx)} is not allowed; use one of {', '.join(map(str, choices))}"
            + suggest(str(value), map(str, choices)),
        )
        return INVALID
    if ann is Duration:
        if isinstance(value, str):
            try:
                return parse_duration(value).model_dump()
            except ValueError as exc:
                ctx.error(loc, str(exc))
                return INVALID
        if isinstance(value, dict):
            return normalise_model(value, Duration, loc, ctx)
        ctx.error(loc, f"{_show(value, loc, ctx)} is not a duration; {_DURATION_HINT}")
        return INVALID
    if ann is ChannelRef:
        if isinstance(value, str):
            team, sep, channel = value.partition("/")
            if not sep or not team.strip() or not channel.strip():
                ctx.error(loc, f'{value!r} is not a channel; write it as "Team / Channel", e.g. "IT / Service Desk"')
                return INVALID
            return {"team": team.strip(), "channel": channel.strip()}
        return normalise_model(value, ChannelRef, loc, ctx)
    if ann is ReadOnlyFrom and isinstance(value, str):
        if value.strip().casefold() == "never":
            return None
        ctx.error(
            loc,
            f"{_show(value, loc, ctx)} is not a read-only moment; write never, {{cutover: start}}, "
            '{days: -1, at: "17:30"} or {on: "2027-03-19 17:30"}',
        )
        return INVALID
    # desk (begin): hours: always | business, cutover: window
    if ann is WorkingHours and isinstance(value, str):
        word = value.strip().casefold()
        if word in ("always", "business"):
            return {"always": True} if word == "always" else None
        ctx.error(
            loc,
            f"{_show(value, loc, ctx)} is not hours; write always (round the clock), business (the Service "
            "Desk's hours) or {time_zone: Europe/Lisbon, weekly: [...]}" + suggest(value, ["always", "business"]),
        )
        return INVALID
    if ann is CutoverCover and isinstance(value, str):
        if value.strip().casefold() == "window":
            return {"from": {"cutover": "start"}, "to": {"cutover": "end"}}
        ctx.error(
            loc,
            f"{_show(value, loc, ctx)} is not cutover cover; write window, or "
            '{from: {days: -1, at: "18:00"}, to: {days: 2, at: "08:00"}}',
        )
        return INVALID
    # desk (end)
    if ann is Contact:
        if isinstance(value, str):
            return {"person": value.strip()}
        return normalise_model(value, Contact, loc, ctx)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return normalise_model(value, ann, loc, ctx)
    if ann in _MOMENTS:
        parse, expected = _MOMENTS[ann]
        if isinstance(value, str):
            try:
                return parse(value, ctx.zone_at(loc))
            except ValueError as exc:
                ctx.error(loc, str(exc))
                return INVALID
        ctx.error(loc, f"{_show(value, loc, ctx)} is not {expected}")
        return INVALID
    if ann is str:
        if isinstance(value, str):
            return value
        raw = ctx.raw_text(loc)
        if value is not None and not isinstance(value, dict | list) and raw is not None:
            # YAML read `no`, `on` or `1.0` as a boolean or number; the author meant the text.
            return raw
        ctx.error(loc, f"expected text, got {type_name(value)}")
        return INVALID
    if ann is bool:
        if isinstance(value, bool):
            return value
        ctx.error(loc, f"{_show(value, loc, ctx)} is not true or false")
        return INVALID
    if ann is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        ctx.error(loc, f"{_show(value, loc, ctx)} is not a whole number")
        return INVALID
    return value


def _show(value: Any, loc: Loc, ctx: ReadContext) -> str:
    raw = ctx.raw_text(loc)
    return repr(raw) if raw is not None else type_name(value)


def normalise_model(value: Any, model: type[BaseModel], loc: Loc, ctx: ReadContext) -> Any:
    if not isinstance(value, dict):
        ctx.error(loc, f"expected a mapping with {', '.join(_required(model)) or 'fields'}, got {type_name(value)}")
        return INVALID
    # A field written under another name in YAML (``from``, a Python word) is known by that name.
    fields = {f.alias or name: f for name, f in model.model_fields.items()}
    out = {}
    for k, v in value.items():
        if k not in fields:
            best = closest(str(k), fields)
            if best:
                ctx.error((*loc, k), f"unknown field {k!r} - did you mean {best!r}?")
                if best not in value:
                    # A misspelt required field is one mistake, not two: skip "missing" for it.
                    ctx.bad.add((*loc, best))
            else:
                ctx.error((*loc, k), f"unknown field {k!r}; allowed here: {', '.join(fields)}")
            continue
        nv = _norm(v, fields[k].annotation, (*loc, k), ctx)
        if nv is not INVALID:
            out[k] = nv
        elif fields[k].is_required():
            out[k] = _INVALID_MARKER
    return out


# A required field that failed normalisation: keeps pydantic from reporting it "missing" as well.
_INVALID_MARKER = None


def _required(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items() if f.is_required()]


# -- reshaping the comfortable forms ----------------------------------------------


def keyed_to_list(data: dict[str, Any], field: str, key_name: str, ctx: ReadContext, at: Loc = ()) -> None:
    """``people: {dana.whitfield: {...}}`` -> ``people: [{key: dana.whitfield, ...}]``.

    ``at`` is where ``data`` stands in the file (an area's ``service_levels``: ``("areas", 2)``).
    """
    value = data.get(field)
    if not isinstance(value, dict):
        return
    items = []
    for i, (k, v) in enumerate(value.items()):
        ctx.alias[(*at, field, i)] = (*at, field, k)
        if v is None:
            v = {}
        if isinstance(v, dict):
            if key_name in v and v[key_name] != k:
                ctx.error(
                    (*at, field, i, key_name),
                    f"{key_name} {v[key_name]!r} differs from the entry's name {k!r}; leave it out",
                )
            v = {**v, key_name: k}
            mark = ctx.marks.get((*at, field, k))
            if mark is not None:
                ctx.marks.setdefault((*at, field, k, key_name), mark)
        items.append(v)
    data[field] = items
