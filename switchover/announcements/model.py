"""What an announcement is: its audience, its content, its life."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from switchover.i18n import N_
from switchover.i18n import gettext as _

# The delivery engine's purpose for announcement deliveries.
PURPOSE = "announcement"
# The delivery engine's purposes for chasers: reminders, and the lists sent to champions or managers.
REMINDER_PURPOSE = "announcement-reminder"
LIST_PURPOSE = "announcement-chaser-list"
# The button verbs that acknowledge an announcement ("Got it", "I've set up Authenticator").
ACK_VERBS = ("acknowledge", "mfa_done")
# The bot's own words stored in an announcement's content (the "Got it" button a lead's announcement
# carries, a reschedule notice's summary): stored as written here, shown in each reader's language.
GOT_IT = N_("Got it")
RESCHEDULE_SUMMARY = N_(
    "Everything else stays the same: the messages you already have now show the new date, "
    "and reminders will come at the right time."
)
# A reschedule notice's title (the notification's summary): stored in the plan's words, shown in each reader's.
RESCHEDULE_TITLE = N_("{wave}: new cutover date")
# The line on a reminder's card (announcements/chasers.py).
REMINDER_NOTICE = N_("A reminder: you have not confirmed this yet. Please read it and press the button below.")
# A lead's correction is stored after this label, which each card shows in its reader's language.
CORRECTION = "Correction: "
BOT_WORDS = frozenset({GOT_IT, RESCHEDULE_SUMMARY, REMINDER_NOTICE})


class AnnouncementError(ValueError):
    """A request about an announcement that cannot be done (wrong state, unknown id)."""


class AnnouncementStatus(StrEnum):
    """Where an announcement is in its life."""

    DRAFT = "draft"  # composed by a lead in Teams, preview shown, waiting for "Send"
    SCHEDULED = "scheduled"  # waits for send_at
    MANUAL = "manual"  # a calendar message a project lead sends by hand (cutover complete)
    RESOLVING = "resolving"  # recipients being resolved and queued (claimed, with a lease)
    SENT = "sent"  # every recipient's delivery is queued (figures in the report)
    CANCELLED = "cancelled"
    MISSED = "missed"  # its time passed while the bot was down, beyond the grace period
    RECALLED = "recalled"


class Urgency(StrEnum):
    NORMAL = "normal"
    IMPORTANT = "important"
    URGENT = "urgent"


AudienceKind = Literal["wave", "department", "office", "users", "channel", "everyone"]
_AUDIENCE_KINDS = {
    "wave": N_("wave"),
    "department": N_("department"),
    "office": N_("office"),
    "users": N_("users"),
    "channel": N_("channel"),
    "everyone": N_("everyone in a wave"),
}


class Audience(BaseModel):
    """Who an announcement goes to.

    ``wave``: the wave's members (values: wave keys); ``department`` / ``office``:
    everyone with that department / office location; ``users``: named people
    (Entra object ids or UPNs: included even if guest or disabled, since named);
    ``channel``: Teams channels as ``"Team / Channel"``; ``everyone``: everyone
    in any wave. Disabled accounts and guests are excluded unless named.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AudienceKind
    values: tuple[str, ...] = ()

    @field_validator("values")
    @classmethod
    def _clean(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(x.strip() for x in v if x and x.strip())

    def model_post_init(self, _: Any) -> None:
        if self.kind != "everyone" and not self.values:
            raise ValueError(f"an audience of kind {self.kind!r} needs at least one value")
        if self.kind == "channel":
            for value in self.values:
                if " / " not in value:
                    raise ValueError(f"a channel is written 'Team / Channel', not {value!r}")

    def describe(self) -> str:
        """Who it goes to, in the reader's language ("department: Finance")."""
        if self.kind == "everyone":
            return _("everyone in a wave")
        return f"{_(_AUDIENCE_KINDS[self.kind])}: {', '.join(self.values)}"


class Button(BaseModel):
    """A card button: an ``Action.Execute`` verb or a link."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=80)
    verb: Literal["acknowledge", "mfa_done", "report_problem"] | None = None
    url: HttpUrl | None = None

    def model_post_init(self, _: Any) -> None:
        if (self.verb is None) == (self.url is None):
            raise ValueError("a button has either a verb or a url")

    def view(self) -> dict[str, Any]:
        return {"title": self.title, "verb": self.verb, "url": str(self.url) if self.url else None}


class Content(BaseModel):
    """What a card says. Calendar messages use summary + points; free-form ones a markdown body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    summary: str = Field("", max_length=2000)
    body: str = Field("", max_length=8000)
    points: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    urgency: Urgency = Urgency.NORMAL
    image_url: HttpUrl | None = None
    correction: str | None = None  # shown on cards corrected in place
    previous_cutover: tuple[dt.datetime, dt.datetime] | None = None  # reschedule notices: the old window
    # Chasers: minutes after sending at which everyone who has not acknowledged is reminded;
    # after the last, each champion (or manager) gets the list of their people (announcements/chasers.py).
    remind_minutes: tuple[int, ...] = ()
    # A nudge in each recipient's Teams activity feed too (Graph sendActivityNotification).
    nudge: bool = False

    @field_validator("remind_minutes")
    @classmethod
    def _ascending(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(m <= 0 or m > 90 * 24 * 60 for m in value) or list(value) != sorted(set(value)):
            raise ValueError("reminders are offsets up to 90 days, each later than the one before")
        if len(value) > 5:
            raise ValueError("at most 5 reminders")
        return value

    @property
    def asks_acknowledgement(self) -> bool:
        """Whether the card has a button that acknowledges it (reminders only make sense then)."""
        return any(b.verb in ACK_VERBS for b in self.buttons)


class Announcement(BaseModel):
    """One announcement as stored."""

    model_config = ConfigDict(frozen=True)

    id: str
    tenant_id: str
    kind: Literal["calendar", "freeform", "reschedule"]
    wave_key: str | None
    calendar_key: str | None
    title: str
    content: Content
    audience: Audience
    send_at: dt.datetime | None
    status: AnnouncementStatus
    created_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    reason: str | None = None
