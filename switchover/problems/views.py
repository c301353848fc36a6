"""Cards about problem reports, rendered from a report (no I/O here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from cards.render import render_card
from switchover import i18n
from switchover.i18n import N_, pgettext
from switchover.i18n import gettext as _
from switchover.plan.desks import desk_for
from switchover.plan.languages import area_name
from switchover.plan.model import Impact, Plan, Urgency
from switchover.problems.model import EventKind, ProblemReport, ReportStatus, TimelineEntry
from switchover.timefmt import format_moment

# Marked for the catalogs; shown translated (``_(IMPACT_TITLES[impact])``) in the reader's language.
IMPACT_TITLES = {
    Impact.ME: N_("Just me"),
    Impact.SEVERAL: N_("Several people"),
    Impact.SITE: N_("A whole site or department"),
}
URGENCY_TITLES = {
    Urgency.CANT_WORK: N_("I can't work"),
    Urgency.DEGRADED: N_("It's slow or broken, but I have a workaround"),
    Urgency.QUESTION: N_("It's a question or something cosmetic"),
}
STATUS_TITLES = {
    ReportStatus.OPEN: N_("Open, waiting for acknowledgement"),
    ReportStatus.ACKNOWLEDGED: N_("Acknowledged, being worked on"),
    ReportStatus.RESOLVED: N_("Resolved"),
}
# What happened, as a timeline line says it (the English words are the event's name).
EVENT_TITLES: dict[EventKind, Callable[[], str]] = {
    EventKind.CREATED: lambda: pgettext("timeline", "created"),
    EventKind.ROUTED: lambda: pgettext("timeline", "routed"),
    EventKind.NOTIFIED: lambda: pgettext("timeline", "notified"),
    EventKind.DELIVERY_FAILED: lambda: pgettext("timeline", "delivery_failed"),
    EventKind.ACKNOWLEDGED: lambda: pgettext("timeline", "acknowledged"),
    EventKind.ESCALATED: lambda: pgettext("timeline", "escalated"),
    EventKind.ASSIGNED: lambda: pgettext("timeline", "assigned"),
    EventKind.REROUTED: lambda: pgettext("timeline", "rerouted"),
    EventKind.COMMENTED: lambda: pgettext("timeline", "commented"),
    EventKind.LINKED: lambda: pgettext("timeline", "linked"),
    EventKind.INCIDENT: lambda: pgettext("timeline", "incident"),
    EventKind.RESOLVED: lambda: pgettext("timeline", "resolved"),
    EventKind.REOPENED: lambda: pgettext("timeline", "reopened"),
    EventKind.UNROUTED: lambda: pgettext("timeline", "unrouted"),
}


# Resolution notes the bot itself writes (stored as written, in English, for the record): each reader
# reads them in their language. A note a person typed is shown as they typed it.
RESOLVED_NOTE = N_("Resolved.")
REPORTER_FIXED_NOTE = N_("The reporter says it is fixed.")
_OWN_NOTES = frozenset({RESOLVED_NOTE, REPORTER_FIXED_NOTE})


def note_shown(note: str) -> str:
    """A stored resolution note as the reader reads it (the bot's own notes in their language)."""
    return _(note) if note in _OWN_NOTES else note


def status_title(status: ReportStatus) -> str:
    """Where a report stands, in the reader's language."""
    return _(STATUS_TITLES[status])


def area_title(plan: Plan, key: str) -> str:
    """An area's name as the reader reads it (the plan's translation in their language, if any)."""
    return area_name(plan.area(key), i18n.current().code, plan.organisation.language)


_STATUS_COLORS = {ReportStatus.OPEN: "Attention", ReportStatus.ACKNOWLEDGED: "Accent", ReportStatus.RESOLVED: "Good"}


def when(at: dt.datetime | None, zone: ZoneInfo) -> str:
    """A time in the reader's zone, e.g. ``Sat 16 Jan 09:05 PST``."""
    if at is None:
        return "-"
    return format_moment(at.astimezone(zone))


def timeline_lines(entries: Sequence[TimelineEntry], zone: ZoneInfo, *, limit: int | None = 20) -> list[str]:
    """One line per timeline entry (the newest ``limit``; None: all)."""
    lines = []
    for e in list(entries)[-limit if limit else None :]:
        kind = EVENT_TITLES[e.kind]() if e.kind in EVENT_TITLES else e.kind.value
        happened = _("{kind} by {actor}").format(kind=kind, actor=e.actor) if e.actor else kind
        what = f": {e.detail}" if e.detail else ""
        lines.append(f"{when(e.at, zone)}: {happened}{what}")
    return lines


def _title(text: str, limit: int = 80) -> str:
    first = " ".join(text.split())
    return first if len(first) <= limit else first[: limit - 1] + "…"


def owner_card(
    plan: Plan,
    report: ProblemReport,
    *,
    actions: bool = True,
    linked: Sequence[ProblemReport] = (),
    zone: ZoneInfo | None = None,
) -> dict[str, Any]:
    """The card the accountable owner works from: the report, its timeline and the actions."""
    zone = zone or plan.zone
    sure = _("{area} ({percent}% sure)").format(
        area=area_title(plan, report.area), percent=round(report.area_confidence * 100)
    )
    facts = [
        {"title": _("Reference"), "value": report.reference},
        {"title": _("Priority"), "value": report.priority.value},
        {"title": _("Area"), "value": sure},
        {"title": _("Reporter"), "value": report.reporter.name or report.reporter.upn or report.reporter.id},
        {"title": _("Wave"), "value": _wave_title(plan, report.reporter.wave)},
        {"title": _("Site"), "value": report.reporter.site or "-"},
        {"title": _("Department"), "value": report.reporter.department or "-"},
        {"title": _("Impact"), "value": _(IMPACT_TITLES[report.impact])},
        {"title": _("Urgency"), "value": _(URGENCY_TITLES[report.urgency])},
        {"title": _("Reported"), "value": when(report.created_at, zone)},
        {"title": _("Acknowledge by"), "value": when(report.ack_due_at, zone)},
    ]
    if report.assignee:
        facts.append({"title": _("Assigned to"), "value": _person_name(plan, report.assignee)})
    if report.resolution_note:
        facts.append({"title": _("Resolution"), "value": note_shown(report.resolution_note)})
    if plan.service_desk.contacts:
        r = report.reporter
        desk = desk_for(plan, site=r.site, city=r.city, country=r.country)
        facts.append({"title": _("Service Desk"), "value": desk.name + (f" ({desk.phone})" if desk.phone else "")})
    note = internal_note(plan, report.reporter.upn)
    if note:
        # For those who work the report (owners, the Service Desk, leads); the reporter's cards never carry it.
        facts.append({"title": _("Internal note"), "value": note})
    assign_choices = [
        {"title": p.name, "value": p.key}
        for p in plan.people
        if p.key in _assignable_keys(plan) and p.key != plan.sponsor
    ]
    status_line = status_title(report.status)
    if report.incident_id:
        status_line += " " + _("(part of major incident INC-{incident})").format(incident=report.incident_id)
    return render_card(
        "problem-owner",
        heading=f"{report.reference} {report.priority.value}: {_title(report.text)}",
        status_line=status_line,
        status_color=_STATUS_COLORS[report.status],
        text=report.text,
        facts=facts,
        screenshot_url=report.screenshot_url,
        linked=[linked_line(r) for r in linked],
        linked_say=linked_say(report.reference),
        # All of it: the card shows the newest entries and says how many earlier ones it leaves out.
        timeline=timeline_lines(report.timeline, zone, limit=None),
        actions=actions and report.status is not ReportStatus.RESOLVED,
        # Those who work a resolved report can bring it back (the reporter is told who did).
        can_reopen=actions and report.status is ReportStatus.RESOLVED,
        can_acknowledge=report.status is ReportStatus.OPEN,
        report_id=report.id,
        incident_id=None,
        resolve_verb="problem_resolve",
        assign_choices=assign_choices,
        area_choices=[{"title": area_title(plan, a.key), "value": a.key} for a in plan.areas],
        catch_all_area=plan.catch_all_area.key,
    )


def internal_note(plan: Plan, upn: str | None) -> str:
    """The plan's internal notes about a person (their exception's and their people entry's), for staff only."""
    if not upn:
        return ""
    folded = upn.casefold()
    notes = [e.note for e in plan.exceptions if e.note and e.user.casefold() == folded]
    person = plan.person_by_upn(upn)
    if person is not None and person.note:
        notes.append(person.note)
    return " ".join(notes)


def linked_say(reference: str) -> str:
    """What "Show them all" under a list of linked reports posts, in the reader's language: the
    ``linked`` command (``linked PR-00042``, ``linked INC-7``), which the bot reads in each language."""
    return pgettext("a command a button posts as the reader's own message", "linked {reference}").format(
        reference=reference
    )


def linked_line(report: ProblemReport) -> str:
    """A linked report in one line: ``PR-00043: <reporter>: <the first words of the report>``."""
    return f"{report.reference}: {report.reporter.name or report.reporter.id}: {_title(report.text, 60)}"


def incident_line(report: ProblemReport, zone: ZoneInfo) -> str:
    """A report of a major incident in one line, with when and where it came from."""
    return (
        f"{report.reference} {when(report.created_at, zone)}, {report.reporter.name or report.reporter.id}"
        f" ({report.reporter.site or _('no site')}): {_title(report.text, 70)}"
    )


LIST_PAGE = 25  # reports per page of a drill-down list (the cap in report-list.json.j2)


def report_list_card(heading: str, lines: Sequence[str], *, page: int, say: str) -> dict[str, Any]:
    """Page ``page`` (from 1) of a long list of reports; "Show them all" asks for the next page with ``say``."""
    pages = max(1, -(-len(lines) // LIST_PAGE))
    page = min(max(page, 1), pages)
    return render_card(
        "report-list",
        heading=_("{heading} ({count}; page {page} of {pages})").format(
            heading=heading, count=len(lines), page=page, pages=pages
        )
        if pages > 1
        else f"{heading} ({len(lines)})",
        # From this page on: the template shows LIST_PAGE of them and "and N more" with the button.
        lines=list(lines[(page - 1) * LIST_PAGE :]),
        next_say=pgettext("a command a button posts as the reader's own message", "{command} page {page}").format(
            command=say, page=page + 1
        ),
    )


def owner_summary(plan: Plan, report: ProblemReport) -> str:
    """The notification line of an owner's card: ``P1 PR-00042: Email``."""
    return f"{report.priority.value} {report.reference}: {area_title(plan, report.area)}"


def status_card(plan: Plan, report: ProblemReport, message: str, *, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """What the reporter sees: the reference, where it stands, and what was last done."""
    zone = zone or plan.zone
    facts = [
        {"title": _("Reference"), "value": report.reference},
        {"title": _("Status"), "value": status_title(report.status)},
        {"title": _("Area"), "value": area_title(plan, report.area)},
        {"title": _("Priority"), "value": report.priority.value},
        {"title": _("Reported"), "value": when(report.created_at, zone)},
    ]
    if report.assignee:
        facts.append({"title": _("Being handled by"), "value": _person_name(plan, report.assignee)})
    return render_card(
        "problem-status",
        heading=f"{report.reference}: {_title(report.text)}",
        message=message,
        note=_("Note: {note}").format(note=note_shown(report.resolution_note))
        if report.resolution_note and not report.is_open
        else None,
        facts=facts,
        open=report.is_open,
        report_id=report.id,
    )


# -- what the reporter is told when their report changes (plain words, nothing internal) --------------


def acknowledged(name: str) -> str:
    """Someone accountable has the report."""
    return _("{name} is on it.").format(name=name)


def assigned(name: str) -> str:
    """The report was handed to a named person."""
    return _("Your problem is now with {name}, who will work on it.").format(name=name)


def rerouted(plan: Plan, report: ProblemReport, by: str) -> str:
    """The report was sent to another area (``report`` as it is after the move)."""
    return _(
        "Your problem {reference} was moved to the {area} team: {by} found it is not theirs. "
        "The new team is asked to acknowledge it by {due}."
    ).format(
        reference=report.reference, area=area_title(plan, report.area), by=by, due=when(report.ack_due_at, plan.zone)
    )


def escalated(role: str, names: Sequence[str]) -> str:
    """Nobody acknowledged the report in time; it went up a step (``role``: backup, project lead...)."""
    who = ", ".join(names) if names else _("nobody reachable yet")
    shown = ROLE_TITLES[role]() if role in ROLE_TITLES else role.replace("_", " ")
    return _("Your problem was not acknowledged in time; it is now with the {role}, {who}.").format(role=shown, who=who)


# Who a report went up to (an escalation step's ``to``), as the reporter reads it.
ROLE_TITLES: dict[str, Callable[[], str]] = {
    "backup": lambda: pgettext("escalated to", "backup"),
    "project_lead": lambda: pgettext("escalated to", "project lead"),
    "sponsor": lambda: pgettext("escalated to", "sponsor"),
}


def commented(name: str, text: str) -> str:
    """A staff member's comment, word for word."""
    return _("{name} wrote: {text}").format(name=name, text=text)


def resolved(report: ProblemReport, note: str) -> str:
    """The report is resolved, with the note the reporter is meant to read."""
    return _(
        "Your problem {reference} is resolved: {note} If it is not fixed for you, comment on it and it reopens."
    ).format(reference=report.reference, note=note_shown(note))


def reopened(name: str, why: str) -> str:
    """Someone other than the reporter reopened the report."""
    if why:
        return _("{name} reopened your problem: {why} It is being worked on again.").format(name=name, why=why)
    return _("{name} reopened your problem. It is being worked on again.").format(name=name)


def in_incident(report: ProblemReport, incident_id: int) -> str:
    """The report joined a known major incident."""
    return _(
        "Thanks, your report is {reference}. It is part of a wider problem, INC-{incident} "
        "(a known major incident that is being worked on); you'll hear here when it's fixed."
    ).format(reference=report.reference, incident=incident_id)


def my_problems_card(plan: Plan, reports: Sequence[ProblemReport], *, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """The reporter's own reports, newest first."""
    zone = zone or plan.zone
    items = [
        {
            "title": f"{r.reference}: {_title(r.text, 60)}",
            "detail": f"{status_title(r.status)} · {area_title(plan, r.area)} · {r.priority.value} · "
            + _("reported {when}").format(when=when(r.created_at, zone)),
            "open": r.is_open,
            "report_id": r.id,
        }
        for r in reports
    ]
    return render_card(
        "my-problems",
        heading=_("Your problem reports"),
        empty=_('You have not reported any problems. Say "report a problem" if something is wrong.'),
        items=items,
    )


def incident_card(
    plan: Plan,
    incident_id: int,
    area_key: str,
    wave_key: str | None,
    reports: Sequence[ProblemReport],
    *,
    resolved_note: str | None = None,
    actions: bool = True,
    zone: ZoneInfo | None = None,
) -> dict[str, Any]:
    """The major-incident card: the project lead's alert and the owner's one card to work."""
    zone = zone or plan.zone
    area = area_title(plan, area_key)
    wave = _wave_title(plan, wave_key)
    status = (
        _("Resolved: {note}").format(note=note_shown(resolved_note))
        if resolved_note
        else _("Open: resolving it resolves every linked report")
    )
    return render_card(
        "incident-alert",
        heading=_("Major incident INC-{incident}: {area}, {wave}").format(incident=incident_id, area=area, wave=wave),
        summary=i18n.ngettext(
            "{count} report in {area} from {wave}.", "{count} reports in {area} from {wave}.", len(reports)
        ).format(count=len(reports), area=area, wave=wave),
        status_line=status,
        reports=[incident_line(r, zone) for r in reports],
        reports_say=linked_say(f"INC-{incident_id}"),
        actions=actions and resolved_note is None,
        incident_id=incident_id,
    )


def confirm_card(
    plan: Plan,
    *,
    draft_id: str,
    text: str,
    area: str,
    impact: Impact,
    urgency: Urgency,
    intro: str,
    has_screenshot: bool = False,
) -> dict[str, Any]:
    """The confirmation card: what the bot understood, correctable, with Submit."""
    return render_card(
        "problem-confirm",
        intro=intro,
        draft_id=draft_id,
        text=text,
        area=area,
        impact=impact.value,
        urgency=urgency.value,
        area_choices=[{"title": area_title(plan, a.key), "value": a.key} for a in plan.areas],
        impact_choices=[{"title": _(t), "value": i.value} for i, t in IMPACT_TITLES.items()],
        urgency_choices=[{"title": _(t), "value": u.value} for u, t in URGENCY_TITLES.items()],
        has_screenshot=has_screenshot,
    )


def _assignable_keys(plan: Plan) -> set[str]:
    keys: set[str] = set(plan.service_desk.members) | set(plan.project_leads)
    for area in plan.areas:
        for contact in (area.owner, area.backup):
            if contact.person:
                keys.add(contact.person)
    return keys


def _person_name(plan: Plan, key: str) -> str:
    try:
        return plan.person(key).name
    except KeyError:
        return key


def _wave_title(plan: Plan, key: str | None) -> str:
    if not key:
        return _("no wave")
    try:
        return plan.wave(key).title
    except KeyError:
        return key


__all__ = [
    "confirm_card",
    "incident_card",
    "incident_line",
    "linked_line",
    "my_problems_card",
    "owner_card",
    "owner_summary",
    "report_list_card",
    "status_card",
]
