"""Choosing the directory from settings: the roster CSV (default) or Microsoft Graph."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from switchover.clock import Clock, SystemClock

if TYPE_CHECKING:
    from switchover.directory.base import Directory
    from switchover.plan.model import Plan
    from switchover.settings import Settings

log = logging.getLogger(__name__)


def build_directory(
    settings: Settings,
    plan: Plan,
    db: Any = None,
    *,
    clock: Clock | None = None,
    credential: Any = None,
) -> Directory:
    """The directory ``SWITCHOVER_DIRECTORY`` asks for.

    ``roster`` (default): :class:`~switchover.directory.roster.RosterDirectory` from
    ``SWITCHOVER_ROSTER`` or ``roster.csv`` beside the plan. ``graph``: a
    :class:`~switchover.directory.graph.GraphDirectory`; call ``await directory.start()``
    at startup and schedule ``directory.sync`` (``app.create_app`` starts it in its
    lifespan; ``scheduler/jobs.py`` schedules the sync).

    Args:
        settings: the loaded settings.
        plan: the plan (its readiness checks and tenant id).
        db: the :class:`~switchover.storage.Database` keeping the last good snapshot; None keeps it in memory.
        clock: the source of now (tests).
        credential: overrides the azure-identity credential chosen by settings (tests: a static token).
    """
    if settings.directory_source == "roster":
        from switchover.directory.roster import RosterDirectory

        if settings.plan_path is None and settings.roster_path is None:
            raise ValueError("set SWITCHOVER_PLAN (the roster defaults to roster.csv beside it) or SWITCHOVER_ROSTER")
        roster = settings.roster_path or settings.plan_path.parent / "roster.csv"  # type: ignore[union-attr]
        return RosterDirectory.from_csv(roster)

    from switchover.directory.graph import GraphDirectory
    from switchover.directory.graph_client import build_graph_client, credential_from_settings
    from switchover.directory.store import DirectoryStore

    client = build_graph_client(
        credential or credential_from_settings(settings),
        base_url=settings.graph_base_url,
        timeout_seconds=max(settings.graph_timeout_seconds, 30.0),
    )
    tenant = settings.graph_tenant_id or plan.organisation.tenant_id or "default"
    log.info("directory: Microsoft Graph", extra={"tenant": tenant, "graph": settings.graph_base_url})
    return GraphDirectory(
        client,
        clock=clock or SystemClock(),
        tenant_id=tenant,
        checks=plan.readiness,
        store=DirectoryStore(db) if db is not None else None,
        cache_seconds=settings.graph_cache_seconds,
        timeout_seconds=settings.graph_timeout_seconds,
    )
