"""Readiness for leads: the ``readiness`` command and its card.

The figures come from the app's :class:`~switchover.readiness.service.ReadinessService`
(``services.readiness``): Microsoft Graph (its sync is run by the app and the scheduler),
else the admin's exports named in the plan (:mod:`switchover.readiness.exports`).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.routing import Router
from bot.turn import Turn
from cards.render import render_card
from switchover.readiness.report import ReadinessReport
from switchover.services import Services
from switchover.timefmt import format_moment

NAMES_PER_WAVE = 25  # keeps the card far below Teams' message size limit
REFUSAL = "Readiness figures are for the project leads."


def register(router: Router, services: Services) -> None:
    """Add the lead-only ``readiness`` command."""

    async def readiness(turn: Turn, rest: str) -> None:
        plan = services.plan
        report = await services.readiness.report(_wave_key(plan, rest))
        if not report.available:
            await turn.reply_text(
                "Readiness is not known yet: it comes from Microsoft Graph (MFA registration) or from "
                "the Entra and Intune exports named in the plan (readiness: sources), and this Switchover "
                "has neither yet (docs/readiness-exports.md says how to download them)."
            )
            return
        await turn.reply_card(
            readiness_card(report, services, turn.asker.zone), summary="Readiness per wave and department"
        )

    router.command(
        "readiness",
        readiness,
        help="who has registered MFA (and, where the plan asks, has compliant devices), per wave and department",
        leads_only=True,
        refusal=REFUSAL,
    )


def _wave_key(plan: Any, text: str) -> str | None:
    """``readiness wave 2`` / ``readiness wave-2`` / ``readiness 2`` narrow to one wave."""
    words = text.replace("-", " ").split()
    numbers = [w for w in words if w.isdigit()]
    if not numbers:
        return None
    for wave in plan.waves:
        if wave.number == int(numbers[0]):
            return wave.key
    return None


def readiness_card(report: ReadinessReport, services: Services, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """The lead's card: per wave, a line per department, and who has not registered (times in ``zone``,
    the lead's; else the plan's)."""
    zone = zone or services.plan.zone
    checked = format_moment(report.checked_at.astimezone(zone)) if report.checked_at else "never"
    status = getattr(services.directory, "health", None)
    devices = report.device_compliance
    what = "MFA registration and device compliance" if devices else "MFA registration"
    subtitle = f"{what} from {report.source or 'Microsoft Graph'}, as of {checked}."
    if callable(status) and status().state == "degraded":
        subtitle += " Graph is not answering; these are the last synced figures."
    total = report.total
    waves: list[dict[str, Any]] = []
    for row in report.rows:
        if not waves or waves[-1]["title"] != row.wave:
            waves.append({"title": row.wave, "rows": [], "people": [], "devices": []})
        figures = f"{row.registered}/{row.total - row.unknown} registered ({row.percent:g}%)"
        if row.unknown:
            figures += f", {row.unknown} unknown"
        if devices:
            figures += f"; devices {row.compliant}/{row.total - row.device_unknown} compliant"
            figures += f" ({row.compliant_percent:g}%)"
            if row.device_unknown:
                figures += f", {row.device_unknown} unknown"
        waves[-1]["rows"].append({"department": row.department, "figures": figures})
        waves[-1]["people"].extend(row.not_registered)
        waves[-1]["devices"].extend(row.not_compliant)
    for wave in waves:
        lines = [_names("Not registered", wave.pop("people"))]
        not_compliant = wave.pop("devices")
        if devices:
            lines.append(_names("Devices not compliant", not_compliant))
        wave["missing"] = " ".join(line for line in lines if line)
    total_line = f"All waves: {total.registered} of {total.total - total.unknown} registered ({total.percent:g}%)"
    if devices:
        total_line += (
            f"; {total.compliant} of {total.total - total.device_unknown} with compliant devices"
            f" ({total.compliant_percent:g}%)"
        )
    return render_card(
        "readiness",
        title=f"Readiness: {what}",
        subtitle=subtitle,
        total=total_line,
        waves=waves,
    )


def _names(label: str, people: list[Any]) -> str:
    """``Not registered: Ann, Bo and 3 more.`` (empty when nobody)."""
    if not people:
        return ""
    names = ", ".join(p.display_name for p in people[:NAMES_PER_WAVE])
    more = f" and {len(people) - NAMES_PER_WAVE} more" if len(people) > NAMES_PER_WAVE else ""
    return f"{label}: {names}{more}."
