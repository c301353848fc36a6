"""Fixtures for the answer engine tests: the Fabrikam plan and roster, an engine on a manual clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from switchover.answers.engine import AnswerEngine
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan
from switchover.plan.model import Plan

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "fabrikam"
QUESTIONS = Path(__file__).resolve().parents[3] / "examples" / "fabrikam" / "questions.yaml"
PACIFIC = dt.timezone(dt.timedelta(hours=-8))


@pytest.fixture(scope="session")
def fabrikam_plan() -> Plan:
    return load_plan(EXAMPLE / "plan.yaml")


@pytest.fixture(scope="session")
def fabrikam_roster() -> RosterDirectory:
    return RosterDirectory.from_csv(EXAMPLE / "roster.csv")


@pytest.fixture
def clock_start() -> dt.datetime:
    # Monday 11 January 2027, 09:00 Pacific: five days before the pilot's cutover.
    return dt.datetime(2027, 1, 11, 9, 0, tzinfo=PACIFIC)


@pytest.fixture
def engine(fabrikam_plan: Plan, fabrikam_roster: RosterDirectory, clock: ManualClock) -> AnswerEngine:
    return AnswerEngine(fabrikam_plan, fabrikam_roster, clock)
