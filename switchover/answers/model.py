"""What the answer engine gives back: the typed answer and its parts (who asked, a person, a group's
schedule, an event), with nothing rendered; cards are made from these in :mod:`switchover.answers.cards`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from switchover.answers.dates import DateRange
from switchover.answers.schedule import WaveSchedule
from switchover.answers.understanding import Facet, Intent
from switchover.plan.model import FaqEntry

if TYPE_CHECKING:
    from switchover.readiness.notice import ReadinessNotice


class AnswerKind(StrEnum):
    """What kind of answer the asker gets (one card template each)."""

    PERSONAL = "personal"  # the asker's own schedule
    NO_WAVE = "no_wave"  # the asker is known but in no wave (guest, disabled, excluded)
    UNKNOWN_PERSON = "unknown_person"  # we could not find the asker
    GROUP = "group"  # other people's schedules (site, department, wave)
    WHATS_ON = "whats_on"  # what happens in a date range
    FAQ = "faq"  # a confident FAQ answer
    BEST_MATCH = "best_match"  # one likely FAQ entry, offered as a best guess to confirm or set aside
    SUGGESTIONS = "suggestions"  # the closest FAQ questions, to pick from
    NOTHING = "nothing"  # nothing close: offer a problem report / the Service Desk
    GREETING = "greeting"  # hi / help


@dataclass(frozen=True, slots=True)
class Who:
    """The person asking, as the channel describes them (no botbuilder types here)."""

    aad_object_id: str | None = None
    upn: str | None = None  # or email; Teams gives it on some clients
    name: str | None = None
    time_zone: str | None = None  # IANA name (activity.localTimezone)
    tenant_id: str = ""


@dataclass(frozen=True, slots=True)
class Person:
    """The asker as found in the directory, and why they are (or are not) in a wave."""

    display_name: str
    upn: str
    department: str | None
    office: str | None
    reason: str  # AssignmentReason value
    note: str  # plain-words explanation for champions, exceptions, no-wave accounts


@dataclass(frozen=True, slots=True)
class GroupSchedule:
    """When a named group (site, department, wave) moves."""

    label: str  # a site, a department, a country or a wave's title
    kind: str  # "site", "department", "country", "wave"
    waves: tuple[WaveSchedule, ...]
    others: int = 0  # people of the group who move in another wave (champions, exceptions)


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happens on a day (for "what's happening this weekend")."""

    when: dt.datetime  # in the reader's zone
    wave_key: str
    title: str
    detail: str
    until: dt.datetime | None = None  # when it lasts into later days (a cutover window)

    def on(self, days: DateRange) -> bool:
        """Whether it happens on any day of ``days`` (a cutover from Saturday into Sunday is on both)."""
        last = (self.until or self.when).date()
        return self.when.date() <= days.end and last >= days.start


@dataclass(frozen=True, slots=True)
class Answer:
    """What the engine says; the bot edge renders it as a card.

    Attributes:
        kind: which card.
        intent: what the question was read as.
        question: the question as typed.
        headline: one plain sentence that answers (also the notification summary / text fallback).
        confidence: 0..1, how sure the engine is that this is what was asked.
        schedule: for ``personal``: the asker's wave schedule.
        person: the asker as found (``personal``, ``no_wave``).
        groups: for ``group``.
        events / date_range: for ``whats_on``.
        faq: for ``faq`` and ``best_match``; suggestions: for ``suggestions`` (for ``best_match``: the
            other entries close enough to suggest, best first).
        notes: extra sentences (zone fallback, exceptions).
        service_desk_phone: for "call the Service Desk" offers.
        readiness: for ``personal`` before the cutover: what the asker must still do
            (MFA not registered, per the last directory sync); None when ready or unknown.
    """

    kind: AnswerKind
    intent: Intent
    question: str
    headline: str
    confidence: float = 1.0
    schedule: WaveSchedule | None = None
    person: Person | None = None
    groups: tuple[GroupSchedule, ...] = ()
    events: tuple[Event, ...] = ()
    date_range: DateRange | None = None
    faq: FaqEntry | None = None
    suggestions: tuple[FaqEntry, ...] = ()
    notes: tuple[str, ...] = ()
    service_desk_phone: str | None = None
    facet: Facet = Facet.CUTOVER
    slots: dict[str, object] = field(default_factory=dict)
    readiness: ReadinessNotice | None = None

    @property
    def wave_key(self) -> str | None:
        return self.schedule.wave_key if self.schedule else None

    @property
    def summary(self) -> str:
        """The notification text / text fallback: the headline, then what to do if not ready."""
        headline = self.headline[:200]
        return f"{headline} {self.readiness.text}" if self.readiness is not None else headline
