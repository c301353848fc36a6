"""Switchover's web app: ``create_app(settings)`` wires everything; ``main()`` runs it.

No import-time side effects: nothing here reads the environment or opens a
connection until ``main()`` or the app's startup runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot.adapter import build_adapter
from bot.body import body_reader
from bot.connector import ConnectorPool
from bot.features import FEATURES
from bot.handler import SwitchoverBot
from bot.messenger import BotMessenger
from bot.routing import Router
from bot.transport import messages_handler
from scheduler import Wakeups
from switchover.clock import Clock, SystemClock
from switchover.directory.base import Directory
from switchover.plan.loader import load_plan
from switchover.runtime import Runtime
from switchover.settings import Settings
from switchover.storage import Database
from switchover.storage.conversations import ConversationStore

log = logging.getLogger("switchover")

RUNTIME = web.AppKey("runtime", Runtime)
POOL = web.AppKey("connector_pool", ConnectorPool)
WAKEUPS = web.AppKey("wakeups", Wakeups)
ROUTER = web.AppKey("router", Router)


def default_directory(settings: Settings, plan: Any, db: Database) -> Directory:
    """The directory the settings ask for: the roster CSV (default) or Microsoft Graph."""
    try:
        graph = importlib.import_module("switchover.directory.factory")
    except ModuleNotFoundError:
        graph = None
    if graph is not None:
        return graph.build_directory(settings, plan, db)
    from switchover.directory.roster import RosterDirectory

    roster = settings.roster_path or settings.plan_path.parent / "roster.csv"
    return RosterDirectory.from_csv(roster)


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    directory: Directory | None = None,
    start_scheduler: bool = True,
    pooled_connector: bool = True,
    credentials_factory: Any = None,
) -> web.Application:
    """Build the aiohttp application for ``settings``.

    Args:
        settings: the loaded configuration.
        clock: the source of "now" (tests pass a ManualClock).
        directory: overrides the directory chosen by settings (tests).
        start_scheduler: False leaves wake-ups to the caller (tests drive ``run_due`` by hand).
        pooled_connector: False uses botbuilder's stock per-turn connector clients
            (bench/messages.py measures the difference; proactive sends need True).
        credentials_factory: a botbuilder ServiceClientCredentialsFactory replacing the
            one built from settings (tests: tokens from a loopback identity provider).
    """
    plan = load_plan(settings.plan_path)
    db = Database(settings.async_database_url)
    runtime = Runtime(
        settings=settings,
        plan=plan,
        directory=directory or default_directory(settings, plan, db),
        clock=clock or SystemClock(),
        db=db,
        conversations=ConversationStore(db),
    )
    pool = ConnectorPool()
    adapter = build_adapter(settings, pool, pooled=pooled_connector, credentials_factory=credentials_factory)
    runtime.messenger = BotMessenger(adapter, settings.app_id)
    wakeups = Wakeups()
    runtime.features["wakeups"] = wakeups
    # Background workers (the delivery worker) run with the scheduler; tests that
    # build the app with start_scheduler=False drive delivery by hand instead.
    runtime.features["run_background"] = start_scheduler

    router = Router()
    lifespans = []
    for name in FEATURES:
        module = importlib.import_module(name)
        module.register(router, runtime)
        if hasattr(module, "lifespan"):
            lifespans.append(module.lifespan)
    bot = SwitchoverBot(runtime, router)

    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            body_reader(max_body_bytes=settings.max_body_bytes, timeout_seconds=settings.body_timeout_seconds)
        ],
    )
    app[RUNTIME] = runtime
    app[POOL] = pool
    app[WAKEUPS] = wakeups
    app[ROUTER] = router

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await db.migrate()
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(db.dispose)
            stack.push_async_callback(pool.close)
            for lifespan in lifespans:
                await stack.enter_async_context(lifespan(runtime))
            if start_scheduler:
                wakeups.start()
                stack.callback(wakeups.shutdown)
            log.info(
                "Switchover ready: plan %r (%d waves), auth %s",
                plan.organisation.name,
                len(plan.waves),
                "on" if settings.auth_enabled else "off (local mode)",
            )
            yield

    app.cleanup_ctx.append(lifecycle)

    handle_messages = messages_handler(
        adapter, bot.on_turn, allowed_tenants=settings.allowed_tenant_ids, max_body_bytes=settings.max_body_bytes
    )
    app.router.add_post("/api/messages", handle_messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)

    from api import API_MODULES as api_modules

    for name in api_modules:
        importlib.import_module(name).setup(app, runtime)
    return app


async def healthz(request: web.Request) -> web.Response:
    """The process is up."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready to serve: database reachable, plan loaded, directory usable."""
    runtime = request.app[RUNTIME]
    checks: dict[str, Any] = {"plan": {"ok": True, "waves": len(runtime.plan.waves)}}
    try:
        await asyncio.wait_for(runtime.db.ping(), timeout=5)
        checks["database"] = {"ok": True}
    except Exception as exc:  # any failure means not ready; say which
        checks["database"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    status = getattr(runtime.directory, "status", None)
    if callable(status):
        checks["directory"] = status()
    ready = all(c.get("ok", True) for c in checks.values() if isinstance(c, dict))
    return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


async def freeze_startup_heap(app: web.Application) -> None:
    """Move everything built at startup out of the garbage collector's way (``gc.freeze``).

    The plan, the directory, the answer engine's index and the imported libraries
    are some 190,000 long-lived objects. Every full collection walks all of them
    and stops the event loop while it does: measured 250-300 ms per collection on
    this 2-core machine, which lands in some unlucky message's reply time. Frozen
    objects are skipped by collections (they are kept for the life of the process,
    which these are anyway). Appended to ``on_startup`` by :func:`main`, so it
    runs after the features' start-up; not used by tests, which build many apps in
    one process.
    """
    gc.collect()
    gc.freeze()
    log.debug("start-up heap frozen", extra={"frozen_objects": gc.get_freeze_count()})


def main() -> None:
    """Run Switchover with settings from the environment / ``.env``."""
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    app.on_startup.append(freeze_startup_heap)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
