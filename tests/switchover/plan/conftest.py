"""Fixtures for the plan tests: the Fabrikam example files and a minimal valid plan to break."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from switchover.directory.base import DirectoryUser
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan
from switchover.plan.model import Plan

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "fabrikam"
# The scenario the product was specified from lives beside the repository, in ../shared/scenario/.
SCENARIO_README = REPO.parent / "shared" / "scenario" / "README.md"


def in_ci() -> bool:
    """True when the environment variable ``CI`` is set (``CI=true`` in CI), unless it says false."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def scenario_readme() -> Path:
    """The shared scenario README. Without it a test skips on a developer's machine but fails in CI,
    where a missing ../shared/ means the checkout is wrong, not that the test may be left out."""
    if not SCENARIO_README.exists():
        where = f"{SCENARIO_README} (../shared/scenario/ beside the repository)"
        if in_ci():
            pytest.fail(f"{where} is missing; CI must check out shared/ next to the repository", pytrace=False)
        pytest.skip(f"{where} is not on this machine")
    return SCENARIO_README


# The smallest plan that loads; tests replace one line of it to make one mistake.
MINIMAL = """\
organisation:
  name: Contoso
  time_zone: America/Los_Angeles
people:
  ann.lead:
    name: Ann Lead
    upn: ann.lead@contoso.com
  bob.boss:
    name: Bob Boss
    upn: bob.boss@contoso.com
project_leads: [ann.lead]
sponsor: bob.boss
service_desk:
  channel: "Contoso IT / Service Desk"
waves:
  - key: wave-1
    number: 1
    name: First
    include:
      - departments: [Finance]
    cutover: {start: "2027-01-16 08:00", end: "2027-01-16 14:00"}
    hypercare_until: 2027-01-29
  - key: wave-2
    number: 2
    name: Second
    include:
      - offices: [Branch]
    cutover: {start: "2027-01-30 08:00", end: "2027-01-30 14:00"}
    hypercare_until: 2027-02-12
areas:
  - key: email
    name: Email
    owner: ann.lead
    backup: bob.boss
  - key: other
    name: Anything else
    owner: {channel: "Contoso IT / Service Desk"}
    backup: ann.lead
    catch_all: true
priority_matrix:
  site: {cant_work: P1, degraded: P2, question: P3}
  several: {cant_work: P2, degraded: P3, question: P4}
  me: {cant_work: P2, degraded: P3, question: P4}
service_levels:
  P1: {acknowledge_within: 15 minutes}
  P2: {acknowledge_within: 30 minutes}
  P3: {acknowledge_within: 4 business hours}
  P4: {acknowledge_within: 1 business day}
business_hours:
  weekly:
    - {days: [mon, tue, wed, thu, fri], start: "07:00", end: "19:00"}
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture(scope="session")
def fabrikam_plan() -> Plan:
    return load_plan(EXAMPLE / "plan.yaml")


@pytest.fixture(scope="session")
def fabrikam_roster() -> RosterDirectory:
    return RosterDirectory.from_csv(EXAMPLE / "roster.csv")


@pytest.fixture(scope="session")
def fabrikam_users(fabrikam_roster: RosterDirectory) -> list[DirectoryUser]:
    return fabrikam_roster.users
