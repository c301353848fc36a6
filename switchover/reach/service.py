"""Reach per wave, and the app installed ahead of each wave's campaign.

:class:`ReachService` answers "whom can the bot reach in this wave, and why not the others" from
stored state only (the directory's snapshot, conversation references, the installation queue
and the delivery outbox), in a few set-based reads whatever the size of the wave. With an
:class:`~switchover.reach.installs.InstallQueue` (the Graph directory and ``TEAMS_APP_CATALOG_ID``)
:meth:`ReachService.run_due` also queues the installations that are due: a wave's members
``reach.install_days_before`` days (plan) before the wave's first announcement, and anyone
added to the wave later, then works the queue for a while.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from switchover.announcements import AnnouncementService, AnnouncementStatus
from switchover.clock import Clock
from switchover.delivery import DeliveryStatus
from switchover.delivery.tables import deliveries
from switchover.directory.base import Directory, DirectoryUser
from switchover.i18n import gettext as _
from switchover.membership import members_by_wave, rule_wave
from switchover.plan.model import Plan
from switchover.reach.installs import DrainResult, InstallQueue, InstallTarget, read_installs
from switchover.reach.model import STATES, ConversationFact, PersonReach, ReachState, RefusedFact, reach_of
from switchover.storage.conversations import ConversationStore
from switchover.storage.db import Database

log = logging.getLogger(__name__)

NO_CONVERSATION = "NoConversation"  # the engine's reason when it had no chat to send to (not a refusal)

FirstSends = Callable[[], Awaitable[dict[str, dt.datetime]]]
"""Each wave's first announcement time (scheduled or sent), by wave key."""


@dataclass(frozen=True, slots=True)
class WaveReach:
    """One wave's reach: every member's state, and the counts per state."""

    wave_key: str
    wave_title: str
    people: list[PersonReach]  # by state (best first), then name
    counts: dict[str, int]  # every state, zeros included
    install_from: dt.datetime | None  # when the app is (or was) installed for the wave; None: not installing

    @property
    def members(self) -> int:
        """Enabled members (a disabled account is listed, but not counted as someone to reach)."""
        return sum(1 for p in self.people if p.state is not ReachState.DISABLED)

    @property
    def reachable(self) -> int:
        return sum(1 for p in self.people if p.state.reachable)


class ReachService:
    """Reach per wave and the installation ahead of the campaign.

    Args:
        db: The database.
        clock: The source of "now".
        directory: Who is in which wave, and whose account is enabled.
        conversations: Stored conversation references.
        plan: The plan as it stands.
        first_sends: Each wave's first announcement time (from the announcement calendar).
        queue: The installation queue; None when the app cannot be installed (no Graph directory
            or no ``TEAMS_APP_CATALOG_ID``): reach is then read, never changed.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        directory: Directory,
        conversations: ConversationStore,
        plan: Callable[[], Plan],
        first_sends: FirstSends,
        queue: InstallQueue | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.directory = directory
        self.conversations = conversations
        self._plan = plan
        self.first_sends = first_sends
        self.queue = queue

    @property
    def plan(self) -> Plan:
        return self._plan()

    # -- reading ---------------------------------------------------------------------------

    async def members(self) -> dict[str, list[DirectoryUser]]:
        """Each wave's members who are not guests, and the disabled accounts the plan's rules would put
        in it (membership leaves them out; a lead wants to see them: "account disabled")."""
        plan = self.plan
        users = [u for u in await self.directory.all_users() if not u.is_guest]
        out = members_by_wave(plan, users)
        placed = {u.id for people in out.values() for u in people}
        for u in users:
            if not u.enabled and u.id not in placed and (wave := rule_wave(plan, u)) is not None:
                out[wave.key].append(u)
        return out

    async def people(self, tenant_id: str, users: Iterable[DirectoryUser]) -> list[PersonReach]:
        """The reach of each of these people, in their order."""
        people = list(users)
        ids = [u.id for u in people]
        chats = await self.conversations.personal_for_users(tenant_id, ids)
        app = self.queue.app_id if self.queue is not None else None
        installs = await read_installs(self.db, tenant_id, ids, app_id=app)
        refused = await _refusals(self.db, tenant_id, ids)
        out = []
        for u in people:
            chat = chats.get(u.id)
            fact = (
                ConversationFact(
                    chat.installed, chat.last_seen or chat.first_seen or self.clock.now(), chat.uninstalled_at
                )
                if chat is not None
                else None
            )
            state, detail = reach_of(
                enabled=u.enabled, chat=fact, install=installs.get(u.id), refused=refused.get(u.id)
            )
            out.append(PersonReach(u.id, u.display_name, u.upn, u.department or _("No department"), state, detail))
        return out

    async def wave(self, tenant_id: str, wave_key: str) -> WaveReach:
        """One wave's reach.

        Raises:
            KeyError: no wave has that key.
        """
        wave = self.plan.wave(wave_key)
        people = await self.people(tenant_id, (await self.members())[wave.key])
        order = {s: i for i, s in enumerate(STATES)}
        people.sort(key=lambda p: (order[p.state], p.name.casefold(), p.upn.casefold()))
        counts = {s.value: 0 for s in STATES}
        counts.update(Counter(p.state.value for p in people))
        starts = await self.install_starts()
        return WaveReach(wave.key, wave.title, people, counts, starts.get(wave.key) if self.queue else None)

    async def counts_by_wave(
        self, tenant_id: str, members: dict[str, list[DirectoryUser]]
    ) -> dict[str, dict[str, int]]:
        """Counts per state for each wave of ``members`` (one pass over everyone)."""
        everyone = [u for people in members.values() for u in people]
        by_id = {p.user_id: p.state for p in await self.people(tenant_id, everyone)}
        out: dict[str, dict[str, int]] = {}
        for key, people in members.items():
            counts = {s.value: 0 for s in STATES}
            counts.update(Counter(by_id[u.id].value for u in people))
            out[key] = counts
        return out

    # -- installing ------------------------------------------------------------------------

    async def install_starts(self) -> dict[str, dt.datetime]:
        """When installation starts for each wave: ``install_days_before`` days before its first
        announcement (its cutover when it has none)."""
        plan = self.plan
        days = dt.timedelta(days=plan.reach.install_days_before)
        first = await self.first_sends()
        return {w.key: first.get(w.key, w.cutover.start.astimezone(dt.UTC)) - days for w in plan.waves}

    async def queue_due(self, tenant_id: str) -> int:
        """Queue the installations that are due: the members (enabled, not guests) of every wave whose
        installation time has come and whose cutover has not ended, who have no chat with the bot
        (removed or not: someone who removed the app is not installed again) and are not queued yet.

        Returns:
            How many people were newly queued.
        """
        if self.queue is None:
            return 0
        now = self.clock.now()
        plan = self.plan
        starts = await self.install_starts()
        members = await self.members()
        targets: list[InstallTarget] = []
        for wave in plan.waves:
            if now < starts[wave.key] or now >= wave.cutover.end:
                continue
            people = [u for u in members[wave.key] if u.enabled]
            chats = await self.conversations.personal_for_users(tenant_id, [u.id for u in people])
            targets += [InstallTarget(u.id, u.upn, wave.key) for u in people if u.id not in chats]
        return await self.queue.enqueue(tenant_id, targets) if targets else 0

    async def run_due(self, tenant_id: str, *, budget: dt.timedelta = dt.timedelta(seconds=25)) -> DrainResult | None:
        """Queue what is due, then work the queue for at most ``budget`` (the scheduler wakes this again)."""
        if self.queue is None:
            return None
        await self.queue_due(tenant_id)
        return await self.queue.drain(budget=budget)


async def _refusals(db: Database, tenant_id: str, ids: list[str]) -> dict[str, RefusedFact]:
    """Each person's latest message Teams refused as gone (blocked, removed), and whether one arrived since."""
    c = deliveries.c
    refused: dict[str, tuple[dt.datetime, str]] = {}
    sent: dict[str, dt.datetime] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        base = sa.and_(c.tenant_id == tenant_id, c.recipient_kind == "user", c.recipient_key.in_(chunk))
        async with db.begin(read_only=True) as conn:
            rows = await conn.execute(
                sa.select(c.recipient_key, sa.func.max(c.updated_at), sa.func.max(c.reason))
                .where(
                    base,
                    c.status == DeliveryStatus.UNREACHABLE.value,
                    sa.not_(sa.func.coalesce(c.reason, "").startswith(NO_CONVERSATION)),
                )
                .group_by(c.recipient_key)
            )
            refused.update({key: (at, reason or "") for key, at, reason in rows})
            delivered = await conn.execute(
                sa.select(c.recipient_key, sa.func.max(c.sent_at))
                .where(base, c.status == DeliveryStatus.SENT.value, c.sent_at.is_not(None))
                .group_by(c.recipient_key)
            )
            sent.update({key: at for key, at in delivered})
    return {
        key: RefusedFact(at, reason, sent_after=key in sent and sent[key] > at) for key, (at, reason) in refused.items()
    }


def first_sends_of(announcements: AnnouncementService) -> FirstSends:
    """Each wave's first announcement time from the announcement calendar (scheduled, under way or sent)."""
    live = [
        AnnouncementStatus.SCHEDULED,
        AnnouncementStatus.RESOLVING,
        AnnouncementStatus.SENT,
        AnnouncementStatus.MISSED,
    ]

    async def first_sends() -> dict[str, dt.datetime]:
        out: dict[str, dt.datetime] = {}
        for a in await announcements.list(statuses=live):
            at = a.started_at or a.send_at
            if a.wave_key and at is not None and (a.wave_key not in out or at < out[a.wave_key]):
                out[a.wave_key] = at
        return out

    return first_sends
