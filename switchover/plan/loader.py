"""Load a migration plan from YAML, with errors a project lead can act on.

The YAML file mirrors :mod:`switchover.plan.model` field for field, with a few
comforts for the people who edit it by hand:

- ``people`` may be a mapping keyed by the person's key (``dana.whitfield: {name: ...}``);
- ``service_levels`` may be a mapping keyed by priority (``P1: {acknowledge_within: ...}``);
- durations are text: ``15 minutes``, ``2 hours``, ``4 business hours``, ``1 business day``;
- datetimes are local times in ``organisation.time_zone``: ``2027-01-16 08:00``;
  times are ``09:00``, dates ``2027-01-29``;
- a contact is a person key (``owner: luis.ortega``) or a channel
  (``owner: {channel: "Fabrikam IT / Service Desk"}``); a channel may be written
  ``"Team / Channel"`` anywhere a channel is expected.

Every problem found is reported at once in a :class:`PlanError`, each with the
file, line, column, the field path (``waves[2].cutover.start``), what is wrong and
how to fix it.

The file is read with PyYAML's safe composer only (no Python tags); the node tree
keeps each value's position, which is how pydantic's error locations are mapped
back to lines.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz
from rapidfuzz import process as fuzz_process

from switchover.plan.model import (
    ChannelRef,
    Contact,
    Duration,
    Impact,
    Plan,
    Priority,
    Urgency,
)

__all__ = ["PlanError", "PlanIssue", "closest", "load_plan", "parse_duration", "parse_plan"]

Loc = tuple[str | int, ...]

# libyaml when present: the pure-Python scanner takes a third of a second on a real plan.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Guards against alias bombs ("billion laughs"): a real plan has a few thousand nodes.
_MAX_NODES = 50_000


@dataclass(frozen=True, slots=True)
class PlanIssue:
    """One thing wrong with a plan file.

    Attributes:
        source: the file name (or ``<string>``).
        line: 1-based line, or None when the problem is about the whole file.
        column: 1-based column, or None.
        field: the field path, e.g. ``waves[2].cutover.start`` (empty for the file itself).
        message: what is wrong and how to fix it.
    """

    source: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PlanError(ValueError):
    """A plan file that cannot be used; ``errors`` lists every problem found, in file order."""

    def __init__(self, errors: Iterable[PlanIssue]) -> None:
        self.errors: list[PlanIssue] = sorted(errors, key=lambda e: (e.line or 0, e.column or 0))
        count = len(self.errors)
        head = f"{count} problem{'s' if count != 1 else ''} in the plan:"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


# ---------------------------------------------------------------------------
# Text formats for durations, times, dates and datetimes


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


# ---------------------------------------------------------------------------
# YAML nodes -> plain data with positions


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source
        self.marks: dict[Loc, yaml.Mark] = {}
        self.raw: dict[Loc, str] = {}  # original text of scalars, for str fields YAML typed otherwise
        self.alias: dict[Loc, Loc] = {}  # model location prefix -> YAML location prefix (reshaped mappings)
        self.issues: list[PlanIssue] = []
        self.bad: set[Loc] = set()  # locations already reported, so pydantic does not repeat them
        self.zone: ZoneInfo | None = None
        self.nodes = 0

    # -- positions ----------------------------------------------------------

    def _yaml_loc(self, loc: Loc) -> Loc:
        for n in range(len(loc), 0, -1):
            prefix = loc[:n]
            if prefix in self.alias:
                return self.alias[prefix] + loc[n:]
        return loc

    def mark_for(self, loc: Loc) -> yaml.Mark | None:
        yloc = self._yaml_loc(loc)
        for n in range(len(yloc), -1, -1):
            mark = self.marks.get(yloc[:n])
            if mark is not None:
                return mark
        return None

    def raw_text(self, loc: Loc) -> str | None:
        return self.raw.get(self._yaml_loc(loc))

    def error(self, loc: Loc, message: str, mark: yaml.Mark | None = None) -> None:
        mark = mark or self.mark_for(loc)
        self.issues.append(
            PlanIssue(
                source=self.source,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                field=format_loc(self._yaml_loc(loc)),
                message=message,
            )
        )
        self.bad.add(loc)

    def reported(self, loc: Loc) -> bool:
        return any(loc[: len(b)] == b for b in self.bad)


def format_loc(loc: Loc) -> str:
    """``("waves", 2, "cutover", "start")`` -> ``waves[2].cutover.start``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _IDENT.match(str(part)):
            out += f"[{str(part)!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


_STR_TAG = "tag:yaml.org,2002:str"


def _to_data(node: yaml.Node, loc: Loc, ctx: _Ctx, stack: set[int]) -> Any:
    ctx.nodes += 1
    if ctx.nodes > _MAX_NODES:
        raise _TooBig
    ctx.marks.setdefault(loc, node.start_mark)
    if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.startswith("tag:yaml.org,2002:python/"):
        # Safe loading ignores such tags anyway; saying so beats silently dropping what the author meant.
        ctx.error(loc, f"YAML tags like {node.tag!r} are not allowed in a plan; remove the tag")
        return None
    if isinstance(node, yaml.ScalarNode):
        ctx.raw[loc] = node.value
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return node.value.lower() in ("yes", "true", "on", "y")
        if tag == "tag:yaml.org,2002:int":
            # "10:00" is a base-60 integer in YAML 1.1; people mean a time.
            if ":" in node.value:
                return node.value
            try:
                return int(node.value.replace("_", ""), 0)
            except ValueError:
                return node.value
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(node.value.replace("_", ""))
            except ValueError:
                return node.value
        # Timestamps stay text: dates and local times are read in the plan's own time zone.
        return node.value
    if id(node) in stack:
        ctx.error(loc, "an alias refers to itself; remove the recursive anchor")
        return None
    stack.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            return [_to_data(child, (*loc, i), ctx, stack) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    ctx.marks.setdefault((*loc, "<<"), key_node.start_mark)
                    ctx.error((*loc, "<<"), "merge keys (<<) are not supported; write the fields out")
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    ctx.marks.setdefault((*loc, "?"), key_node.start_mark)
                    ctx.error((*loc, "?"), "a key must be plain text, not a list or mapping")
                    continue
                key = key_node.value
                if key in out:
                    first = ctx.marks.get((*loc, key))
                    where = f" (first at line {first.line + 1})" if first else ""
                    ctx.error((*loc, key), f"duplicate key {key!r}{where}; keep only one", mark=key_node.start_mark)
                    continue
                ctx.marks[(*loc, key)] = key_node.start_mark
                out[key] = _to_data(value_node, (*loc, key), ctx, stack)
            return out
    finally:
        stack.discard(id(node))
    return None  # pragma: no cover - composer only yields the three node kinds


class _TooBig(Exception):
    pass


# ---------------------------------------------------------------------------
# Schema-driven normalisation: human forms -> model forms, with friendly errors


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


def _suggest(word: str, choices: Iterable[str]) -> str:
    best = closest(word, choices)
    return f" - did you mean {best!r}?" if best else ""


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "text"


_INVALID = object()


def _norm(value: Any, ann: Any, loc: Loc, ctx: _Ctx) -> Any:
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
            ctx.error(loc, f"expected a list, got {_type_name(value)}")
            return _INVALID
        out = []
        for i, v in enumerate(value):
            nv = _norm(v, item, (*loc, i), ctx)
            if nv is not _INVALID:
                out.append(nv)
        return out
    if origin is dict:
        if not isinstance(value, dict):
            ctx.error(loc, f"expected a mapping, got {_type_name(value)}")
            return _INVALID
        key_ann, val_ann = args
        out_d = {}
        for k, v in value.items():
            nk = _norm(k, key_ann, (*loc, k), ctx)
            if nk is _INVALID:
                continue
            nv = _norm(v, val_ann, (*loc, k), ctx)
            if nv is not _INVALID:
                out_d[nk] = nv
        return out_d
    if origin is Literal:
        choices = [str(a) for a in args]
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        ctx.error(
            loc,
            f"{_show(value, loc, ctx)} is not allowed; use one of {', '.join(choices)}" + _suggest(str(value), choices),
        )
        return _INVALID
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        choices = [m.value for m in ann]
        if isinstance(value, str):
            for c in choices:
                if value.strip().casefold() == str(c).casefold():
                    return c
        ctx.error(
            loc,
            f"{_show(value, loc, ctx)} is not allowed; use one of {', '.join(map(str, choices))}"
            + _suggest(str(value), map(str, choices)),
        )
        return _INVALID
    if ann is Duration:
        if isinstance(value, str):
            try:
                return parse_duration(value).model_dump()
            except ValueError as exc:
                ctx.error(loc, str(exc))
                return _INVALID
        if isinstance(value, dict):
            return _norm_model(value, Duration, loc, ctx)
        ctx.error(loc, f"{_show(value, loc, ctx)} is not a duration; {_DURATION_HINT}")
        return _INVALID
    if ann is ChannelRef:
        if isinstance(value, str):
            team, sep, channel = value.partition("/")
            if not sep or not team.strip() or not channel.strip():
                ctx.error(
                    loc, f'{value!r} is not a channel; write it as "Team / Channel", e.g. "Fabrikam IT / Service Desk"'
                )
                return _INVALID
            return {"team": team.strip(), "channel": channel.strip()}
        return _norm_model(value, ChannelRef, loc, ctx)
    if ann is Contact:
        if isinstance(value, str):
            return {"person": value.strip()}
        return _norm_model(value, Contact, loc, ctx)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return _norm_model(value, ann, loc, ctx)
    if ann is dt.datetime:
        if isinstance(value, str):
            try:
                return _parse_local_datetime(value, ctx.zone)
            except ValueError as exc:
                ctx.error(loc, str(exc))
                return _INVALID
        ctx.error(loc, f"{_show(value, loc, ctx)} is not a date and time; expected a local time like 2027-01-16 08:00")
        return _INVALID
    if ann is dt.date:
        if isinstance(value, str):
            try:
                return _parse_date(value)
            except ValueError as exc:
                ctx.error(loc, str(exc))
                return _INVALID
        ctx.error(loc, f"{_show(value, loc, ctx)} is not a date; expected a date like 2027-01-29")
        return _INVALID
    if ann is dt.time:
        if isinstance(value, str):
            try:
                return _parse_time(value)
            except ValueError as exc:
                ctx.error(loc, str(exc))
                return _INVALID
        ctx.error(loc, f"{_show(value, loc, ctx)} is not a time; expected a time like 09:00 (in quotes)")
        return _INVALID
    if ann is str:
        if isinstance(value, str):
            return value
        raw = ctx.raw_text(loc)
        if value is not None and not isinstance(value, dict | list) and raw is not None:
            # YAML read `no`, `on` or `1.0` as a boolean or number; the author meant the text.
            return raw
        ctx.error(loc, f"expected text, got {_type_name(value)}")
        return _INVALID
    if ann is bool:
        if isinstance(value, bool):
            return value
        ctx.error(loc, f"{_show(value, loc, ctx)} is not true or false")
        return _INVALID
    if ann is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        ctx.error(loc, f"{_show(value, loc, ctx)} is not a whole number")
        return _INVALID
    return value


def _show(value: Any, loc: Loc, ctx: _Ctx) -> str:
    raw = ctx.raw_text(loc)
    return repr(raw) if raw is not None else _type_name(value)


def _norm_model(value: Any, model: type[BaseModel], loc: Loc, ctx: _Ctx) -> Any:
    if not isinstance(value, dict):
        ctx.error(loc, f"expected a mapping with {', '.join(_required(model)) or 'fields'}, got {_type_name(value)}")
        return _INVALID
    fields = model.model_fields
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
        if nv is not _INVALID:
            out[k] = nv
        elif fields[k].is_required():
            out[k] = _INVALID_MARKER
    return out


# A required field that failed normalisation: keeps pydantic from reporting it "missing" as well.
_INVALID_MARKER = None


def _required(model: type[BaseModel]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.is_required()]


# ---------------------------------------------------------------------------
# Reshaping the comfortable forms


def _keyed_to_list(data: dict[str, Any], field: str, key_name: str, ctx: _Ctx) -> None:
    """``people: {dana.whitfield: {...}}`` -> ``people: [{key: dana.whitfield, ...}]``."""
    value = data.get(field)
    if not isinstance(value, dict):
        return
    items = []
    for i, (k, v) in enumerate(value.items()):
        ctx.alias[(field, i)] = (field, k)
        if v is None:
            v = {}
        if isinstance(v, dict):
            if key_name in v and v[key_name] != k:
                ctx.error(
                    (field, i, key_name),
                    f"{key_name} {v[key_name]!r} differs from the entry's name {k!r}; leave it out",
                )
            v = {**v, key_name: k}
            mark = ctx.marks.get((field, k))
            if mark is not None:
                ctx.marks.setdefault((field, k, key_name), mark)
        items.append(v)
    data[field] = items


# ---------------------------------------------------------------------------
# Cross-reference checks


_PRIORITIES = [p.value for p in Priority]


def _items(data: dict[str, Any], field: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(field)
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def _cross_check(data: dict[str, Any], ctx: _Ctx) -> None:
    people: set[str] = {p["key"] for _, p in _items(data, "people") if isinstance(p.get("key"), str)}
    waves: set[str] = {w["key"] for _, w in _items(data, "waves") if isinstance(w.get("key"), str)}

    def person_ref(key: Any, loc: Loc) -> None:
        if isinstance(key, str) and key not in people and not ctx.reported(loc):
            ctx.error(
                loc,
                f"unknown person {key!r}"
                + (_suggest(key, people) or f"; add them under people (known: {', '.join(sorted(people)) or 'none'})"),
            )

    def wave_ref(key: Any, loc: Loc) -> None:
        if isinstance(key, str) and key not in waves and not ctx.reported(loc):
            ctx.error(
                loc,
                f"unknown wave {key!r}"
                + (_suggest(key, waves) or f"; known waves: {', '.join(sorted(waves)) or 'none'}"),
            )

    # Duplicate keys among list items.
    for field in ("people", "waves", "areas", "calendar", "faq"):
        seen: dict[Any, int] = {}
        for i, item in _items(data, field):
            key = item.get("key")
            if isinstance(key, str):
                if key in seen:
                    ctx.error(
                        (field, i, "key"), f"{key!r} is used twice (also {field}[{seen[key]}]); keys must be unique"
                    )
                else:
                    seen[key] = i

    leads = data.get("project_leads")
    if isinstance(leads, list):
        if not leads and not ctx.reported(("project_leads",)):
            ctx.error(("project_leads",), "name at least one project lead (a person key)")
        for i, k in enumerate(leads):
            person_ref(k, ("project_leads", i))
    person_ref(data.get("sponsor"), ("sponsor",))
    desk = data.get("service_desk")
    if isinstance(desk, dict) and isinstance(desk.get("members"), list):
        for i, k in enumerate(desk["members"]):
            person_ref(k, ("service_desk", "members", i))

    # Areas: contacts and the single catch-all.
    catch_alls = []
    for i, area in _items(data, "areas"):
        for role in ("owner", "backup"):
            contact = area.get(role)
            if isinstance(contact, dict):
                has_person, has_channel = contact.get("person") is not None, contact.get("channel") is not None
                if has_person == has_channel and not ctx.reported(("areas", i, role)):
                    ctx.error(
                        ("areas", i, role),
                        'a contact is either a person key or {channel: "Team / Channel"}, not both and not neither',
                    )
                person_ref(contact.get("person"), ("areas", i, role, "person"))
        if area.get("catch_all") is True:
            catch_alls.append(i)
    if isinstance(data.get("areas"), list) and not ctx.reported(("areas",)):
        if not catch_alls:
            ctx.error(
                ("areas",), 'no catch-all area; mark exactly one area (e.g. "Anything else") with catch_all: true'
            )
        for i in catch_alls[1:]:
            ctx.error(
                ("areas", i, "catch_all"),
                f"more than one catch-all area (first is areas[{catch_alls[0]}]); keep catch_all: true on one only",
            )

    # Waves: unique numbers, windows in order.
    numbers: dict[int, int] = {}
    for i, wave in _items(data, "waves"):
        n = wave.get("number")
        if isinstance(n, int) and not isinstance(n, bool):
            if n in numbers:
                ctx.error(
                    ("waves", i, "number"),
                    f"wave number {n} is also used by waves[{numbers[n]}]; wave numbers must be unique",
                )
            else:
                numbers[n] = i
        cutover = wave.get("cutover")
        if isinstance(cutover, dict):
            start, end = cutover.get("start"), cutover.get("end")
            if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
                if end <= start:
                    ctx.error(
                        ("waves", i, "cutover", "end"),
                        f"cutover ends ({end:%Y-%m-%d %H:%M}) before it starts "
                        f"({start:%Y-%m-%d %H:%M}); the end must be later than the start",
                    )
                hypercare = wave.get("hypercare_until")
                if isinstance(hypercare, dt.date) and hypercare < end.date():
                    ctx.error(
                        ("waves", i, "hypercare_until"),
                        f"hypercare ends {hypercare} before the cutover "
                        f"finishes ({end:%Y-%m-%d}); hypercare must end after the cutover",
                    )
    if isinstance(data.get("waves"), list) and not data["waves"] and not ctx.reported(("waves",)):
        ctx.error(("waves",), "the plan has no waves; add at least one")

    _check_calendar(data, ctx)
    _check_hours(data, ctx)

    for i, champ in _items(data, "champions"):
        wave_ref(champ.get("wave"), ("champions", i, "wave"))
    for i, exc in _items(data, "exceptions"):
        wave_ref(exc.get("to_wave"), ("exceptions", i, "to_wave"))
        wave_ref(exc.get("from_wave"), ("exceptions", i, "from_wave"))
        if exc.get("kind") == "move" and exc.get("to_wave") is None and not ctx.reported(("exceptions", i)):
            ctx.error(("exceptions", i), "a move needs to_wave: the wave key the person moves to")
    users: dict[str, Loc] = {}
    for field in ("champions", "exceptions"):
        for i, item in _items(data, field):
            upn = item.get("user")
            if isinstance(upn, str):
                if upn.casefold() in users:
                    ctx.error(
                        (field, i, "user"),
                        f"{upn!r} also appears at {format_loc(users[upn.casefold()])}; "
                        "a person can have one champion or exception entry",
                    )
                else:
                    users[upn.casefold()] = (field, i)

    # Service levels: exactly P1..P4.
    levels = _items(data, "service_levels")
    if isinstance(data.get("service_levels"), list) and not ctx.reported(("service_levels",)):
        seen_p: dict[str, int] = {}
        for i, sl in levels:
            p = sl.get("priority")
            if isinstance(p, str):
                if p in seen_p:
                    ctx.error(("service_levels", i, "priority"), f"{p} has two service levels; keep one")
                seen_p[p] = i
        missing = [p for p in _PRIORITIES if p not in seen_p]
        if missing:
            ctx.error(
                ("service_levels",),
                f"no service level for {', '.join(missing)}; define one for each of " + ", ".join(_PRIORITIES),
            )

    matrix = data.get("priority_matrix")
    if isinstance(matrix, dict) and not ctx.reported(("priority_matrix",)):
        for impact in Impact:
            row = matrix.get(impact)
            if not isinstance(row, dict):
                if not ctx.reported(("priority_matrix", impact.value)):
                    ctx.error(
                        ("priority_matrix",),
                        f"missing impact row {impact.value!r}; the matrix needs rows "
                        f"{', '.join(i.value for i in Impact)}",
                    )
                continue
            absent = [u.value for u in Urgency if u not in row]
            if absent and not ctx.reported(("priority_matrix", impact.value)):
                ctx.error(
                    ("priority_matrix", impact.value),
                    f"no priority for urgency {', '.join(absent)}; "
                    f"each row needs {', '.join(u.value for u in Urgency)}",
                )


def _check_calendar(data: dict[str, Any], ctx: _Ctx) -> None:
    for i, message in _items(data, "calendar"):
        timing = message.get("timing")
        loc: Loc = ("calendar", i, "timing")
        if isinstance(timing, dict) and not ctx.reported(loc):
            relative = timing.get("days") is not None or timing.get("at") is not None
            modes = [relative, timing.get("cutover") is not None, timing.get("manual") is True]
            if sum(modes) != 1:
                ctx.error(
                    loc,
                    'give exactly one of: days and at (e.g. {days: -7, at: "09:00"}), '
                    "cutover: start|end, or manual: true",
                )
            elif relative and (timing.get("days") is None or timing.get("at") is None):
                missing = "at" if timing.get("at") is None else "days"
                ctx.error(
                    loc,
                    f"missing {missing!r}: a relative timing needs both days (from the cutover day) "
                    'and at (local time), e.g. {days: -7, at: "09:00"}',
                )
        buttons = message.get("buttons")
        if isinstance(buttons, list):
            for j, button in enumerate(buttons):
                if isinstance(button, dict) and button.get("action") == "open_url" and not button.get("url"):
                    ctx.error(("calendar", i, "buttons", j), "an open_url button needs a url")


def _check_hours(data: dict[str, Any], ctx: _Ctx) -> None:
    hours = data.get("business_hours")
    if not isinstance(hours, dict):
        return
    ranges: list[tuple[Loc, Any]] = [(("business_hours", "weekly", i), r) for i, r in _items(hours, "weekly")]
    if isinstance(hours.get("cutover_weekends"), dict):
        ranges.append((("business_hours", "cutover_weekends"), hours["cutover_weekends"]))
    for loc, r in ranges:
        start, end = r.get("start"), r.get("end")
        if isinstance(start, dt.time) and isinstance(end, dt.time) and end <= start:
            ctx.error(
                (*loc, "end"),
                f"ends at {end:%H:%M}, not after it starts ({start:%H:%M}); hours must end later the same day",
            )


# ---------------------------------------------------------------------------
# pydantic errors -> issues


def _pydantic_issues(exc: ValidationError, ctx: _Ctx) -> None:
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if ctx.reported(loc):
            continue
        kind = err["type"]
        if kind == "missing":
            message = f"missing required field {loc[-1]!r}" if loc else "missing required field"
        else:
            message = err["msg"]
            if isinstance(err.get("input"), str | int | float):
                message = f"{err['input']!r}: {message}"
        # Point "missing" at the mapping that lacks the field, named by the field's path.
        ctx.error(loc, message)


# ---------------------------------------------------------------------------
# Entry points


def _zone_hint(name: str) -> str:
    zones = available_timezones()
    best = closest(name, zones)
    if best is None:
        # "Los_Angles" alone: compare with the city part of each zone name.
        by_city = {z.rsplit("/", 1)[-1]: z for z in sorted(zones)}
        city = closest(name.rsplit("/", 1)[-1], by_city)
        best = by_city[city] if city else None
    return f" - did you mean {best!r}?" if best else "; use an IANA name like America/Los_Angeles"


def parse_plan(text: str, source: str = "<string>") -> Plan:
    """Parse a plan from YAML text.

    Args:
        text: the YAML document.
        source: the file name to show in errors.

    Raises:
        PlanError: listing every problem found.
    """
    ctx = _Ctx(source)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}, {problem}"
        raise PlanError(
            [
                PlanIssue(
                    source,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    "",
                    f"not valid YAML: {problem}",
                )
            ]
        ) from None
    except (yaml.YAMLError, ValueError) as exc:  # ReaderError (control characters) and friends
        raise PlanError([PlanIssue(source, None, None, "", f"not valid YAML: {exc}")]) from None
    if root is None:
        raise PlanError([PlanIssue(source, None, None, "", "the file is empty; a plan starts with organisation:")])
    try:
        data = _to_data(root, (), ctx, set())
    except _TooBig:
        raise PlanError(
            [PlanIssue(source, None, None, "", "the file expands to too many values (alias loop?)")]
        ) from None
    if not isinstance(data, dict):
        mark = root.start_mark
        raise PlanError(
            [
                PlanIssue(
                    source,
                    mark.line + 1,
                    mark.column + 1,
                    "",
                    f"a plan is a mapping of sections (organisation:, people:, waves: ...), not {_type_name(data)}",
                )
            ]
        )

    # The time zone first: every datetime in the file is read in it.
    org = data.get("organisation")
    if isinstance(org, dict) and isinstance(org.get("time_zone"), str):
        name = org["time_zone"].strip()
        try:
            ctx.zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.error(("organisation", "time_zone"), f"unknown time zone {name!r}" + _zone_hint(name))

    _keyed_to_list(data, "people", "key", ctx)
    _keyed_to_list(data, "service_levels", "priority", ctx)
    normalised = _norm_model(data, Plan, (), ctx)
    if normalised is _INVALID:  # pragma: no cover - data is a dict here
        raise PlanError(ctx.issues)
    _cross_check(normalised, ctx)
    try:
        plan = Plan.model_validate(normalised)
    except ValidationError as exc:
        _pydantic_issues(exc, ctx)
        plan = None
    if ctx.issues or plan is None:
        raise PlanError(ctx.issues)
    return plan


def load_plan(path: str | Path) -> Plan:
    """Load and check a plan file (synchronous file IO: call via ``asyncio.to_thread`` from async code).

    Raises:
        PlanError: listing every problem found, or that the file cannot be read.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanError([PlanIssue(str(p), None, None, "", f"cannot read the plan: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        raise PlanError(
            [PlanIssue(str(p), None, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
        ) from None
    return parse_plan(text, source=str(p))
