"""Announcements in Teams: lead commands, card actions (acknowledge, refresh), read receipts,
on the app's :class:`~switchover.announcements.AnnouncementService` (``services.announcements``;
the scheduler wakes its due announcements, the app runs the delivery worker).

Lead commands (only project leads named in the plan, as the routing table says: anyone else
gets a polite refusal, or, for words people also use in questions, an answer)::

    announce <audience> [important] [remind 2 days, 4 days] [at YYYY-MM-DD HH:MM] : <title> | <markdown body>
        audience: wave-3 | wave wave-3 | department Finance | office <office> |
                  users a@x.com, b@x.com | channel <team> / <channel> | everyone
        important: marked so, and a nudge in each person's Teams activity feed (when configured)
        remind: reminders to whoever has not pressed "Got it", then the list to the site champions
    announce <calendar message> <wave>        e.g. announce cutover-complete wave-3
    announcements                             list with figures
    announcement <id>                         the report card of one announcement
    send <id>                                 send a manual or missed one now
    edit <id> at YYYY-MM-DD HH:MM             move one that has not gone
    cancel <id>                               cancel one that has not gone
    correct <id> : <correction>               update every delivered card in place
    recall <id>                               delete every delivered card
    chasers <id>                              its reminders, champions' list and nudges, and how they fared
    cancel chasers <id>                       no more reminders or lists for it
    reschedule <wave> <YYYY-MM-DD> [HH:MM-HH:MM]   move a wave's cutover (and hypercare with it)
    postpone <wave> to <YYYY-MM-DD> [HH:MM-HH:MM]  the same as reschedule
    cutover started <wave>                    record it (a confirm card first); status shows it
    cutover complete <wave>                   record it and send the wave's manual cutover-complete card

``announce`` replies with a preview of the card and a confirmation card (Send / Discard).
Send, correct, recall and reschedule answer at once ("sending to 412 people", "updating 412
cards"); the work runs in the background at the rate limit, and the lead is told the outcome
in this chat when it is done (:mod:`switchover.announcements.jobs`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from bot.actions import AnnouncementAction, WaveStateAction
from bot.routing import Router
from bot.turn import Asker, Turn
from cards.render import render_card
from switchover.announcements import (
    Announcement,
    AnnouncementError,
    AnnouncementStatus,
    Audience,
    Button,
    Content,
    Lead,
    NotARecipient,
    Urgency,
)
from switchover.announcements.calendar import campaign_id
from switchover.announcements.model import CORRECTION, GOT_IT, PURPOSE
from switchover.announcements.views import AudienceLanguages, language_name, status_name
from switchover.i18n import N_, ngettext
from switchover.i18n import gettext as _
from switchover.plan.model import reminder_offsets
from switchover.plan.normalise import parse_duration
from switchover.services import Services
from switchover.status.wavestates import RecordedState, WaveStateStore, apply_change, plan_change
from switchover.timefmt import format_day, format_moment, format_window

log = logging.getLogger(__name__)

REFUSAL = N_(
    "Sorry, only the project leads named in the migration plan can {what}. "
    "If something needs announcing, please ask {leads}."
)

__all__ = ["on_read_receipt", "register"]

Arg = TypeVar("Arg")
Result = TypeVar("Result")


def register(router: Router, services: Services) -> None:
    """Add the announcement commands (for leads), card actions and the read-receipt hook."""
    h = _Handlers(services)
    refusal = _refusal(services)
    lead = h.settling  # a lead's command settles which tenant this instance serves
    router.command(
        "announce",
        lead(h.announce),
        help="compose an announcement",
        leads_only=True,
        refusal=refusal(N_("send announcements")),
    )
    router.command(
        "announcements",
        lead(h.listing),
        help="scheduled and sent announcements with their figures",
        leads_only=True,
        refusal=refusal(N_("see announcements")),
    )
    router.command(
        "reschedule",
        lead(h.reschedule),
        help="move a wave's cutover",
        leads_only=True,
        refusal=refusal(N_("reschedule waves")),
    )
    router.command(
        "postpone",
        lead(h.postpone),
        help="move a wave's cutover later (as reschedule)",
        leads_only=True,
        refusal=refusal(N_("postpone waves")),
    )
    for phrase, state in (("cutover started", "cutover-started"), ("cutover complete", "cutover-complete")):
        router.command(
            phrase,
            lead(h.wave_state(RecordedState(state))),
            help=f"record a wave's {phrase}",
            leads_only=True,
            refusal=refusal(N_("change a wave's state")),
        )
    for verb, handler in (("wave_state_confirm", h.state_confirm), ("wave_state_cancel", h.state_cancel)):
        router.action(
            verb, lead(handler), data=WaveStateAction, leads_only=True, refusal=refusal(N_("change a wave's state"))
        )
    # Words people also use in questions ("cancel my meeting"): for anyone but a lead, an answer.
    router.command("announcement", lead(h.report), leads_only=True)
    router.command("send", lead(h.send), leads_only=True)
    router.command("edit", lead(h.edit), leads_only=True)
    router.command("cancel", lead(h.cancel), leads_only=True)
    router.command("correct", lead(h.correct), leads_only=True)
    router.command("recall", lead(h.recall), leads_only=True)
    router.command("chasers", lead(h.chasers), leads_only=True)
    router.command("cancel chasers", lead(h.cancel_chasers), leads_only=True)
    for verb, handler in (("announce_confirm", h.confirm), ("announce_discard", h.discard)):
        router.action(
            verb, lead(handler), data=AnnouncementAction, leads_only=True, refusal=refusal(N_("send announcements"))
        )
    router.action("acknowledge", h.acknowledge, data=AnnouncementAction)
    router.action("mfa_done", h.mfa_done, data=AnnouncementAction)
    router.action("announcement_refresh", h.refresh, data=AnnouncementAction)
    router.event("read_receipt", h.read_receipt)


def _times(text: str) -> tuple[dt.time, dt.time]:
    """``07:00-16:00`` as two times (ValueError if not)."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(text)
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def _refusal(services: Services) -> Callable[[str], Callable[[], str]]:
    """What a lead-only route answers anyone else: who to ask instead (the leads of the plan as it
    stands), written when it is sent, in the language of the turn (not the one routes were registered in)."""

    def refusal(what: str) -> Callable[[], str]:
        def text() -> str:
            plan = services.plan
            leads = _(" or ").join(plan.person(k).name for k in plan.project_leads) or _("the project lead")
            return _(REFUSAL).format(what=_(what), leads=leads)

        return text

    return refusal


async def on_read_receipt(services: Services, asker: Asker, last_read_message_id: str, conversation_id: str) -> int:
    """Mark deliveries in this person's 1:1 chat read up to ``last_read_message_id``."""
    tenant_id = asker.tenant_id or services.announcements.tenant_id
    return await services.delivery.mark_read(tenant_id, conversation_id, last_read_message_id)


_IMPORTANT = re.compile(r"(?<![\w-])important(?![\w-])", re.IGNORECASE)
# "remind 2 days, 4 days" (durations as the plan writes them), up to "at ..." or the end.
_REMIND = re.compile(r"\bremind\s+((?:\d+\s*(?:business\s+)?[a-z]+(?:\s*,\s*|\s+and\s+|\s*))+)", re.IGNORECASE)
_LIST_SEP = re.compile(r"\s*,\s*|\s+and\s+", re.IGNORECASE)
_AT = re.compile(r"\bat\s+(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?\s*$", re.IGNORECASE)


def parse_audience(text: str, plan_waves: set[str]) -> Audience:
    """``wave-3`` / ``department Finance`` / ``users a@x, b@x`` / ``channel Team / Channel`` / ``everyone``."""
    text = text.strip()
    if text.casefold() in plan_waves:
        return Audience(kind="wave", values=(text.casefold(),))
    if text.casefold() in ("everyone", "all", "everyone in a wave"):
        return Audience(kind="everyone")
    kind, _sep, rest = text.partition(" ")
    kind = kind.casefold().rstrip("s") if kind.casefold() != "users" else "users"
    kind = {"dept": "department", "site": "office", "user": "users"}.get(kind, kind)
    if kind == "channel":
        return Audience(kind="channel", values=(rest.strip(),))
    if kind not in ("wave", "department", "office", "users"):
        raise ValueError(f"unknown audience {text!r}")
    values = tuple(v.strip() for v in rest.split(",") if v.strip())
    if kind == "wave":
        values = tuple(v.casefold() for v in values)
        unknown = [v for v in values if v not in plan_waves]
        if unknown:
            raise ValueError(f"no wave {', '.join(unknown)}")
    return Audience(kind=kind, values=values)  # type: ignore[arg-type]


def _rest(turn: Turn, words: int) -> str:
    """The original text after the first ``words`` words (routing folds case and punctuation away)."""
    parts = (turn.text or "").strip().split(None, words)
    return parts[words] if len(parts) > words else ""


def _notice(ann_id: str, text: str) -> dict[str, Any]:
    """A one-line card answering a card action (an invoke answered with plain text breaks botbuilder 4.17)."""
    return render_card("announcement-confirm", announcement_id=ann_id, text=text, done=True)


class _Handlers:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.service = services.announcements

    def settling(self, handler: Callable[[Turn, Arg], Awaitable[Result]]) -> Callable[[Turn, Arg], Awaitable[Result]]:
        """``handler``, after settling the tenant this instance serves from the lead's activity."""

        async def run(turn: Turn, arg: Arg) -> Result:
            await self.services.tenant.settle(turn.asker.tenant_id)
            return await handler(turn, arg)

        return run

    async def _ann(self, turn: Turn, ann_id: str) -> Announcement | None:
        try:
            return await self.service.get(ann_id.strip())
        except AnnouncementError as exc:
            await turn.reply_text(_("{error}. Type **announcements** to see them all.").format(error=exc))
            return None

    # -- composing -------------------------------------------------------------

    async def announce(self, turn: Turn, _text: str) -> None:
        rest = _rest(turn, 1)
        plan = self.services.plan
        words = rest.split()
        calendar_keys = {m.key for wave in plan.waves for m in plan.calendar_for(wave)}
        if len(words) == 2 and words[0].casefold() in calendar_keys:
            await self._announce_calendar(turn, words[0].casefold(), words[1].casefold())
            return
        # The first colon that is not inside a time ("at 2027-01-05 10:00 : Title | body").
        parts = re.split(r"(?<!\d):(?!\d)", rest, maxsplit=1)
        head, body = (parts[0], parts[1]) if len(parts) == 2 else (rest, "")
        if not head.strip() or not body.strip():
            await turn.reply_text(
                _(
                    "To announce, write: **announce** *audience* [at YYYY-MM-DD HH:MM] **:** *title* **|** *message*"
                    "\n\nAudience: a wave (wave-3), department Finance, office <office location>, "
                    "users a@x.com, b@x.com, channel <team> / <channel>, or everyone.\n\n"
                    "Or a calendar message for a wave: announce {messages} *wave*."
                ).format(messages=" | ".join(sorted(calendar_keys)))
            )
            return
        # "important" and "remind 2 days, 4 days" anywhere in the head, before its "at ...".
        important = bool(_IMPORTANT.search(head))
        head = _IMPORTANT.sub(" ", head)
        remind: tuple[int, ...] = ()
        if match := _REMIND.search(head):
            try:
                offsets = reminder_offsets(
                    tuple(parse_duration(p) for p in _LIST_SEP.split(match.group(1)) if p.strip())
                )
            except ValueError as exc:
                await turn.reply_text(
                    _("I can't use those reminders: {error}. Write e.g. remind 2 days, 4 days.").format(error=exc)
                )
                return
            remind = tuple(d.minutes for d in offsets)
            head = head[: match.start()] + " " + head[match.end() :]
        send_at = None
        if match := _AT.search(head):
            try:
                day = dt.date.fromisoformat(match.group(1))
                at = dt.time.fromisoformat(match.group(2)) if match.group(2) else dt.time(9, 0)
            except ValueError:
                await turn.reply_text(
                    _("I can't read the time {time!r}; write at YYYY-MM-DD HH:MM.").format(time=match.group(0))
                )
                return
            zone = turn.asker.zone or plan.zone
            send_at = dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)
            head = head[: match.start()]
        title, _sep, text = body.partition("|")
        if not text.strip():
            title, text = title.strip()[:80], title.strip()
        try:
            audience = parse_audience(head, {w.key for w in plan.waves})
            content = Content(
                body=text.strip(),
                buttons=(Button(title=GOT_IT, verb="acknowledge"),),
                urgency=Urgency.IMPORTANT if important else Urgency.NORMAL,
                remind_minutes=remind,
                nudge=important,
            )
        except (ValueError, ValidationError) as exc:
            await turn.reply_text(_("I couldn't use that audience: {error}").format(error=exc))
            return
        who = (await turn.user()) or None
        draft = await self.service.create(
            title=title.strip(),
            audience=audience,
            content=content,
            send_at=send_at,
            created_by=who.upn if who else turn.asker.upn,
            draft=True,
        )
        await self._preview(turn, draft)

    async def _announce_calendar(self, turn: Turn, key: str, wave_key: str) -> None:
        try:
            announcement = await self.service.get(campaign_id(wave_key, key))
        except AnnouncementError:
            await turn.reply_text(_("There is no {key} announcement for {wave}.").format(key=key, wave=wave_key))
            return
        if announcement.status not in (AnnouncementStatus.MANUAL, AnnouncementStatus.MISSED):
            await turn.reply_text(
                _("{id} is {status}; only a manual or missed one can be sent by hand.").format(
                    id=announcement.id, status=status_name(announcement.status.value)
                )
            )
            return
        await self._preview(turn, announcement)

    async def _preview(self, turn: Turn, announcement: Announcement) -> None:
        zone = turn.asker.zone or self.services.plan.zone
        dates = await self.service.wave_dates(announcement.wave_key) if announcement.wave_key else None
        card = self.service.render(announcement, zone=zone, dates=dates)
        await turn.reply_card(card, summary=_("Preview: {title}").format(title=announcement.title))
        recipients = await self.service.resolve(announcement.audience)
        languages = await self.service.languages(announcement, [r for r, _user in recipients])
        when = (
            _("at {moment}").format(moment=format_moment(announcement.send_at.astimezone(zone), year=True))
            if announcement.send_at and announcement.send_at > self.services.clock.now()
            else _("now")
        )
        text = ngettext(
            "This is the preview. Send it to {audience} ({n} recipient) {when}?",
            "This is the preview. Send it to {audience} ({n} recipients) {when}?",
            len(recipients),
        ).format(audience=announcement.audience.describe(), n=len(recipients), when=when)
        confirm = render_card(
            "announcement-confirm",
            announcement_id=announcement.id,
            text=f"{text}\n\n{_languages_line(languages)}" if recipients else text,
        )
        await turn.reply_card(confirm, summary=_("Send this announcement?"))

    async def confirm(self, turn: Turn, data: AnnouncementAction) -> dict[str, Any] | None:
        ann_id = data.announcement_id
        lead = await self._lead(turn)
        try:
            current = await self.service.get(ann_id)
            if current.status in (AnnouncementStatus.MANUAL, AnnouncementStatus.MISSED):
                done, job = await self.service.send_now(ann_id, lead=lead)
            else:
                done, job = await self.service.confirm(ann_id, lead=lead)
        except AnnouncementError as exc:
            return render_card("announcement-confirm", announcement_id=ann_id, text=str(exc), done=True)
        zone = turn.asker.zone or self.services.plan.zone
        when = format_moment(done.send_at.astimezone(zone), year=True) if done.send_at else _("now")
        if job is not None:
            # The audience is resolved by the job, not in this turn: the answer names it, and the
            # lead hears the count on the way and at the end.
            text = _(
                "Sending {id} to {audience} now. I'll tell you here how it goes and when every card has gone out."
            ).format(id=done.id, audience=done.audience.describe())
        else:
            text = _("Scheduled {id} for {when}.").format(id=done.id, when=when)
        return render_card("announcement-confirm", announcement_id=ann_id, text=text, done=True)

    async def discard(self, turn: Turn, data: AnnouncementAction) -> dict[str, Any] | None:
        ann_id = data.announcement_id
        try:
            current = await self.service.get(ann_id)
            if current.status is AnnouncementStatus.DRAFT:
                await self.service.cancel(ann_id)
        except AnnouncementError as exc:
            return render_card("announcement-confirm", announcement_id=ann_id, text=str(exc), done=True)
        return render_card(
            "announcement-confirm", announcement_id=ann_id, text=_("Discarded; nothing was sent."), done=True
        )

    # -- reading ---------------------------------------------------------------

    async def listing(self, turn: Turn, _text: str) -> None:
        zone = turn.asker.zone or self.services.plan.zone
        items = []
        for a in await self.service.list():
            if a.status in (AnnouncementStatus.CANCELLED, AnnouncementStatus.DRAFT):
                continue
            when = format_moment(a.send_at.astimezone(zone)) if a.send_at else _("sent by a lead")
            detail = f"{status_name(a.status.value)} - {when} - {a.audience.describe()}"
            if a.status in (AnnouncementStatus.SENT, AnnouncementStatus.RECALLED):
                r = await self.service.report(a.id)
                detail += _(
                    " - sent {sent}/{recipients}, read {read}, acknowledged {acknowledged}, "
                    "unreachable {unreachable}, failed {failed}"
                ).format(
                    sent=r.sent,
                    recipients=r.recipients,
                    read=r.read,
                    acknowledged=r.acknowledged,
                    unreachable=r.unreachable,
                    failed=r.failed,
                )
            items.append({"headline": f"{a.id}: {a.title}", "detail": detail})
        await turn.reply_card(render_card("announcement-list", items=items[:60]), summary=_("Announcements"))

    async def report(self, turn: Turn, _text: str) -> None:
        announcement = await self._ann(turn, _rest(turn, 1))
        if announcement is not None:
            report = await self.service.report(announcement.id)
            summary = _("Report: {title}").format(title=announcement.title)
            await turn.reply_card(self.service.report_card(report, turn.asker.zone), summary=summary)

    # -- changing ----------------------------------------------------------------

    async def send(self, turn: Turn, _text: str) -> None:
        announcement = await self._ann(turn, _rest(turn, 1))
        if announcement is not None:
            await self._preview(turn, announcement)

    async def edit(self, turn: Turn, _text: str) -> None:
        rest = _rest(turn, 1)
        ann_id, _sep, when = rest.partition(" ")
        match = _AT.search(" " + when.strip())
        if not match or not match.group(2):
            await turn.reply_text(_("Write: **edit** *id* at YYYY-MM-DD HH:MM"))
            return
        zone = turn.asker.zone or self.services.plan.zone
        send_at = dt.datetime.combine(
            dt.date.fromisoformat(match.group(1)), dt.time.fromisoformat(match.group(2)), tzinfo=zone
        )
        try:
            edited = await self.service.edit(ann_id, send_at=send_at.astimezone(dt.UTC))
        except AnnouncementError as exc:
            await turn.reply_text(str(exc))
            return
        await turn.reply_text(
            _("{id} now goes {moment}.").format(id=edited.id, moment=format_moment(send_at, year=True))
        )

    async def cancel(self, turn: Turn, _text: str) -> None:
        try:
            cancelled = await self.service.cancel(_rest(turn, 1).strip())
        except AnnouncementError as exc:
            await turn.reply_text(
                _("{error}. A sent announcement can be recalled instead: **recall** *id*.").format(error=exc)
            )
            return
        await turn.reply_text(
            _("Cancelled {id}: {title}. Nothing was sent.").format(id=cancelled.id, title=cancelled.title)
        )

    async def correct(self, turn: Turn, _text: str) -> None:
        ann_id, sep, correction = _rest(turn, 1).partition(":")
        announcement = await self._ann(turn, ann_id)
        if announcement is None:
            return
        if not sep or not correction.strip():
            await turn.reply_text(_("Write: **correct** *id* **:** *the correction*"))
            return
        # Stored with its English label: each card shows the label in its reader's language (views.py).
        content = announcement.content.model_copy(update={"correction": f"{CORRECTION}{correction.strip()}"})
        try:
            job = await self.service.correct(announcement.id, content=content, lead=await self._lead(turn), start=False)
        except AnnouncementError as exc:
            await turn.reply_text(str(exc))
            return
        # The lead hears first; then the cards change (a restart before this: the job is taken over).
        await turn.reply_text(
            _(
                "Correcting {id}: updating {cards} delivered in place. I'll tell you here when they are all done."
            ).format(id=announcement.id, cards=_cards(job.expected))
        )
        self.service.start_job(job)

    async def recall(self, turn: Turn, _text: str) -> None:
        try:
            job = await self.service.recall(_rest(turn, 1).strip(), lead=await self._lead(turn), start=False)
        except AnnouncementError as exc:
            await turn.reply_text(str(exc))
            return
        await turn.reply_text(
            _(
                "Recalling {id}: nothing more goes out, and {cards} delivered are being removed. "
                "I'll tell you here when they are all gone."
            ).format(id=job.announcement_ids[0], cards=_cards(job.expected))
        )
        self.service.start_job(job)

    async def chasers(self, turn: Turn, _text: str) -> None:
        """``chasers <id>``: the reminders, champions' list and nudges of one announcement."""
        announcement = await self._ann(turn, _rest(turn, 1))
        if announcement is None:
            return
        steps = await self.service.chaser_steps(announcement.id)
        if not steps:
            await turn.reply_text(
                _(
                    "{id} has no reminders. To have them, compose with e.g. "
                    "**announce** wave-3 remind 2 days, 4 days **:** *title* **|** *message*."
                ).format(id=announcement.id)
            )
            return
        zone = turn.asker.zone or self.services.plan.zone
        lines = []
        for step in steps:
            when = format_moment(step.due_at.astimezone(zone))
            what = {
                "nudge": _("Activity-feed nudges"),
                "reminder": _("Reminder {n}").format(n=step.step),
                "list": _("Champions' lists"),
            }
            counts = ", ".join(f"{n} {status}" for status, n in sorted(step.deliveries.items()))
            outcome = f" ({step.outcome})" if step.outcome else ""
            people = ", " + _people(step.people) if step.people is not None else ""
            lines.append(
                f"- {what[step.kind.value]}: {when}, {step.state.value}{outcome}{people}"
                + (f"; {counts}" if counts else "")
            )
        await turn.reply_text(
            _("Chasers of {id}: {title}").format(id=announcement.id, title=announcement.title)
            + "\n\n"
            + "\n".join(lines)
            + "\n\n"
            + _("To stop them: **cancel chasers** {id}").format(id=announcement.id)
        )

    async def cancel_chasers(self, turn: Turn, _text: str) -> None:
        """``cancel chasers <id>``: no more reminders or lists for it."""
        announcement = await self._ann(turn, _rest(turn, 2))
        if announcement is None:
            return
        stopped = await self.service.cancel_chasers(announcement.id)
        if stopped:
            await turn.reply_text(
                _("Stopped the chasers of {id}: no more reminders, and no list to the champions.").format(
                    id=announcement.id
                )
            )
        else:
            await turn.reply_text(_("{id} has no reminders left to stop.").format(id=announcement.id))

    async def postpone(self, turn: Turn, _text: str) -> None:
        """``postpone wave-3 to 2027-03-06 [07:00-16:00]``: a reschedule ("to" is optional)."""
        words = _rest(turn, 1).split()
        if len(words) > 1 and words[1].casefold() == "to":
            del words[1]
        await self._reschedule(turn, words, verb="postpone")

    async def reschedule(self, turn: Turn, _text: str) -> None:
        await self._reschedule(turn, _rest(turn, 1).split())

    async def _reschedule(self, turn: Turn, words: list[str], verb: str = "reschedule") -> None:
        waves = {w.key for w in self.services.plan.waves}
        start = end = None
        try:
            wave_key = words[0].casefold()
            day = dt.date.fromisoformat(words[1])
            if len(words) > 2:
                start, end = _times(words[2])
        except (IndexError, ValueError):
            wave_key, day = "", None
        if len(words) > 3:
            day = None
        if wave_key not in waves or day is None:
            to = " to" if verb == "postpone" else ""
            await turn.reply_text(
                _(
                    "Write: **{verb}** *wave*{to} *YYYY-MM-DD* [*HH:MM-HH:MM*], e.g. {verb} wave-3{to} 2027-03-06 "
                    "07:00-16:00 (without times the window keeps its times; waves: {waves})."
                ).format(verb=verb, to=to, waves=", ".join(sorted(waves)))
            )
            return
        who = await turn.user()
        try:
            result = await self.service.reschedule_wave(
                wave_key,
                day,
                start=start,
                end=end,
                by=who.upn if who else turn.asker.upn,
                lead=await self._lead(turn),
                run=False,
            )
        except ValueError as exc:
            await turn.reply_text(_("Nothing moved: {error}.").format(error=exc))
            return
        zone = turn.asker.zone or self.services.plan.zone
        notice = _("a reschedule notice is on its way to them") if result.notice_id else _("nothing had been sent yet")
        wave = self.services.plan.wave(wave_key)
        await turn.reply_text(
            _(
                "{wave} now cuts over {window}; hypercare until {hypercare}. {moved} pending announcements moved; "
                "updating {cards} delivered in place; {notice}."
            ).format(
                wave=wave.title,
                window=format_window(result.new.start.astimezone(zone), result.new.end.astimezone(zone), day="long"),
                hypercare=format_day(wave.hypercare_until),
                moved=len(result.moved),
                cards=_cards(result.updated_cards),
                notice=notice,
            )
        )
        if result.job is not None:
            self.service.start_job(result.job)

    # -- wave states ---------------------------------------------------------------

    def wave_state(self, state: RecordedState) -> Callable[[Turn, str], Awaitable[None]]:
        """``cutover started wave-2`` / ``cutover complete wave-2``: a confirm card saying what will happen."""

        async def ask(turn: Turn, _text: str) -> None:
            words = _rest(turn, 2).split()
            waves = {w.key for w in self.services.plan.waves}
            wave_key = words[0].casefold() if len(words) == 1 else ""
            phrase = state.value.replace("-", " ")
            if wave_key not in waves:
                await turn.reply_text(
                    _("Write: **{phrase}** *wave*, e.g. {phrase} wave-2 (waves: {waves}).").format(
                        phrase=phrase, waves=", ".join(sorted(waves))
                    )
                )
                return
            change = await plan_change(self.service, wave_key, state)
            title = self.services.plan.wave(wave_key).title
            sends = (
                _("send {id} ({title}) to {people}").format(
                    id=change.announcement.id, title=change.announcement.title, people=_people(change.recipients)
                )
                if change.announcement is not None
                else _("send nothing (the plan has no manual announcement for it that is still to go)")
            )
            text = _("Record {phrase} for {title}? Status and the digest will show it, and I will {sends}.").format(
                phrase=phrase, title=title, sends=sends
            )
            card = render_card("wave-state-confirm", wave=wave_key, state=state.value, text=text)
            await turn.reply_card(card, summary=_("Record {phrase} for {title}?").format(phrase=phrase, title=title))

        return ask

    async def state_confirm(self, turn: Turn, data: WaveStateAction) -> dict[str, Any] | None:
        state = RecordedState(data.state)
        phrase = state.value.replace("-", " ")
        if data.wave not in {w.key for w in self.services.plan.waves}:
            return _state_notice(data, _("There is no wave {wave}; nothing was recorded.").format(wave=data.wave))
        who = await turn.user()
        change = await plan_change(self.service, data.wave, state)
        _applied, job = await apply_change(
            self.service,
            WaveStateStore(self.services.db),
            change,
            by=who.upn if who else (turn.asker.upn or turn.asker.aad_object_id or "a lead"),
            lead=await self._lead(turn),
        )
        title = self.services.plan.wave(data.wave).title
        text = _("Recorded {phrase} for {title}.").format(phrase=phrase, title=title)
        if job is not None and change.announcement is not None:
            text += " " + _("Sending {id} to {people} now; I'll tell you here when it is done.").format(
                id=change.announcement.id, people=_people(change.recipients)
            )
        return _state_notice(data, text)

    async def state_cancel(self, turn: Turn, data: WaveStateAction) -> dict[str, Any] | None:
        return _state_notice(data, _("Cancelled; nothing was recorded or sent."))

    async def _lead(self, turn: Turn) -> Lead:
        """The lead asking, who is told in this chat how their operation ended."""
        who = await turn.user()
        return Lead(
            key=turn.asker.aad_object_id,
            name=turn.asker.name or (who.display_name if who else None),
            upn=who.upn if who else turn.asker.upn,
        )

    # -- recipients' card actions --------------------------------------------------

    async def acknowledge(self, turn: Turn, data: AnnouncementAction) -> dict[str, Any] | None:
        """Record "Got it" and answer with the card showing it."""
        ann_id = data.announcement_id
        user_id = turn.asker.aad_object_id or ""
        await self.services.tenant.settle(turn.asker.tenant_id)
        try:
            return await self.service.acknowledge(ann_id, user_id, "acknowledge", time_zone=turn.asker.time_zone)
        except (NotARecipient, AnnouncementError) as exc:
            return self._refused(ann_id, user_id, exc)

    async def mfa_done(self, turn: Turn, data: AnnouncementAction) -> dict[str, Any] | None:
        """Check "I've set up Authenticator" against Graph; record it only if Graph agrees (or cannot tell)."""
        ann_id = data.announcement_id
        user_id = turn.asker.aad_object_id or ""
        await self.services.tenant.settle(turn.asker.tenant_id)
        try:
            result = await self.service.confirm_mfa(ann_id, user_id, time_zone=turn.asker.time_zone)
        except (NotARecipient, AnnouncementError) as exc:
            return self._refused(ann_id, user_id, exc)
        log.info(
            "MFA acknowledgement",
            extra={"announcement": ann_id, "registered": result.registered, "recorded": result.recorded},
        )
        return result.card

    def _refused(self, ann_id: str, user_id: str, exc: Exception) -> dict[str, Any]:
        if isinstance(exc, NotARecipient):
            log.warning(
                "acknowledgement refused: not a recipient",
                extra={"announcement": ann_id, "user": user_id, "purpose": PURPOSE},
            )
            return _notice(ann_id, _("This announcement was not sent to you, so nothing was recorded."))
        log.warning("acknowledgement for an unknown announcement", extra={"announcement": ann_id})
        return _notice(ann_id, _("This announcement no longer exists."))

    async def refresh(self, turn: Turn, data: AnnouncementAction) -> dict[str, Any] | None:
        ann_id = data.announcement_id
        user_id = turn.asker.aad_object_id or ""
        try:
            announcement = await self.service.get(ann_id)
        except AnnouncementError:
            return None
        if await self.service.delivery_for(ann_id, user_id) is None:
            return None
        return await self.service.card_for_user(announcement, user_id, time_zone=turn.asker.time_zone)

    async def read_receipt(self, turn: Turn, last_read_message_id: Any) -> None:
        conversation = turn.activity.conversation
        if conversation is None or not last_read_message_id:
            return
        await on_read_receipt(self.services, turn.asker, str(last_read_message_id), conversation.id)


def _state_notice(data: WaveStateAction, text: str) -> dict[str, Any]:
    return render_card("wave-state-confirm", wave=data.wave, state=data.state, text=text, done=True)


def _languages_line(languages: AudienceLanguages) -> str:
    """The preview's languages: "Languages: English 120, Spanish 14. 3 recipients will read it in English, not in
    their own language; Teams has not told me the language of 40 (they read English)."."""
    counts = ", ".join(f"{language_name(code)} {n:,}" for code, n in languages.by_language.items())
    line = _("Languages: {counts}.").format(counts=counts)
    plan_language = language_name(languages.plan_language)
    if languages.fall_back and languages.edited:
        # The plan's translations are of the entry's own words, not of the lead's: none is sent.
        line += " " + ngettext(
            "{n} recipient will read it in {language}, not in their own language, because its text was "
            "edited: the plan's translations are of the text it had.",
            "{n} recipients will read it in {language}, not in their own language, because its text was "
            "edited: the plan's translations are of the text it had.",
            languages.fall_back,
        ).format(n=f"{languages.fall_back:,}", language=plan_language)
    elif languages.fall_back:
        line += " " + ngettext(
            "{n} recipient will read it in {language}, not in their own language.",
            "{n} recipients will read it in {language}, not in their own language.",
            languages.fall_back,
        ).format(n=f"{languages.fall_back:,}", language=plan_language)
    if languages.not_known:
        line += " " + ngettext(
            "Teams has not told me the language of {n} recipient: they read {language}.",
            "Teams has not told me the language of {n} recipients: they read {language}.",
            languages.not_known,
        ).format(n=f"{languages.not_known:,}", language=plan_language)
    return line


def _people(n: int) -> str:
    return ngettext("{n} person", "{n} people", n).format(n=f"{n:,}")


def _cards(n: int) -> str:
    return ngettext("{n} card", "{n} cards", n).format(n=f"{n:,}")
