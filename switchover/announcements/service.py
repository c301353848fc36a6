"""``AnnouncementService``: what the Teams layer and the API call, composed from the parts that do it.

The database is the truth: an announcement row says what is due and when;
:meth:`AnnouncementService.run_due` (woken by the scheduler) claims what is due,
resolves its recipients *then* (not when it was scheduled), and enqueues one
delivery per recipient, deduplicated, so a crash in the middle and a second run
never send anyone a second copy. Where each job lives:

- :mod:`~switchover.announcements.store`: the rows (create, read, list, edit, confirm, cancel);
- :mod:`~switchover.announcements.calendar`: wave windows and the plan's calendar reconciled;
- :mod:`~switchover.announcements.sending`: the due claim, audiences, handing to the delivery engine;
- :mod:`~switchover.announcements.views`: each recipient's card, and the report card;
- :mod:`~switchover.announcements.acknowledgements`: "Got it" and the MFA check;
- :mod:`~switchover.announcements.corrections`: correct, recall, reschedule a wave;
- :mod:`~switchover.announcements.jobs`: a lead's Send, correction, recall and reschedule as
  background jobs (answered at once, worked at the rate limit, resumed after a restart, the
  outcome told to the lead);
- :mod:`~switchover.announcements.reports`: delivery, read and acknowledgement figures;
- :mod:`~switchover.announcements.chasers`: reminders to those who have not acknowledged, the
  list to champions or managers after the last, and activity-feed nudges.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from switchover.announcements.acknowledgements import Acknowledgements, MfaConfirmation
from switchover.announcements.calendar import LEADERSHIP, ReconcileResult, WaveCalendar, WaveDates
from switchover.announcements.chasers import Chasers, ChaserStep, EscalateTo
from switchover.announcements.corrections import Corrections, RescheduleResult
from switchover.announcements.email import EmailFallback
from switchover.announcements.jobs import BulkJob, BulkJobs, Lead
from switchover.announcements.model import (
    PURPOSE,
    REMINDER_PURPOSE,
    Announcement,
    AnnouncementError,
    AnnouncementStatus,
    Audience,
    Content,
)
from switchover.announcements.reports import Report, Reports
from switchover.announcements.sending import Sending
from switchover.announcements.store import AnnouncementStore
from switchover.announcements.views import AudienceLanguages, RecipientCards, render_announcement, report_card
from switchover.clock import Clock
from switchover.delivery import DeliveryEngine, DeliveryOutcome, Recipient
from switchover.directory.activity import ActivityFeed
from switchover.directory.base import Directory, DirectoryUser
from switchover.links import LinkSigner
from switchover.mail import EmailOutbox
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Plan
from switchover.storage.conversations import ConversationStore
from switchover.storage.db import Database

if TYPE_CHECKING:
    from switchover.readiness.service import ReadinessService


class AnnouncementService:
    """Everything announcements do, for one tenant.

    Args:
        db: The database.
        plan: The plan as it stands (waves, calendar, leads), shared with every service.
        directory: Who people are (departments, offices, account state).
        conversations: Recipients' 1:1 chats (their time zones and Teams ids).
        engine: The delivery engine that sends.
        clock: The source of "now".
        tenant_id: The tenant announcements go to.
        grace: An announcement whose time passed while the bot was down is still sent
            if it is at most this late; later than that it is reported as missed.
        lease: How long a claim on a due announcement holds (two instances never both send it).
        readiness: ``ReadinessService``: a calendar reminder before cutover tells a recipient who
            is not ready what to do, and "I've set up Authenticator" is checked against Graph.
            None: no readiness on cards, and that button is taken at its word.
        email: The email outbox: a card Teams could not deliver goes by email
            (:mod:`switchover.announcements.email`). None: no email.
        links: Signs the emails' acknowledgement links (purpose ``email-ack``).
        public_base: Where people's browsers reach this instance (the links' host).
        escalate_to: Who gets the list of people who have not acknowledged after the last
            reminder: ``champions`` (per site) or ``managers`` (from the directory).
        activity: Sends activity-feed nudges for important announcements (Graph); None: none.
        app_id: The bot's Microsoft app id (a nudge opens the chat with the bot).
    """

    def __init__(
        self,
        db: Database,
        plan: Plan | CurrentPlan,
        directory: Directory,
        conversations: ConversationStore,
        engine: DeliveryEngine,
        clock: Clock,
        *,
        tenant_id: str,
        grace: dt.timedelta = dt.timedelta(hours=2),
        lease: dt.timedelta = dt.timedelta(minutes=5),
        readiness: ReadinessService | None = None,
        email: EmailOutbox | None = None,
        links: LinkSigner | None = None,
        public_base: str = "http://localhost",
        escalate_to: EscalateTo = "champions",
        activity: ActivityFeed | None = None,
        app_id: str = "",
    ) -> None:
        self.engine = engine
        self.store = AnnouncementStore(db, clock, tenant_id=tenant_id)
        self.calendar = WaveCalendar(self.store, plan)
        self.cards = RecipientCards(self.store, self.calendar, conversations, readiness)
        self.sending = Sending(self.store, self.calendar, self.cards, directory, engine, grace=grace, lease=lease)
        # Cards Teams could not deliver go by email (the plan's ``email: from:``).
        self.email = EmailFallback(self.store, self.cards, directory, email, signer=links, public_base=public_base)
        engine.on_outcome(PURPOSE, self.email.on_teams_outcome)
        engine.on_outcome(REMINDER_PURPOSE, self.email.on_reminder_outcome)  # reminders too
        self.acknowledgements = Acknowledgements(
            self.store, self.sending, self.cards, directory, readiness, emailed=self.email.emailed
        )
        self.jobs = BulkJobs(self.store, self.cards, self.sending, engine, lease=lease)
        self.corrections = Corrections(self.store, self.calendar, self.cards, self.sending, engine, self.jobs)
        self.reports = Reports(self.store, directory, engine, emails=self.email.outcomes)
        self.chasers = Chasers(
            self.store,
            self.calendar,
            self.cards,
            directory,
            engine,
            lease=lease,
            escalate_to=escalate_to,
            activity=activity,
            app_id=app_id,
        )
        self.sending.on_sent.append(self.chasers.schedule)

    @property
    def tenant_id(self) -> str:
        """The tenant announcements go to (the Teams layer sets it when the plan names none)."""
        return self.store.tenant_id

    @tenant_id.setter
    def tenant_id(self, value: str) -> None:
        self.store.tenant_id = value

    @property
    def plan(self) -> Plan:
        """The plan as it stands (shared with every service: :class:`CurrentPlan`)."""
        return self.calendar.plan

    @property
    def current(self) -> CurrentPlan:
        """The plan as it stands, to refresh or change."""
        return self.calendar.current

    # -- waves and the calendar ------------------------------------------------

    async def wave_dates(self, wave_key: str) -> WaveDates:
        """The wave's cutover window as it stands (a lead's move applied)."""
        return await self.calendar.wave_dates(wave_key)

    async def reconcile_plan(self, plan: Plan | None = None) -> ReconcileResult:
        """Make the scheduled calendar announcements match the plan as it stands (``plan``: another one)."""
        return await self.calendar.reconcile(plan)

    # -- creating and changing -------------------------------------------------

    async def create(
        self,
        *,
        title: str,
        audience: Audience,
        content: Content,
        send_at: dt.datetime | None = None,
        created_by: str | None = None,
        draft: bool = False,
    ) -> Announcement:
        """A free-form announcement; ``send_at`` None means now; a draft waits for :meth:`confirm`."""
        return await self.store.create(
            title=title, audience=audience, content=content, send_at=send_at, created_by=created_by, draft=draft
        )

    async def get(self, ann_id: str) -> Announcement:
        """One announcement (``AnnouncementError`` if unknown)."""
        return await self.store.get(ann_id)

    async def list(self, *, statuses: Iterable[AnnouncementStatus] | None = None) -> list[Announcement]:
        """Announcements, soonest first (manual ones last)."""
        return await self.store.all(statuses=statuses)

    async def edit(
        self,
        ann_id: str,
        *,
        title: str | None = None,
        content: Content | None = None,
        audience: Audience | None = None,
        send_at: dt.datetime | None = None,
    ) -> Announcement:
        """Change an announcement that has not gone yet."""
        return await self.store.edit(ann_id, title=title, content=content, audience=audience, send_at=send_at)

    async def confirm(self, ann_id: str, *, lead: Lead | None = None) -> tuple[Announcement, BulkJob | None]:
        """A lead confirmed a draft: schedule it (a time already passed means now).

        If it is due now it is sent in the background (:meth:`send_now`); else the job is None.
        """
        await self.store.confirm(ann_id)
        return await self._started(ann_id, lead)

    async def cancel(self, ann_id: str) -> Announcement:
        """Cancel an announcement that has not gone yet (or discard a draft)."""
        return await self.store.cancel(ann_id)

    async def send_now(self, ann_id: str, *, lead: Lead | None = None) -> tuple[Announcement, BulkJob | None]:
        """Send a manual (or missed) announcement now: e.g. "cutover complete" when the work is done.

        Returns at once: the audience is resolved, the cards rendered and queued by a background
        job (the due claim of :meth:`run_due`, so a restart half-way resumes it), whose
        ``expected`` says how many people it goes to once the audience is resolved.
        """
        await self.store.schedule_now(ann_id)
        await self._copies_now(ann_id)
        return await self._started(ann_id, lead)

    async def _copies_now(self, ann_id: str) -> None:
        """A calendar entry's copies for the Service Desk's channel and the leads and sponsor go with it
        (a manual entry, such as "cutover complete", has them waiting too); the next due run sends them."""
        for copy_id in (f"{ann_id}@service-desk", f"{ann_id}{LEADERSHIP}"):
            try:
                copy = await self.store.get(copy_id)
            except AnnouncementError:
                continue
            if copy.status in (AnnouncementStatus.MANUAL, AnnouncementStatus.MISSED):
                await self.store.schedule_now(copy_id)

    async def start_if_due(self, ann_id: str, *, lead: Lead | None = None) -> tuple[Announcement, BulkJob | None]:
        """Record the Send of an announcement due now as a background job and start it; the job is
        None when it is not due yet (or not waiting to go out at all).

        Nothing is resolved, rendered or queued here: the job does it (:meth:`Sending.run_due`'s
        durable claim), so the caller answers at once whatever the audience's size; the job's
        ``expected`` is set once the audience is resolved.
        """
        announcement = await self.store.get(ann_id)
        if announcement.status not in (AnnouncementStatus.SCHEDULED, AnnouncementStatus.RESOLVING):
            return announcement, None
        if announcement.send_at is not None and announcement.send_at > self.store.clock.now():
            return announcement, None
        job = await self.jobs.start_send(announcement, lead)
        return announcement, job

    async def _started(self, ann_id: str, lead: Lead | None) -> tuple[Announcement, BulkJob | None]:
        return await self.start_if_due(ann_id, lead=lead)

    async def job(self, job_id: str) -> BulkJob:
        """One bulk operation with its progress (``KeyError`` if unknown)."""
        return await self.jobs.get(job_id)

    async def recent_jobs(self, limit: int = 50) -> builtins.list[BulkJob]:
        """The latest bulk operations, newest first."""
        return await self.jobs.recent(limit)

    # -- sending (``builtins.list``: ``list`` is a method here) --------------------

    async def run_due(self) -> builtins.list[str]:
        """Start every announcement that is due, and resume or finish bulk jobs; the ids started.

        The plan is read again first when another instance changed it. See
        :meth:`Sending.run_due` and :meth:`BulkJobs.run_due`.
        """
        await self.current.refresh()
        started = await self.sending.run_due()
        await self.jobs.run_due()
        await self.email.sweep()
        return started

    async def resolve(self, audience: Audience) -> builtins.list[tuple[Recipient, DirectoryUser | None]]:
        """The recipients of an audience as of now (disabled and guests excluded unless named)."""
        return await self.sending.resolve(audience)

    async def delivery_for(self, ann_id: str, user_id: str) -> DeliveryOutcome | None:
        """The delivery of an announcement to one user, if it was ever queued for them."""
        return await self.sending.delivery_for(ann_id, user_id)

    async def languages(self, announcement: Announcement, recipients: Sequence[Recipient]) -> AudienceLanguages:
        """The languages ``recipients`` will read ``announcement`` in (see :meth:`RecipientCards.languages`)."""
        return await self.cards.languages(announcement, recipients)

    def render(
        self,
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
        """The card a recipient sees, dates in their time zone (see :func:`render_announcement`)."""
        return render_announcement(
            self.plan,
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

    async def card_for_user(
        self,
        announcement: Announcement,
        user_id: str,
        *,
        acknowledged_at: dt.datetime | None = None,
        time_zone: str | None = None,
        notice: str | None = None,
        notice_good: bool = False,
    ) -> dict[str, Any]:
        """The card as this user should see it now (for refresh and acknowledgement)."""
        return await self.cards.for_user(
            announcement,
            user_id,
            acknowledged_at=acknowledged_at,
            time_zone=time_zone,
            notice=notice,
            notice_good=notice_good,
        )

    # -- after sending: acknowledgements, corrections, recall -------------------

    async def acknowledge(
        self, ann_id: str, user_id: str, verb: str, *, time_zone: str | None = None
    ) -> dict[str, Any]:
        """Record "Got it" (or "I've set up Authenticator"); the card to show that user instead.

        Raises:
            NotARecipient: the user was never sent this announcement (a forged action).
            AnnouncementError: unknown announcement or verb.
        """
        return await self.acknowledgements.acknowledge(ann_id, user_id, verb, time_zone=time_zone)

    async def confirm_mfa(self, ann_id: str, user_id: str, *, time_zone: str | None = None) -> MfaConfirmation:
        """Check "I've set up Authenticator" against Microsoft Graph now (see :meth:`Acknowledgements.confirm_mfa`)."""
        return await self.acknowledgements.confirm_mfa(ann_id, user_id, time_zone=time_zone)

    async def correct(
        self,
        ann_id: str,
        *,
        title: str | None = None,
        content: Content | None = None,
        lead: Lead | None = None,
        start: bool = True,
    ) -> BulkJob:
        """Correct a sent announcement: every delivered card is updated in place, in the background.

        ``start=False``: the caller starts the job (:meth:`start_job`) once it has answered.
        """
        return await self.corrections.correct(ann_id, title=title, content=content, lead=lead, start=start)

    async def recall(self, ann_id: str, *, lead: Lead | None = None, start: bool = True) -> BulkJob:
        """Cancel what has not gone (emails too) and delete every delivered card, in the background."""
        job = await self.corrections.recall(ann_id, lead=lead, start=start)
        await self.email.cancel(ann_id)
        return job

    async def reschedule_wave(
        self,
        wave_key: str,
        new_day: dt.date,
        *,
        start: dt.time | None = None,
        end: dt.time | None = None,
        hypercare_until: dt.date | None = None,
        by: str | None = None,
        lead: Lead | None = None,
        run: bool = True,
    ) -> RescheduleResult:
        """Move a wave's cutover to ``new_day`` (``start``-``end`` local times, else the same ones);
        see :meth:`Corrections.reschedule_wave` (``run=False``: the caller starts its job)."""
        return await self.corrections.reschedule_wave(
            wave_key, new_day, start=start, end=end, hypercare_until=hypercare_until, by=by, lead=lead, run=run
        )

    def start_job(self, job: BulkJob) -> None:
        """Start the background work of a job recorded with ``start=False``."""
        self.jobs.kick(job)

    async def on_read_receipt(self, conversation_id: str, last_read_message_id: str) -> int:
        """A read receipt from a 1:1 chat: deliveries up to that message were read."""
        return await self.reports.on_read_receipt(conversation_id, last_read_message_id)

    # -- chasers -----------------------------------------------------------------

    async def chasers_due(self) -> int:
        """Work the due chaser steps: reminders, lists, nudges (see :meth:`Chasers.run_due`); how many."""
        await self.current.refresh()
        return await self.chasers.run_due()

    async def chaser_steps(self, ann_id: str) -> builtins.list[ChaserStep]:
        """An announcement's reminders, list and nudges: when, state, and how their messages fared."""
        return await self.chasers.steps(ann_id)

    async def cancel_chasers(self, ann_id: str) -> int:
        """Stop an announcement's reminders and lists (those still queued too); how many steps stopped."""
        return await self.chasers.cancel(ann_id)

    # -- figures ----------------------------------------------------------------

    async def report(self, ann_id: str) -> Report:
        """Recipients, sent, failed by reason, unreachable, read, acknowledged; per department and office."""
        return await self.reports.report(ann_id)

    def report_card(self, report: Report, zone: ZoneInfo | None = None) -> dict[str, Any]:
        """The report as a card for a project lead, times in ``zone`` (theirs; else the plan's)."""
        return report_card(report, zone or self.plan.zone)
