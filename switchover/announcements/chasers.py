"""Chasers: what follows an announcement that asks to be acknowledged, or that is important.

An announcement whose content has ``remind_minutes`` (the plan's ``remind: ["2 days", "4 days"]``,
or the lead's ``remind`` when composing) and an acknowledging button gets, when it is sent, one
row per step in ``announcement_chasers``:

- steps ``1..n``, **reminders**, due that long after it went: everyone it was sent to who has not
  acknowledged it is sent their card again, with a line saying it is a reminder (the same
  announcement, so "Got it" on the reminder acknowledges it);
- step ``n + 1``, the **list**, due :data:`ESCALATE_AFTER` after the last reminder: each site
  champion (the plan's ``champions`` with a ``site``; or each person's manager from Graph, when
  ``SWITCHOVER_CHASERS_ESCALATE_TO=managers`` and the directory knows managers) is sent the list of
  their people who still have not acknowledged, in pages of :data:`PAGE`; people with neither go
  to the project leads.

An important announcement (``nudge``) also gets one row per person (step 0), due at once: a
notice in their Teams activity feed through Graph (:mod:`switchover.directory.activity`), when
the directory is Graph and ``TEAMS_APP_CATALOG_ID`` is set. A throttled nudge is tried again
after Graph's ``Retry-After``.

Rows are claimed in the database (a conditional update with a lease), so two instances never both
work one, and a restart resumes what was claimed once its lease runs out. Every message goes through
the delivery engine's outbox with a dedupe key, so a step worked twice sends nobody a second copy.

Chasers stop: for a person once they acknowledge (they are left out of every later step, and a
reminder still queued for them is cancelled); for a person whose wave's cutover has started;
altogether when a lead cancels them (:meth:`Chasers.cancel`: the rows and the reminders still
queued), or when the announcement is recalled.

Reminders that cannot reach a person in Teams end ``unreachable`` or ``failed`` in the outbox, like
any delivery, under :data:`REMINDER_PURPOSE` and the announcement's id (:meth:`Chasers.steps`
counts them per step): that outcome is where an email fallback takes over.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from cards.render import render_card
from switchover import i18n
from switchover.announcements.model import (
    LIST_PURPOSE,
    PURPOSE,
    REMINDER_NOTICE,
    REMINDER_PURPOSE,
    Announcement,
    AnnouncementError,
    AnnouncementStatus,
)
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.tables import chasers
from switchover.announcements.views import RecipientCard, RecipientCards, localised
from switchover.delivery import DeliveryEngine, DeliveryRequest, DeliveryStatus, Recipient
from switchover.directory.activity import ActivityFeed, Nudge, NudgeOutcome
from switchover.directory.base import Directory, DirectoryUser
from switchover.i18n import N_, ngettext
from switchover.i18n import gettext as _
from switchover.membership import resolve_wave
from switchover.messaging import OutgoingMessage
from switchover.storage.db import insert_for, rowcount
from switchover.timefmt import format_moment

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from switchover.announcements.calendar import WaveCalendar

log = logging.getLogger(__name__)

ESCALATE_AFTER = dt.timedelta(days=1)  # the list goes this long after the last reminder
PAGE = 40  # people per card sent to a champion, a manager or a lead (the card shows 40)
NUDGE_BATCH = 200  # nudges claimed per run
NUDGE_ATTEMPTS = 5  # a nudge still throttled after this many claims is recorded failed
NUDGE_CONCURRENCY = 4

EscalateTo = Literal["champions", "managers"]


class ChaserKind(StrEnum):
    NUDGE = "nudge"
    REMINDER = "reminder"
    LIST = "list"


class ChaserState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ChaserStep:
    """One step of an announcement's chasers, as stored, with how its messages fared."""

    announcement_id: str
    step: int
    kind: ChaserKind
    due_at: dt.datetime
    state: ChaserState
    people: int | None
    outcome: str | None
    detail: str | None
    finished_at: dt.datetime | None
    deliveries: dict[str, int]  # outbox status -> count (reminders and lists); nudges: outcome -> count

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "kind": self.kind.value,
            "due_at": self.due_at.isoformat(),
            "state": self.state.value,
            "people": self.people,
            "outcome": self.outcome,
            "detail": self.detail,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "deliveries": self.deliveries,
        }


@dataclass(frozen=True, slots=True)
class _Claimed:
    announcement_id: str
    step: int
    user_id: str
    kind: ChaserKind
    attempts: int


class Chasers:
    """Reminders, lists to champions and activity-feed nudges for one tenant's announcements.

    Args:
        store: The tenant's announcements and acknowledgements.
        calendar: The plan (champions, leads, waves) and the wave windows as they stand.
        cards: Each recipient's card (a reminder is the card again, with a reminder line).
        directory: Who people are (site, manager, account).
        engine: The delivery engine that sends reminders and lists.
        lease: How long a claim on a due step holds.
        escalate_to: ``champions`` (the plan's, per site) or ``managers`` (each person's
            manager from the directory, else their site's champion).
        activity: Sends activity-feed nudges; None: important announcements are not nudged.
        app_id: The bot's Microsoft app id: a nudge opens the chat with the bot.
    """

    def __init__(
        self,
        store: AnnouncementStore,
        calendar: WaveCalendar,
        cards: RecipientCards,
        directory: Directory,
        engine: DeliveryEngine,
        *,
        lease: dt.timedelta,
        escalate_to: EscalateTo = "champions",
        activity: ActivityFeed | None = None,
        app_id: str = "",
    ) -> None:
        self.store = store
        self.calendar = calendar
        self.cards = cards
        self.directory = directory
        self.engine = engine
        self.lease = lease
        self.escalate_to = escalate_to
        self.activity = activity
        self.app_id = app_id

    # -- scheduling ------------------------------------------------------------

    async def schedule(
        self, c: AsyncConnection, announcement: Announcement, recipients: Sequence[Recipient], sent_at: dt.datetime
    ) -> None:
        """Record the chaser steps of an announcement that has just been queued (in its transaction)."""
        tenant_id = self.store.tenant_id
        rows: list[dict[str, Any]] = []

        def row(step: int, kind: ChaserKind, due: dt.datetime, user_id: str = "") -> dict[str, Any]:
            return {
                "tenant_id": tenant_id,
                "announcement_id": announcement.id,
                "step": step,
                "user_id": user_id,
                "kind": kind.value,
                "due_at": due,
                "state": ChaserState.PENDING.value,
                "attempts": 0,
            }

        content = announcement.content
        people = [r for r in recipients if r.kind == "user"]
        if content.remind_minutes and content.asks_acknowledgement and people:
            for i, minutes in enumerate(content.remind_minutes, start=1):
                rows.append(row(i, ChaserKind.REMINDER, sent_at + dt.timedelta(minutes=minutes)))
            last = sent_at + dt.timedelta(minutes=content.remind_minutes[-1])
            rows.append(row(len(content.remind_minutes) + 1, ChaserKind.LIST, last + ESCALATE_AFTER))
        if content.nudge and self.activity is not None:
            rows.extend(row(0, ChaserKind.NUDGE, sent_at, r.key) for r in people)
        if not rows:
            return
        ins = insert_for(self.store.db.dialect)
        for start in range(0, len(rows), 500):
            await c.execute(ins(chasers).values(rows[start : start + 500]).on_conflict_do_nothing())
        log.info("chasers scheduled", extra={"announcement": announcement.id, "rows": len(rows)})

    # -- working what is due ---------------------------------------------------

    async def run_due(self) -> int:
        """Claim and work every due step (reminders and lists in step order, then nudges); how many were worked."""
        claimed = await self._claim()
        steps = sorted(
            (r for r in claimed if r.kind is not ChaserKind.NUDGE), key=lambda r: (r.announcement_id, r.step)
        )
        for item in steps:
            try:
                await self._work(item)
            except Exception:
                # The claim's lease runs out and the next run tries again; deliveries are deduplicated.
                log.exception("chaser step failed", extra={"announcement": item.announcement_id, "step": item.step})
        nudges = [r for r in claimed if r.kind is ChaserKind.NUDGE]
        if nudges:
            await self._nudge(nudges)
        return len(claimed)

    async def _claim(self) -> list[_Claimed]:
        now = self.store.clock.now()
        c_ = chasers.c
        due = sa.or_(
            sa.and_(c_.state == ChaserState.PENDING.value, c_.due_at <= now),
            sa.and_(c_.state == ChaserState.CLAIMED.value, c_.claimed_until < now),
        )
        key = (c_.announcement_id, c_.step, c_.user_id)
        async with self.store.db.begin(immediate=True) as c:
            steps = (
                await c.execute(sa.select(*key).where(c_.tenant_id == self.store.tenant_id, c_.step > 0, due))
            ).all()
            nudges = (
                await c.execute(
                    sa.select(*key)
                    .where(c_.tenant_id == self.store.tenant_id, c_.step == 0, due)
                    .order_by(c_.due_at)
                    .limit(NUDGE_BATCH)
                )
            ).all()
            wanted = [tuple(r) for r in (*steps, *nudges)]
            if not wanted:
                return []
            out: list[_Claimed] = []
            for start in range(0, len(wanted), 300):
                part = wanted[start : start + 300]
                result = await c.execute(
                    sa.update(chasers)
                    .where(c_.tenant_id == self.store.tenant_id, sa.tuple_(*key).in_(part), due)
                    .values(state=ChaserState.CLAIMED.value, claimed_until=now + self.lease, attempts=c_.attempts + 1)
                    .returning(c_.announcement_id, c_.step, c_.user_id, c_.kind, c_.attempts)
                )
                out.extend(
                    _Claimed(r.announcement_id, r.step, r.user_id, ChaserKind(r.kind), r.attempts) for r in result
                )
        return out

    async def _finish(
        self,
        item: _Claimed,
        *,
        state: ChaserState = ChaserState.DONE,
        people: int | None = None,
        outcome: str,
        detail: str | None = None,
        due_at: dt.datetime | None = None,
    ) -> bool:
        """Record a claimed row's end (or, with ``due_at``, put it back); False if it was stopped meanwhile."""
        c_ = chasers.c
        values: dict[str, Any] = {"state": state.value, "claimed_until": None, "outcome": outcome, "detail": detail}
        if due_at is not None:
            values["due_at"] = due_at
        else:
            values.update(people=people, finished_at=self.store.clock.now())
        async with self.store.db.begin(immediate=True) as c:
            result = await c.execute(
                sa.update(chasers)
                .where(
                    c_.tenant_id == self.store.tenant_id,
                    c_.announcement_id == item.announcement_id,
                    c_.step == item.step,
                    c_.user_id == item.user_id,
                    c_.state == ChaserState.CLAIMED.value,
                )
                .values(**values)
            )
        return rowcount(result) == 1

    async def _stop_rest(self, ann_id: str, outcome: str, detail: str) -> int:
        """Stop every step of an announcement not yet done (pending or claimed)."""
        c_ = chasers.c
        async with self.store.db.begin(immediate=True) as c:
            result = await c.execute(
                sa.update(chasers)
                .where(
                    c_.tenant_id == self.store.tenant_id,
                    c_.announcement_id == ann_id,
                    c_.state.in_([ChaserState.PENDING.value, ChaserState.CLAIMED.value]),
                )
                .values(
                    state=ChaserState.STOPPED.value,
                    claimed_until=None,
                    outcome=outcome,
                    detail=detail,
                    finished_at=self.store.clock.now(),
                )
            )
        return rowcount(result)

    async def _work(self, item: _Claimed) -> None:
        try:
            announcement = await self.store.get(item.announcement_id)
        except AnnouncementError:
            await self._finish(item, state=ChaserState.STOPPED, outcome="gone", detail="the announcement is gone")
            return
        if announcement.status is not AnnouncementStatus.SENT:
            await self._stop_rest(
                announcement.id, announcement.status.value, f"the announcement was {announcement.status.value}"
            )
            return
        if await self._wave_started(announcement.wave_key):
            await self._stop_rest(announcement.id, "cutover_started", "the wave's cutover has started")
            log.info("chasers stopped at cutover", extra={"announcement": announcement.id})
            return
        people = await self.unacknowledged(announcement)
        if not people:
            await self._finish(item, people=0, outcome="no_one_left", detail="everyone has acknowledged")
            return
        if item.kind is ChaserKind.REMINDER:
            requests = await self._reminders(announcement, item.step, people)
        else:
            requests = await self._lists(announcement, people)
        await self.engine.enqueue(requests)
        if not await self._finish(item, people=len(people), outcome="sent"):
            # Cancelled while this step was being queued: what it queued is cancelled too.
            await self.engine.cancel(self.store.tenant_id, REMINDER_PURPOSE, announcement.id)
            await self.engine.cancel(self.store.tenant_id, LIST_PURPOSE, announcement.id)
            return
        log.info(
            "chaser step queued",
            extra={"announcement": announcement.id, "step": item.step, "kind": item.kind.value, "people": len(people)},
        )

    async def _wave_started(self, wave_key: str | None, cache: dict[str, bool] | None = None) -> bool:
        if not wave_key:
            return False
        if cache is not None and wave_key in cache:
            return cache[wave_key]
        try:
            dates = await self.calendar.wave_dates(wave_key)
        except KeyError:  # a wave gone from the plan: nobody left to chase for it
            started = True
        else:
            started = self.store.clock.now() >= dates.start
        if cache is not None:
            cache[wave_key] = started
        return started

    async def unacknowledged(self, announcement: Announcement) -> list[tuple[Recipient, DirectoryUser | None]]:
        """The people the announcement was queued for who have not acknowledged it, as of now, leaving out
        anyone whose wave's cutover has started (and anyone it was cancelled or recalled for)."""
        tenant_id = self.store.tenant_id
        acknowledged = await self.store.acknowledged_by(announcement.id)
        outcomes = await self.engine.outcomes(tenant_id, PURPOSE, announcement.id)
        gone = (DeliveryStatus.CANCELLED, DeliveryStatus.RECALLED)
        users = {u.id: u for u in await self.directory.all_users()}
        started: dict[str, bool] = {}
        out: dict[str, tuple[Recipient, DirectoryUser | None]] = {}
        for outcome in outcomes:
            recipient = outcome.recipient
            if recipient.kind != "user" or outcome.status in gone or recipient.key in acknowledged:
                continue
            user = users.get(recipient.key)
            if user is not None and not announcement.wave_key:
                wave_key = resolve_wave(self.calendar.plan, user).wave_key
                if await self._wave_started(wave_key, started):
                    continue
            out.setdefault(recipient.key, (recipient, user))
        return list(out.values())

    async def _reminders(
        self, announcement: Announcement, step: int, people: list[tuple[Recipient, DirectoryUser | None]]
    ) -> list[DeliveryRequest]:
        recipients = [r for r, _user in people]
        cards = await self.cards.for_recipients(announcement, recipients, notice=REMINDER_NOTICE)
        return [
            DeliveryRequest(
                recipient=recipient,
                message=OutgoingMessage(card=shown.card, summary=_reminder(shown)),
                purpose=REMINDER_PURPOSE,
                subject_id=announcement.id,
                dedupe_key=f"reminder:{announcement.id}:{step}:{recipient.key}",
                language=shown.language,
            )
            for recipient, shown in zip(recipients, cards, strict=True)
        ]

    # -- the lists to champions, managers and leads ------------------------------

    async def _lists(
        self, announcement: Announcement, people: list[tuple[Recipient, DirectoryUser | None]]
    ) -> list[DeliveryRequest]:
        groups, by_id = self.groups(people, {u.id: u for u in await self.directory.all_users()})
        plan = self.calendar.plan
        tenant_id = self.store.tenant_id
        sent = announcement.started_at or announcement.send_at
        reminders = len(announcement.content.remind_minutes)
        requests = []
        # Each champion, manager or lead reads their list in their own Teams language.
        records = await self.cards.conversations.personal_for_users(tenant_id, sorted(by_id)) if by_id else {}
        for (target_id, why), members in sorted(groups.items()):
            target = by_id[target_id]
            members.sort(key=lambda u: (u[0].display_name or u[0].key).casefold())
            pages = [members[i : i + PAGE] for i in range(0, len(members), PAGE)]
            record = records.get(target_id)
            for number, page in enumerate(pages, start=1):
                with i18n.use(self.cards.language_of(record.locale if record is not None else None)):
                    title = localised(self.cards.calendar.plan, announcement)[0]  # the plan's words in theirs
                    summary = _("Not yet acknowledged: {title}").format(title=title)
                    sent_text = format_moment(sent.astimezone(plan.zone)) if sent else None
                    card = render_card(
                        "chaser-list",
                        title=summary,
                        intro=_intro(len(members), why, sent_text, reminders),
                        page=_("List {number} of {pages}").format(number=number, pages=len(pages))
                        if len(pages) > 1
                        else "",
                        people=[_line(recipient, user) for recipient, user in page],
                    )
                requests.append(
                    DeliveryRequest(
                        recipient=Recipient(tenant_id, "user", target.id, target.display_name),
                        message=OutgoingMessage(card=card, summary=summary),
                        purpose=LIST_PURPOSE,
                        subject_id=announcement.id,
                        # One list per target and group (a champion of two sites gets two).
                        dedupe_key=f"chaser-list:{announcement.id}:{target.id}:{_short(why)}:{number}",
                    )
                )
        return requests

    def groups(
        self, people: list[tuple[Recipient, DirectoryUser | None]], known: dict[str, DirectoryUser]
    ) -> tuple[dict[tuple[str, str], list[tuple[Recipient, DirectoryUser | None]]], dict[str, DirectoryUser]]:
        """Who gets whom on their list: ``(target user id, why)`` -> people, and the targets by id.

        Each person goes to their manager (``escalate_to="managers"`` and the directory knows one),
        else to every champion of their site, else to every project lead.
        """
        plan = self.calendar.plan
        by_upn = {u.upn.casefold(): u for u in known.values()}
        champions: dict[str, list[DirectoryUser]] = defaultdict(list)
        for champion in plan.champions:
            user = by_upn.get(champion.user.casefold())
            if champion.site and user is not None:
                for name in _site_names(plan, champion.site):
                    champions[name].append(user)
        leads = [
            by_upn[p.upn.casefold()] for key in plan.project_leads if (p := plan.person(key)).upn.casefold() in by_upn
        ]
        groups: dict[tuple[str, str], list[tuple[Recipient, DirectoryUser | None]]] = defaultdict(list)
        by_id: dict[str, DirectoryUser] = {}
        for recipient, user in people:
            targets: list[tuple[DirectoryUser, str]] = []
            if self.escalate_to == "managers" and user is not None and user.manager_id in known:
                targets = [(known[user.manager_id], "who report to you")]
            elif user is not None and user.office and champions.get(user.office.casefold()):
                targets = [(c, f"at {user.office}") for c in champions[user.office.casefold()]]
            else:
                targets = [(lead, "with no champion for their site") for lead in leads]
            for target, why in targets:
                by_id[target.id] = target
                groups[(target.id, why)].append((recipient, user))
        return groups, by_id

    # -- activity-feed nudges ----------------------------------------------------

    async def _nudge(self, items: list[_Claimed]) -> None:
        activity = self.activity
        anns: dict[str, Announcement | None] = {}
        for item in items:
            if item.announcement_id not in anns:
                try:
                    anns[item.announcement_id] = await self.store.get(item.announcement_id)
                except AnnouncementError:
                    anns[item.announcement_id] = None
        sem = asyncio.Semaphore(NUDGE_CONCURRENCY)
        web_url = (
            f"https://teams.microsoft.com/l/chat/0/0?users=28:{self.app_id}"
            if self.app_id
            else "https://teams.microsoft.com"
        )

        async def one(item: _Claimed) -> None:
            announcement = anns[item.announcement_id]
            if announcement is None or announcement.status is not AnnouncementStatus.SENT or activity is None:
                await self._finish(
                    item, state=ChaserState.STOPPED, outcome="not_sent", detail="the announcement was withdrawn"
                )
                return
            preview = announcement.content.summary or announcement.content.body or announcement.title
            async with sem:
                result = await activity.notify(item.user_id, Nudge(announcement.title, preview, web_url))
            if result.outcome is NudgeOutcome.THROTTLED and item.attempts < NUDGE_ATTEMPTS:
                wait = dt.timedelta(seconds=result.retry_after if result.retry_after is not None else 60)
                await self._finish(
                    item, state=ChaserState.PENDING, outcome="throttled", due_at=self.store.clock.now() + wait
                )
                return
            await self._finish(
                item,
                people=1 if result.outcome is NudgeOutcome.SENT else 0,
                outcome=result.outcome.value,
                detail=result.detail or None,
            )

        await asyncio.gather(*(one(item) for item in items))

    # -- the lead's view and controls --------------------------------------------

    async def cancel(self, ann_id: str) -> int:
        """Stop an announcement's chasers: steps not done, and reminders and lists still queued.

        Returns:
            How many steps were stopped (0: none were left).

        Raises:
            AnnouncementError: unknown announcement.
        """
        await self.store.get(ann_id)
        stopped = await self._stop_rest(ann_id, "cancelled", "cancelled by a lead")
        await self.engine.cancel(self.store.tenant_id, REMINDER_PURPOSE, ann_id)
        await self.engine.cancel(self.store.tenant_id, LIST_PURPOSE, ann_id)
        log.info("chasers cancelled", extra={"announcement": ann_id, "steps": stopped})
        return stopped

    async def steps(self, ann_id: str) -> list[ChaserStep]:
        """An announcement's chaser steps (the nudge as one step), with their deliveries counted.

        Raises:
            AnnouncementError: unknown announcement.
        """
        await self.store.get(ann_id)
        c_ = chasers.c
        async with self.store.db.begin(read_only=True) as c:
            rows = (
                await c.execute(
                    sa.select(chasers)
                    .where(c_.tenant_id == self.store.tenant_id, c_.announcement_id == ann_id)
                    .order_by(c_.step, c_.user_id)
                )
            ).all()
        out: list[ChaserStep] = []
        nudges = [r for r in rows if r.step == 0]
        if nudges:
            states = Counter(r.state for r in nudges)
            state = ChaserState.DONE if set(states) <= {"done", "stopped"} else ChaserState.PENDING
            out.append(
                ChaserStep(
                    ann_id,
                    0,
                    ChaserKind.NUDGE,
                    min(r.due_at for r in nudges),
                    state,
                    sum(r.people or 0 for r in nudges),
                    None,
                    None,
                    max((r.finished_at for r in nudges if r.finished_at), default=None),
                    dict(Counter(r.outcome or r.state for r in nudges)),
                )
            )
        sends: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for purpose in (REMINDER_PURPOSE, LIST_PURPOSE):
            for outcome in await self.engine.outcomes(self.store.tenant_id, purpose, ann_id):
                step = outcome.dedupe_key.split(":")[-2] if purpose == REMINDER_PURPOSE else "list"
                sends[(purpose, step)][outcome.status.value] += 1
        for r in rows:
            if r.step == 0:
                continue
            kind = ChaserKind(r.kind)
            counted = (
                sends[(REMINDER_PURPOSE, str(r.step))] if kind is ChaserKind.REMINDER else sends[(LIST_PURPOSE, "list")]
            )
            out.append(
                ChaserStep(
                    ann_id,
                    r.step,
                    kind,
                    r.due_at,
                    ChaserState(r.state),
                    r.people,
                    r.outcome,
                    r.detail,
                    r.finished_at,
                    dict(counted),
                )
            )
        return out


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _site_names(plan: Any, site: str) -> set[str]:
    """A site's name and its aliases, folded."""
    names = {site.casefold()}
    for name, aliases in plan.aliases.sites.items():
        if name.casefold() == site.casefold():
            names.update(a.casefold() for a in aliases)
    return names


def _line(recipient: Recipient, user: DirectoryUser | None) -> str:
    name = (user.display_name if user else None) or recipient.display_name or recipient.key
    if user is None:
        return name
    extra = ", ".join(x for x in (user.department, user.upn) if x)
    return f"{name} ({extra})" if extra else name


def _intro(n: int, why: str, sent: str | None, reminders: int) -> str:
    """A chaser list's first lines, in the language in force ("45 people at <site> have not ...")."""
    return (
        ngettext(
            "{n} person {why} has not acknowledged this announcement, sent {sent}, after {reminders}.",
            "{n} people {why} have not acknowledged this announcement, sent {sent}, after {reminders}.",
            n,
        ).format(
            n=n,
            why=_why_shown(why),
            sent=sent or _("earlier"),
            reminders=ngettext("{n} reminder", "{n} reminders", reminders).format(n=reminders),
        )
        + " "
        + _("A word from you helps before their cutover.")
    )


def _why_shown(why: str) -> str:
    """Why these people are on the list (:meth:`Chasers.groups`'s key), in the language in force."""
    if why.startswith("at "):
        return _("at {site}").format(site=why.removeprefix("at "))
    return _(why) if why in _WHY else why


_WHY = frozenset({N_("who report to you"), N_("with no champion for their site")})


def _reminder(shown: RecipientCard) -> str:
    """A reminder's notification summary, in the language of its card."""
    with i18n.use(shown.language):
        return _("Reminder: {title}").format(title=shown.title)
