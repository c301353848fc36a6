"""Wave states a lead records: "cutover started" and "cutover complete", per tenant and wave.

The clock and the windows say where a wave should be; a lead says where it is. The status
picture prefers what a lead recorded (:func:`switchover.status.service.StatusService.picture`):
a wave marked complete before its window ends is in hypercare, and a cutover started but not
marked complete when its window ends is still a cutover, overrunning. Migration
``0015_wave_states`` creates the table. One row per wave: the latest state, who, when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

from switchover.announcements import AnnouncementError, AnnouncementService, AnnouncementStatus, Lead
from switchover.announcements.calendar import campaign_id
from switchover.announcements.jobs import BulkJob
from switchover.announcements.model import Announcement
from switchover.storage.base import Base, UtcDateTime
from switchover.storage.db import Database, insert_for

wave_states = sa.Table(
    "wave_states",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("wave_key", sa.String(120), primary_key=True),
    sa.Column("state", sa.String(30), nullable=False),  # cutover-started, cutover-complete
    sa.Column("set_by", sa.String(320), nullable=False),
    sa.Column("set_at", UtcDateTime, nullable=False),
)


class RecordedState(StrEnum):
    """What a lead can say about a wave."""

    CUTOVER_STARTED = "cutover-started"
    CUTOVER_COMPLETE = "cutover-complete"


@dataclass(frozen=True, slots=True)
class WaveStateRecord:
    wave_key: str
    state: RecordedState
    set_by: str
    set_at: dt.datetime


class WaveStateStore:
    """The recorded wave states of every tenant on one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self, tenant_id: str, wave_key: str, state: RecordedState, *, by: str, at: dt.datetime
    ) -> WaveStateRecord:
        """Record ``state`` for the wave (replacing the one recorded before)."""
        ins = insert_for(self.db.dialect)
        values = {"state": state.value, "set_by": by[:320], "set_at": at}
        async with self.db.begin() as conn:
            await conn.execute(
                ins(wave_states)
                .values(tenant_id=tenant_id, wave_key=wave_key, **values)
                .on_conflict_do_update(index_elements=["tenant_id", "wave_key"], set_=values)
            )
        return WaveStateRecord(wave_key, state, by, at)

    async def all(self, tenant_id: str) -> dict[str, WaveStateRecord]:
        """The recorded state of each wave that has one (one query)."""
        c = wave_states.c
        async with self.db.begin(read_only=True) as conn:
            rows = await conn.execute(
                sa.select(c.wave_key, c.state, c.set_by, c.set_at).where(c.tenant_id == tenant_id)
            )
            return {r.wave_key: WaveStateRecord(r.wave_key, RecordedState(r.state), r.set_by, r.set_at) for r in rows}


@dataclass(frozen=True, slots=True)
class StateChange:
    """What recording a state will do: the plan announcement it sends (if any) and to how many people."""

    wave_key: str
    state: RecordedState
    announcement: Announcement | None  # a manual (or missed) calendar entry of the wave matching the state
    recipients: int


# The calendar entries a state sends: the entry named like the state ("cutover-complete"), and for a
# started cutover also one named "cutover-start", when a lead sends it (manual) or it was missed.
_MATCHING = {
    RecordedState.CUTOVER_STARTED: ("cutover-started", "cutover-start"),
    RecordedState.CUTOVER_COMPLETE: ("cutover-complete",),
}
_SENDABLE = (AnnouncementStatus.MANUAL, AnnouncementStatus.MISSED)


async def plan_change(announcements: AnnouncementService, wave_key: str, state: RecordedState) -> StateChange:
    """The change recording ``state`` for ``wave_key`` would make (nothing is changed)."""
    keys = {m.key for m in announcements.plan.calendar_for(announcements.plan.wave(wave_key))}
    for key in _MATCHING[state]:
        if key not in keys:
            continue
        try:
            announcement = await announcements.get(campaign_id(wave_key, key))
        except AnnouncementError:
            continue
        if announcement.status in _SENDABLE:
            return StateChange(wave_key, state, announcement, len(await announcements.resolve(announcement.audience)))
    return StateChange(wave_key, state, None, 0)


async def apply_change(
    announcements: AnnouncementService,
    store: WaveStateStore,
    change: StateChange,
    *,
    by: str,
    lead: Lead | None,
) -> tuple[WaveStateRecord, BulkJob | None]:
    """Record the state and send its announcement through the bulk send path (the job runs in the background)."""
    record = await store.record(
        announcements.tenant_id, change.wave_key, change.state, by=by, at=announcements.store.clock.now()
    )
    job = None
    if change.announcement is not None:
        try:
            _, job = await announcements.send_now(change.announcement.id, lead=lead)
        except AnnouncementError:
            job = None  # sent meanwhile (another lead, another instance): the state stands
    return record, job
