"""Readiness for leads: the ``readiness`` command and its card.

The figures come from the app's :class:`~switchover.readiness.service.ReadinessService`
(``services.readiness``); the Graph directory's sync is run by the app and the scheduler.
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
                "Readiness is not known yet: it comes from Microsoft Graph (MFA registration), "
                "and this Switchover uses the CSV roster or has not synced the directory yet."
            )
            return
        await turn.reply_card(
            readiness_card(report, services, turn.asker.zone), summary="Readiness per wave and department"
        )

    router.command(
        "readiness",
        readiness,
        help="who has registered MFA, per wave and department",
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
    subtitle = f"MFA registration from Microsoft Graph, as of {checked}."
    if callable(status) and status().state == "degraded":
        subtitle += " Graph is not answering; these are the last synced figures."
    total = report.total
    waves: list[dict[str, Any]] = []
    for row in report.rows:
        if not waves or waves[-1]["title"] != row.wave:
            waves.append({"title": row.wave, "rows": [], "people": []})
        figures = f"{row.registered}/{row.total - row.unknown} registered ({row.percent:g}%)"
        if row.unknown:
            figures += f", {row.unknown} unknown"
        waves[-1]["rows"].append({"department": row.department, "figures": figures})
        waves[-1]["people"].extend(row.not_registered)
    for wave in waves:
        people = wave.pop("people")
        names = ", ".join(p.display_name for p in people[:NAMES_PER_WAVE])
        more = f" and {len(people) - NAMES_PER_WAVE} more" if len(people) > NAMES_PER_WAVE else ""
        wave["missing"] = f"Not registered: {names}{more}." if people else ""
    return render_card(
        "readiness",
        title="Readiness: MFA registration",
        subtitle=subtitle,
        total=f"All waves: {total.registered} of {total.total - total.unknown} registered ({total.percent:g}%)",
        waves=waves,
    )
