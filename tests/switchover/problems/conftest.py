"""Fixtures for the problem-report tests."""

from __future__ import annotations

import pytest

from switchover.plan.model import Plan
from tests.switchover.problems.plan_fixture import fabrikam_plan


@pytest.fixture
def plan() -> Plan:
    return fabrikam_plan()
