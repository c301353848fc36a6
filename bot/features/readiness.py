"""Readiness for leads (the ``readiness`` command) and the Graph directory's background sync.

``register`` puts a :class:`~switchover.readiness.service.ReadinessService` at
``runtime.features["readiness"]`` (answers and reminders call ``readiness_for``).
``lifespan`` loads the last directory snapshot, starts the first sync in the
background (startup never waits for Graph) and schedules the next ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from bot.routing import Router
from bot.turn import Turn
from cards.render import render_card
from switchover.directory.graph import GraphDirectory
from switchover.directory.install import AppInstaller
from switchover.readiness.report import ReadinessReport
from switchover.readiness.service import ReadinessService
from switchover.runtime import Runtime

log = logging.getLogger(__name__)

NAMES_PER_WAVE = 25  # keeps the card far below Teams' message size limit


FEATURE = "readiness"


def readiness_service(runtime: Runtime) -> ReadinessService:
    """The one readiness service of this runtime (created on first use, kept in ``runtime.features["readiness"]``).

    Answers and announcements register before this feature and take it from here.
    """
    service = runtime.features.get(FEATURE)
    if service is None:
        service = runtime.features[FEATURE] = ReadinessService(runtime.plan, runtime.directory)
    return service


def register(router: Router, runtime: Runtime) -> None:
    """Add the ``readiness`` command and the readiness service."""
    service = readiness_service(runtime)
    installer = app_installer(runtime)
    if installer is not None:
        runtime.features["installer"] = installer

    async def readiness(turn: Turn, rest: str) -> None:
        plan = turn.runtime.plan
        user = await turn.user()
        upns = [u for u in ((user.upn if user else None), turn.asker.upn) if u]
        if not any(plan.is_project_lead(u) for u in upns):
            await turn.reply_text("Readiness figures are for the project leads.")
            return
        wave_key = _wave_key(plan, rest)
        report = await service.report(wave_key)
        if not report.available:
            await turn.reply_text(
                "Readiness is not known yet: it comes from Microsoft Graph (MFA registration), "
                "and this Switchover uses the CSV roster or has not synced the directory yet."
            )
            return
        await turn.reply_card(readiness_card(report, turn.runtime), summary="Readiness per wave and department")

    router.command("readiness", readiness, help="who has registered MFA, per wave and department")


def app_installer(runtime: Runtime) -> AppInstaller | None:
    """An installer when the directory is Graph and ``TEAMS_APP_CATALOG_ID`` is set, else None."""
    client = getattr(runtime.directory, "client", None)
    catalog = runtime.settings.teams_app_catalog_id
    if client is None or not catalog:
        return None
    return AppInstaller(client, catalog, base_url=runtime.settings.graph_base_url)


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


def readiness_card(report: ReadinessReport, runtime: Runtime) -> dict[str, Any]:
    """The lead's card: per wave, a line per department, and who has not registered."""
    zone = runtime.plan.zone
    checked = report.checked_at.astimezone(zone).strftime("%a %d %b %H:%M %Z") if report.checked_at else "never"
    status = getattr(runtime.directory, "health", None)
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


@contextlib.asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    """Keep a Graph directory synced: snapshot at start, first sync in the background, then on a schedule."""
    directory = runtime.directory
    if not isinstance(directory, GraphDirectory):
        yield
        return
    directory.clock = runtime.clock  # the one clock

    async def sync() -> None:
        await directory.sync()

    try:
        await directory.start()
    except Exception:
        log.exception("could not load the stored directory snapshot; waiting for the first sync")
    first = asyncio.create_task(sync(), name="directory-first-sync")
    wakeups = runtime.features.get("wakeups")
    if wakeups is not None:
        wakeups.every("directory-sync", runtime.settings.graph_sync_minutes * 60, sync)
    try:
        yield
    finally:
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        await directory.aclose()
