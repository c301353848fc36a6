"""The digest's card: what changed since the previous digest, then the picture (per wave and the
problem desk), worded as the status card words it. Times are the organisation's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from cards.render import render_card
from switchover.digest.change import Change
from switchover.i18n import gettext as _
from switchover.i18n import ngettext
from switchover.plan.model import Plan
from switchover.status import StatusPicture, WaveStatus
from switchover.status.words import (
    area_in,
    as_of,
    figure,
    of,
    open_reports_line,
    overdue_line,
    reach_line,
    wave_heading,
)
from switchover.timefmt import format_day, format_moment, format_time, format_window


@dataclass(frozen=True, slots=True)
class ChartView:
    """The digest's chart: its signed address and the figures in words (``altText``)."""

    url: str
    alt: str


def digest_title(picture: StatusPicture, plan: Plan, kind: str, wave: str | None) -> str:
    """``Daily digest: Org``, or for a cutover day ``Cutover started: <wave>`` / ``Cutover window ended: <wave>``."""
    if kind == "daily" or wave is None:
        return _("Daily digest: {organisation}").format(organisation=picture.organisation)
    try:
        title = plan.wave(wave).title
    except KeyError:
        title = wave
    if kind == "cutover-start":
        return _("Cutover started: {wave}").format(wave=title)
    return _("Cutover window ended: {wave}").format(wave=title)


def change_line(change: Change, at: dt.datetime, zone: ZoneInfo) -> str:
    """``Since yesterday 08:00 PST: +14 registered MFA, 3 new P2 reports, +1 overdue``."""
    if change.since is None:
        return _("The first digest: from the next one on, it says what changed since the one before.")
    since = change.since.astimezone(zone)
    today = at.astimezone(zone).date()
    if since.date() == today:
        when = _("Since {time} today").format(time=format_time(since))
    elif since.date() == today - dt.timedelta(days=1):
        when = _("Since yesterday {time}").format(time=format_time(since))
    else:
        when = _("Since {moment}").format(moment=format_moment(since))
    parts = change.parts()
    return _("{since}: {changes}.").format(since=when, changes=", ".join(parts) if parts else _("no change"))


def digest_summary(picture: StatusPicture, change: Change, kind: str) -> str:
    """The notification's preview: the change in a few words."""
    parts = change.parts()
    head = _("Migration digest") if kind == "daily" else _("Cutover digest")
    if parts:
        return f"{head}: {', '.join(parts[:3])}"
    n = picture.problems.open
    return f"{head}: " + _("{n} open reports").format(n=n)


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
        subtitle=as_of(picture.at, zone),
        change=change_line(change, picture.at, zone),
        chart_url=chart.url if chart is not None else None,
        chart_alt=chart.alt if chart is not None else None,
        note=None
        if picture.readiness_known
        else _("Readiness is unknown: the directory in use cannot tell who has registered MFA."),
        waves=[_wave_view(w) for w in picture.waves],
        problems_heading=_("Open problem reports: {n}").format(n=problems.open),
        priorities=[{"title": p, "value": str(n)} for p, n in problems.by_priority.items()],
        overdue_heading=_("Overdue acknowledgements: {n}").format(n=len(problems.overdue)),
        overdue=[overdue_line(o, plan) for o in problems.overdue],
        incidents_heading=_("Open major incidents: {n}").format(n=len(problems.incidents)),
        incidents=[
            ngettext(
                "Incident {id}: {area}: {n} open report", "Incident {id}: {area}: {n} open reports", i.reports
            ).format(id=i.id, area=area_in(plan, i.area, i.area_name), n=i.reports)
            for i in problems.incidents
        ],
    )


def _wave_view(wave: WaveStatus) -> dict[str, Any]:
    zone = ZoneInfo(wave.time_zone)
    cutover = format_window(wave.cutover_start.astimezone(zone), wave.cutover_end.astimezone(zone), day="long")
    if wave.postponed_from is not None:
        cutover += _(", moved from {day}").format(day=format_day(wave.postponed_from.astimezone(zone)))
    facts = [
        {"title": _("Cutover"), "value": cutover},
        {"title": _("Reach"), "value": reach_line(wave)},
        {"title": _("Readiness"), "value": _readiness(wave)},
    ]
    a = wave.announcement
    if a is not None:
        facts.append(
            {
                "title": _("Acknowledged"),
                "value": f"{of(a.acknowledged, a.recipients, a.acknowledged_percent)}: {a.title}",
            }
        )
    facts.append({"title": _("Open reports"), "value": open_reports_line(wave)})
    return {
        "heading": wave_heading(wave),
        "facts": facts,
    }


def _readiness(wave: WaveStatus) -> str:
    r = wave.readiness
    if not r.known:
        return _("unknown (the directory cannot tell)")
    parts = []
    if r.mfa_asked and r.mfa_registered is not None:
        parts.append(
            _("MFA {part} of {whole} registered ({percent}%)").format(
                part=r.mfa_registered, whole=r.members - (r.mfa_unknown or 0), percent=figure(r.mfa_percent)
            )
        )
    if r.devices_asked and r.devices_compliant is not None:
        known = r.members - (r.devices_unknown or 0)
        parts.append(
            _("devices {part} of {whole} compliant ({percent}%)").format(
                part=r.devices_compliant, whole=known, percent=figure(r.devices_percent)
            )
        )
    return "; ".join(parts) or _("nothing asked by the plan")
