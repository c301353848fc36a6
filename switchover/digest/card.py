"""The digest's card: what changed since the previous digest, then the picture (per wave and the
problem desk), worded as the status card words it. Times are the organisation's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from cards.render import render_card
from switchover.digest.change import Change
from switchover.plan.model import Plan
from switchover.status import StatusPicture, WaveState, WaveStatus
from switchover.timefmt import format_day, format_moment, format_time, format_window

STATE_WORDS = {
    WaveState.UPCOMING: "upcoming",
    WaveState.POSTPONED: "postponed",
    WaveState.CUTOVER: "cutover in progress",
    WaveState.HYPERCARE: "hypercare",
    WaveState.DONE: "done",
}


@dataclass(frozen=True, slots=True)
class ChartView:
    """The digest's chart: its signed address and the figures in words (``altText``)."""

    url: str
    alt: str


def digest_title(picture: StatusPicture, plan: Plan, kind: str, wave: str | None) -> str:
    """``Daily digest: Org``, or for a cutover day ``Cutover started: <wave>`` / ``Cutover window ended: <wave>``."""
    if kind == "daily" or wave is None:
        return f"Daily digest: {picture.organisation}"
    try:
        title = plan.wave(wave).title
    except KeyError:
        title = wave
    return f"{'Cutover started' if kind == 'cutover-start' else 'Cutover window ended'}: {title}"


def change_line(change: Change, at: dt.datetime, zone: ZoneInfo) -> str:
    """``Since yesterday 08:00 PST: +14 registered MFA, 3 new P2 reports, +1 overdue``."""
    if change.since is None:
        return "The first digest: from the next one on, it says what changed since the one before."
    since = change.since.astimezone(zone)
    today = at.astimezone(zone).date()
    if since.date() == today:
        when = f"since {format_time(since)} today"
    elif since.date() == today - dt.timedelta(days=1):
        when = f"since yesterday {format_time(since)}"
    else:
        when = f"since {format_moment(since)}"
    parts = change.parts()
    return f"{when[0].upper()}{when[1:]}: {', '.join(parts) if parts else 'no change'}."


def digest_summary(picture: StatusPicture, change: Change, kind: str) -> str:
    """The notification's preview: the change in a few words."""
    parts = change.parts()
    head = "Migration digest" if kind == "daily" else "Cutover digest"
    return f"{head}: {', '.join(parts[:3])}" if parts else f"{head}: {picture.problems.open} open reports"


def digest_card(
    picture: StatusPicture,
    change: Change,
    plan: Plan,
    kind: str = "daily",
    wave: str | None = None,
    *,
    chart: ChartView | None = None,
) -> dict[str, Any]:
    """The digest's card (no buttons: it goes to the sponsor too; ``status`` has the drill-downs).

    With ``chart``, the chart image follows the change line (Teams loads it by its URL).
    """
    zone = ZoneInfo(picture.time_zone)
    problems = picture.problems
    return render_card(
        "digest",
        title=digest_title(picture, plan, kind, wave),
        subtitle=f"As of {format_moment(picture.at.astimezone(zone), year=True)} ({zone.key})",
        change=change_line(change, picture.at, zone),
        chart_url=chart.url if chart is not None else None,
        chart_alt=chart.alt if chart is not None else None,
        note=None
        if picture.readiness_known
        else "Readiness is unknown: the directory in use cannot tell who has registered MFA.",
        waves=[_wave_view(w) for w in picture.waves],
        problems_heading=f"Open problem reports: {problems.open}",
        priorities=[{"title": p, "value": str(n)} for p, n in problems.by_priority.items()],
        overdue_heading=f"Overdue acknowledgements: {len(problems.overdue)}",
        overdue=[
            f"{o.reference} {o.priority} {o.area_name}: {o.owner_name}, {_minutes(o.overdue_minutes)} overdue"
            for o in problems.overdue
        ],
        incidents_heading=f"Open major incidents: {len(problems.incidents)}",
        incidents=[
            f"Incident {i.id}: {i.area_name}: {i.reports} open {'report' if i.reports == 1 else 'reports'}"
            for i in problems.incidents
        ],
    )


def _wave_view(wave: WaveStatus) -> dict[str, Any]:
    zone = ZoneInfo(wave.time_zone)
    cutover = format_window(wave.cutover_start.astimezone(zone), wave.cutover_end.astimezone(zone), day="long")
    if wave.postponed_from is not None:
        cutover += f", moved from {format_day(wave.postponed_from.astimezone(zone))}"
    reach = wave.reach
    facts = [
        {"title": "Cutover", "value": cutover},
        {"title": "Reach", "value": f"{reach.reachable} of {reach.members} can be messaged ({reach.percent:g}%)"},
        {"title": "Readiness", "value": _readiness(wave)},
    ]
    a = wave.announcement
    if a is not None:
        facts.append(
            {
                "title": "Acknowledged",
                "value": f"{a.acknowledged} of {a.recipients} ({a.acknowledged_percent:g}%): {a.title}",
            }
        )
    by_priority = ", ".join(f"{p} {n}" for p, n in wave.open_by_priority.items() if n)
    facts.append({"title": "Open reports", "value": f"{wave.open_reports} ({by_priority})" if by_priority else "0"})
    return {
        "heading": f"{wave.title}: {STATE_WORDS[wave.state]}{' (overrunning)' if wave.overrunning else ''}",
        "facts": facts,
    }


def _readiness(wave: WaveStatus) -> str:
    r = wave.readiness
    if not r.known:
        return "unknown (the directory cannot tell)"
    parts = []
    if r.mfa_asked and r.mfa_registered is not None:
        parts.append(f"MFA {r.mfa_registered} of {r.members - (r.mfa_unknown or 0)} registered ({r.mfa_percent:g}%)")
    if r.devices_asked and r.devices_compliant is not None:
        known = r.members - (r.devices_unknown or 0)
        parts.append(f"devices {r.devices_compliant} of {known} compliant ({r.devices_percent:g}%)")
    return "; ".join(parts) or "nothing asked by the plan"


def _minutes(n: int) -> str:
    if n < 60:
        return f"{n} min"
    if n < 24 * 60:
        return f"{n // 60} h {n % 60} min" if n % 60 else f"{n // 60} h"
    days = n // (24 * 60)
    return f"{days} {'day' if days == 1 else 'days'}"
