"""The plan's roles against one report, decided in switchover/access.py (the rules users rely on)."""

from __future__ import annotations

import datetime as dt

import pytest

from switchover import access
from switchover.plan.loader import load_plan
from switchover.plan.model import Impact, Priority, Urgency
from switchover.problems.model import Actor, ProblemReport, Reporter, ReportStatus
from tests.support.app import FABRIKAM

PLAN = load_plan(FABRIKAM / "plan.yaml")
NORA = "0c743f78-1e9c-4bc1-b2d2-293915ba597d"


def report(priority: Priority = Priority.P3, assignee: str | None = None) -> ProblemReport:
    return ProblemReport(
        id=42,
        tenant_id="t",
        reporter=Reporter(tenant_id="t", id=NORA),
        text="my H drive files are missing",
        area="files",
        area_confidence=1.0,
        impact=Impact.ME,
        urgency=Urgency.DEGRADED,
        priority=priority,
        status=ReportStatus.OPEN,
        created_at=dt.datetime(2027, 2, 17, tzinfo=dt.UTC),
        ack_due_at=None,
        next_due_at=None,
        escalation_level=0,
        cycle=0,
        assignee=assignee,
    )


def who(key: str | None, object_id: str = "someone-else") -> Actor:
    return Actor(id=object_id, name=key or "?", person_key=key)


@pytest.mark.parametrize(
    ("key", "see", "work"),
    [
        ("luis.ortega", True, True),  # the Files owner
        ("tom.becker", True, True),  # its backup
        ("kevin.obrien", True, True),  # the Service Desk
        ("dana.whitfield", True, True),  # the project lead
        ("ana.silva", False, False),  # another area's owner
        ("robert.kim", False, False),  # the sponsor, on a P3
        ("grace.okafor", False, False),  # a site champion: named in the plan, no access
        (None, False, False),  # a stranger
    ],
)
def test_who_sees_and_works_a_files_report(key: str | None, see: bool, work: bool) -> None:
    rights = access.report_rights(PLAN, who(key), report())
    assert (rights.see, rights.work, rights.reporter) == (see, work, False)


def test_the_reporter_sees_their_own_and_works_nothing() -> None:
    rights = access.report_rights(PLAN, who(None, NORA), report())
    assert (rights.see, rights.work, rights.reporter) == (True, False, True)


def test_the_sponsor_reads_what_the_plan_sends_them() -> None:
    rights = access.report_rights(PLAN, who("robert.kim"), report(Priority.P1))
    assert (rights.see, rights.work) == (True, False)


def test_the_assignee_works_the_report_they_were_given() -> None:
    assert access.report_rights(PLAN, who("ana.silva"), report(assignee="ana.silva")).work


def test_a_missing_and_a_hidden_report_read_the_same() -> None:
    assert access.not_found("PR-00042") == access.not_found("PR-00042")
    assert "PR-00042" in access.not_found("PR-00042") and "not yours" not in access.not_found("PR-00042")


def test_champions_see_their_own_sites_only() -> None:
    assert access.champion_sites(PLAN, ["Grace.Okafor@fabrikamhealth.com"]) == ["Tacoma Clinic"]
    assert access.champion_sites(PLAN, ["nora.abbott@fabrikamhealth.com"]) == []


def test_only_leads_are_leads() -> None:
    lead = access.plan_person(PLAN, [None, "dana.whitfield@northwindmsp.com"])
    assert lead == "dana.whitfield" and access.is_lead(PLAN, lead)
    assert not access.is_lead(PLAN, "robert.kim") and not access.is_lead(PLAN, None)
