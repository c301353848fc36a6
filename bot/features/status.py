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
from switchover.plan.model import Plan
from switchover.services import Services
from switchover.status import (
    ReportFilter,
    StatusPicture,
    StatusService,
    WaveState,
    WaveStatus,
    describe,
)
from switchover.timefmt import format_day, format_moment, format_window

REFUSAL = "The migration's status is for the project leads."
NOT_FOR_YOU = (
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
STATE_WORDS = {
    WaveState.UPCOMING: "upcoming",
    WaveState.POSTPONED: "postponed",
    WaveState.CUTOVER: "cutover in progress",
    WaveState.HYPERCARE: "hypercare",
    WaveState.DONE: "done",
}


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
                await turn.reply_text(NOT_FOR_YOU)
            return
        await turn.reply_card(
            status_card(await picture(turn), services.plan, turn.asker.zone, buttons=lead),
            summary="Migration status",
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
            return list_card(f"No wave {data.wave}", "The plan has no such wave any more.", [], [], "")
        wave = services.plan.wave(data.wave)
        what = "cannot be messaged" if data.kind == "unreachable" else "not ready"
        rows = [{"title": p.name, "value": f"{p.department} · {p.detail}"} for p in page.items]
        return list_card(
            f"{wave.title}: {what}",
            f"{page.total} {'person' if page.total == 1 else 'people'} · page {page.page} of {page.pages}",
            rows,
            _pager("status_people", {"wave": data.wave, "kind": data.kind}, page.page, page.pages),
            "Nobody: everyone in this wave is covered.",
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
                "value": f"{r.area_name} · {r.status} · {r.owner_name} · "
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
            f"{page.total} {'report' if page.total == 1 else 'reports'} · page {page.page} of {page.pages}",
            rows,
            _pager("status_reports", base, page.page, page.pages),
            "None.",
        )

    router.command("status", on_status, help="where each wave stands, for leads and the sponsor")
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
        note = "Readiness is unknown: the directory in use cannot tell who has registered MFA."
    actions: list[dict[str, Any]] = []
    if buttons:
        if problems.open:
            actions.append(_button(f"Open reports ({problems.open})", "status_reports", {}))
        if problems.overdue:
            actions.append(_button(f"Overdue ({len(problems.overdue)})", "status_reports", {"overdue": True}))
        actions.append(_button("Refresh", "status_refresh", {}))
    return render_card(
        "status",
        title=f"Migration status: {picture.organisation}",
        subtitle=f"As of {format_moment(picture.at.astimezone(zone), year=True)} ({zone.key})",
        note=note,
        waves=[_wave_view(w, buttons=buttons) for w in picture.waves],
        problems_heading=f"Open problem reports: {problems.open}",
        priorities=[{"title": p, "value": str(n)} for p, n in problems.by_priority.items()],
        areas=[{"title": a.name, "value": str(a.count)} for a in problems.by_area],
        overdue_heading=f"Overdue acknowledgements: {len(problems.overdue)}",
        overdue=[
            f"{o.reference} {o.priority} {o.area_name}: {o.owner_name}, {_minutes(o.overdue_minutes)} overdue"
            for o in problems.overdue
        ],
        incidents_heading=f"Open major incidents: {len(problems.incidents)}",
        incidents=[
            f"Incident {i.id}: {i.area_name}{', ' + _wave_title(plan, i.wave) if i.wave else ''}: "
            f"{i.reports} open {'report' if i.reports == 1 else 'reports'} since "
            f"{format_moment(i.since.astimezone(zone))}"
            for i in problems.incidents
        ],
        actions=actions,
    )


def _wave_view(wave: WaveStatus, *, buttons: bool) -> dict[str, Any]:
    zone = ZoneInfo(wave.time_zone)
    cutover = format_window(wave.cutover_start.astimezone(zone), wave.cutover_end.astimezone(zone), day="long")
    cutover += f" ({_days(wave.days_to_cutover)})"
    if wave.postponed_from is not None:
        cutover += f", moved from {format_day(wave.postponed_from.astimezone(zone))}"
    facts = [
        {"title": "Cutover", "value": cutover},
        {"title": "Hypercare until", "value": format_day(wave.hypercare_until)},
    ]
    reach = wave.reach
    facts.append(
        {"title": "Reach", "value": f"{reach.reachable} of {reach.members} can be messaged ({reach.percent:g}%)"}
    )
    facts.append({"title": "Readiness", "value": _readiness(wave)})
    a = wave.announcement
    if a is None:
        facts.append({"title": "Latest announcement", "value": "none sent yet"})
    else:
        facts += [
            {"title": "Latest announcement", "value": a.title},
            {"title": "Delivered", "value": f"{a.delivered} of {a.recipients} ({a.delivered_percent:g}%)"},
            {"title": "Read", "value": f"{a.read} of {a.recipients} ({a.read_percent:g}%)"},
            {"title": "Acknowledged", "value": f"{a.acknowledged} of {a.recipients} ({a.acknowledged_percent:g}%)"},
        ]
    by_priority = ", ".join(f"{p} {n}" for p, n in wave.open_by_priority.items() if n)
    facts.append({"title": "Open reports", "value": f"{wave.open_reports} ({by_priority})" if by_priority else "0"})
    view_buttons: list[dict[str, Any]] = []
    if buttons:
        unreachable = reach.members - reach.reachable
        if unreachable:
            view_buttons.append(
                _button(f"Not reachable ({unreachable})", "status_people", {"wave": wave.key, "kind": "unreachable"})
            )
        if wave.readiness.not_ready:
            view_buttons.append(
                _button(
                    f"Not ready ({wave.readiness.not_ready})",
                    "status_people",
                    {"wave": wave.key, "kind": "not_ready"},
                )
            )
        if wave.open_reports:
            view_buttons.append(_button(f"Open reports ({wave.open_reports})", "status_reports", {"wave": wave.key}))
    return {
        "heading": f"{wave.title}: {STATE_WORDS[wave.state]}{' (overrunning)' if wave.overrunning else ''}",
        "facts": facts,
        "buttons": view_buttons,
    }


def _readiness(wave: WaveStatus) -> str:
    r = wave.readiness
    if not r.known:
        return "unknown (the directory cannot tell)"
    parts = []
    if r.mfa_asked and r.mfa_registered is not None:
        known = r.members - (r.mfa_unknown or 0)
        text = f"MFA {r.mfa_registered} of {known} registered ({r.mfa_percent:g}%)"
        if r.mfa_unknown:
            text += f", {r.mfa_unknown} unknown"
        parts.append(text)
    if r.devices_asked and r.devices_compliant is not None:
        known = r.members - (r.devices_unknown or 0)
        text = f"devices {r.devices_compliant} of {known} compliant ({r.devices_percent:g}%)"
        if r.devices_unknown:
            text += f", {r.devices_unknown} unknown"
        parts.append(text)
    return "; ".join(parts) or "nothing asked by the plan"


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
        actions=[*pager, _button("Back to status", "status_refresh", {})],
    )


def _pager(verb: str, data: dict[str, Any], page: int, pages: int) -> list[dict[str, Any]]:
    out = []
    if page > 1:
        out.append(_button("Previous", verb, {**data, "page": page - 1}))
    if page < pages:
        out.append(_button("Next", verb, {**data, "page": page + 1}))
    return out


def _button(title: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"title": title, "verb": verb, "data": data}


def _days(n: int) -> str:
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    if n == -1:
        return "yesterday"
    return f"in {n} days" if n > 0 else f"{-n} days ago"


def _minutes(n: int) -> str:
    if n < 60:
        return f"{n} min"
    if n < 24 * 60:
        return f"{n // 60} h {n % 60} min" if n % 60 else f"{n // 60} h"
    days = n // (24 * 60)
    return f"{days} {'day' if days == 1 else 'days'}"


def _wave_title(plan: Plan, key: str) -> str:
    try:
        return plan.wave(key).title
    except KeyError:
        return key


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
