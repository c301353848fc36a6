"""The running services of one Switchover, typed, built once by ``app.create_app``.

The edges (bot features, the HTTP API, the scheduler) take what they need from
one :class:`Services`; nothing is looked up by name and nothing is created on
first use. Domain code never sees this object: each service gets only the
pieces it needs (a plan, a directory, a database, a clock, a messenger) through
its own constructor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from switchover.announcements import AnnouncementService
from switchover.answers.engine import AnswerEngine
from switchover.answers.store import AnswerStore
from switchover.clock import Clock
from switchover.delivery import DeliveryEngine
from switchover.digest import DigestService
from switchover.directory.base import Directory
from switchover.directory.install import AppInstaller
from switchover.mail import EmailOutbox
from switchover.messaging import Messenger
from switchover.plan.current import CurrentPlan
from switchover.plan.model import Plan
from switchover.problems.desk import ProblemDesk
from switchover.reach import ReachService
from switchover.readiness.service import ReadinessService
from switchover.settings import Settings
from switchover.storage import Database
from switchover.storage.conversations import ConversationStore
from switchover.tenant import ServedTenant

Wake = Callable[[], Awaitable[None]]


class Wakeups(Protocol):
    """The wake-up seam: call a "run what is due" entry point regularly (``scheduler.Wakeups``)."""

    def every(self, name: str, seconds: float, wake: Wake) -> None:
        """Call ``wake`` every ``seconds``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """Everything one running Switchover shares, each piece built once.

    Attributes:
        settings: the loaded configuration.
        current_plan: the plan as it stands (the applied revision with the lead's wave moves),
            shared by every service; ``plan`` is its current value.
        directory: who people are (roster CSV or Microsoft Graph).
        clock: the one source of "now".
        db: the database.
        conversations: stored conversation references (who the bot can reach).
        messenger: sends, updates and deletes Teams messages.
        delivery: the one delivery engine (announcements, problem notices, escalations).
        readiness: who has done what before cutover (MFA registration).
        answers: the answer engine for free-text questions.
        answer_store: FAQ votes and unanswered questions.
        announcements: announcement campaigns and their reports.
        tenant: which Microsoft 365 tenant this instance serves.
        problems: the problem desk (reports, owners, escalation).
        wakeups: where periodic work is registered (started by the app only when
            background work is on).
        installer: installs the Teams app for people through Graph; None unless the
            directory is Graph and ``TEAMS_APP_CATALOG_ID`` is set.
        digest: the daily and cutover digests to the leads and the sponsor (None: not built).
        email: the email outbox (announcements Teams could not deliver; Graph ``sendMail``).
            None: not built; without a Graph client it queues and never sends.
        reach: whom the bot can reach per wave, and the app installed ahead of each wave's
            campaign (None: not built).
    """

    settings: Settings
    current_plan: CurrentPlan
    directory: Directory
    clock: Clock
    db: Database
    conversations: ConversationStore
    messenger: Messenger
    delivery: DeliveryEngine
    readiness: ReadinessService
    answers: AnswerEngine
    answer_store: AnswerStore
    announcements: AnnouncementService
    tenant: ServedTenant
    problems: ProblemDesk
    wakeups: Wakeups
    installer: AppInstaller | None = None
    digest: DigestService | None = None
    email: EmailOutbox | None = None
    reach: ReachService | None = None

    @property
    def plan(self) -> Plan:
        """The plan as it stands now (read it again for each use: it changes without a restart)."""
        return self.current_plan.plan
