"""The status service: builds the :class:`~switchover.status.model.StatusPicture` at a moment, and
the pages of people and reports behind its numbers.

Everything is read in a few set-based passes, whatever the size of a wave: the directory once
(members per wave, in memory), the stored 1:1 chats of all members at once
(:meth:`ConversationStore.personal_for_users`, chunked), the readiness report once, one report
per wave's latest announcement (its deliveries in one query), and the problem desk's figures
in grouped queries (:mod:`switchover.status.queries`). Nothing is asked once per person.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from switchover.announcements import AnnouncementService, AnnouncementStatus
from switchover.announcements.calendar import WaveDates
from switchover.announcements.model import Announcement
from switchover.clock import Clock
from switchover.directory.base import Directory, DirectoryUser
from switchover.i18n import current
from switchover.i18n import gettext as _
from switchover.membership import members_by_wave
from switchover.plan.current import WaveMove
from switchover.plan.languages import area_name
from switchover.plan.model import Plan, Priority, Wave
from switchover.problems.model import reference
from switchover.reach import ReachService, ReachState
from switchover.readiness.report import ReadinessReport
from switchover.readiness.service import ReadinessService
from switchover.status import queries
from switchover.status.model import (
    AnnouncementFigures,
    CountByArea,
    OpenIncident,
    OverdueAcknowledgement,
    Problems,
    Reach,
    StatusPicture,
    WaveReadiness,
    WaveState,
    WaveStatus,
    percent,
)
from switchover.status.queries import ReportFilter
from switchover.status.wavestates import RecordedState, WaveStateRecord, WaveStateStore
from switchover.storage.conversations import ConversationStore
from switchover.storage.db import Database

PAGE_SIZE = 25  # people or reports on one page of a drill-down
HYPERCARE_ENDS_AT = dt.time(17, 0)  # on the hypercare's last day, where the wave's people are (as answers say)

PeopleKind = Literal["unreachable", "not_ready"]


@dataclass(frozen=True, slots=True)
class PersonLine:
    """One person on a drill-down page."""

    id: str
    name: str
    upn: str
    department: str
    detail: str  # what is missing ("MFA not registered", "no chat with the bot")


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a drill-down: its items, which page, and how many there are in all."""

    items: list[T]
    page: int  # from 1
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One report on a drill-down page."""

    id: int
    reference: str
    priority: str
    area_name: str
    status: str
    text: str
    owner_name: str
    created_at: dt.datetime


class StatusService:
    """Builds the status picture of the migration for leads, the sponsor and the API.

    Args:
        db: The database (conversations, announcements, problem reports).
        clock: The source of "now".
        directory: Who is in which wave.
        conversations: Stored conversation references (who the bot can message).
        announcements: Wave windows as they stand and the announcements' figures.
        readiness: The readiness report (MFA registration, device compliance).
        plan: The plan as it stands (defaults to the announcements service's, which a
            reloaded plan replaces).
        reach: Reach per person (:mod:`switchover.reach`); without it a wave's reach is its
            members with an installed 1:1 chat.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        directory: Directory,
        conversations: ConversationStore,
        announcements: AnnouncementService,
        readiness: ReadinessService,
        plan: Callable[[], Plan] | None = None,
        reach: ReachService | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.directory = directory
        self.conversations = conversations
        self.announcements = announcements
        self.readiness = readiness
        self._plan = plan or (lambda: announcements.plan)
        self.wave_states = WaveStateStore(db)
        self.reach = reach

    @property
    def plan(self) -> Plan:
        return self._plan()

    # -- the picture -------------------------------------------------------------------

    async def picture(self, tenant_id: str, at: dt.datetime | None = None) -> StatusPicture:
        """The picture for ``tenant_id`` at ``at`` (default: now)."""
        current = self.announcements.current
        await current.refresh()  # another instance's move or revision
        plan = self.plan
        now = (at or self.clock.now()).astimezone(dt.UTC)
        members = await self._members(plan)
        everyone = [u.id for people in members.values() for u in people]
        reachable = await queries.reachable(self.db, tenant_id)
        reach_counts = await self._reach_counts(tenant_id)
        report = await self.readiness.report()
        compliant = await self._device_compliance(plan, everyone)
        moves = current.moves
        latest = await self._latest_announcements(plan)
        open_counts = await queries.open_counts(self.db, tenant_id)
        recorded = await self.wave_states.all(tenant_id)
        waves = []
        for wave in plan.waves:
            people = members[wave.key]
            waves.append(
                WaveStatus(
                    **self._timing(
                        plan, *_as_planned(current.base, wave, moves.get(wave.key)), now, recorded.get(wave.key)
                    ),
                    reach=_reach(people, reachable, reach_counts.get(wave.key)),
                    readiness=_wave_readiness(plan, wave, people, report, compliant),
                    announcement=await self._figures(tenant_id, latest.get(wave.key)),
                    open_reports=sum(n for (w, _, _), n in open_counts.items() if w == wave.key),
                    open_by_priority=_sum_priority(open_counts, wave.key),
                )
            )
        return StatusPicture(
            tenant_id=tenant_id,
            at=now,
            organisation=plan.organisation.name,
            time_zone=plan.zone.key,
            readiness_known=report.available,
            waves=waves,
            problems=await self._problems(plan, tenant_id, now, open_counts),
        )

    def _timing(
        self,
        plan: Plan,
        wave: Wave,
        moved: WaveDates | None,
        hypercare: dt.date | None,
        now: dt.datetime,
        recorded: WaveStateRecord | None = None,
    ) -> dict[str, Any]:
        """``wave`` as planned (the revision in force), ``moved`` and ``hypercare`` as a lead's move set them.

        A state a lead recorded beats the clock: "cutover complete" is hypercare (then done) whatever
        the window says; "cutover started" is a cutover from then on, overrunning once the window
        has ended, until a lead marks it complete.
        """
        zone = plan.zone_of(wave)
        planned_start = wave.cutover.start.astimezone(dt.UTC)
        planned_end = wave.cutover.end.astimezone(dt.UTC)
        start = moved.start if moved is not None else planned_start
        end = moved.end if moved is not None else planned_end
        shift = start.astimezone(zone).date() - planned_start.astimezone(zone).date()
        hypercare_until = hypercare or wave.hypercare_until + shift
        hypercare_ends = dt.datetime.combine(hypercare_until, HYPERCARE_ENDS_AT, tzinfo=zone)
        later = start > planned_start
        if now < start:
            state = WaveState.POSTPONED if later else WaveState.UPCOMING
        elif now < end:
            state = WaveState.CUTOVER
        elif now < hypercare_ends:
            state = WaveState.HYPERCARE
        else:
            state = WaveState.DONE
        overrunning = False
        if recorded is not None and recorded.state is RecordedState.CUTOVER_COMPLETE:
            state = WaveState.HYPERCARE if now < hypercare_ends else WaveState.DONE
        elif recorded is not None and recorded.state is RecordedState.CUTOVER_STARTED:
            state = WaveState.CUTOVER
            overrunning = now >= end
        return {
            "key": wave.key,
            "number": wave.number,
            "title": wave.title,
            "state": state,
            "time_zone": zone.key,
            "cutover_start": start,
            "cutover_end": end,
            "planned_start": planned_start,
            "hypercare_until": hypercare_until,
            "postponed_from": planned_start if later else None,
            "recorded": recorded.state.value if recorded is not None else None,
            "overrunning": overrunning,
            "days_to_cutover": (start.astimezone(zone).date() - now.astimezone(zone).date()).days,
        }

    async def _reach_counts(self, tenant_id: str) -> dict[str, dict[str, int]]:
        """Each wave's members per reach state (disabled accounts included), when reach is known."""
        if self.reach is None:
            return {}
        return await self.reach.counts_by_wave(tenant_id, await self.reach.members())

    async def _members(self, plan: Plan) -> dict[str, list[DirectoryUser]]:
        """Each wave's enabled members (no guests), as the readiness report counts them."""
        users = [u for u in await self.directory.all_users() if u.enabled and not u.is_guest]
        return members_by_wave(plan, users)

    async def _device_compliance(self, plan: Plan, user_ids: list[str]) -> dict[str, bool | None]:
        """Each member's device compliance from the last directory sync, else the Intune export (memory,
        not a query), when asked."""
        if not plan.readiness.device_compliance:
            return {}
        out: dict[str, bool | None] = {}
        for user_id in user_ids:
            r = await self.readiness.last_known(user_id)
            out[user_id] = r.device_compliant if r is not None else None
        return out

    async def _latest_announcements(self, plan: Plan) -> dict[str, Announcement]:
        """Each wave's latest sent announcement to its people: its calendar's, or one addressed to the wave.

        A calendar entry's copies for the Service Desk's channel and the leads (``...@service-desk``,
        ``...@leadership``) carry the wave's key but not its people: they are not the wave's figures.
        """
        latest: dict[str, Announcement] = {}
        keys = {w.key.casefold(): w.key for w in plan.waves}
        for a in await self.announcements.list(statuses=[AnnouncementStatus.SENT]):
            if a.audience.kind != "wave":
                continue
            waves = {a.wave_key} if a.wave_key else set()
            waves |= {keys[v.casefold()] for v in a.audience.values if v.casefold() in keys}
            for key in waves:
                current = latest.get(key)
                if current is None or _latest_first(a) > _latest_first(current):
                    latest[key] = a
        return latest

    async def _figures(self, tenant_id: str, announcement: Announcement | None) -> AnnouncementFigures | None:
        """The announcement's figures as its report (``announcements.reports``) counts them, in one query."""
        if announcement is None:
            return None
        r = await queries.delivery_counts(self.db, tenant_id, announcement.id)
        return AnnouncementFigures(
            id=announcement.id,
            title=announcement.title,
            sent_at=announcement.started_at or announcement.send_at,
            recipients=r.recipients,
            delivered=r.delivered,
            read=r.read,
            acknowledged=r.acknowledged,
            delivered_percent=percent(r.delivered, r.recipients),
            read_percent=percent(r.read, r.recipients),
            acknowledged_percent=percent(r.acknowledged, r.recipients),
        )

    async def _problems(
        self, plan: Plan, tenant_id: str, now: dt.datetime, open_counts: dict[tuple[str | None, str, str], int]
    ) -> Problems:
        by_area: Counter[str] = Counter()
        for (_wave, _priority, area), n in open_counts.items():
            by_area[area] += n
        overdue = [
            OverdueAcknowledgement(
                report_id=row.id,
                reference=reference(row.id),
                priority=row.priority,
                area=row.area,
                area_name=_area_name(plan, row.area),
                wave=row.wave,
                owner=(owner := _owner(plan, row.area, row.assignee))[0],
                owner_name=owner[1],
                due_at=row.ack_due_at,
                overdue_minutes=int((now - row.ack_due_at).total_seconds() // 60),
            )
            for row in await queries.overdue(self.db, tenant_id, now)
        ]
        incidents = [
            OpenIncident(
                id=row.id,
                area=row.area,
                area_name=_area_name(plan, row.area),
                wave=row.wave,
                reports=row.reports,
                since=row.created_at,
            )
            for row in await queries.open_incidents(self.db, tenant_id)
        ]
        return Problems(
            open=sum(open_counts.values()),
            by_priority=_sum_priority(open_counts, None, every_wave=True),
            by_area=[
                CountByArea(area=area, name=_area_name(plan, area), count=n)
                for area, n in sorted(by_area.items(), key=lambda kv: (-kv[1], _area_name(plan, kv[0]).casefold()))
            ],
            overdue=overdue,
            incidents=incidents,
        )

    # -- drill-downs ---------------------------------------------------------------------

    async def people(
        self, tenant_id: str, wave_key: str, kind: PeopleKind, page: int = 1, per_page: int = PAGE_SIZE
    ) -> Page[PersonLine]:
        """The wave's members the bot cannot message (``unreachable``) or who have something still
        to do before cutover (``not_ready``), by name, one page at a time.

        Raises:
            KeyError: no wave has that key.
        """
        plan = self.plan
        plan.wave(wave_key)
        people = (await self._members(plan))[wave_key]
        lines: list[PersonLine] = []
        if kind == "unreachable" and self.reach is not None:
            lines += [
                PersonLine(p.user_id, p.name, p.upn, p.department, p.detail)
                for p in await self.reach.people(tenant_id, people)
                if not p.state.reachable
            ]
        elif kind == "unreachable":
            chats = await self.conversations.personal_for_users(tenant_id, [u.id for u in people])
            for u in people:
                chat = chats.get(u.id)
                if chat is None or not chat.installed:
                    detail = _("removed the app") if chat is not None else _("has not installed the app")
                    lines.append(_line(u, detail))
        else:
            for u in people:
                to_do = self.readiness.to_do(await self.readiness.readiness_for(u))
                if to_do:
                    lines.append(_line(u, "; ".join(_short_to_do(t) for t in to_do)))
        lines.sort(key=lambda p: (p.name.casefold(), p.upn.casefold()))
        return _page(lines, page, per_page)

    async def reports(
        self, tenant_id: str, which: ReportFilter, page: int = 1, per_page: int = PAGE_SIZE
    ) -> Page[ReportLine]:
        """The open reports behind a number on the card, newest first, one page at a time."""
        now = self.clock.now()
        plan = self.plan
        total = await queries.count_reports(self.db, tenant_id, which, now)
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        rows = await queries.find_reports(self.db, tenant_id, which, now, offset=(page - 1) * per_page, limit=per_page)
        items = [
            ReportLine(
                id=r.id,
                reference=reference(r.id),
                priority=r.priority,
                area_name=_area_name(plan, r.area),
                status=r.status,
                text=r.text,
                owner_name=_owner(plan, r.area, r.assignee)[1],
                created_at=r.created_at,
            )
            for r in rows
        ]
        return Page(items, page, pages, total)


# -- helpers ------------------------------------------------------------------------------


def _as_planned(base: Plan, wave: Wave, move: WaveMove | None) -> tuple[Wave, WaveDates | None, dt.date | None]:
    """The wave as the revision in force plans it, and the lead's move of it (window, hypercare), if any."""
    if move is None:
        return wave, None, None
    planned = next((w for w in base.waves if w.key == wave.key), wave)
    return planned, WaveDates(move.start, move.end), wave.hypercare_until


def describe(plan: Plan, which: ReportFilter) -> str:
    """The reports ``which`` stands for, in words ("Open P2 reports of Email in Wave 2")."""
    priority = f"{which.priority} " if which.priority else ""
    words = _("Overdue {priority}reports") if which.overdue else _("Open {priority}reports")
    words = words.format(priority=priority).strip()
    if which.area:
        words = _("{reports} of {area}").format(reports=words, area=_area_name(plan, which.area))
    if which.wave:
        words = _("{reports} in {wave}").format(reports=words, wave=_wave_title(plan, which.wave))
    return words


def _latest_first(a: Announcement) -> tuple[dt.datetime, dt.datetime, str]:
    """Which announcement is the latest: sent last, then due last (several go in one run), then by id."""
    return (a.started_at or a.send_at or a.created_at, a.send_at or a.created_at, a.id)


def _reach(people: list[DirectoryUser], reachable: set[str], by_state: dict[str, int] | None = None) -> Reach:
    """Enabled members the bot can reach: by their reach state when known (a chat, or the app
    installed through Graph), else those with an installed 1:1 chat."""
    if by_state is None:
        n = sum(1 for u in people if u.id in reachable)
        return Reach(reachable=n, members=len(people), percent=percent(n, len(people)))
    n = sum(by_state.get(s.value, 0) for s in ReachState if s.reachable)
    return Reach(reachable=n, members=len(people), percent=percent(n, len(people)), by_state=by_state)


def _wave_readiness(
    plan: Plan,
    wave: Wave,
    people: list[DirectoryUser],
    report: ReadinessReport,
    compliant: dict[str, bool | None],
) -> WaveReadiness:
    checks = plan.readiness
    if not report.available or not (checks.mfa or checks.device_compliance):
        return WaveReadiness(
            known=False, members=len(people), mfa_asked=checks.mfa, devices_asked=checks.device_compliance
        )
    rows = [r for r in report.rows if r.wave_key == wave.key]  # by key: the title may have changed meanwhile
    total = sum(r.total for r in rows)
    registered = sum(r.registered for r in rows)
    unknown = sum(r.unknown for r in rows)
    not_ready = {u.id for r in rows for u in r.not_registered} if checks.mfa else set()
    values: dict[str, object] = {}
    if checks.mfa:
        values.update(mfa_registered=registered, mfa_unknown=unknown, mfa_percent=percent(registered, total - unknown))
    if checks.device_compliance:
        states = [compliant.get(u.id) for u in people]
        yes = sum(1 for s in states if s is True)
        unknown_devices = sum(1 for s in states if s is None)
        not_ready |= {u.id for u in people if compliant.get(u.id) is False}
        values.update(
            devices_compliant=yes,
            devices_unknown=unknown_devices,
            devices_percent=percent(yes, len(people) - unknown_devices),
        )
    return WaveReadiness(
        known=True,
        members=len(people),
        mfa_asked=checks.mfa,
        devices_asked=checks.device_compliance,
        not_ready=len(not_ready),
        **values,  # type: ignore[arg-type]
    )


def _sum_priority(
    open_counts: dict[tuple[str | None, str, str], int], wave_key: str | None, *, every_wave: bool = False
) -> dict[str, int]:
    counts = {p.value: 0 for p in Priority}
    for (w, priority, _area), n in open_counts.items():
        if every_wave or w == wave_key:
            counts[priority] = counts.get(priority, 0) + n
    return counts


def _area_name(plan: Plan, key: str) -> str:
    """The area's name in the language in force when the plan has it (a drill-down's reader's)."""
    try:
        area = plan.area(key)
    except KeyError:
        return key
    return area_name(area, current().code, plan.organisation.language)


def _wave_title(plan: Plan, key: str) -> str:
    try:
        return plan.wave(key).title
    except KeyError:
        return key


def _owner(plan: Plan, area_key: str, assignee: str | None) -> tuple[str | None, str]:
    """Whose report it is: the assignee, else the area's owner (a person, or the channel that owns it)."""
    key = assignee
    if key is None:
        try:
            owner = plan.area(area_key).owner
        except KeyError:
            return None, _("nobody (unknown area)")
        if owner.person is None:
            return None, str(owner.channel) if owner.channel else _("the Service Desk")
        key = owner.person
    try:
        return key, plan.person(key).name
    except KeyError:
        return key, key


def _line(user: DirectoryUser, detail: str) -> PersonLine:
    return PersonLine(user.id, user.display_name, user.upn, user.department or _("No department"), detail)


def _short_to_do(text: str) -> str:
    """ "set up Microsoft Authenticator (https://...)" -> "MFA not registered"; devices likewise."""
    if "Authenticator" in text:
        return _("MFA not registered")
    if "compliance" in text:
        return _("device not compliant")
    return text


def _page(items: list[T], page: int, per_page: int) -> Page[T]:
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, pages, len(items))
