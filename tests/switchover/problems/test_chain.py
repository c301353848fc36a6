"""The owner chain as the plan draws it: owner, backup, project leads, Service Desk channel, each once."""

from __future__ import annotations

import datetime as dt

from switchover.plan.model import ChannelRef, Contact, EscalationTarget, Impact, Priority, Urgency
from switchover.problems.chain import Hop, contact_name, has_area, hops, targets
from switchover.problems.model import ProblemReport, Reporter, ReportStatus
from tests.switchover.problems.plan_fixture import DESK, TENANT, fabrikam_plan

PLAN = fabrikam_plan()


def in_area(area: str) -> ProblemReport:
    now = dt.datetime(2027, 2, 17, 18, 0, tzinfo=dt.UTC)
    return ProblemReport(
        id=1,
        tenant_id=TENANT,
        reporter=Reporter(TENANT, "id-1"),
        text="it broke",
        area=area,
        area_confidence=1.0,
        impact=Impact.ME,
        urgency=Urgency.DEGRADED,
        priority=Priority.P3,
        status=ReportStatus.OPEN,
        created_at=now,
        ack_due_at=None,
        next_due_at=None,
        escalation_level=0,
        cycle=0,
    )


def test_a_person_owned_area_runs_owner_backup_lead_then_the_desk_channel():
    assert hops(PLAN, in_area("files")) == [
        Hop("owner", Contact(person="luis.ortega")),
        Hop("backup", Contact(person="tom.becker")),
        Hop("project_lead", Contact(person="dana.whitfield")),
        Hop("service_desk", Contact(channel=DESK)),
    ]


def test_a_contact_already_in_the_chain_is_not_asked_twice():
    # "other": the desk channel owns it and the project lead is its backup.
    assert hops(PLAN, in_area("other")) == [
        Hop("owner", Contact(channel=DESK)),
        Hop("backup", Contact(person="dana.whitfield")),
    ]


def test_escalation_targets():
    r = in_area("email")
    assert targets(PLAN, r, EscalationTarget.BACKUP) == [Hop("backup", Contact(person="tom.becker"))]
    assert targets(PLAN, r, EscalationTarget.PROJECT_LEAD) == [Hop("project_lead", Contact(person="dana.whitfield"))]
    assert targets(PLAN, r, EscalationTarget.SPONSOR) == [Hop("sponsor", Contact(person="robert.kim"))]


def test_contact_names():
    assert contact_name(PLAN, Contact(person="priya.raman")) == "Priya Raman"
    assert contact_name(PLAN, Contact(channel=ChannelRef(team="T", channel="Ops"))) == "the Ops channel"
    assert contact_name(PLAN, Contact(person="nobody.here")) == "nobody.here"
    assert has_area(PLAN, "email")
    assert not has_area(PLAN, "plumbing")
