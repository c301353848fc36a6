"""When a calendar message goes for a wave: pure arithmetic on the plan, so both the announcements'
calendar (which schedules the sends) and the plan's diff (which previews how they would move) use it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

from switchover.plan.model import CalendarMessage

__all__ = ["CutoverSpan", "message_time"]


class CutoverSpan(Protocol):
    """A wave's cutover window: the plan's ``Window`` or a rescheduled one."""

    @property
    def start(self) -> dt.datetime: ...

    @property
    def end(self) -> dt.datetime: ...


def message_time(wave: CutoverSpan, message: CalendarMessage, zone: ZoneInfo) -> dt.datetime | None:
    """When a calendar message goes for a wave (None: sent by a lead).

    ``zone``: the wave's (``Plan.zone_of``): ``days: -1, at: "16:00"`` is 16:00 on the day before
    the cutover day, both as the wave's people count them.
    """
    timing = message.timing
    if timing.manual:
        return None
    if timing.cutover == "start":
        return wave.start
    if timing.cutover == "end":
        return wave.end
    day = wave.start.astimezone(zone).date() + dt.timedelta(days=timing.days or 0)
    at = timing.at or dt.time(9, 0)
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)
