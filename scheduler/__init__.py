"""APScheduler wiring. It only wakes the domain's "run what is due" entry points;
what is due lives in the database, so a restart rebuilds everything and an
in-memory job store is all we need (a job store must never be shared by two
schedulers; two instances coordinate by claiming rows in the database).
:mod:`scheduler.jobs` says what is woken and how often."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

Wake = Callable[[], Awaitable[None]]


class Wakeups:
    """Named periodic and one-off wake-ups for domain entry points."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=dt.UTC)

    def every(self, name: str, seconds: float, wake: Wake) -> None:
        """Call ``wake`` every ``seconds``; a slow run is never overlapped by the next."""
        self._scheduler.add_job(
            _guarded(name, wake),
            IntervalTrigger(seconds=seconds, timezone=dt.UTC),
            id=name,
            name=name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )

    def at(self, name: str, when: dt.datetime, wake: Wake) -> None:
        """Call ``wake`` once at ``when`` (aware); replaces an earlier wake-up of that name."""
        if when.tzinfo is None:
            raise ValueError("Wakeups.at needs a timezone-aware time")
        self._scheduler.add_job(
            _guarded(name, wake),
            DateTrigger(run_date=when),
            id=name,
            name=name,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def _guarded(name: str, wake: Wake) -> Wake:
    async def run() -> None:
        try:
            await wake()
        except Exception:
            # A failed wake-up is logged and retried at the next tick; what is
            # due stays in the database, so nothing is lost.
            log.exception("scheduled wake-up %s failed", name)

    return run
