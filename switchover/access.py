"""Who may see and do what: the plan's roles, in one place.

Every card action, command and API handler asks here; nothing is decided from
data a card or a request carries. The person acting is the one the
authenticated activity names (``from.aadObjectId``, resolved through the
directory to a plan person); an API caller is the token it presented.

The rules (``docs/security.md`` says them for people):

- **Project leads** announce, reschedule, recall, see status and readiness, and
  see and work every problem report.
- **An area's owner and backup** (a person, or the Service Desk when the area is
  owned by its channel), **the Service Desk** (``service_desk.members``) and
  whoever a report is **assigned** to see and work that area's reports (working one includes
  reopening it once resolved: the reporter is told who reopened it).
- **The reporter** sees their own report, comments on it, reopens it and says it
  is fixed; they resolve, acknowledge, assign or reroute nothing.
- **The sponsor** sees the reports the plan sends them (priorities whose service
  level notifies or escalates to the sponsor), read-only, and the status card without
  its buttons (``sees_status``).
- **Champions** see how many reports people at their site filed (``site problems``), never a
  report's contents: being named in the plan is not access.
- **Anyone else** is told a report is not found, exactly as for a number that does
  not exist, so references (which are sequential) reveal nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from switchover.plan.model import EscalationTarget, Plan, Priority


class _Reporter(Protocol):
    @property
    def id(self) -> str: ...


class ReportFacts(Protocol):
    """What access needs to know of a problem report (``switchover.problems.model.ProblemReport`` has it)."""

    @property
    def id(self) -> int: ...
    @property
    def area(self) -> str: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def priority(self) -> Priority: ...
    @property
    def reporter(self) -> _Reporter: ...


class Someone(Protocol):
    """The person acting: their Entra object id (from the authenticated activity) and plan person, if any."""

    @property
    def id(self) -> str: ...
    @property
    def person_key(self) -> str | None: ...


# -- people -------------------------------------------------------------------------


def plan_person(plan: Plan, upns: Iterable[str | None]) -> str | None:
    """The plan person key of the first of ``upns`` (directory UPN, mail) the plan names, else None."""
    for upn in upns:
        if upn:
            found = plan.person_by_upn(upn)
            if found is not None:
                return found.key
    return None


def is_lead(plan: Plan, person_key: str | None) -> bool:
    """A project lead: announces, reschedules, recalls, sees status, readiness and every report."""
    return person_key is not None and person_key in plan.project_leads


def sees_status(plan: Plan, person_key: str | None) -> bool:
    """Whether the person sees the migration's status: the project leads, and the sponsor (read-only)."""
    return is_lead(plan, person_key) or (person_key is not None and person_key == plan.sponsor)


def is_service_desk(plan: Plan, person_key: str | None) -> bool:
    """A member of the Service Desk (``service_desk.members``)."""
    return person_key is not None and person_key in plan.service_desk.members


def champion_sites(plan: Plan, upns: Iterable[str | None]) -> list[str]:
    """The sites whose report counts the person may see: a champion's own site(s) from the plan.

    Champions see how many reports people at their site filed and how many are open, never a
    report's contents (they are not its owners; being named in the plan is not access).
    """
    wanted = {u.casefold() for u in upns if u}
    return sorted({c.site for c in plan.champions if c.site and c.user.casefold() in wanted})


# -- problem reports ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRights:
    """What one person may do with one report."""

    see: bool = False  # the report's contents (the owner's card, read-only unless ``work``)
    work: bool = False  # acknowledge, assign, resolve, reroute, comment as staff, reopen once resolved
    reporter: bool = False  # their own: status card, comment, reopen, "it's fixed"


NONE = ReportRights()


def is_staff(plan: Plan, person_key: str | None) -> bool:
    """Whether ``person_key`` works some area's reports (a lead, the Service Desk, an owner or backup)."""
    if is_lead(plan, person_key) or is_service_desk(plan, person_key):
        return True
    return person_key is not None and any(person_key in (a.owner.person, a.backup.person) for a in plan.areas)


def works_area(plan: Plan, person_key: str | None, area_key: str) -> bool:
    """Whether ``person_key`` works reports of ``area_key``: its owner, its backup, the Service Desk, a lead."""
    if person_key is None:
        return False
    if is_lead(plan, person_key) or is_service_desk(plan, person_key):
        return True
    try:
        area = plan.area(area_key)
    except KeyError:
        return False
    return person_key in (area.owner.person, area.backup.person)


def _sponsor_sees(plan: Plan, priority: Priority) -> bool:
    try:
        level = plan.service_level(priority)
    except StopIteration:
        return False
    return EscalationTarget.SPONSOR in level.notify_at_once or any(
        step.to is EscalationTarget.SPONSOR for step in level.escalation
    )


def report_rights(plan: Plan, who: Someone, report: ReportFacts) -> ReportRights:
    """What ``who`` may do with ``report`` (see the module's rules)."""
    reporter = bool(who.id) and who.id == report.reporter.id
    key = who.person_key
    work = works_area(plan, key, report.area) or (key is not None and key == report.assignee)
    see = work or reporter or (key is not None and key == plan.sponsor and _sponsor_sees(plan, report.priority))
    return ReportRights(see=see, work=work, reporter=reporter)


def not_found(reference: str) -> str:
    """The one answer for a report that does not exist and for one the asker may not see."""
    return f"I found no report {reference} that you can see. Say **my problems** for yours."


def not_yours(reference: str, doing: str) -> str:
    """The answer for a report the asker may see but not do ``doing`` to."""
    return f"{reference} is not yours to {doing}."


# -- the automation API ------------------------------------------------------------------

READ = "read"
WRITE = "write"
SCOPES = (READ, WRITE)


class ApiRefused(Exception):
    """An API request its token does not cover: ``status`` (400, 403) and a message that names no secret."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class ApiGrant:
    """What one API token may do.

    Args:
        name: The token's name (for logs and audit; never the token).
        tenants: Tenant id -> ``read`` or ``write`` (write includes read). ``None`` for the
            single ``SWITCHOVER_API_TOKEN``: full access to the tenant this instance serves
            (the plan's ``organisation.tenant_id``, else the one Teams settled).
    """

    name: str
    tenants: Mapping[str, str] | None

    def allows(self, tenant: str, served: str | None, *, write: bool) -> bool:
        """Whether the grant covers ``tenant`` for reading, or for writing when ``write``."""
        if not tenant:
            return False
        if self.tenants is None:
            return served is not None and tenant == served
        scope = self.tenants.get(tenant)
        return scope == WRITE or (scope == READ and not write)


def api_tenant(grant: ApiGrant, asked: str | None, served: str | None, *, write: bool) -> str:
    """The tenant an API request works on: the one it asks for (``?tenant=``), else the token's own.

    Raises:
        ApiRefused: 403 when the token does not cover that tenant (or only reads it and the request
            writes); 400 when the token covers several and the request does not say which.
    """
    if asked:
        tenant = asked
    elif grant.tenants is None:
        return served or ""  # the single token: this instance's tenant, even before one is settled
    elif len(grant.tenants) == 1:
        [tenant] = grant.tenants
    elif served and served in grant.tenants:
        tenant = served
    else:
        raise ApiRefused(400, "this token covers several tenants: say which with ?tenant=<tenant id>")
    if grant.allows(tenant, served, write=False):
        if write and not grant.allows(tenant, served, write=True):
            raise ApiRefused(403, "this token may only read")
        return tenant
    raise ApiRefused(403, "this token is not for that tenant")
