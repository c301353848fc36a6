"""The cards announcements show: each recipient's card (calendar, free-form, reschedule notice) as
that person should see it now (their language, their time zone, their acknowledgement, what they must
still do before cutover), and the lead's report card.

A card is written in the language in force (:func:`switchover.i18n.use`): the card's own words through
the catalogs, a calendar message's words from the plan's translations (:func:`message_in`; what the
plan does not translate stays in its language, and the card says so). A recipient reads their stored
Teams language (``conversation_refs.locale``), else the plan's; a send renders each distinct card once
(per language, time zone and to-do list), not once per person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from cards.render import render_card
from switchover import i18n
from switchover.announcements.calendar import WaveCalendar, WaveDates, calendar_content
from switchover.announcements.model import (
    ACK_VERBS,
    BOT_WORDS,
    CORRECTION,
    RESCHEDULE_TITLE,
    Announcement,
    Content,
)
from switchover.announcements.reports import UNKNOWN_LANGUAGE
from switchover.announcements.store import AnnouncementStore
from switchover.delivery import Recipient
from switchover.i18n import N_
from switchover.i18n import gettext as _
from switchover.plan.languages import fallback_note, message_in
from switchover.plan.model import CalendarMessage, Plan
from switchover.readiness.notice import ReadinessNotice
from switchover.storage.conversations import ConversationStore
from switchover.timefmt import format_moment, format_window, localise_times, names_a_day

if TYPE_CHECKING:
    from switchover.announcements.reports import Report
    from switchover.readiness.service import ReadinessService

REFRESH_LIMIT = 60  # Teams refreshes a card automatically for at most 60 listed users
# Rendered in the place of a recipient's Teams id, so one render serves everyone who reads the same card.
_REFRESH_SLOT = "refresh-user-slot"


@dataclass(frozen=True, slots=True)
class RecipientCard:
    """One recipient's card, its title (the notification's summary) and the language both are written
    in (the reader's locale tag: ``en``, ``es-US``)."""

    card: dict[str, Any]
    language: str
    title: str


@dataclass(frozen=True, slots=True)
class AudienceLanguages:
    """The languages an announcement's recipients will read it in, for the lead's preview.

    Attributes:
        by_language: recipients per language their card is written in (catalog code), most first.
        fall_back: recipients whose own language the announcement's words are not in (the plan has no
            complete translation for them, or a lead wrote it in one language): they read the plan's.
        not_known: recipients whose Teams never told the bot their language (they read the plan's).
        plan_language: the plan's own language.
        edited: a calendar message whose words a lead changed: the plan's translations are of the words
            it had, so ``fall_back`` counts everyone whose language is not the plan's (they read the
            lead's words, with the card's note), even those the plan translates it for.
    """

    by_language: dict[str, int]
    fall_back: int
    not_known: int
    plan_language: str
    edited: bool = False


def reader_language(locale: str | None, plan: Plan) -> i18n.Language:
    """What a recipient reads: their Teams language (``es-US``) when there is a catalog for it, else
    the plan's (a recipient Teams never told us about, or one in a language the bot does not speak)."""
    return i18n.language(locale or None, plan.organisation.language)


def calendar_message(plan: Plan, announcement: Announcement) -> CalendarMessage | None:
    """The plan's calendar entry a calendar announcement was made from (None: a free-form one, or
    an entry gone from a reloaded plan)."""
    if announcement.kind != "calendar" or not announcement.calendar_key or not announcement.wave_key:
        return None
    try:
        wave = plan.wave(announcement.wave_key)
    except KeyError:
        return None
    return next((m for m in plan.calendar_for(wave) if m.key == announcement.calendar_key), None)


def localised(plan: Plan, announcement: Announcement) -> tuple[str, Content, bool]:
    """The announcement's title and content in the language in force, and whether some or all of
    them stay in the plan's language (``fell_back``).

    A calendar message reads the plan's translation of its entry (:func:`message_in`), as long as
    the words sent are still the plan's (a lead who rewrote them wrote them in one language only).
    """
    content = announcement.content
    if announcement.kind == "reschedule" and announcement.wave_key:
        try:
            wave_title = plan.wave(announcement.wave_key).title
        except KeyError:  # a wave gone from a reloaded plan
            return announcement.title, content, False
        return _(RESCHEDULE_TITLE).format(wave=wave_title), content, False
    message = calendar_message(plan, announcement)
    if message is None:
        return announcement.title, content, False
    reader = i18n.current()
    if not _as_planned(announcement, message):
        # A lead rewrote the plan's words: its translations say what the entry said, not what goes
        # out, so every reader gets the lead's words, in the plan's language (and is told so).
        return announcement.title, content, _reads_another_language(reader, plan.organisation.language)
    shown = message_in(message, reader.asked or reader.code, plan.organisation.language)
    if (shown.title, shown.summary, shown.points, shown.buttons) == (
        message.title,
        message.summary,
        message.points,
        message.buttons,
    ):
        return announcement.title, content, shown.fell_back
    words = calendar_content(
        message.model_copy(
            update={"title": shown.title, "summary": shown.summary, "points": shown.points, "buttons": shown.buttons}
        )
    )
    return (
        shown.title,
        content.model_copy(update={"summary": words.summary, "points": words.points, "buttons": words.buttons}),
        shown.fell_back,
    )


def _correction(text: str | None) -> str | None:
    """A lead's correction with its label in the reader's language (the lead's words as written)."""
    if text and text.startswith(CORRECTION):
        return _("Correction: {text}").format(text=text.removeprefix(CORRECTION))
    return text


def _as_planned(announcement: Announcement, message: CalendarMessage) -> bool:
    """The announcement still says what the plan's entry says (the plan's translations apply): its
    title, summary, points and button titles."""
    content = announcement.content
    planned = calendar_content(message)
    return (announcement.title, content.summary, tuple(content.points), [b.title for b in content.buttons]) == (
        message.title,
        message.summary,
        tuple(message.points),
        [b.title for b in planned.buttons],
    )


def text_edited(plan: Plan, announcement: Announcement) -> bool:
    """A calendar announcement whose words a lead changed from the plan's entry (so the plan's
    translations no longer apply to it)."""
    message = calendar_message(plan, announcement)
    return message is not None and not _as_planned(announcement, message)


def _reads_another_language(reader: i18n.Language, plan_language: str) -> bool:
    """A reader who asked for a language other than the plan's (Teams told us; not the pseudo-locale)."""
    if reader.code == i18n.PSEUDO:
        return False
    asked = i18n.primary(reader.asked) or reader.code
    return bool(reader.asked) and asked != i18n.primary(plan_language)


def language_note(plan: Plan, announcement: Announcement, fell_back: bool) -> str | None:
    """The discreet line on a calendar card whose words are not (all) in its reader's language: "Shown
    in English: not yet translated into Spanish." when all of them are in the plan's language and the
    bot writes in the reader's; else "Parts of this message are not available in your language yet."."""
    if not fell_back:
        return None
    plan_language = plan.organisation.language
    message = calendar_message(plan, announcement)
    whole = message is None or text_edited(plan, announcement)
    if not whole and message is not None:
        reader = i18n.current()
        whole = message_in(message, reader.asked or reader.code, plan_language).language == plan_language
    note = fallback_note(plan_language) if whole else None
    return note or _("Parts of this message are not available in your language yet.")


def _bot_words(text: str) -> str:
    """The bot's own words stored in an announcement ("Got it") in the reader's language; anything else as written."""
    return _(text) if text in BOT_WORDS else text


def render_announcement(
    plan: Plan,
    announcement: Announcement,
    *,
    zone: ZoneInfo,
    dates: WaveDates | None,
    refresh_user_ids: Sequence[str] = (),
    acknowledged_at: dt.datetime | None = None,
    old_dates: WaveDates | None = None,
    to_do: Sequence[str] = (),
    notice: str | None = None,
    notice_good: bool = False,
) -> dict[str, Any]:
    """The card a recipient sees, dates in their time zone (arguments: :func:`announcement_view`)."""
    template, view = announcement_view(
        plan,
        announcement,
        zone=zone,
        dates=dates,
        refresh_user_ids=refresh_user_ids,
        acknowledged_at=acknowledged_at,
        old_dates=old_dates,
        to_do=to_do,
        notice=notice,
        notice_good=notice_good,
    )
    return render_card(template, **view)


def announcement_view(
    plan: Plan,
    announcement: Announcement,
    *,
    zone: ZoneInfo,
    dates: WaveDates | None,
    refresh_user_ids: Sequence[str] = (),
    acknowledged_at: dt.datetime | None = None,
    old_dates: WaveDates | None = None,
    to_do: Sequence[str] = (),
    notice: str | None = None,
    notice_good: bool = False,
) -> tuple[str, dict[str, Any]]:
    """What a recipient's card shows, dates in their time zone: the template's name and its view.

    The card (:func:`render_announcement`) and the email (:mod:`switchover.announcements.email`)
    render the same view, so an email says what the card says.

    Args:
        plan: the migration plan (wave titles).
        announcement: what is sent.
        zone: the recipient's time zone.
        dates: the wave's cutover window (with any reschedule), None for no wave.
        refresh_user_ids: Teams ids whose clients refresh the card (Universal Actions).
        acknowledged_at: when the recipient acknowledged it; the buttons give way to a thank-you.
        old_dates: a reschedule notice's previous window.
        to_do: a calendar card before cutover: what this recipient must still do
            (``ReadinessService.to_do``), shown as "Before your cutover on ...".
        notice: one line answering the recipient's last button press.
        notice_good: show ``notice`` as good news (else as needing attention).
    """
    title, content, fell_back = localised(plan, announcement)
    notice = _bot_words(notice) if notice else notice
    ack_text = None
    if acknowledged_at is not None:
        ack_text = _("Acknowledged {moment} - thank you").format(moment=format_moment(acknowledged_at.astimezone(zone)))
    buttons = [b.view() for b in content.buttons]
    if announcement.kind != "calendar":  # a calendar message's buttons are the plan's words
        buttons = [{**b, "title": _bot_words(b["title"])} for b in buttons]
    if acknowledged_at is not None:
        buttons = [b for b in buttons if b["verb"] not in ACK_VERBS]
    refresh = list(refresh_user_ids)[:REFRESH_LIMIT]
    if old_dates is None and content.previous_cutover is not None:
        old_dates = WaveDates(*content.previous_cutover)
    if announcement.kind == "reschedule" and dates is not None and old_dates is not None:
        return "reschedule", dict(
            announcement_id=announcement.id,
            wave_title=plan.wave(announcement.wave_key or "").title,
            old_when=_when(old_dates, zone),
            new_when=_when(dates, zone),
            note=_bot_words(content.summary),
        )
    if announcement.kind == "freeform":
        return "freeform", dict(
            announcement_id=announcement.id,
            title=title,
            body=content.body or content.summary,
            urgency=content.urgency.value,
            image_url=str(content.image_url) if content.image_url else None,
            buttons=buttons,
            acknowledged_text=ack_text,
            correction=_correction(content.correction),
            refresh_user_ids=refresh,
            notice=notice,
        )
    wave = plan.wave(announcement.wave_key) if announcement.wave_key else None
    readiness = ReadinessNotice(tuple(to_do), dates.start.astimezone(zone)) if to_do and dates else None
    summary, points = content.summary, list(content.points)
    if wave is not None and announcement.send_at is not None:
        summary, points = _in_readers_zone(summary, points, announcement.send_at, plan.zone_of(wave), zone)
    return "announcement", dict(
        announcement_id=announcement.id,
        wave_title=wave.title if wave else None,
        title=title,
        when_text=_("Your cutover: {when}").format(when=_when(dates, zone)) if dates else None,
        summary=summary,
        points=points,
        buttons=buttons,
        acknowledged_text=ack_text,
        correction=_correction(content.correction),
        refresh_user_ids=refresh,
        readiness_title=readiness.title if readiness else None,
        readiness_text=readiness.text if readiness else None,
        notice=notice,
        notice_color="Good" if notice_good else "Attention",
        # Discreetly: the plan has no (or no complete) translation in the reader's language.
        language_note=language_note(plan, announcement, fell_back),
    )


def _in_readers_zone(
    summary: str, points: list[str], sent: dt.datetime, written_in: ZoneInfo, reader: ZoneInfo
) -> tuple[str, list[str]]:
    """A wave message's lines that speak of the day it goes ("T: becomes read-only at 17:30 today"),
    for a reader outside the wave's zone: day and time both theirs (``localise_times``)."""
    if reader.key == written_in.key:
        return summary, points
    local = sent.astimezone(written_in)

    def shown(text: str) -> str:
        return localise_times(text, local, reader) if names_a_day(text) else text

    return shown(summary), [shown(p) for p in points]


# An announcement's status as a lead reads it.
_STATUS = {
    "draft": N_("draft"),
    "scheduled": N_("scheduled"),
    "manual": N_("manual"),
    "resolving": N_("sending"),
    "sent": N_("sent"),
    "cancelled": N_("cancelled"),
    "missed": N_("missed"),
    "recalled": N_("recalled"),
}


def status_name(status: str) -> str:
    """An announcement's status in the reader's language."""
    return _(_STATUS[status]) if status in _STATUS else status


def language_name(code: str) -> str:
    """A language as the reader calls it (``es`` -> "Spanish", "español", "hiszpański")."""
    if code == UNKNOWN_LANGUAGE:
        return _("language not recorded")
    try:
        name = Locale.parse(code).get_display_name(i18n.current().locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name or code


def report_card(report: Report, zone: ZoneInfo) -> dict[str, Any]:
    """The report as a card for a project lead (times in ``zone``, words in the lead's language)."""
    a = report.announcement
    breakdown = [
        f"{_(name)}: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}"
        for name, counts in (
            (N_("Failed"), report.failed_by_reason),
            (N_("Unreachable"), report.unreachable_by_reason),
        )
        if counts
    ]
    if report.by_email or report.both or report.email_pending or report.email_failed:
        channels = report.as_dict()["by_channel"]
        line = _("Reached: {reached} of {recipients} ({teams} in Teams, {email} by email").format(
            reached=report.reached, recipients=report.recipients, teams=channels["teams"], email=report.by_email
        )
        if report.both:
            line += _(", {both} both (Teams in doubt)").format(both=report.both)
        line += ")"
        if report.email_pending:
            line += _("; email pending {n}").format(n=report.email_pending)
        if report.email_failed:
            line += _("; email failed {n}").format(n=report.email_failed)
        breakdown.insert(0, line)
    for what, figures_by in (("", report.by_department), ("language", report.by_language)):
        for key, figures in figures_by.items():
            if what == "language" and list(figures_by) == [UNKNOWN_LANGUAGE]:
                continue  # sent before languages were kept: nothing to break down
            name = language_name(key) if what == "language" else key
            breakdown.append(
                _("{name}: {sent}/{recipients} sent, {read} read, {acknowledged} acknowledged").format(
                    name=name,
                    sent=figures.get("sent", 0),
                    recipients=figures.get("recipients", 0),
                    read=figures.get("read", 0),
                    acknowledged=figures.get("acknowledged", 0),
                )
            )
    if a.send_at:
        status_text = _("{status} at {moment}; audience {audience}").format(
            status=status_name(a.status.value),
            moment=format_moment(a.send_at.astimezone(zone), year=True),
            audience=a.audience.describe(),
        )
    else:
        status_text = _("{status}; audience {audience}").format(
            status=status_name(a.status.value), audience=a.audience.describe()
        )
    return render_card(
        "announcement-report",
        title=f"{a.title} ({a.id})",
        status_text=status_text,
        totals=[(_(name), value) for name, value in report.totals()],
        breakdown=breakdown[:40],
    )


class RecipientCards:
    """Each recipient's card, from what is known of them now.

    Args:
        store: The tenant's announcements (and acknowledgements).
        calendar: Wave windows as they stand, and the plan.
        conversations: Recipients' 1:1 chats (their time zones and Teams ids).
        readiness: What a recipient must still do before cutover; None: cards never say.
    """

    def __init__(
        self,
        store: AnnouncementStore,
        calendar: WaveCalendar,
        conversations: ConversationStore,
        readiness: ReadinessService | None,
    ) -> None:
        self.store = store
        self.calendar = calendar
        self.conversations = conversations
        self.readiness = readiness

    async def dates(self, announcement: Announcement) -> WaveDates | None:
        """The announcement's wave window as it stands (None: no wave)."""
        return await self.calendar.wave_dates(announcement.wave_key) if announcement.wave_key else None

    async def for_recipients(
        self, announcement: Announcement, recipients: Sequence[Recipient], *, notice: str | None = None
    ) -> list[RecipientCard]:
        """Every recipient's card, in order, each in the recipient's language (their chats and to-do
        lists read in one pass each); ``notice``: a line on every card (a reminder says it is one).

        People who read the same card (language, time zone, to-do list) share one render; only the
        Teams id that refreshes it differs, and is put in each one's copy.
        """
        user_keys = [r.key for r in recipients if r.kind == "user"]
        tenant_id = self.store.tenant_id
        plan = self.calendar.plan
        records = await self.conversations.personal_for_users(tenant_id, user_keys) if user_keys else {}
        dates = await self.dates(announcement)
        to_do: dict[str, tuple[str, ...]] = {}
        if self.readiness is not None and self._reminds_before_cutover(announcement, dates) and user_keys:
            to_do = await self.readiness.to_do_for(user_keys)  # the last sync, in one pass
        rendered: dict[tuple[Any, ...], RecipientCard] = {}
        cards = []
        for recipient in recipients:
            record = records.get(recipient.key) if recipient.kind == "user" else None
            lang = reader_language(record.locale if record else None, plan)
            zone = _zone(record.time_zone if record else None) or self._unknown_zone(announcement, recipient.kind)
            steps = to_do.get(recipient.key, ()) if recipient.kind == "user" else ()
            key = (lang, zone.key, steps)
            shared = rendered.get(key)
            if shared is None:
                with i18n.use(lang):
                    card = render_announcement(
                        plan,
                        announcement,
                        zone=zone,
                        dates=dates,
                        refresh_user_ids=[_REFRESH_SLOT],
                        to_do=steps,
                        notice=notice,
                    )
                    title = localised(plan, announcement)[0]
                shared = rendered[key] = RecipientCard(card, lang.tag, title)
            own = _refreshed_by(shared.card, record.user_id if record else None)
            cards.append(dataclasses.replace(shared, card=own))
        return cards

    async def for_user(
        self,
        announcement: Announcement,
        user_id: str,
        *,
        acknowledged_at: dt.datetime | None = None,
        time_zone: str | None = None,
        notice: str | None = None,
        notice_good: bool = False,
        language: str | None = None,
    ) -> dict[str, Any]:
        """The card as this user should see it now (for refresh and acknowledgement).

        ``notice`` answers the button they just pressed (see :func:`render_announcement`);
        ``language``: the language to write it in (a delivery's own), else the user's stored one.
        """
        template, view, lang = await self._view(
            announcement,
            user_id,
            acknowledged_at=acknowledged_at,
            time_zone=time_zone,
            notice=notice,
            notice_good=notice_good,
            language=language,
        )
        with i18n.use(lang):
            return render_card(template, **view)

    async def view_for_user(
        self,
        announcement: Announcement,
        user_id: str,
        *,
        acknowledged_at: dt.datetime | None = None,
        time_zone: str | None = None,
        notice: str | None = None,
        notice_good: bool = False,
        language: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """What this user's card shows now: the template's name and its view (the email renders it too),
        written in ``language`` (a delivery's own), else in the user's stored Teams language."""
        template, view, _lang = await self._view(
            announcement,
            user_id,
            acknowledged_at=acknowledged_at,
            time_zone=time_zone,
            notice=notice,
            notice_good=notice_good,
            language=language,
        )
        return template, view

    async def _view(
        self,
        announcement: Announcement,
        user_id: str,
        *,
        acknowledged_at: dt.datetime | None,
        time_zone: str | None,
        notice: str | None,
        notice_good: bool,
        language: str | None,
    ) -> tuple[str, dict[str, Any], i18n.Language]:
        if acknowledged_at is None:
            acknowledged_at = await self.store.first_acknowledgement(announcement.id, user_id)
        record = await self.conversations.personal_for_user(self.store.tenant_id, user_id)
        zone = (
            _zone(time_zone) or _zone(record.time_zone if record else None) or self._unknown_zone(announcement, "user")
        )
        dates = await self.dates(announcement)
        to_do = await self._to_do(announcement, dates, user_id)
        with i18n.use(self._reader(language, record.locale if record else None)) as lang:
            template, view = announcement_view(
                self.calendar.plan,
                announcement,
                zone=zone,
                dates=dates,
                refresh_user_ids=[record.user_id] if record is not None and record.user_id else [],
                acknowledged_at=acknowledged_at,
                to_do=to_do,
                notice=notice,
                notice_good=notice_good,
            )
        return template, view, lang

    async def languages(self, announcement: Announcement, recipients: Sequence[Recipient]) -> AudienceLanguages:
        """Which languages ``recipients`` will read ``announcement`` in, and how many fall back to the plan's."""
        plan = self.calendar.plan
        plan_language = plan.organisation.language
        user_keys = [r.key for r in recipients if r.kind == "user"]
        records = await self.conversations.personal_for_users(self.store.tenant_id, user_keys) if user_keys else {}
        message = calendar_message(plan, announcement)
        as_planned = message is not None and _as_planned(announcement, message)
        edited = message is not None and not as_planned
        by_language: dict[str, int] = {}
        fall_back = not_known = 0
        for recipient in recipients:
            record = records.get(recipient.key) if recipient.kind == "user" else None
            asked = record.locale if record is not None else None
            if recipient.kind == "user" and not asked:
                not_known += 1
            lang = reader_language(asked, plan)
            by_language[lang.code] = by_language.get(lang.code, 0) + 1
            if not asked or lang.code == i18n.PSEUDO:
                continue
            if message is not None and as_planned:
                fall_back += message_in(message, asked, plan_language).fell_back
            else:
                fall_back += i18n.primary(asked) != plan_language
        ordered = dict(sorted(by_language.items(), key=lambda kv: (-kv[1], kv[0])))
        return AudienceLanguages(ordered, fall_back, not_known, plan_language, edited)

    def language_of(self, locale: str | None) -> i18n.Language:
        """What a recipient with Teams language ``locale`` (None: never told) reads."""
        return reader_language(locale, self.calendar.plan)

    def _reader(self, language: str | None, stored: str | None) -> i18n.Language:
        """The language to write a card in: ``language`` (the one a delivery was written in) when given,
        else the reader's stored Teams language. A delivery keeps the catalog it was written in (``en``
        for a reader whose Teams is in German); while their Teams still asks for the language that fell
        back to it, the card is rewritten as it was first written, with its note that the words are
        not in their language."""
        plan = self.calendar.plan
        if not language:
            return reader_language(stored, plan)
        written = reader_language(language, plan)
        if stored and not written.fell_back:
            now = reader_language(stored, plan)
            if now.fell_back and now.code == written.code:
                return now
        return written

    def _unknown_zone(self, announcement: Announcement, kind: str) -> ZoneInfo:
        """The zone for a recipient whose own Teams never told us: a wave's people are in the wave's
        zone; a channel (the Service Desk) and anything else in the organisation's."""
        plan = self.calendar.plan
        if kind == "user" and announcement.wave_key:
            try:
                return plan.zone_of(plan.wave(announcement.wave_key))
            except KeyError:  # a wave gone from a reloaded plan
                pass
        return plan.zone

    def _reminds_before_cutover(self, announcement: Announcement, dates: WaveDates | None) -> bool:
        """A wave calendar message going out before the wave's cutover starts ("one week to go", "tomorrow")."""
        return announcement.kind == "calendar" and dates is not None and self.store.clock.now() < dates.start

    async def _to_do(self, announcement: Announcement, dates: WaveDates | None, user_id: str) -> tuple[str, ...]:
        """What one recipient must still do before cutover, for their card (last sync; empty when ready or unknown)."""
        if self.readiness is None or not self._reminds_before_cutover(announcement, dates):
            return ()
        return (await self.readiness.to_do_for([user_id])).get(user_id, ())


def _refreshed_by(card: dict[str, Any], teams_id: str | None) -> dict[str, Any]:
    """A shared render as one recipient gets it: refreshed for them alone (or not at all, Teams id unknown)."""
    refresh = card.get("refresh")
    if refresh is None:
        return card
    own = dict(card)
    if teams_id:
        own["refresh"] = {**refresh, "userIds": [teams_id]}
    else:
        del own["refresh"]
    return own


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _when(dates: WaveDates, zone: ZoneInfo) -> str:
    return format_window(dates.start.astimezone(zone), dates.end.astimezone(zone), day="long")
