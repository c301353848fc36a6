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
from switchover.i18n import N_
from switchover.i18n import gettext as _
from switchover.readiness.report import ReadinessReport
from switchover.services import Services
from switchover.status.words import figure
from switchover.timefmt import format_moment

NAMES_PER_WAVE = 25  # keeps the card far below Teams' message size limit
REFUSAL = N_("Readiness figures are for the project leads.")


def register(router: Router, services: Services) -> None:
    """Add the lead-only ``readiness`` command."""

    async def readiness(turn: Turn, rest: str) -> None:
        plan = services.plan
        report = await services.readiness.report(_wave_key(plan, rest))
        if not report.available:
            await turn.reply_text(
                _(
                    "Readiness is not known yet: it comes from Microsoft Graph (MFA registration) or from "
                    "the Entra and Intune exports named in the plan (readiness: sources), and this Switchover "
                    "has neither yet (docs/readiness-exports.md says how to download them)."
                )
            )
            return
        await turn.reply_card(
            readiness_card(report, services, turn.asker.zone), summary=_("Readiness per wave and department")
        )

    router.command(
        "readiness",
        readiness,
        help=N_("who has registered MFA (and, where the plan asks, has compliant devices), per wave and department"),
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
    checked = format_moment(report.checked_at.astimezone(zone)) if report.checked_at else _("never")
    status = getattr(services.directory, "health", None)
    devices = report.device_compliance
    what = _("MFA registration and device compliance") if devices else _("MFA registration")
    subtitle = _("{what} from {source}, as of {checked}.").format(
        what=what, source=report.source or "Microsoft Graph", checked=checked
    )
    if callable(status) and status().state == "degraded":
        subtitle += " " + _("Graph is not answering; these are the last synced figures.")
    total = report.total
    waves: list[dict[str, Any]] = []
    for row in report.rows:
        if not waves or waves[-1]["key"] != row.wave_key:
            waves.append({"key": row.wave_key, "title": row.wave, "rows": [], "people": [], "devices": []})
        figures = _("{part}/{whole} registered ({percent}%)").format(
            part=row.registered, whole=row.total - row.unknown, percent=figure(row.percent)
        )
        if row.unknown:
            figures += _(", {n} unknown").format(n=row.unknown)
        if devices:
            figures += "; " + _("devices {part}/{whole} compliant ({percent}%)").format(
                part=row.compliant, whole=row.total - row.device_unknown, percent=figure(row.compliant_percent)
            )
            if row.device_unknown:
                figures += _(", {n} unknown").format(n=row.device_unknown)
        waves[-1]["rows"].append({"department": row.department, "figures": figures})
        waves[-1]["people"].extend(row.not_registered)
        waves[-1]["devices"].extend(row.not_compliant)
    for wave in waves:
        lines = [_names(_("Not registered"), wave.pop("people"))]
        not_compliant = wave.pop("devices")
        if devices:
            lines.append(_names(_("Devices not compliant"), not_compliant))
        wave["missing"] = " ".join(line for line in lines if line)
    total_line = _("All waves: {part} of {whole} registered ({percent}%)").format(
        part=total.registered, whole=total.total - total.unknown, percent=figure(total.percent)
    )
    if devices:
        total_line += "; " + _("{part} of {whole} with compliant devices ({percent}%)").format(
            part=total.compliant, whole=total.total - total.device_unknown, percent=figure(total.compliant_percent)
        )
    return render_card(
        "readiness",
        title=_("Readiness: {what}").format(what=what),
        subtitle=subtitle,
        total=total_line,
        waves=waves,
    )


def _names(label: str, people: list[Any]) -> str:
    """``Not registered: Ann, Bo and 3 more.`` (empty when nobody)."""
    if not people:
        return ""
    names = ", ".join(p.display_name for p in people[:NAMES_PER_WAVE])
    more = _(" and {n} more").format(n=len(people) - NAMES_PER_WAVE) if len(people) > NAMES_PER_WAVE else ""
    return f"{label}: {names}{more}."
