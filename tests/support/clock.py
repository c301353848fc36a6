"""The one test clock: a ``clock`` fixture (a ManualClock) whose start a test package may choose.

A package whose story starts at another moment overrides ``clock_start`` in its
conftest, never ``clock`` itself, so every test moves time the same way.
"""

from __future__ import annotations

import datetime as dt

import pytest

from switchover.clock import ManualClock

# Monday 4 January 2027, 09:00 Pacific: a weekday morning in the run-up to the
# pilot, before its T-7 message, so "in N days" is stable.
DEFAULT_START = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock_start() -> dt.datetime:
    """When the test's clock starts (timezone-aware); override per package."""
    return DEFAULT_START


@pytest.fixture
def clock(clock_start: dt.datetime) -> ManualClock:
    """A ManualClock at ``clock_start``; tests move it with ``set`` and ``advance``."""
    return ManualClock(clock_start)
