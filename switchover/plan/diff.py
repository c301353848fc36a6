"""What a new version of the plan would change, before it is applied.

:func:`diff_plans` compares two loaded plans and says, section by section, what differs:
organisation settings, waves (title, cutover window, zone, hypercare, membership rules),
people who would change wave, owners and backups of areas, service levels, the calendar
and, per wave, which pending sends would move, be added or be cancelled; the FAQ,
Service Desks, sites, aliases, digest, readiness checks and the rest.

It is pure: no database, no files, no clock. Whatever else it needs is passed in:
the people whose wave changes (:func:`switchover.membership.people_moved` computes them
from the directory's users; this package cannot ask the directory itself), the
announcement ids already sent and the current time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from switchover.plan.model import (
    Area,
    Audience,
    CalendarMessage,
    ChannelRef,
    Contact,
    Duration,
    EscalationStep,
    HoursRange,
    MembershipRule,
    MessageTiming,
    Plan,
    Wave,
)
from switchover.plan.timing import message_time
from switchover.timefmt import format_moment, format_short_day, format_window

__all__ = ["Change", "ChangeKind", "PersonMove", "PlanDiff", "diff_plans", "pending_sends"]

ChangeKind = Literal["added", "removed", "changed", "moved", "cancelled"]

T = TypeVar("T")

# Text renderings cut prose (an FAQ answer, a summary) to this many characters; as_json keeps it whole.
SHORT = 72
# The text rendering lists at most this many people per (old wave, new wave) pair; as_json lists all.
PEOPLE_SHOWN = 20


@dataclass(frozen=True, slots=True)
class PersonMove:
    """Someone in the directory whose wave differs between the two plans.

    Attributes:
        upn: their user principal name.
        name: their display name.
        old_wave: the wave key under the current plan (None: in no wave).
        new_wave: the wave key under the new plan (None: in no wave).
        reason: why they are where the new plan puts them ("in wave-3 by its membership rules").
    """

    upn: str
    name: str
    old_wave: str | None
    new_wave: str | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that would change.

    Attributes:
        subject: what changes, as the plan names it ("wave-3 cutover", "owner of Email", "wave-3/tomorrow").
        kind: added, removed, changed; for a pending send: moved, added or cancelled.
        old: the current value in words (None when added).
        new: the new value in words (None when removed or cancelled).
        data: machine-readable details for the API (ids, wave keys, ISO times).
    """

    subject: str
    kind: ChangeKind
    old: str | None = None
    new: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # Prose (an answer, a summary): cut to a short line in the text rendering, whole in the JSON.
    prose: bool = False

    def __str__(self) -> str:
        old, new = (_short(self.old), _short(self.new)) if self.prose else (self.old or "", self.new or "")
        if self.kind == "changed" and ("added_items" in self.data or "removed_items" in self.data):
            gone, came = self.data.get("removed_items") or [], self.data.get("added_items") or []
            cut = _short if self.prose else str
            edits = [f"adds {cut(', '.join(came))}"] if came else []
            edits += [f"drops {cut(', '.join(gone))}"] if gone else []
            return f"{self.subject}: {'; '.join(edits) or 'same items, new order'}"
        if self.kind == "changed" and self.data.get("stale"):
            what = ", ".join(self.data.get("fields") or ())
            return f"{self.subject}: not updated with its {what}: its readers would get the earlier words' translation"
        if self.kind == "changed":
            return f"{self.subject}: {old} -> {new}"
        if self.kind == "moved":
            return f"{self.subject}: moves {old} -> {new}"
        if self.kind == "added":
            return f"{self.subject}: added ({new})" if new else f"{self.subject}: added"
        if self.kind == "cancelled":
            return f"{self.subject}: cancelled (was {old})" if old else f"{self.subject}: cancelled"
        return f"{self.subject}: removed (was {old})" if old else f"{self.subject}: removed"

    def as_json(self) -> dict[str, Any]:
        """The change as JSON-ready values, with the full old and new text."""
        return {"subject": self.subject, "kind": self.kind, "old": self.old, "new": self.new, **self.data}


# Section headings in the text rendering, in PlanDiff field order.
HEADINGS = {
    "organisation": "Organisation",
    "waves": "Waves",
    "people": "People",
    "owners": "Owners, areas and service levels",
    "calendar": "Calendar",
    "sends": "Pending sends",
    "faq": "FAQ",
    "service_desk": "Service Desk",
    "sites": "Sites",
    "aliases": "Aliases",
    "digest": "Digest",
    "readiness": "Readiness checks",
    "other": "Other",
}


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """Everything a new plan would change, by section; each section in plan order.

    ``people`` holds the people who would change wave (``PersonMove`` in each change's ``data``)
    and the people the plan names (leads, owners, Service Desk staff) added, removed or changed.
    ``sends`` holds each wave's pending calendar sends that would move, be added or be cancelled.
    """

    organisation: tuple[Change, ...] = ()
    waves: tuple[Change, ...] = ()
    people: tuple[Change, ...] = ()
    owners: tuple[Change, ...] = ()
    calendar: tuple[Change, ...] = ()
    sends: tuple[Change, ...] = ()
    faq: tuple[Change, ...] = ()
    service_desk: tuple[Change, ...] = ()
    sites: tuple[Change, ...] = ()
    aliases: tuple[Change, ...] = ()
    digest: tuple[Change, ...] = ()
    readiness: tuple[Change, ...] = ()
    other: tuple[Change, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the new plan changes nothing."""
        return not any(self.sections().values())

    def sections(self) -> dict[str, tuple[Change, ...]]:
        """Every section by name (``organisation``, ``waves``, ...), in order, empty ones too."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __iter__(self) -> Iterator[Change]:
        for changes in self.sections().values():
            yield from changes

    def render(self) -> str:
        """Plain text for a terminal or a message: a heading per section that changes, one short
        line per change (people grouped by old and new wave, long groups cut), or ``no changes``."""
        if self.is_empty:
            return "no changes"
        out: list[str] = []
        for name, changes in self.sections().items():
            if not changes:
                continue
            out.append(HEADINGS[name])
            lines = _people_lines(changes) if name == "people" else [str(c) for c in changes]
            out += [f"  {line}" for line in lines]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()

    def as_json(self) -> dict[str, Any]:
        """JSON-ready: ``{"empty": bool, "sections": {name: [change, ...]}}`` (every section, empty ones too)."""
        return {
            "empty": self.is_empty,
            "sections": {name: [c.as_json() for c in changes] for name, changes in self.sections().items()},
        }


def _people_lines(changes: tuple[Change, ...]) -> list[str]:
    lines: list[str] = []
    shown: dict[tuple[str | None, str | None], int] = {}
    hidden: dict[tuple[str | None, str | None], int] = {}
    for c in changes:
        if "upn" not in c.data:
            lines.append(str(c))
            continue
        pair = (c.old, c.new)
        if shown.get(pair, 0) < PEOPLE_SHOWN:
            shown[pair] = shown.get(pair, 0) + 1
            lines.append(str(c))
        else:
            hidden[pair] = hidden.get(pair, 0) + 1
    for (old, new), n in hidden.items():
        lines.append(f"... and {n} more: {old} -> {new}")
    return lines


# -- words -------------------------------------------------------------------------------


def _short(text: str | None) -> str:
    if text is None:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 3].rstrip() + "..."


def _day(day: dt.date) -> str:
    return f"{format_short_day(day)} {day.year}"


def _timing(t: MessageTiming) -> str:
    if t.manual:
        return "sent by a lead"
    if t.cutover:
        return f"at cutover {t.cutover}"
    at = f"{t.at:%H:%M}" if t.at else "09:00"
    days = t.days or 0
    if days == 0:
        return f"cutover day at {at}"
    n = abs(days)
    return f"{n} day{'s' if n != 1 else ''} {'before' if days < 0 else 'after'} at {at}"


def words(value: Any) -> str:
    """A plan value as short words: ``15 minutes``, ``07:00``, ``Fri 12 Mar 2027``, a list with commas."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, dt.datetime):
        return format_moment(value, year=True)
    if isinstance(value, dt.date):
        return _day(value)
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, Duration | ChannelRef):
        return str(value)
    if isinstance(value, MessageTiming):
        return _timing(value)
    if isinstance(value, HoursRange):
        return f"{', '.join(value.days)} {value.start:%H:%M}-{value.end:%H:%M}"
    if isinstance(value, EscalationStep):
        return f"{value.to.value} after {value.after}"
    if isinstance(value, MembershipRule):
        return " and ".join(
            f"{name} {', '.join(vals)}"
            for name in ("departments", "offices", "cities", "groups", "countries")
            if (vals := getattr(value, name))
        )
    if isinstance(value, BaseModel):
        parts = []
        for name, info in type(value).model_fields.items():
            v = getattr(value, name)
            if v != info.get_default(call_default_factory=True):
                parts.append(f"{name.rstrip('_').replace('_', ' ')} {words(v)}")
        return ", ".join(parts) or "defaults"
    if isinstance(value, tuple | list):
        if not value:
            return "none"
        sep = ", " if all(isinstance(v, str | Enum) for v in value) else "; "
        return sep.join(words(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{words(k)}: {words(v)}" for k, v in value.items()) or "none"
    return str(value)


def _contact(plan: Plan, contact: Contact) -> str:
    if contact.channel is not None:
        return str(contact.channel)
    if contact.person is None:
        return "none"
    try:
        return plan.person(contact.person).name
    except KeyError:
        return contact.person


def _person_name(plan: Plan, key: str) -> str:
    try:
        return plan.person(key).name
    except KeyError:
        return key


def _wave_label(plan: Plan, key: str | None) -> str:
    if key is None:
        return "no wave"
    try:
        return f"Wave {plan.wave(key).number}"
    except KeyError:
        return key


def _window(plan: Plan, wave: Wave) -> str:
    zone = plan.zone_of(wave)
    start, end = wave.cutover.start.astimezone(zone), wave.cutover.end.astimezone(zone)
    return f"{format_short_day(start)} {start.year} {format_window(start, end)}"


# -- comparing -------------------------------------------------------------------------


# Fields whose values are sentences people read, rather than names, times or settings.
PROSE = frozenset({"question", "answer", "alternates", "summary", "points", "description", "reason", "note", "notes"})


def _value_change(subject: str, old: Any, new: Any, *, prose: bool = False) -> Change:
    """A changed value; a longer list of words says which items it gains and loses instead."""
    if (
        isinstance(old, tuple)
        and isinstance(new, tuple)
        and all(isinstance(v, str) for v in (*old, *new))
        and len(old) + len(new) > 6
    ):
        gone, came = [v for v in old if v not in new], [v for v in new if v not in old]
        return Change(
            subject, "changed", words(old), words(new), {"removed_items": gone, "added_items": came}, prose=prose
        )
    return Change(subject, "changed", words(old), words(new), prose=prose)


def _fields(subject: str, old: BaseModel, new: BaseModel, *, skip: Iterable[str] = ()) -> list[Change]:
    """Field by field: ``<subject> <field>: old -> new`` for each field that differs."""
    skipped = set(skip)
    out = []
    for name in type(old).model_fields:
        if name in skipped:
            continue
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            label = f"{subject} {name.rstrip('_').replace('_', ' ')}".strip()
            out.append(_value_change(label, a, b, prose=name in PROSE))
    return out


def _keyed(
    old: Iterable[T],
    new: Iterable[T],
    key: Callable[[T], Hashable],
    subject: Callable[[T], str],
    *,
    summary: Callable[[T], str | None] = lambda _: None,
    old_summary: Callable[[T], str | None] | None = None,
    changed: Callable[[T, T], list[Change]] | None = None,
) -> list[Change]:
    """Items matched by key: removed (old order), then added or changed (new order).

    ``summary`` says what an added item is (``old_summary``, if given, what a removed one was).
    """
    old_summary = old_summary or summary
    before = {key(i): i for i in old}
    after = {key(i): i for i in new}
    out: list[Change] = []
    for k, item in before.items():
        if k not in after:
            out.append(Change(subject(item), "removed", old_summary(item), prose=True))
    for k, item in after.items():
        if k not in before:
            out.append(Change(subject(item), "added", None, summary(item), prose=True))
        elif before[k] != item:
            out += changed(before[k], item) if changed is not None else _fields(subject(item), before[k], item)
    return out


def _translation_changes(subject: str, old: Any, new: Any) -> list[Change]:
    """A part's translations, language by language: ``<subject> (es): added (...)``, ``<subject> answer (es):
    old -> new``, ``<subject> (pl): removed (...)``; the language is in each change's ``data``."""
    out: list[Change] = []
    for lang in (*old, *(k for k in new if k not in old)):
        a, b = old.get(lang), new.get(lang)
        if a == b:
            continue
        data = {"language": lang}
        if a is None:
            out.append(Change(f"{subject} ({lang})", "added", None, words(b), data, prose=True))
        elif b is None:
            out.append(Change(f"{subject} ({lang})", "removed", words(a), None, data, prose=True))
        else:
            for change in _fields(subject, a, b):
                out.append(
                    Change(
                        f"{change.subject} ({lang})",
                        change.kind,
                        change.old,
                        change.new,
                        {**change.data, **data},
                        prose=change.prose,
                    )
                )
    return out


def _with_translations(subject: Callable[[Any], str], skip: Iterable[str] = ()) -> Callable[[Any, Any], list[Change]]:
    """A ``changed`` for :func:`_keyed`: field by field, the translations language by language."""

    def changed(a: Any, b: Any) -> list[Change]:
        out = _fields(subject(b), a, b, skip=(*skip, "translations"))
        out += _translation_changes(subject(b), a.translations, b.translations)
        return out + _stale_translations(subject(b), a, b)

    return changed


def _translatable(item: Any, name: str) -> Any:
    """The words of ``item``'s field ``name`` that a translation gives (a calendar message's button titles)."""
    value = getattr(item, name, None)
    if name == "buttons" and value is not None:
        return tuple(getattr(b, "title", b) for b in value)
    return value


def _stale_translations(subject: str, old: Any, new: Any) -> list[Change]:
    """Translations left as they were while the words they translate changed: ``<subject> (es): not
    updated with its title, summary`` (their readers would get a translation of the earlier words)."""
    out: list[Change] = []
    for lang, translation in new.translations.items():
        if old.translations.get(lang) != translation:
            continue
        fields = [
            name
            for name in type(translation).model_fields
            if getattr(translation, name) is not None and _translatable(old, name) != _translatable(new, name)
        ]
        if fields:
            data = {"language": lang, "stale": True, "fields": fields}
            out.append(Change(f"{subject} ({lang})", "changed", None, None, data))
    return out


def _model_or_none(subject: str, old: BaseModel | None, new: BaseModel | None) -> list[Change]:
    if old == new:
        return []
    if old is None:
        return [Change(subject, "added", None, words(new))]
    if new is None:
        return [Change(subject, "removed", words(old))]
    return _fields(subject, old, new)


# -- sections ----------------------------------------------------------------------------


def _wave_changes(old_plan: Plan, new_plan: Plan) -> list[Change]:
    def summary(plan: Plan) -> Callable[[Wave], str]:
        return lambda w: f"{w.plan_title}, {_window(plan, w)}"

    def changed(a: Wave, b: Wave) -> list[Change]:
        out = []
        if a.plan_title != b.plan_title:
            out.append(Change(f"{b.key} title", "changed", a.plan_title, b.plan_title))
        old_zone, new_zone = old_plan.zone_of(a), new_plan.zone_of(b)
        if a.cutover != b.cutover or old_zone != new_zone:
            old_w, new_w = _window(old_plan, a), _window(new_plan, b)
            if old_zone == new_zone:
                text = (old_w, f"{new_w} ({new_zone.key})")
            else:
                text = (f"{old_w} ({old_zone.key})", f"{new_w} ({new_zone.key})")
            out.append(
                Change(
                    f"{b.key} cutover",
                    "changed",
                    *text,
                    {
                        "wave": b.key,
                        "old_start": a.cutover.start.isoformat(),
                        "old_end": a.cutover.end.isoformat(),
                        "new_start": b.cutover.start.isoformat(),
                        "new_end": b.cutover.end.isoformat(),
                        "old_time_zone": old_zone.key,
                        "new_time_zone": new_zone.key,
                    },
                )
            )
        if a.hypercare_until != b.hypercare_until:
            out.append(Change(f"{b.key} hypercare until", "changed", _day(a.hypercare_until), _day(b.hypercare_until)))
        if a.include != b.include:
            out.append(Change(f"{b.key} membership rules", "changed", words(a.include), words(b.include)))
        if a.calendar != b.calendar:
            out += _keyed(
                a.calendar,
                b.calendar,
                lambda o: o.key,
                lambda o: f"{b.key} calendar {o.key}",
                summary=lambda o: o.title or "this wave's own wording",
            )
        if a.legacy != b.legacy:
            out += _keyed(a.legacy, b.legacy, lambda r: r.name.casefold(), lambda r: f"{b.key} legacy {r.name}")
        own = ("key", "number", "name", "cutover", "hypercare_until", "include", "calendar", "legacy", "translations")
        out += _fields(b.key, a, b, skip=own)
        out += _translation_changes(b.key, a.translations, b.translations)
        return out + _stale_translations(b.key, a, b)

    return _keyed(
        old_plan.waves,
        new_plan.waves,
        lambda w: w.key,
        lambda w: w.key,
        summary=summary(new_plan),
        old_summary=summary(old_plan),
        changed=changed,
    )


def _exception_changes(old: Plan, new: Plan) -> list[Change]:
    def exc_words(e: Any) -> str:
        what = f"move to {e.to_wave}" if e.kind.value == "move" else "excluded"
        return f"{what}: {e.reason}" if e.reason else what

    out = _keyed(
        old.exceptions,
        new.exceptions,
        lambda e: e.user.casefold(),
        lambda e: f"exception for {e.user}",
        summary=exc_words,
        changed=_with_translations(lambda e: f"exception for {e.user}"),
    )
    out += _keyed(
        old.champions,
        new.champions,
        lambda c: c.user.casefold(),
        lambda c: f"champion {c.user}",
        summary=lambda c: f"with {c.wave}" + (f" for {c.site}" if c.site else ""),
    )
    return out


def _people_changes(old: Plan, new: Plan, moves: Sequence[PersonMove]) -> list[Change]:
    out = [
        Change(
            m.upn,
            "changed",
            _wave_label(old, m.old_wave),
            _wave_label(new, m.new_wave),
            {"upn": m.upn, "name": m.name, "old_wave": m.old_wave, "new_wave": m.new_wave, "reason": m.reason},
        )
        for m in moves
    ]
    out += _keyed(
        old.people,
        new.people,
        lambda p: p.key,
        lambda p: f"person {p.key}",
        summary=lambda p: f"{p.name}, {p.upn}",
    )
    return out


def _owner_changes(old: Plan, new: Plan) -> list[Change]:
    def area_summary(plan: Plan) -> Callable[[Area], str]:
        return lambda a: f"{a.name}; owner {_contact(plan, a.owner)}, backup {_contact(plan, a.backup)}"

    def changed(a: Area, b: Area) -> list[Change]:
        out = []
        for role in ("owner", "backup"):
            was, now = _contact(old, getattr(a, role)), _contact(new, getattr(b, role))
            if was != now:
                out.append(Change(f"{role} of {b.name}", "changed", was, now, {"area": b.key, "role": role}))
        if a.service_levels != b.service_levels:
            out += _keyed(
                a.service_levels,
                b.service_levels,
                lambda s: s.priority,
                lambda s: f"area {b.key} {s.priority.value}",
                summary=words,
            )
        out += _fields(f"area {b.key}", a, b, skip=("key", "owner", "backup", "service_levels", "translations"))
        return out + _translation_changes(f"area {b.key}", a.translations, b.translations)

    out = []
    lead_names = [_person_name(old, k) for k in old.project_leads], [_person_name(new, k) for k in new.project_leads]
    if lead_names[0] != lead_names[1]:
        out.append(Change("project leads", "changed", words(tuple(lead_names[0])), words(tuple(lead_names[1]))))
    if _person_name(old, old.sponsor) != _person_name(new, new.sponsor):
        out.append(Change("sponsor", "changed", _person_name(old, old.sponsor), _person_name(new, new.sponsor)))
    out += _keyed(
        old.areas,
        new.areas,
        lambda a: a.key,
        lambda a: f"area {a.key}",
        summary=area_summary(new),
        old_summary=area_summary(old),
        changed=changed,
    )
    out += _keyed(
        old.service_levels,
        new.service_levels,
        lambda s: s.priority,
        lambda s: s.priority.value,
        summary=lambda s: f"acknowledge within {s.acknowledge_within}",
    )
    if old.priority_matrix != new.priority_matrix:
        for impact in sorted({*old.priority_matrix, *new.priority_matrix}):
            a, b = old.priority_matrix.get(impact, {}), new.priority_matrix.get(impact, {})
            for urgency in sorted({*a, *b}):
                if a.get(urgency) != b.get(urgency):
                    out.append(
                        Change(
                            f"priority of {impact.value} / {urgency.value}",
                            "changed",
                            words(a.get(urgency)),
                            words(b.get(urgency)),
                        )
                    )
    out += _model_or_none("major incident", old.major_incident, new.major_incident)
    out += _fields("business hours", old.business_hours, new.business_hours)
    return out


def _calendar_changes(old: Plan, new: Plan) -> list[Change]:
    return _keyed(
        old.calendar,
        new.calendar,
        lambda m: m.key,
        lambda m: f"calendar {m.key}",
        summary=lambda m: f"{m.title}, {_timing(m.timing)}",
        changed=_with_translations(lambda m: f"calendar {m.key}"),
    )


def pending_sends(plan: Plan) -> dict[str, tuple[Wave, CalendarMessage, dt.datetime | None]]:
    """Every calendar announcement the plan schedules, by id (``<wave>/<message>``, and
    ``<wave>/<message>@service-desk`` for the Service Desk's copy, ``...@leadership`` for the leads' and
    sponsor's), with its send time
    (None: sent by a lead), in wave then calendar order: as the announcements' calendar names them."""
    out: dict[str, tuple[Wave, CalendarMessage, dt.datetime | None]] = {}
    for wave in plan.waves:
        zone = plan.zone_of(wave)
        for message in plan.calendar_for(wave):
            when = message_time(wave.cutover, message, zone)
            ann_id = f"{wave.key}/{message.key}"
            if Audience.WAVE_USERS in message.to:
                out[ann_id] = (wave, message, when)
            if Audience.SERVICE_DESK in message.to:
                out[f"{ann_id}@service-desk"] = (wave, message, when)
            if Audience.PROJECT_LEADS in message.to or Audience.SPONSOR in message.to:
                out[f"{ann_id}@leadership"] = (wave, message, when)
    return out


def _send_changes(old: Plan, new: Plan, now: dt.datetime | None, sent: frozenset[str]) -> list[Change]:
    before, after = pending_sends(old), pending_sends(new)

    def when(plan: Plan, wave: Wave, at: dt.datetime | None) -> str:
        return "to be sent by a lead" if at is None else format_moment(at.astimezone(plan.zone_of(wave)))

    def past(at: dt.datetime | None) -> bool:
        return now is not None and at is not None and at <= now

    def data(ann_id: str, wave: Wave, a: dt.datetime | None, b: dt.datetime | None) -> dict[str, Any]:
        iso = lambda t: t.astimezone(dt.UTC).isoformat() if t else None  # noqa: E731
        return {"id": ann_id, "wave": wave.key, "old_at": iso(a), "new_at": iso(b)}

    out: list[Change] = []
    # Both plans' order: the new plan's ids, then those only the old one has (cancelled).
    for ann_id, (wave, _, new_at) in after.items():
        if ann_id in sent:
            continue
        if ann_id in before:
            old_wave, _, old_at = before[ann_id]
            if old_at == new_at or past(old_at):
                continue  # unchanged, or its time has come: it has gone (or is going) already
            new_words = when(new, wave, new_at) + (" (its time has passed)" if past(new_at) else "")
            out.append(
                Change(ann_id, "moved", when(old, old_wave, old_at), new_words, data(ann_id, wave, old_at, new_at))
            )
        else:
            new_words = when(new, wave, new_at) + (" (its time has passed)" if past(new_at) else "")
            out.append(Change(ann_id, "added", None, new_words, data(ann_id, wave, None, new_at)))
    for ann_id, (wave, _, old_at) in before.items():
        if ann_id in after or ann_id in sent or past(old_at):
            continue
        out.append(Change(ann_id, "cancelled", when(old, wave, old_at), None, data(ann_id, wave, old_at, None)))
    return out


def _faq_changes(old: Plan, new: Plan) -> list[Change]:
    return _keyed(
        old.faq,
        new.faq,
        lambda f: f.key,
        lambda f: f"faq {f.key}",
        summary=lambda f: f.question,
        changed=_with_translations(lambda f: f"faq {f.key}"),
    )


def _service_desk_changes(old: Plan, new: Plan) -> list[Change]:
    a, b = old.service_desk, new.service_desk
    out = []
    if a.channel != b.channel:
        out.append(Change("channel", "changed", str(a.channel), str(b.channel)))
    members = [_person_name(old, k) for k in a.members], [_person_name(new, k) for k in b.members]
    if members[0] != members[1]:
        out.append(Change("members", "changed", words(tuple(members[0])), words(tuple(members[1]))))
    if a.phone != b.phone:
        out.append(Change("phone", "changed", words(a.phone), words(b.phone)))

    def name(c: Any) -> str:
        return c.name or ", ".join((*c.sites, *c.countries)) or "desk"

    out += _keyed(a.contacts, b.contacts, name, lambda c: f"desk {name(c)}", summary=words)
    return out


def _sites_changes(old: Plan, new: Plan) -> list[Change]:
    return _keyed(
        old.sites,
        new.sites,
        lambda s: s.name.casefold(),
        lambda s: f"site {s.name}",
        summary=lambda s: s.time_zone + (f", {s.country}" if s.country else ""),
    )


def _aliases_changes(old: Plan, new: Plan) -> list[Change]:
    out = []
    for table in ("sites", "departments", "waves", "countries"):
        a, b = getattr(old.aliases, table), getattr(new.aliases, table)
        for name in (*a, *(n for n in b if n not in a)):
            was, now = a.get(name), b.get(name)
            if was == now:
                continue
            subject = f"{table} {name}"
            if was is None:
                out.append(Change(subject, "added", None, words(now)))
            elif now is None:
                out.append(Change(subject, "removed", words(was)))
            else:
                out.append(Change(subject, "changed", words(was), words(now)))
    return out


def _other_changes(old: Plan, new: Plan) -> list[Change]:
    out = _exception_changes(old, new)
    out += _keyed(
        old.legacy, new.legacy, lambda r: r.name.casefold(), lambda r: f"legacy {r.name}", summary=lambda r: r.becomes
    )
    out += _fields("reach", old.reach, new.reach)
    out += _keyed(
        old.changes, new.changes, lambda c: c.today, lambda c: f"change from {c.today}", summary=lambda c: c.after
    )
    out += _model_or_none("email", old.email, new.email)
    return out


def diff_plans(
    old: Plan,
    new: Plan,
    *,
    people: Sequence[PersonMove] = (),
    now: dt.datetime | None = None,
    sent: frozenset[str] = frozenset(),
) -> PlanDiff:
    """What replacing ``old`` with ``new`` would change.

    Args:
        old: the plan in use.
        new: the plan that would replace it.
        people: those whose wave would change (:func:`switchover.membership.people_moved`
            over the directory's users); empty when no directory is at hand.
        now: the current time; a send whose time has come under the plan in use is left out
            (it has gone, or is going). None: no send is treated as past.
        sent: ids of calendar announcements no longer pending (sent, cancelled, recalled, missed):
            a change of plan does not touch them, so they are left out.

    Returns:
        The changes by section; :attr:`PlanDiff.is_empty` when there are none.
    """
    return PlanDiff(
        organisation=tuple(_fields("", old.organisation, new.organisation)),
        waves=tuple(_wave_changes(old, new)),
        people=tuple(_people_changes(old, new, people)),
        owners=tuple(_owner_changes(old, new)),
        calendar=tuple(_calendar_changes(old, new)),
        sends=tuple(_send_changes(old, new, now, sent)),
        faq=tuple(_faq_changes(old, new)),
        service_desk=tuple(_service_desk_changes(old, new)),
        sites=tuple(_sites_changes(old, new)),
        aliases=tuple(_aliases_changes(old, new)),
        digest=tuple(_model_or_none("digest", old.digest, new.digest)),
        readiness=tuple(_fields("", old.readiness, new.readiness)),
        other=tuple(_other_changes(old, new)),
    )
