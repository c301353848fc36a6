"""scheduler.Wakeups on a real AsyncIOScheduler: what it promises the domain.

A wake-up registered with ``every`` or ``at`` runs, a later one of the same name replaces it,
one whose time has passed still runs, missed ticks are run once rather than once each, a slow
run is never overlapped, a failing run is logged and the next tick still comes, and nothing
runs after ``shutdown``. Waits for what must happen are bounded by generous timeouts; checks
that something does not happen wait a few ticks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator

import pytest

from scheduler import Wakeups

TICK = 0.05  # seconds between runs of a periodic wake-up in these tests
PATIENCE = 5.0  # the longest a test waits for something that must happen (a loaded CI machine is slow)


class Runs:
    """A wake-up that records when it ran and in which asyncio task."""

    def __init__(self, *, takes: float = 0.0, fails: bool = False) -> None:
        self.at: list[dt.datetime] = []
        self.tasks: list[asyncio.Task | None] = []
        self.running = 0
        self.most_at_once = 0
        self.takes = takes
        self.fails = fails
        self._changed = asyncio.Event()

    async def __call__(self) -> None:
        self.at.append(dt.datetime.now(dt.UTC))
        self.tasks.append(asyncio.current_task())
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self._changed.set()
        try:
            if self.takes:
                await asyncio.sleep(self.takes)
            if self.fails:
                raise RuntimeError("the database is locked")
        finally:
            self.running -= 1

    async def until(self, count: int) -> None:
        """Wait until the wake-up has run ``count`` times."""

        async def wait() -> None:
            while len(self.at) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), PATIENCE)


def block_the_loop(seconds: float) -> None:
    """Hold the event loop, as a long synchronous stretch (or a suspended process) would."""
    time.sleep(seconds)


@pytest.fixture
async def wakeups() -> AsyncIterator[Wakeups]:
    w = Wakeups()
    try:
        yield w
    finally:
        w.shutdown()


def soon(seconds: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)


async def test_a_periodic_wake_up_runs_every_interval(wakeups: Wakeups) -> None:
    runs = Runs()
    wakeups.every("announcements-due", TICK, runs)
    wakeups.start()
    await runs.until(3)
    assert all(later > earlier for earlier, later in zip(runs.at, runs.at[1:], strict=False))


async def test_nothing_runs_before_start(wakeups: Wakeups) -> None:
    runs = Runs()
    wakeups.every("announcements-due", TICK, runs)
    wakeups.at("deadline", soon(0), runs)
    await asyncio.sleep(TICK * 4)
    assert runs.at == []
    wakeups.start()
    await runs.until(2)


async def test_a_one_off_wake_up_runs_once_at_its_time(wakeups: Wakeups) -> None:
    runs = Runs()
    when = soon(0.3)
    wakeups.at("escalate PR-00042", when, runs)
    wakeups.start()
    await asyncio.sleep(0.1)
    assert runs.at == []  # not before its time
    await runs.until(1)
    assert runs.at[0] >= when
    await asyncio.sleep(TICK * 4)
    assert len(runs.at) == 1


async def test_a_one_off_wake_up_needs_an_aware_time(wakeups: Wakeups) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        wakeups.at("deadline", dt.datetime(2027, 1, 16, 8, 0), Runs())  # noqa: DTZ001 - the mistake under test


async def test_a_one_off_wake_up_whose_time_has_passed_still_runs(wakeups: Wakeups) -> None:
    # What is due lives in the database; a wake-up missed while the process was busy must not be
    # dropped (APScheduler's default would skip a run more than a second late).
    runs = Runs()
    wakeups.at("deadline", dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5), runs)
    wakeups.start()
    await runs.until(1)


async def test_a_periodic_tick_more_than_a_second_late_still_runs(wakeups: Wakeups) -> None:
    runs = Runs()
    started = time.monotonic()
    wakeups.every("deliveries", 2.0, runs)
    wakeups.start()
    block_the_loop(3.3)  # the first tick (at 2 s) is 1.3 s late when the loop comes back
    await runs.until(1)
    # It ran on coming back, not skipped until the next tick at 4 s.
    assert time.monotonic() - started < 3.8


async def test_the_same_name_replaces_the_earlier_wake_up(wakeups: Wakeups) -> None:
    first, second = Runs(), Runs()
    wakeups.every("announcements-due", TICK, first)
    wakeups.every("announcements-due", TICK, second)
    wakeups.at("escalate PR-00042", soon(0.05), first)
    wakeups.at("escalate PR-00042", soon(0.1), second)
    wakeups.start()
    await second.until(3)
    assert first.at == []


async def test_several_names_run_side_by_side(wakeups: Wakeups) -> None:
    announcements, problems = Runs(), Runs()
    wakeups.every("announcements-due", TICK, announcements)
    wakeups.every("problems-due", TICK, problems)
    wakeups.start()
    await announcements.until(2)
    await problems.until(2)


async def test_ticks_missed_while_the_loop_was_busy_run_once_not_once_each(wakeups: Wakeups) -> None:
    runs = Runs()
    wakeups.every("deliveries", TICK, runs)
    wakeups.start()
    await runs.until(1)
    block_the_loop(TICK * 10)  # about ten ticks go by
    await runs.until(3)
    # APScheduler runs the missed times of one catch-up in one task, one after another; coalescing
    # makes every run its own catch-up (or its own tick), so no task ran the wake-up twice.
    assert len({id(t) for t in runs.tasks}) == len(runs.tasks)


async def test_a_slow_run_is_never_overlapped_by_the_next_tick(wakeups: Wakeups) -> None:
    runs = Runs(takes=TICK * 4)
    wakeups.every("deliveries", TICK, runs)
    wakeups.start()
    await runs.until(3)
    assert runs.most_at_once == 1


async def test_a_failing_wake_up_is_logged_and_the_next_tick_still_comes(
    wakeups: Wakeups, caplog: pytest.LogCaptureFixture
) -> None:
    runs = Runs(fails=True)
    with caplog.at_level(logging.ERROR, logger="scheduler"):
        wakeups.every("problems-due", TICK, runs)
        wakeups.start()
        await runs.until(2)
    failures = [r for r in caplog.records if r.name == "scheduler"]
    assert failures and failures[0].getMessage() == "scheduled wake-up problems-due failed"
    assert failures[0].exc_info is not None and "the database is locked" in str(failures[0].exc_info[1])


async def test_nothing_runs_after_shutdown(wakeups: Wakeups) -> None:
    runs, later = Runs(), Runs()
    wakeups.every("deliveries", TICK, runs)
    wakeups.at("deadline", soon(0.3), later)
    wakeups.start()
    await runs.until(2)
    wakeups.shutdown()
    count = len(runs.at)
    await asyncio.sleep(0.5)
    assert len(runs.at) == count and later.at == []


async def test_shutdown_is_harmless_before_start_and_twice() -> None:
    never_started = Wakeups()
    never_started.every("deliveries", TICK, Runs())
    never_started.shutdown()
    started = Wakeups()
    started.start()
    started.shutdown()
    started.shutdown()
