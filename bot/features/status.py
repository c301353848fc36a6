"""Status for leads and the sponsor: the ``status`` command (and "how is the migration going",
"where are we", ...), its card, and the drill-downs behind its numbers.

The figures are the domain's :class:`~switchover.status.StatusPicture`
(:class:`~switchover.status.StatusService`); this module only words and shapes them. The sponsor
sees the same card without buttons (read-only); anyone else keeps their usual answer.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import StatusPeople, StatusReports
from bot.routing import Router
from bot.turn import Turn
from cards.render import render_card
from switchover import access
from switchover.i18n import N_, ngettext
from switchover.i18n import gettext as _
from switchover.plan.model import Plan
from switchover.services import Services
from switchover.status import (
    ReportFilter,
    StatusPicture,
    StatusService,
    WaveStatus,
    describe,
)
from switchover.status.words import (
    area_in,
    as_of,
    figure,
    open_reports_line,
    overdue_line,
    reach_line,
    wave_heading,
)
from switchover.status.words import of as _of
from switchover.timefmt import format_day, format_moment, format_window

REFUSAL = N_("The migration's status is for the project leads.")
NOT_FOR_YOU = N_(
    "The migration's overall status is for the project leads and the sponsor. "
    "For your own move, ask **when is my migration**; for what you reported, say **my problems**."
)
# What leads and the sponsor say for the status, besides "status" itself (folded: "how's" is "how s").
PHRASES = (
    "project status",
    "migration status",
    "status update",
    "status report",
    "where are we",
    "where are we at",
    "where are we now",
    "where are we with the migration",
    "how is the migration going",
    "how s the migration going",
    "how is the migration doing",
    "how is the move going",
    "how s the move going",
    "how is the project going",
    "how s the project going",
    "how are we doing",
    "how are things going",
    "migration progress",
    "project progress",
)


def register(router: Router, services: Services) -> None:
    """Add ``status`` and its phrases (leads and the sponsor), and the lead's drill-down actions."""
    status = StatusService(
        services.db,
        services.clock,
        services.directory,
        services.conversations,
        services.announcements,
        services.readiness,
        reach=services.reach,
    )

    async def role(turn: Turn) -> tuple[bool, bool]:
        """(sees the status, is a lead)."""
        plan = services.plan
        user = await turn.user()
        key = access.plan_person(plan, (user.upn if user else None, user.mail if user else None, turn.asker.upn))
        return access.sees_status(plan, key), access.is_lead(plan, key)

    async def picture(turn: Turn) -> StatusPicture:
        tenant = await services.tenant.settle(turn.asker.tenant_id) or turn.asker.tenant_id
        return await status.picture(tenant)

    async def on_status(turn: Turn, rest: str) -> None:
        sees, lead = await role(turn)
        if not sees:
            if rest.strip() and router.fallback_handler is not None:
                await router.fallback_handler(turn, turn.text)  # "status of my laptop order": a question
            else:
                await turn.reply_text(_(NOT_FOR_YOU))
            return
        await turn.reply_card(
            status_card(await picture(turn), services.plan, turn.asker.zone, buttons=lead),
            summary=_("Migration status"),
        )

    async def on_phrase(turn: Turn, rest: str) -> None:
        sees, lead = await role(turn)
        if not sees:
            if router.fallback_handler is not None:
                await router.fallback_handler(turn, turn.text)  # their answer, as before
            return
        await on_status(turn, "")

    async def on_refresh(turn: Turn, data: Any) -> dict[str, Any]:
        return status_card(await picture(turn), services.plan, turn.asker.zone, buttons=True)

    async def on_people(turn: Turn, data: StatusPeople) -> dict[str, Any]:
        tenant = await services.tenant.settle(turn.asker.tenant_id) or turn.asker.tenant_id
        try:
            page = await status.people(tenant, data.wave, data.kind, data.page)
        except KeyError:
            return list_card(
                _("No wave {wave}").format(wave=data.wave), _("The plan has no such wave any more."), [], [], ""
            )
        wave = services.plan.wave(data.wave)
        what = _("cannot be messaged") if data.kind == "unreachable" else _("not ready")
        rows = [{"title": p.name, "value": f"{p.department} · {p.detail}"} for p in page.items]
        return list_card(
            f"{wave.title}: {what}",
            _people_line(page.total, page.page, page.pages),
            rows,
            _pager("status_people", {"wave": data.wave, "kind": data.kind}, page.page, page.pages),
            _("Nobody: everyone in this wave is covered."),
        )

    async def on_reports(turn: Turn, data: StatusReports) -> dict[str, Any]:
        tenant = await services.tenant.settle(turn.asker.tenant_id) or turn.asker.tenant_id
        which = ReportFilter(
            wave=data.wave,
            priority=data.priority.value if data.priority else None,
            area=data.area,
            overdue=data.overdue,
        )
        page = await status.reports(tenant, which, data.page)
        zone = turn.asker.zone or services.plan.zone
        rows = [
            {
                "title": f"{r.reference} {r.priority}",
                "value": f"{r.area_name} · {_report_status(r.status)} · {r.owner_name} · "
                f"{format_moment(r.created_at.astimezone(zone))}: {_clip(r.text, 140)}",
            }
            for r in page.items
        ]
        base: dict[str, Any] = {k: v for k, v in (("wave", data.wave), ("area", data.area)) if v is not None}
        if data.priority:
            base["priority"] = data.priority.value
        if data.overdue:
            base["overdue"] = True
        return list_card(
            describe(services.plan, which),
            ngettext("{n} report · page {page} of {pages}", "{n} reports · page {page} of {pages}", page.total).format(
                n=page.total, page=page.page, pages=page.pages
            ),
            rows,
            _pager("status_reports", base, page.page, page.pages),
            _("None."),
        )

    router.command("status", on_status, help=N_("where each wave stands, for leads and the sponsor"))
    for phrase in PHRASES:
        router.command(phrase, on_phrase, exact=True)
    router.action("status_refresh", on_refresh, leads_only=True, refusal=REFUSAL)
    router.action("status_people", on_people, data=StatusPeople, leads_only=True, refusal=REFUSAL)
    router.action("status_reports", on_reports, data=StatusReports, leads_only=True, refusal=REFUSAL)


# -- the cards -------------------------------------------------------------------------------


def status_card(picture: StatusPicture, plan: Plan, zone: ZoneInfo | None = None, *, buttons: bool) -> dict[str, Any]:
    """The status card: per wave, then the problem desk (times in ``zone``, the reader's; else the
    plan's). ``buttons``: a lead's card, with the drill-downs; the sponsor's has none."""
    zone = zone or plan.zone
    problems = picture.problems
    note = None
    if not picture.readiness_known:
        note = _("Readiness is unknown: the directory in use cannot tell who has registered MFA.")
    actions: list[dict[str, Any]] = []
    if buttons:
        if problems.open:
            actions.append(_button(_("Open reports ({n})").format(n=problems.open), "status_reports", {}))
        if problems.overdue:
            actions.append(
                _button(_("Overdue ({n})").format(n=len(problems.overdue)), "status_reports", {"overdue": True})
            )
        actions.append(_button(_("Refresh"), "status_refresh", {}))
    return render_card(
        "status",
        title=_("Migration status: {organisation}").format(organisation=picture.organisation),
        subtitle=as_of(picture.at, zone),
        note=note,
        waves=[_wave_view(w, buttons=buttons) for w in picture.waves],
        problems_heading=_("Open problem reports: {n}").format(n=problems.open),
        priorities=[{"title": p, "value": str(n)} for p, n in problems.by_priority.items()],
        areas=[{"title": area_in(plan, a.area, a.name), "value": str(a.count)} for a in problems.by_area],
        overdue_heading=_("Overdue acknowledgements: {n}").format(n=len(problems.overdue)),
        overdue=[overdue_line(o, plan) for o in problems.overdue],
        incidents_heading=_("Open major incidents: {n}").format(n=len(problems.incidents)),
        incidents=[
            ngettext(
                "Incident {id}: {area}: {n} open report since {since}",
                "Incident {id}: {area}: {n} open reports since {since}",
                i.reports,
            ).format(
                id=i.id,
                area=area_in(plan, i.area, i.area_name) + (", " + _wave_title(plan, i.wave) if i.wave else ""),
                n=i.reports,
                since=format_moment(i.since.astimezone(zone)),
            )
            for i in problems.incidents
        ],
        actions=actions,
    )


def _wave_view(wave: WaveStatus, *, buttons: bool) -> dict[str, Any]:
    zone = ZoneInfo(wave.time_zone)
    cutover = format_window(wave.cutover_start.astimezone(zone), wave.cutover_end.astimezone(zone), day="long")
    cutover += f" ({_days(wave.days_to_cutover)})"
    if wave.postponed_from is not None:
        cutover += _(", moved from {day}").format(day=format_day(wave.postponed_from.astimezone(zone)))
    facts = [
        {"title": _("Cutover"), "value": cutover},
        {"title": _("Hypercare until"), "value": format_day(wave.hypercare_until)},
    ]
    facts.append({"title": _("Reach"), "value": reach_line(wave)})
    facts.append({"title": _("Readiness"), "value": readiness_line(wave)})
    a = wave.announcement
    if a is None:
        facts.append({"title": _("Latest announcement"), "value": _("none sent yet")})
    else:
        facts += [
            {"title": _("Latest announcement"), "value": a.title},
            {"title": _("Delivered"), "value": _of(a.delivered, a.recipients, a.delivered_percent)},
            {"title": _("Read"), "value": _of(a.read, a.recipients, a.read_percent)},
            {"title": _("Acknowledged"), "value": _of(a.acknowledged, a.recipients, a.acknowledged_percent)},
        ]
    facts.append({"title": _("Open reports"), "value": open_reports_line(wave)})
    reach = wave.reach
    view_buttons: list[dict[str, Any]] = []
    if buttons:
        unreachable = reach.members - reach.reachable
        if unreachable:
            view_buttons.append(
                _button(
                    _("Not reachable ({n})").format(n=unreachable),
                    "status_people",
                    {"wave": wave.key, "kind": "unreachable"},
                )
            )
        if wave.readiness.not_ready:
            view_buttons.append(
                _button(
                    _("Not ready ({n})").format(n=wave.readiness.not_ready),
                    "status_people",
                    {"wave": wave.key, "kind": "not_ready"},
                )
            )
        if wave.open_reports:
            view_buttons.append(
                _button(_("Open reports ({n})").format(n=wave.open_reports), "status_reports", {"wave": wave.key})
            )
    return {
        "heading": wave_heading(wave),
        "facts": facts,
        "buttons": view_buttons,
    }


def readiness_line(wave: WaveStatus) -> str:
    """``MFA 30 of 40 registered (75%), 2 unknown; devices ...``, in the reader's language."""
    r = wave.readiness
    if not r.known:
        return _("unknown (the directory cannot tell)")
    parts = []
    if r.mfa_asked and r.mfa_registered is not None:
        known = r.members - (r.mfa_unknown or 0)
        text = _("MFA {part} of {whole} registered ({percent}%)").format(
            part=r.mfa_registered, whole=known, percent=figure(r.mfa_percent)
        )
        if r.mfa_unknown:
            text += _(", {n} unknown").format(n=r.mfa_unknown)
        parts.append(text)
    if r.devices_asked and r.devices_compliant is not None:
        known = r.members - (r.devices_unknown or 0)
        text = _("devices {part} of {whole} compliant ({percent}%)").format(
            part=r.devices_compliant, whole=known, percent=figure(r.devices_percent)
        )
        if r.devices_unknown:
            text += _(", {n} unknown").format(n=r.devices_unknown)
        parts.append(text)
    return "; ".join(parts) or _("nothing asked by the plan")


def list_card(
    title: str, subtitle: str, rows: list[dict[str, str]], pager: list[dict[str, Any]], empty: str
) -> dict[str, Any]:
    """One page of a drill-down, with previous / next and the way back to the status card."""
    return render_card(
        "status-list",
        title=title,
        subtitle=subtitle,
        rows=rows,
        empty=empty,
        actions=[*pager, _button(_("Back to status"), "status_refresh", {})],
    )


def _pager(verb: str, data: dict[str, Any], page: int, pages: int) -> list[dict[str, Any]]:
    out = []
    if page > 1:
        out.append(_button(_("Previous"), verb, {**data, "page": page - 1}))
    if page < pages:
        out.append(_button(_("Next"), verb, {**data, "page": page + 1}))
    return out


def _button(title: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"title": title, "verb": verb, "data": data}


def _days(n: int) -> str:
    if n == 0:
        return _("today")
    if n == 1:
        return _("tomorrow")
    if n == -1:
        return _("yesterday")
    if n > 0:
        return ngettext("in {n} day", "in {n} days", n).format(n=n)
    return ngettext("{n} day ago", "{n} days ago", -n).format(n=-n)


def _people_line(total: int, page: int, pages: int) -> str:
    """``12 people · page 1 of 2``."""
    return ngettext("{n} person · page {page} of {pages}", "{n} people · page {page} of {pages}", total).format(
        n=total, page=page, pages=pages
    )


# What a report's stored status reads as on a drill-down (an unknown one is shown as stored).
REPORT_STATUS = {
    "open": N_("open"),
    "acknowledged": N_("acknowledged"),
    "resolved": N_("resolved"),
}


def _report_status(status: str) -> str:
    return _(REPORT_STATUS[status]) if status in REPORT_STATUS else status


def _wave_title(plan: Plan, key: str) -> str:
    try:
        return plan.wave(key).title
    except KeyError:
        return key


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
