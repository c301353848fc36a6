"""The status picture: one typed, serialisable snapshot of the migration at a moment.

What ``status`` shows a lead or the sponsor and ``GET /api/status`` answers. It is plain data
(pydantic, frozen): ``picture.model_dump(mode="json")`` stores or sends it and
``StatusPicture.model_validate(data)`` reads it back, so a later picture can be compared with
an earlier one (the daily digest's "since yesterday").
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

PICTURE_VERSION = 1


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, one decimal (0 when ``whole`` is 0)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WaveState(StrEnum):
    """Where a wave stands at the picture's moment.

    ``postponed``: not started yet, and moved later than the plan's original window
    (a wave moved later and already under way is in its cutover, hypercare or done,
    and says ``postponed_from``).
    """

    UPCOMING = "upcoming"
    POSTPONED = "postponed"
    CUTOVER = "cutover"  # cutover in progress (``overrunning`` past its window until a lead marks it complete)
    HYPERCARE = "hypercare"
    DONE = "done"


class Reach(_Frozen):
    """Enabled wave members the bot can message out of all of them: a stored, installed 1:1 chat, or
    the app installed through Graph (``switchover.reach``).

    ``by_state``: the wave's members per reach state (``conversation``, ``installed``, ``blocked``,
    ``no_teams``, ``disabled``, ``unknown``; disabled accounts are counted there only), when known.
    """

    reachable: int
    members: int
    percent: float
    by_state: dict[str, int] | None = None


class WaveReadiness(_Frozen):
    """What the plan asks before cutover, counted for a wave's members.

    ``known`` is False when the directory cannot tell (the CSV roster, never synced): the figures
    are then None, not zero. Counts of people whose own state is unknown are kept apart.
    """

    known: bool
    members: int
    mfa_asked: bool
    mfa_registered: int | None = None
    mfa_unknown: int | None = None
    mfa_percent: float | None = None  # of members whose state is known
    devices_asked: bool = False
    devices_compliant: int | None = None
    devices_unknown: int | None = None
    devices_percent: float | None = None
    not_ready: int | None = None  # members with something still to do (a check asked and failed)


class AnnouncementFigures(_Frozen):
    """The wave's latest sent announcement: delivered, read and acknowledged, of its recipients."""

    id: str
    title: str
    sent_at: dt.datetime | None
    recipients: int
    delivered: int
    read: int
    acknowledged: int
    delivered_percent: float
    read_percent: float
    acknowledged_percent: float


class WaveStatus(_Frozen):
    """One wave in the picture."""

    key: str
    number: int
    title: str
    state: WaveState
    time_zone: str  # the wave's people's (days to cutover are counted in it)
    cutover_start: dt.datetime  # as it stands (a reschedule applied), UTC
    cutover_end: dt.datetime
    planned_start: dt.datetime  # the plan's original window, UTC
    hypercare_until: dt.date  # the plan's date, moved with the wave when it was rescheduled
    postponed_from: dt.datetime | None = None  # the plan's start, when the wave was moved later
    recorded: str | None = None  # what a lead recorded: cutover-started, cutover-complete (it beats the clock)
    overrunning: bool = False  # cutover started, its window has ended, and no lead has marked it complete
    days_to_cutover: int  # calendar days from the picture's day to the cutover's day (negative: past)
    reach: Reach
    readiness: WaveReadiness
    announcement: AnnouncementFigures | None = None
    open_reports: int
    open_by_priority: dict[str, int]


class CountByArea(_Frozen):
    """Open reports of one area."""

    area: str  # key
    name: str
    count: int


class OverdueAcknowledgement(_Frozen):
    """An open report nobody acknowledged by its deadline, and whose it is."""

    report_id: int
    reference: str
    priority: str
    area: str
    area_name: str
    wave: str | None
    owner: str | None  # plan person key (the assignee, else the area's owner); None: a channel owns it
    owner_name: str  # the person's name, or the owning channel
    due_at: dt.datetime
    overdue_minutes: int


class OpenIncident(_Frozen):
    """An open major incident: the area (and wave) and how many open reports it holds."""

    id: int
    area: str
    area_name: str
    wave: str | None
    reports: int
    since: dt.datetime


class Problems(_Frozen):
    """Open problem reports (not resolved) of the tenant."""

    open: int
    by_priority: dict[str, int]  # every priority of the plan, in order, zeros included
    by_area: list[CountByArea]  # most first; areas with none left out
    overdue: list[OverdueAcknowledgement]  # most overdue first
    incidents: list[OpenIncident]  # oldest first


class StatusPicture(_Frozen):
    """The whole picture at ``at``: per wave, and the problem desk."""

    version: int = PICTURE_VERSION
    tenant_id: str
    at: dt.datetime
    organisation: str
    time_zone: str  # the organisation's
    readiness_known: bool  # False: the directory cannot tell readiness (every wave's is unknown)
    waves: list[WaveStatus]
    problems: Problems

    def wave(self, key: str) -> WaveStatus:
        """The wave with ``key`` (KeyError when the picture has none)."""
        for wave in self.waves:
            if wave.key == key:
                return wave
        raise KeyError(key)
