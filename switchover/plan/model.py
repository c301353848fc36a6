"""The migration plan: waves, people, areas of accountability, service levels, calendar, FAQ.

This module is the contract every feature reads. Field names here are what the
YAML file uses (see ``examples/*/plan.yaml``); loading and precise error
reporting live in :mod:`switchover.plan.loader`.

All datetimes in a loaded plan are timezone-aware: a wave's in the wave's zone
(:meth:`Plan.zone_of`), the rest in the organisation's.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from switchover import i18n
from switchover.i18n import gettext as _


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- the plan's words in several languages (see "Languages" in docs/plan-format.md) --

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]  # ISO 639: ``es``, ``pl``


class _Translations(dict):  # type: ignore[type-arg]
    """Translations by language, hashable as the frozen plan's parts are (plans are cache keys)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


def _by_language(value: dict) -> _Translations:  # type: ignore[type-arg]
    return _Translations(value)


class FaqTranslation(_Model):
    """An FAQ entry in another language: what its readers ask and read."""

    question: str
    answer: str
    alternates: tuple[str, ...] = ()


class MessageTranslation(_Model):
    """A calendar message's words in another language; what is left out is read in the plan's language."""

    title: str | None = None
    summary: str | None = None
    points: tuple[str, ...] | None = None  # all of them, in the same order
    buttons: tuple[str, ...] | None = None  # every button's title, in the same order


class AreaTranslation(_Model):
    name: str
    description: str = ""


class ExceptionTranslation(_Model):
    reason: str


class WaveTranslation(_Model):
    """A wave's name in another language (its number is written by the bot: "Ola 3 - Oficinas del norte")."""

    name: str


class Duration(_Model):
    """A length of time, optionally counted in business hours or days.

    Written in YAML as ``15 minutes``, ``2 hours``, ``4 business hours`` or
    ``1 business day``.
    """

    minutes: int = Field(ge=0)
    business: bool = False
    # For "N business days": counted in whole business days, not hours.
    business_days: int = 0

    def __str__(self) -> str:
        if self.business_days:
            return f"{self.business_days} business day{'s' if self.business_days != 1 else ''}"
        if self.minutes % 60 == 0 and self.minutes:
            h = self.minutes // 60
            unit = f"hour{'s' if h != 1 else ''}"
            return f"{h} business {unit}" if self.business else f"{h} {unit}"
        unit = f"minute{'s' if self.minutes != 1 else ''}"
        return f"{self.minutes} business {unit}" if self.business else f"{self.minutes} {unit}"


# -- desk: Service Desk per site or country, cutover cover, area hours (begin) --------


class HoursRange(_Model):
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...]
    start: dt.time
    end: dt.time


class WorkingHours(_Model):
    """Weekly hours in a time zone: a desk's opening hours or an area's contract hours.

    Written ``{time_zone: Europe/Lisbon, weekly: [...]}``; ``always`` (an area's
    ``hours: always``) is round the clock. ``time_zone`` defaults to the organisation's.
    """

    time_zone: str | None = None  # IANA name
    weekly: tuple[HoursRange, ...] = ()
    always: bool = False

    @property
    def zone(self) -> ZoneInfo | None:
        return ZoneInfo(self.time_zone) if self.time_zone else None


class DeskContact(_Model):
    """The Service Desk for some sites (office locations or cities) or countries.

    Unset fields fall back to the plan's ``service_desk`` (phone, channel) and
    ``business_hours`` (hours).
    """

    name: str | None = None  # as people say it, e.g. "Lisbon Service Desk"
    sites: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # English names, ISO codes or aliases.countries words
    phone: str | None = None
    channel: ChannelRef | None = None
    hours: WorkingHours | None = None


class CutoverMoment(_Model):
    """A moment relative to a wave's cutover: ``{days: -1, at: "18:00"}`` (local time on the
    cutover day + days) or ``{cutover: start|end}`` with an optional ``before``/``after`` margin."""

    days: int | None = None
    at: dt.time | None = None
    cutover: Literal["start", "end"] | None = None
    before: Duration | None = None
    after: Duration | None = None


class CutoverCover(_Model):
    """A span around every wave's cutover when the Service Desk is staffed throughout.

    Written ``{from: {days: -1, at: "18:00"}, to: {days: 2, at: "08:00"}}``, or ``window``
    for the cutover window itself.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: CutoverMoment = Field(alias="from")
    to: CutoverMoment


# -- desk (end) ------------------------------------------------------------------------


class Person(_Model):
    """Someone the plan names: lead, sponsor, owner, champion, Service Desk staff."""

    key: str  # short id used inside the plan, e.g. ``dana.whitfield``
    name: str
    upn: str  # userPrincipalName as in Entra ID (guests: the #EXT# form)
    email: str | None = None
    title: str | None = None
    organisation: str | None = None  # e.g. the managed service provider's name
    note: str = ""  # desk: internal note, for leads and the Service Desk only (never shown to the person)


class ChannelRef(_Model):
    """A Teams channel by team and channel display name; resolved to a stored
    conversation reference at send time."""

    team: str
    channel: str

    def __str__(self) -> str:
        return f"{self.team} / {self.channel}"


class Contact(_Model):
    """Either a person (by plan key) or a Teams channel, never both."""

    person: str | None = None
    channel: ChannelRef | None = None


class MembershipRule(_Model):
    """Selects users; every non-empty field must match (AND), values within a
    field are alternatives (OR). Matching is case-insensitive."""

    departments: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # Entra group object ids or display names
    countries: tuple[str, ...] = ()  # desk: country names, ISO codes or aliases.countries words


class Window(_Model):
    start: dt.datetime
    end: dt.datetime


class ReadOnlyFrom(_Model):
    """When a legacy resource stops taking changes, relative to its wave's cutover.

    Exactly one of: ``cutover: start`` (as the cutover window opens), ``at`` with optional
    ``days`` (local time on cutover day + days; ``days`` defaults to 0), or ``on`` (one
    fixed local date and time for every wave). Written ``never`` (or left out): it does not.
    """

    days: int | None = None
    at: dt.time | None = None
    cutover: Literal["start"] | None = None
    on: dt.datetime | None = None


LegacyKind = Literal["drive", "mailbox", "system", "site"]


class LegacyResource(_Model):
    """Something people use today that changes with the move: a mapped drive, a mailbox,
    an old system or site; what it becomes and when it goes read-only."""

    name: str  # as people see it, e.g. "K: drive"
    kind: LegacyKind = "drive"
    aliases: tuple[str, ...] = ()  # other words people use for it ("project drive", "the NAS")
    becomes: str = ""  # what replaces it, e.g. "SharePoint sites behind each department's Team"
    read_only: ReadOnlyFrom | None = None  # None: never goes read-only (or the plan does not say)

    @property
    def short(self) -> str:
        """How answers name it alongside others: a drive by its letter ("K:"), anything else by name."""
        m = re.match(r"^\s*([A-Za-z]):", self.name)
        return f"{m.group(1).upper()}:" if self.kind == "drive" and m else self.name


class Wave(_Model):
    """One group of people moved together on one cutover weekend."""

    key: str  # e.g. ``wave-0``
    number: int
    name: str  # e.g. ``Pilot``
    description: str = ""
    sites: tuple[str, ...] = ()  # office locations that move in this wave (for "when does <site> move?")
    include: tuple[MembershipRule, ...] = ()
    users: tuple[str, ...] = ()  # explicit UPNs
    cutover: Window
    hypercare_until: dt.date
    # This wave's own legacy resources: replace the plan's entries of the same name, add others.
    legacy: tuple[LegacyResource, ...] = ()
    # -- time zones and per-wave calendar (see "Time zones and sites" in docs/plan-format.md) --
    # The zone the wave's cutover, calendar and read-only times are written and sent in;
    # unset: its sites' common zone, else the organisation's (Plan.zone_of).
    time_zone: str | None = None
    # This wave's own wording or timing of calendar entries, by key (Plan.calendar_for).
    calendar: tuple[CalendarOverride, ...] = ()
    # -- end time zones and per-wave calendar --
    translations: Annotated[dict[LanguageCode, WaveTranslation], AfterValidator(_by_language)] = Field(
        default_factory=_Translations
    )

    @property
    def title(self) -> str:
        """The wave as a reader sees it, in the language being written (:func:`switchover.i18n.current`):
        "Wave 3 - North offices", "Ola 3 - Oficinas del norte" with the plan's translation of its name when it has one.

        For what is shown at the moment it is written. What is kept (a stored announcement's or job's
        title, an export, a log, a key, the words questions are matched on) takes :attr:`plan_title`.
        """
        reader = i18n.current().code
        t = self.translations.get(reader)
        # Translators: a wave's title on every card: its number, then its name from the plan
        # ("Wave 3 - North offices"). "Wave" is the migration's word for one group of people moved
        # together on one cutover weekend: use the word IT projects in your language use for it.
        return _("Wave {number} - {name}").format(number=self.number, name=t.name if t is not None else self.name)

    @property
    def plan_title(self) -> str:
        """The wave as the plan writes it, in no reader's language: "Wave 3 - North offices"."""
        return f"Wave {self.number} - {self.name}"


class ExceptionKind(StrEnum):
    MOVE = "move"
    EXCLUDE = "exclude"


class WaveException(_Model):
    """A person whose wave differs from what the rules give."""

    user: str  # UPN
    kind: ExceptionKind
    to_wave: str | None = None  # wave key, for moves
    from_wave: str | None = None  # informational: the wave the rules would give
    reason: str = ""  # shown to the person word for word
    note: str = ""  # desk: internal note, for leads and the Service Desk only (never shown to the person)
    translations: Annotated[dict[LanguageCode, ExceptionTranslation], AfterValidator(_by_language)] = Field(
        default_factory=_Translations
    )


class Champion(_Model):
    user: str  # UPN
    wave: str  # wave key the champion moves with (the pilot)
    site: str | None = None


# The kinds of area triage has a built-in, customer-neutral vocabulary for
# (``switchover.problems.lexicon.LEXICON``); ``none``: the area's own words only.
AreaKind = Literal["mail", "files", "teams", "signin", "devices", "printing", "intranet", "none"]


class Area(_Model):
    """An area of accountability for problem reports."""

    key: str  # e.g. ``email``
    name: str  # as people see it, e.g. "Printing & scanning"
    description: str = ""
    # Words people use for this area's problems, on top of the built-in lexicon of its kind.
    keywords: tuple[str, ...] = ()
    # Which built-in lexicon the area takes; unset: guessed from its key, name and keywords.
    kind: AreaKind | None = None
    owner: Contact
    backup: Contact
    catch_all: bool = False
    # desk: the area's own service levels (per priority, over the plan's) and hours
    # (None: the Service Desk's business hours; ``always``: round the clock; or contract hours).
    service_levels: tuple[ServiceLevel, ...] = ()
    hours: WorkingHours | None = None
    translations: Annotated[dict[LanguageCode, AreaTranslation], AfterValidator(_by_language)] = Field(
        default_factory=_Translations
    )


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Impact(StrEnum):
    SITE = "site"  # whole site or department
    SEVERAL = "several"  # several people
    ME = "me"  # just me


class Urgency(StrEnum):
    CANT_WORK = "cant_work"
    DEGRADED = "degraded"
    QUESTION = "question"


class EscalationTarget(StrEnum):
    BACKUP = "backup"
    PROJECT_LEAD = "project_lead"
    SPONSOR = "sponsor"


class EscalationStep(_Model):
    after: Duration
    to: EscalationTarget


class ServiceLevel(_Model):
    priority: Priority
    acknowledge_within: Duration
    escalation: tuple[EscalationStep, ...] = ()
    notify_at_once: tuple[EscalationTarget, ...] = ()


class BusinessHours(_Model):
    """When the Service Desk is staffed. ``cutover_weekends`` applies on the
    Saturday and Sunday of any wave's cutover; ``cutover`` covers any span around it."""

    weekly: tuple[HoursRange, ...]
    cutover_weekends: HoursRange | None = None
    cutover: tuple[CutoverCover, ...] = ()  # desk: staffed spans around every wave's cutover
    # Outside business hours these priorities go to the accountable owner directly.
    direct_to_owner_after_hours: tuple[Priority, ...] = ()


class MajorIncidentRule(_Model):
    reports: int = Field(ge=2)
    within: Duration
    same: tuple[Literal["area", "wave"], ...] = ("area", "wave")


class Audience(StrEnum):
    WAVE_USERS = "wave_users"
    SERVICE_DESK = "service_desk"
    PROJECT_LEADS = "project_leads"
    SPONSOR = "sponsor"


class MessageTiming(_Model):
    """When a calendar message goes, relative to its wave's cutover.

    Exactly one of: ``days`` + ``at`` (local time on cutover day + days),
    ``cutover: start`` (at the window's start), or ``manual: true`` (sent by a
    project lead, e.g. "cutover complete").
    """

    days: int | None = None
    at: dt.time | None = None
    cutover: Literal["start", "end"] | None = None
    manual: bool = False


class CardButton(_Model):
    title: str
    action: str  # verb: ``acknowledge``, ``mfa_done``, ``report_problem``, ``open_url``
    url: str | None = None


class CalendarMessage(_Model):
    """One entry of the communication calendar, sent for every wave."""

    key: str  # e.g. ``what-changes``; also the card template name
    title: str
    timing: MessageTiming
    to: tuple[Audience, ...] = (Audience.WAVE_USERS,)
    summary: str = ""
    points: tuple[str, ...] = ()
    buttons: tuple[CardButton, ...] = ()
    # Chasers: a reminder to everyone who has not acknowledged, this long after it went (calendar
    # time, so no business durations); after the last one, each site champion gets the list.
    remind: tuple[Duration, ...] = ()
    # Important: a nudge in the Teams activity feed as well as the chat (Graph, when configured).
    important: bool = False
    translations: Annotated[dict[LanguageCode, MessageTranslation], AfterValidator(_by_language)] = Field(
        default_factory=_Translations
    )

    @field_validator("remind")
    @classmethod
    def _reminders(cls, value: tuple[Duration, ...]) -> tuple[Duration, ...]:
        return reminder_offsets(value)


def reminder_offsets(value: tuple[Duration, ...]) -> tuple[Duration, ...]:
    """Reminder offsets as a plan or a lead writes them: calendar time, each later than the one before."""
    if any(d.business or d.business_days for d in value):
        raise ValueError("reminders count calendar time: write '2 days', not business hours or days")
    if any(d.minutes <= 0 for d in value):
        raise ValueError("a reminder goes some time after the announcement: '2 days', not '0 minutes'")
    if any(b.minutes <= a.minutes for a, b in zip(value, value[1:], strict=False)):
        raise ValueError("reminders are written in order, each later than the one before: ['2 days', '4 days']")
    if any(d.minutes > MAX_REMINDER_MINUTES for d in value):
        raise ValueError("a reminder goes at most 90 days after the announcement")
    if len(value) > 5:
        raise ValueError("at most 5 reminders")
    return value


MAX_REMINDER_MINUTES = 90 * 24 * 60


# -- time zones and sites, per-wave calendar (see "Time zones and sites" in docs/plan-format.md) --


class Site(_Model):
    """An office location and the time zone its people live in.

    ``name`` is the location as people and the roster write it (``officeLocation``);
    ``aliases.sites`` gives its other names.
    """

    name: str
    time_zone: str  # IANA name
    country: str | None = None  # English name or ISO code

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class CalendarOverride(_Model):
    """One wave's own version of a calendar entry, by key: what is given replaces the plan's.

    A key the plan's calendar does not have adds an entry for this wave only (it needs a
    title and a timing).
    """

    key: str
    title: str | None = None
    timing: MessageTiming | None = None
    to: tuple[Audience, ...] | None = None
    summary: str | None = None
    points: tuple[str, ...] | None = None
    buttons: tuple[CardButton, ...] | None = None
    remind: tuple[Duration, ...] | None = None
    important: bool | None = None

    def apply(self, message: CalendarMessage | None) -> CalendarMessage:
        given = self.model_dump(exclude_none=True, exclude={"key"})
        if message is None:
            return CalendarMessage.model_validate({"key": self.key, **given})
        return message.model_copy(update={k: getattr(self, k) for k in given})


Wave.model_rebuild()  # Wave.calendar names CalendarOverride, which is defined after Wave

# -- end time zones and sites --


class Digest(_Model):
    at: dt.time
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...]
    to: tuple[Audience, ...]


class EmailSettings(_Model):
    """``email:``: an announcement Teams cannot deliver goes by email, sent from this mailbox
    (Graph ``sendMail``; permission ``Mail.Send``, docs/graph-permissions.md)."""

    from_: str = Field(alias="from", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)


class FaqEntry(_Model):
    key: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()  # other phrasings users use
    topics: tuple[str, ...] = ()  # e.g. email, files, mfa
    translations: Annotated[dict[LanguageCode, FaqTranslation], AfterValidator(_by_language)] = Field(
        default_factory=_Translations
    )


class ServiceDesk(_Model):
    channel: ChannelRef
    members: tuple[str, ...] = ()  # person keys
    phone: str | None = None
    # desk: one desk per site or country (first match by site, then by country); the fields above are the default.
    contacts: tuple[DeskContact, ...] = ()


class Organisation(_Model):
    name: str
    short_name: str | None = None
    time_zone: str  # IANA name
    tenant_id: str | None = None  # Entra tenant id; None = any tenant (demo)
    email_domains: tuple[str, ...] = ()
    # How people write numeric dates: "6/3" is 3 June (mdy) or 6 March (dmy); ymd writes the year first.
    date_order: Literal["mdy", "dmy", "ymd"] = "mdy"
    # The language the plan's own words are written in: what a reader gets when the plan has no
    # translation in theirs (FAQ, calendar messages, areas, exception reasons).
    language: LanguageCode = "en"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class ChangeItem(_Model):
    today: str
    after: str
    notes: str = ""


class ReadinessSources(_Model):
    """The exports readiness is read from when Microsoft Graph cannot tell (paths relative to the plan file).

    ``mfa``: the Entra admin center's *User registration details* CSV; ``devices``: the Intune
    admin center's *All devices* export. See :mod:`switchover.readiness.exports`.
    """

    mfa: str | None = None
    devices: str | None = None


class ReadinessChecks(_Model):
    """Which readiness checks the plan asks of every wave user, and where they are read.

    Written in YAML as ``readiness: {mfa: true, device_compliance: false}``; Microsoft Graph
    answers when it is the directory, else the exports in ``sources``
    (``sources: {mfa: exports/UserRegistrationDetails.csv, devices: exports/IntuneDevices.csv}``).
    """

    mfa: bool = True  # MFA registered (Authenticator) before cutover
    device_compliance: bool = False  # every active Intune-managed device compliant
    sources: ReadinessSources = Field(default_factory=ReadinessSources)
    # A device counts when it checked in within this many days before the export was taken.
    active_device_days: int = Field(30, ge=1, le=365)


class ReachOptions(_Model):
    """How the plan reaches people who never opened the bot (``reach: {install_days_before: 21}``).

    With the Graph directory and ``TEAMS_APP_CATALOG_ID`` set, the Teams app is installed for a
    wave's members this many days before the wave's first announcement, and for anyone who
    joins the wave after that (see :mod:`switchover.reach`).
    """

    install_days_before: int = Field(21, ge=0, le=365)


class Aliases(_Model):
    """Other names people use for the plan's sites, departments, waves and countries.

    Each table maps a name to the words people use for it, e.g.
    ``sites: {"Riverside House": [HQ, head office]}`` or ``waves: {pilot: [the pilot]}``
    (waves by key). Matching ignores case and accents, except that an alias spelt
    like an everyday word ("IT", "US") is matched only when typed in capitals.
    """

    sites: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # office location or city -> aliases
    departments: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    waves: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # wave key -> aliases
    countries: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # country name or ISO code -> aliases


PriorityMatrix = dict[Impact, dict[Urgency, Priority]]


class Plan(_Model):
    """A whole migration plan for one tenant."""

    organisation: Organisation
    people: tuple[Person, ...]
    project_leads: tuple[str, ...]  # person keys
    sponsor: str  # person key
    service_desk: ServiceDesk
    changes: tuple[ChangeItem, ...] = ()
    waves: tuple[Wave, ...]
    champions: tuple[Champion, ...] = ()
    exceptions: tuple[WaveException, ...] = ()
    areas: tuple[Area, ...]
    priority_matrix: Annotated[PriorityMatrix, Field()]
    service_levels: tuple[ServiceLevel, ...]
    business_hours: BusinessHours
    major_incident: MajorIncidentRule | None = None
    calendar: tuple[CalendarMessage, ...] = ()
    digest: Digest | None = None
    email: EmailSettings | None = None  # the email fallback's sending mailbox; None: no email
    faq: tuple[FaqEntry, ...] = ()
    readiness: ReadinessChecks = Field(default_factory=ReadinessChecks)
    reach: ReachOptions = Field(default_factory=ReachOptions)
    aliases: Aliases = Field(default_factory=Aliases)
    legacy: tuple[LegacyResource, ...] = ()
    sites: tuple[Site, ...] = ()  # office locations and their time zones

    # -- lookups -------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's zone (a wave's own is :meth:`zone_of`)."""
        return self.organisation.zone

    # -- time zones and sites, per-wave calendar --

    def zone_of(self, wave: Wave) -> ZoneInfo:
        """The zone a wave's people live in: its own ``time_zone``, else the common zone of its
        sites in ``sites:``, else the organisation's. Its cutover window, calendar times and
        read-only times are written and sent in it."""
        if wave.time_zone:
            return ZoneInfo(wave.time_zone)  # zoneinfo keeps one object per key: no cache needed
        if self.sites and wave.sites:
            by_site = {s.name.casefold(): s.time_zone for s in self.sites}
            found = {by_site[n.casefold()] for n in wave.sites if n.casefold() in by_site}
            if len(found) == 1:
                return ZoneInfo(found.pop())
        return self.zone

    def site(self, name: str) -> Site | None:
        """A site of ``sites:`` by name (case-insensitive)."""
        folded = name.casefold()
        return next((s for s in self.sites if s.name.casefold() == folded), None)

    def calendar_for(self, wave: Wave) -> tuple[CalendarMessage, ...]:
        """The calendar as ``wave`` gets it: the plan's entries with the wave's overrides applied,
        then the wave's own entries."""
        own = {o.key: o for o in wave.calendar}
        if not own:
            return self.calendar
        merged = [own.pop(m.key).apply(m) if m.key in own else m for m in self.calendar]
        return (*merged, *(o.apply(None) for o in own.values()))

    # -- end time zones and sites --

    def person(self, key: str) -> Person:
        for p in self.people:
            if p.key == key:
                return p
        raise KeyError(key)

    def person_by_upn(self, upn: str) -> Person | None:
        upn = upn.casefold()
        for p in self.people:
            if p.upn.casefold() == upn or (p.email and p.email.casefold() == upn):
                return p
        return None

    def wave(self, key: str) -> Wave:
        for w in self.waves:
            if w.key == key:
                return w
        raise KeyError(key)

    def legacy_for(self, wave: Wave) -> tuple[LegacyResource, ...]:
        """The legacy resources that change for ``wave``: the plan's, with the wave's own entries
        replacing those of the same name (and added after them)."""
        own = {r.name.casefold(): r for r in wave.legacy}
        merged = [own.pop(r.name.casefold(), r) for r in self.legacy]
        return (*merged, *own.values())

    def area(self, key: str) -> Area:
        for a in self.areas:
            if a.key == key:
                return a
        raise KeyError(key)

    @property
    def catch_all_area(self) -> Area:
        return next(a for a in self.areas if a.catch_all)

    def service_level(self, priority: Priority) -> ServiceLevel:
        return next(s for s in self.service_levels if s.priority == priority)

    def priority_for(self, impact: Impact, urgency: Urgency) -> Priority:
        return self.priority_matrix[impact][urgency]

    def is_project_lead(self, upn: str) -> bool:
        p = self.person_by_upn(upn)
        return p is not None and p.key in self.project_leads


# desk: these name models defined after them (ChannelRef, ServiceLevel).
DeskContact.model_rebuild()
Area.model_rebuild()
