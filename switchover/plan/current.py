"""The plan as it stands, one for every service: the applied revision with the lead's wave moves laid over it.

Every service reads the plan through one :class:`CurrentPlan` (``current.plan``), never a
copy it was built with: answers, the announcement calendar and its cards, the problem desk
(its deadlines and staffed cutover days), readiness, roles and status all see a wave move
or an applied revision with their next question, send or run.

The database holds the truth (:mod:`switchover.plan.tables`):

- the **revision in force** (``plan_revisions``): the plan text applied last, by the file
  at start, ``switchover plan apply`` or ``POST /api/plan``;
- the **wave moves** (``plan_wave_moves``): a lead's ``reschedule``: the cutover window's
  start and end, and hypercare (the plan's, shifted by as many days as the cutover moved,
  unless given);
- the **version** (``plan_state``): bumped by every revision and every move, in the same
  transaction. Several instances share one database: each reads that one row at most every
  :data:`FRESH_SECONDS` (:meth:`CurrentPlan.refresh`), and rebuilds its plan only when the
  version moved. A change made here is seen here at once.

Which plan wins at start (:meth:`CurrentPlan.start`): the file given at start
(``SWITCHOVER_PLAN``) is compared with the last file the app started with. A file edited since
then is recorded as a new revision and is in force; an unchanged file leaves the newest revision
in force (one applied since by ``plan apply`` or the API survives a restart). The first start
on an empty database records the file as revision 1.

A revision that changes a wave's cutover or hypercare clears that wave's move (the plan now
says where the wave is); moves of the waves it leaves alone stay.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from switchover.plan.diff import PlanDiff, diff_plans
from switchover.plan.loader import parse_plan
from switchover.plan.model import Plan, Window
from switchover.plan.reader import PlanError, PlanIssue
from switchover.plan.tables import plan_revisions, plan_state, plan_wave_moves
from switchover.storage.db import insert_for

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from switchover.clock import Clock
    from switchover.storage.db import Database

log = logging.getLogger(__name__)

# How long a version read is trusted before the database is asked again (another instance may
# have moved a wave or applied a revision). One indexed row: cheap.
FRESH_SECONDS = 5.0

# Runs inside the transaction that changes the plan, with the plan as it will then stand
# (the announcement calendar reconciles its pending sends there, so both land or neither).
Applier = Callable[["AsyncConnection", Plan], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class WaveMove:
    """A lead's move of one wave: the cutover window (UTC) and hypercare's last day.

    ``hypercare_until`` None: the plan's, shifted by as many days as the cutover moved.
    """

    wave_key: str
    start: dt.datetime
    end: dt.datetime
    hypercare_until: dt.date | None = None
    moved_by: str | None = None
    moved_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """One applied plan text: its number, hash, where it came from, who applied it and what it changed."""

    number: int
    sha256: str
    source: str  # file, cli, api
    name: str | None
    applied_by: str | None
    applied_at: dt.datetime
    changes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Applied:
    """What :meth:`CurrentPlan.apply` did: the revision stored (None: the text was the one in force)."""

    revision: Revision | None
    version: int
    changes: tuple[str, ...]
    cleared_moves: tuple[str, ...]
    results: tuple[Any, ...] = ()  # what each applier returned (the calendar's reconcile result)
    diff: PlanDiff | None = None  # what the revision changed, section by section (``switchover plan diff``)


def text_hash(text: str) -> str:
    """The SHA-256 of a plan text (line endings as given), as stored with each revision."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_moves(base: Plan, moves: Mapping[str, WaveMove]) -> Plan:
    """``base`` with each moved wave's cutover window and hypercare replaced (times in the wave's zone)."""
    if not moves:
        return base
    waves = []
    for wave in base.waves:
        move = moves.get(wave.key)
        if move is None:
            waves.append(wave)
            continue
        zone = base.zone_of(wave)
        start, end = move.start.astimezone(zone), move.end.astimezone(zone)
        hypercare = move.hypercare_until
        if hypercare is None:
            hypercare = wave.hypercare_until + (start.date() - wave.cutover.start.astimezone(zone).date())
        waves.append(wave.model_copy(update={"cutover": Window(start=start, end=end), "hypercare_until": hypercare}))
    return base.model_copy(update={"waves": tuple(waves)})


def moved_waves(old: Plan, new: Plan) -> set[str]:
    """The waves of ``old`` whose cutover window or hypercare ``new`` changes (or drops)."""
    new_waves = {w.key: w for w in new.waves}
    changed = set()
    for wave in old.waves:
        other = new_waves.get(wave.key)
        if (
            other is None
            or other.cutover.start != wave.cutover.start
            or other.cutover.end != wave.cutover.end
            or other.hypercare_until != wave.hypercare_until
        ):
            changed.add(wave.key)
    return changed


def plan_changes(old: Plan, new: Plan) -> tuple[str, ...]:
    """What ``new`` changes against ``old``, one short line each (recorded with the revision)."""
    lines: list[str] = []

    def keyed(what: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        for key in sorted(after.keys() - before.keys()):
            lines.append(f"{what} {key} added")
        for key in sorted(before.keys() - after.keys()):
            lines.append(f"{what} {key} removed")
        for key in sorted(before.keys() & after.keys()):
            if before[key] != after[key]:
                lines.append(f"{what} {key} changed")

    keyed("wave", {w.key: w for w in old.waves}, {w.key: w for w in new.waves})
    keyed("person", {p.key: p for p in old.people}, {p.key: p for p in new.people})
    keyed("area", {a.key: a for a in old.areas}, {a.key: a for a in new.areas})
    keyed("calendar entry", {m.key: m for m in old.calendar}, {m.key: m for m in new.calendar})
    keyed("FAQ entry", {f.key: f for f in old.faq}, {f.key: f for f in new.faq})
    keyed("exception", {e.user: e for e in old.exceptions}, {e.user: e for e in new.exceptions})
    covered = {"waves", "people", "areas", "calendar", "faq", "exceptions"}
    for name in Plan.model_fields:
        if name not in covered and getattr(old, name) != getattr(new, name):
            lines.append(f"{name} changed")
    return tuple(lines)


class CurrentPlan:
    """The plan as it stands, shared by every service of one Switchover.

    Args:
        base: the plan to start from (the file's); replaced by the revision in force once
            :meth:`start` or :meth:`refresh` has read the database.
        db: where revisions, moves and the version live; None keeps ``base`` as it is
            (a plan fixed for a test or a one-off command).
        clock: the source of "now" (how fresh the last version read is; when things changed).
        tenant_id: whose plan this is in the database; default the plan's ``organisation.tenant_id``.
        fresh_seconds: how long a version read is trusted.
    """

    def __init__(
        self,
        base: Plan,
        *,
        db: Database | None = None,
        clock: Clock | None = None,
        tenant_id: str | None = None,
        fresh_seconds: float = FRESH_SECONDS,
    ) -> None:
        if db is not None and clock is None:
            raise ValueError("a CurrentPlan kept in the database needs a clock")
        self._db = db
        self._clock = clock
        self.tenant_id = tenant_id if tenant_id is not None else (base.organisation.tenant_id or "")
        self.fresh_seconds = fresh_seconds
        self._base = base
        self._moves: dict[str, WaveMove] = {}
        self._plan = base
        self.version = 0
        self.revision: Revision | None = None
        self._checked_at: dt.datetime | None = None
        self._lock = asyncio.Lock()
        self._appliers: list[Applier] = []

    @classmethod
    def of(cls, plan: Plan | CurrentPlan) -> CurrentPlan:
        """``plan`` itself when it is a CurrentPlan, else a fixed one around the given plan."""
        return plan if isinstance(plan, CurrentPlan) else cls(plan)

    # -- reading -------------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        """The plan as it stands (as of the last :meth:`refresh`): the revision in force, moves applied."""
        return self._plan

    @property
    def base(self) -> Plan:
        """The revision in force, without the moves."""
        return self._base

    @property
    def moves(self) -> Mapping[str, WaveMove]:
        """The lead's wave moves, by wave key."""
        return dict(self._moves)

    def on_apply(self, applier: Applier) -> None:
        """Run ``applier`` inside every :meth:`apply` transaction, with the new plan as it will stand."""
        self._appliers.append(applier)

    async def refresh(self, *, force: bool = False) -> Plan:
        """The plan as it stands, read again from the database if another instance changed it.

        The version row is read at most every ``fresh_seconds`` (unless ``force``); the revision
        and moves only when the version moved. Never raises: when the database cannot be read, the
        last known plan stays in force (and the error is logged).
        """
        if self._db is None or self._clock is None:
            return self._plan
        now = self._clock.now()
        if not force and self._fresh(now):
            return self._plan
        try:
            async with self._lock:
                if not force and self._fresh(self._clock.now()):
                    return self._plan
                async with self._db.begin(read_only=True) as c:
                    state = (
                        await c.execute(sa.select(plan_state).where(plan_state.c.tenant_id == self.tenant_id))
                    ).first()
                    if state is not None and state.version != self.version:
                        await self._load(c, state)
                self._checked_at = now
        except Exception:
            log.exception("could not read the plan's version; keeping the plan as last read")
        return self._plan

    async def stale(self, c: AsyncConnection) -> bool:
        """Whether the database (read inside ``c``) holds a newer version than this plan: work that
        writes what the plan implies (the announcement calendar) must not write an older plan's."""
        if self._db is None:
            return False
        version = await c.scalar(sa.select(plan_state.c.version).where(plan_state.c.tenant_id == self.tenant_id))
        return version is not None and version != self.version

    def _fresh(self, now: dt.datetime) -> bool:
        if self._checked_at is None:
            return False
        elapsed = (now - self._checked_at).total_seconds()
        return 0 <= elapsed < self.fresh_seconds

    async def _load(self, c: AsyncConnection, state: Any) -> None:
        """Take the revision in force and the moves from the database (inside ``c``)."""
        base = self._base
        revision = self.revision
        if revision is None or revision.number != state.revision:
            row = (
                await c.execute(
                    sa.select(plan_revisions).where(
                        plan_revisions.c.tenant_id == self.tenant_id, plan_revisions.c.number == state.revision
                    )
                )
            ).first()
            if row is not None:
                try:
                    base = await asyncio.to_thread(parse_plan, row.text, row.name or f"revision {row.number}")
                    revision = _revision(row)
                except PlanError:
                    # A stored text this code no longer reads: keep the plan in force and say so.
                    log.exception("plan revision %d no longer loads; keeping the plan in force", row.number)
        rows = (await c.execute(sa.select(plan_wave_moves).where(plan_wave_moves.c.tenant_id == self.tenant_id))).all()
        keys = {w.key for w in base.waves}
        moves = {
            r.wave_key: WaveMove(r.wave_key, r.cutover_start, r.cutover_end, r.hypercare_until, r.moved_by, r.moved_at)
            for r in rows
            if r.wave_key in keys
        }
        self._base, self.revision, self._moves = base, revision, moves
        self._plan = with_moves(base, moves)
        self.version = state.version
        log.info("plan version %d in force (revision %s)", self.version, revision.number if revision else "-")

    async def _reload(self) -> None:
        assert self._db is not None and self._clock is not None
        async with self._db.begin(read_only=True) as c:
            state = (await c.execute(sa.select(plan_state).where(plan_state.c.tenant_id == self.tenant_id))).first()
            if state is not None:
                await self._load(c, state)
        self._checked_at = self._clock.now()

    # -- changing ------------------------------------------------------------------------

    async def start(self, text: str, *, name: str | None = None) -> Revision:
        """Settle which plan is in force at start, given the file's text (the rule in the module docstring).

        Raises:
            PlanError: ``text`` does not load (only when it would be recorded).
        """
        try:
            return await self._start(text, name)
        except sa.exc.IntegrityError:
            # Another instance starting at the same moment recorded it first: take what it recorded.
            return await self._start(text, name)

    async def _start(self, text: str, name: str | None) -> Revision:
        db, _ = self._require()
        r_ = plan_revisions.c
        sha = text_hash(text)
        async with db.begin(immediate=True) as c:
            state = await self._state(c)
            last_file = (
                await c.execute(
                    sa.select(r_.sha256)
                    .where(r_.tenant_id == self.tenant_id, r_.source == "file")
                    .order_by(r_.number.desc())
                    .limit(1)
                )
            ).scalar()
            if state is None or last_file != sha:
                new = await asyncio.to_thread(parse_plan, text, name or "<plan>")
                await self._store(c, state, new, text, source="file", name=name, by=None, appliers=[])
        await self._reload()
        assert self.revision is not None
        return self.revision

    async def apply(self, text: str, *, source: str, name: str | None = None, by: str | None = None) -> Applied:
        """Validate ``text`` and make it the plan in force, atomically, for every instance.

        One transaction: the revision (text, hash, who, when, what changed), the version, the
        moves of waves it moves cleared, and every applier (the announcement calendar's pending
        sends moved, added or cancelled). A text that fails to load or check changes nothing.

        Raises:
            PlanError: every problem with the text (line, column and field of each), or a plan
                for another tenant.
        """
        db, _ = self._require()
        new = await asyncio.to_thread(parse_plan, text, name or "<plan>")
        if (new.organisation.tenant_id or "") != self.tenant_id:
            raise PlanError(
                [
                    PlanIssue(
                        name or "<plan>",
                        None,
                        None,
                        "organisation.tenant_id",
                        f"{new.organisation.tenant_id or '(none)'!r} is not the tenant this Switchover serves "
                        f"({self.tenant_id or '(none)'!r}); a plan serves one tenant: keep organisation.tenant_id "
                        "as it is (serving another tenant is a new deployment)",
                    )
                ]
            )
        async with db.begin(immediate=True) as c:
            state = await self._state(c)
            in_force = (
                (
                    await c.execute(
                        sa.select(plan_revisions.c.sha256).where(
                            plan_revisions.c.tenant_id == self.tenant_id, plan_revisions.c.number == state.revision
                        )
                    )
                ).scalar()
                if state is not None
                else None
            )
            if in_force == text_hash(text):
                version = state.version if state is not None else 0
                applied = Applied(None, version, (), ())
            else:
                applied = await self._store(
                    c, state, new, text, source=source, name=name, by=by, appliers=self._appliers
                )
        await self._reload()
        if applied.revision is not None:
            log.info(
                "plan revision %d applied", applied.revision.number, extra={"by": by, "changes": list(applied.changes)}
            )
        return applied

    async def _store(
        self,
        c: AsyncConnection,
        state: Any,
        new: Plan,
        text: str,
        *,
        source: str,
        name: str | None,
        by: str | None,
        appliers: list[Applier],
    ) -> Applied:
        """Store a revision and bump the version inside ``c``; run the appliers with the new plan as it stands."""
        _, clock = self._require()
        now = clock.now()
        old = self._base if state is not None else new
        if state is not None and (self.revision is None or self.revision.number != state.revision):
            # Compare with the revision in force in the database, not an older one held here.
            row = (
                await c.execute(
                    sa.select(plan_revisions).where(
                        plan_revisions.c.tenant_id == self.tenant_id, plan_revisions.c.number == state.revision
                    )
                )
            ).first()
            if row is not None:
                try:
                    old = await asyncio.to_thread(parse_plan, row.text, row.name or "")
                except PlanError:
                    old = self._base
        changes = plan_changes(old, new) if state is not None else ("first revision",)
        # The record says in full what changed, as `switchover plan diff` shows it beforehand.
        diff = diff_plans(old, new, now=now) if state is not None else None
        moved = moved_waves(old, new) if state is not None else set()
        m_ = plan_wave_moves.c
        rows = (await c.execute(sa.select(plan_wave_moves).where(m_.tenant_id == self.tenant_id))).all()
        cleared = tuple(sorted(r.wave_key for r in rows if r.wave_key in moved))
        if cleared:
            await c.execute(sa.delete(plan_wave_moves).where(m_.tenant_id == self.tenant_id, m_.wave_key.in_(cleared)))
        kept = {
            r.wave_key: WaveMove(r.wave_key, r.cutover_start, r.cutover_end, r.hypercare_until, r.moved_by, r.moved_at)
            for r in rows
            if r.wave_key not in moved
        }
        number = (state.revision if state is not None else 0) + 1
        latest = await c.scalar(
            sa.select(sa.func.max(plan_revisions.c.number)).where(plan_revisions.c.tenant_id == self.tenant_id)
        )
        number = max(number, (latest or 0) + 1)
        revision = Revision(number, text_hash(text), source, name, by, now, changes)
        await c.execute(
            sa.insert(plan_revisions).values(
                tenant_id=self.tenant_id,
                number=number,
                text=text,
                sha256=revision.sha256,
                source=source,
                name=name,
                applied_by=by,
                applied_at=now,
                changes={"summary": list(changes), "diff": diff.as_json() if diff is not None else None},
            )
        )
        version = await self._bump(c, state, revision=number, by=by, now=now)
        stands = with_moves(new, kept)
        results = tuple([await applier(c, stands) for applier in appliers])
        return Applied(revision, version, changes, cleared, results, diff)

    async def move_wave(
        self,
        wave_key: str,
        *,
        start: dt.datetime,
        end: dt.datetime,
        hypercare_until: dt.date | None = None,
        by: str | None,
        within: Applier | None = None,
    ) -> Any:
        """Move one wave's cutover window (and hypercare: shifted by as many days as the cutover
        moved, unless given), for every instance, in one transaction with ``within`` (the
        announcement calendar's pending sends moving with it).

        Returns:
            What ``within`` returned.

        Raises:
            KeyError: no such wave.
            ValueError: the window ends before it starts, or hypercare ends before the cutover.
        """
        db, clock = self._require()
        await self.refresh(force=True)
        base_wave = self._base.wave(wave_key)
        if end <= start:
            raise ValueError("the cutover window must end after it starts")
        zone = self._base.zone_of(base_wave)
        if hypercare_until is None:
            now_wave = self._plan.wave(wave_key)
            shift = start.astimezone(zone).date() - now_wave.cutover.start.astimezone(zone).date()
            hypercare_until = now_wave.hypercare_until + shift
        if hypercare_until < end.astimezone(zone).date():
            raise ValueError(f"hypercare would end ({hypercare_until}) before the cutover does")
        now = clock.now()
        move = WaveMove(wave_key, start.astimezone(dt.UTC), end.astimezone(dt.UTC), hypercare_until, by, now)
        ins = insert_for(db.dialect)
        result = None
        async with db.begin(immediate=True) as c:
            state = await self._state(c)
            values = {
                "cutover_start": move.start,
                "cutover_end": move.end,
                "hypercare_until": move.hypercare_until,
                "moved_by": by,
                "moved_at": move.moved_at,
            }
            await c.execute(
                ins(plan_wave_moves)
                .values(tenant_id=self.tenant_id, wave_key=wave_key, **values)
                .on_conflict_do_update(index_elements=["tenant_id", "wave_key"], set_=values)
            )
            await self._bump(c, state, revision=state.revision if state is not None else 0, by=by, now=now)
            if within is not None:
                result = await within(c, with_moves(self._base, {**self._moves, wave_key: move}))
        await self._reload()
        return result

    async def _state(self, c: AsyncConnection) -> Any:
        """The version row, locked until ``c`` ends (PostgreSQL; SQLite's write turn does the same)."""
        query = sa.select(plan_state).where(plan_state.c.tenant_id == self.tenant_id).with_for_update()
        return (await c.execute(query)).first()

    async def _bump(self, c: AsyncConnection, state: Any, *, revision: int, by: str | None, now: dt.datetime) -> int:
        """The next version, written in ``c`` (refused if another instance bumped it meanwhile)."""
        s_ = plan_state.c
        if state is None:
            await c.execute(
                sa.insert(plan_state).values(
                    tenant_id=self.tenant_id, version=1, revision=revision, changed_by=by, changed_at=now
                )
            )
            return 1
        version = state.version + 1
        done = await c.execute(
            sa.update(plan_state)
            .where(s_.tenant_id == self.tenant_id, s_.version == state.version)
            .values(version=version, revision=revision, changed_by=by, changed_at=now)
        )
        if done.rowcount != 1:  # pragma: no cover - the row was locked by _state
            raise RuntimeError("the plan changed meanwhile; try again")
        return version

    def _require(self) -> tuple[Database, Clock]:
        if self._db is None or self._clock is None:
            raise RuntimeError("this plan is fixed (no database): it cannot be changed")
        return self._db, self._clock

    async def revisions(self, *, limit: int = 20) -> list[Revision]:
        """The latest applied revisions, newest first."""
        db, _ = self._require()
        r_ = plan_revisions.c
        async with db.begin(read_only=True) as c:
            rows = (
                await c.execute(
                    sa.select(plan_revisions)
                    .where(r_.tenant_id == self.tenant_id)
                    .order_by(r_.number.desc())
                    .limit(limit)
                )
            ).all()
        return [_revision(r) for r in rows]


def _revision(row: Any) -> Revision:
    recorded = row.changes or {}
    summary = recorded.get("summary", ()) if isinstance(recorded, dict) else recorded
    return Revision(row.number, row.sha256, row.source, row.name, row.applied_by, row.applied_at, tuple(summary))
