"""Switchover's web app: ``create_app(settings)`` wires everything; ``main()`` runs it.

No import-time side effects: nothing here reads the environment or opens a
connection until ``main()`` or the app's startup runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

import api
from bot import attachments, charts, email_links, features
from bot.adapter import build_adapter
from bot.body import body_reader
from bot.connector import ConnectorPool
from bot.handler import SwitchoverBot
from bot.messenger import BotMessenger
from bot.routing import Router
from bot.transport import messages_handler
from scheduler import Wakeups
from scheduler.jobs import schedule
from switchover.announcements import AnnouncementService
from switchover.announcements.email import LINK_PURPOSE as EMAIL_ACK
from switchover.answers.engine import AnswerEngine
from switchover.answers.store import AnswerStore
from switchover.clock import Clock, SystemClock
from switchover.delivery import DeliveryEngine, TeamsLimits
from switchover.delivery.conversations import StoredConversations
from switchover.digest import DigestService
from switchover.digest.chart import PURPOSE as CHART_PURPOSE
from switchover.digest.chart import ChartLinks
from switchover.directory.activity import ActivityFeed
from switchover.directory.base import Directory
from switchover.directory.factory import build_directory
from switchover.directory.graph import GraphDirectory
from switchover.directory.install import AppInstaller
from switchover.links import LinkSigner, link_secret, public_base
from switchover.mail import EmailOutbox, GraphMailSender
from switchover.messaging import Messenger
from switchover.plan.current import CurrentPlan, text_hash
from switchover.plan.loader import load_plan
from switchover.problems.desk import ProblemDesk
from switchover.reach import InstallQueue, ReachService
from switchover.reach.service import first_sends_of
from switchover.readiness.exports import export_readiness
from switchover.readiness.service import ReadinessService
from switchover.services import Services
from switchover.settings import Settings
from switchover.status import StatusService
from switchover.storage import Database
from switchover.storage.conversations import ConversationStore
from switchover.tenant import ServedTenant, TenantConfigurationError, served_tenants

log = logging.getLogger("switchover")

SERVICES = web.AppKey("services", Services)
POOL = web.AppKey("connector_pool", ConnectorPool)
WAKEUPS = web.AppKey("wakeups", Wakeups)
ROUTER = web.AppKey("router", Router)
# How long a stop waits for the sends on the wire, Teams and email together (the connector's own
# timeout is 30 s; most platforms give a stopping process 30 s before they kill it).
OUTBOX_STOP_SECONDS = 20.0


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
        start_scheduler: False runs no background work: no scheduler and no delivery
            worker (tests drive ``run_due`` and delivery by hand).
        pooled_connector: False uses botbuilder's stock per-turn connector clients
            (bench/messages.py measures the difference; proactive sends need True).
        credentials_factory: a botbuilder ServiceClientCredentialsFactory replacing the
            one built from settings (tests: tokens from a loopback identity provider).
    """
    if settings.plan_path is None:
        raise ValueError("SWITCHOVER_PLAN is not set: point it at your migration plan (examples/ has worked ones)")
    plan = load_plan(settings.plan_path)
    plan_text = Path(settings.plan_path).read_text(encoding="utf-8-sig")
    tenants = served_tenants(settings, plan)  # refuses to build an app open to every tenant by mistake
    db = Database(settings.async_database_url)
    pool = ConnectorPool()
    adapter = build_adapter(settings, pool, pooled=pooled_connector, credentials_factory=credentials_factory)
    wakeups = Wakeups()
    clock = clock or SystemClock()
    # The one plan every service reads: the file's until the database says which revision is in force.
    current = CurrentPlan(plan, db=db, clock=clock)
    services = build_services(
        settings,
        db=db,
        directory=directory or build_directory(settings, plan, db),
        clock=clock,
        messenger=BotMessenger(adapter, settings.app_id),
        wakeups=wakeups,
        plan=current,
    )

    router = Router()
    features.register(router, services)
    bot = SwitchoverBot(services, router)

    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            body_reader(max_body_bytes=settings.max_body_bytes, timeout_seconds=settings.body_timeout_seconds)
        ],
    )
    app[SERVICES] = services
    app[POOL] = pool
    app[WAKEUPS] = wakeups
    app[ROUTER] = router

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await db.migrate()
        await plan_in_force(services.current_plan, plan_text, str(settings.plan_path))
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(db.dispose)
            stack.push_async_callback(pool.close)
            # Bulk jobs' background steps stop before the database goes; run_due resumes them.
            stack.push_async_callback(services.announcements.jobs.close)
            await stack.enter_async_context(answers_ready(services))
            await announcements_reconciled(services)
            await owed_replies_settled(services)
            await stack.enter_async_context(directory_synced(services.directory, services.clock))
            if start_scheduler:
                # Entered after the directory: on the way out the outboxes stop first, while the Graph
                # client the email outbox sends through is still open.
                await stack.enter_async_context(outbox_workers(services.delivery, services.email))
            schedule(services)
            if start_scheduler:
                wakeups.start()
                stack.callback(wakeups.shutdown)
                bulk_jobs_resumed(services)
            log.info(
                "Switchover ready: plan %r (%d waves, revision %s), auth %s, %s",
                services.plan.organisation.name,
                len(services.plan.waves),
                services.current_plan.revision.number if services.current_plan.revision else "-",
                "on" if settings.auth_enabled else "off (local mode)",
                f"serving tenant {', '.join(sorted(tenants))}" if tenants else "serving any tenant",
            )
            yield

    app.cleanup_ctx.append(lifecycle)

    handle_messages = messages_handler(
        adapter, bot.on_turn, served_tenants=tenants, max_body_bytes=settings.max_body_bytes
    )
    app.router.add_post("/api/messages", handle_messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    attachments.setup(app, services)  # reporters' screenshots, for the owners' cards
    charts.setup(app, services)  # the digest's chart, by its signed link
    email_links.setup(app, services)  # an email's "Got it" link: a page, then the acknowledgement
    api.setup(app, services)
    return app


def build_services(
    settings: Settings,
    *,
    plan: CurrentPlan,
    db: Database,
    directory: Directory,
    clock: Clock,
    messenger: Messenger,
    wakeups: Wakeups,
) -> Services:
    """Build every running service once, each given what it needs.

    Settings used here: ``SWITCHOVER_TENANT_RATE`` (Teams' per-app-per-tenant limit,
    requests/s) and ``SWITCHOVER_DELIVERY_IN_DOUBT`` (``resend`` or ``hold``: see
    :mod:`switchover.delivery.engine`) for the one delivery engine;
    ``SWITCHOVER_MISSED_GRACE_MINUTES`` and ``SWITCHOVER_CHASERS_ESCALATE_TO`` for announcements;
    ``TEAMS_APP_CATALOG_ID`` (with the Graph directory) for the app installer, the installation ahead
    of each wave (switchover/reach/) and activity-feed nudges.
    """
    conversations = ConversationStore(db)
    delivery = DeliveryEngine(
        db,
        messenger,
        StoredConversations(conversations, clock),
        clock,
        limits=TeamsLimits(per_tenant_per_second=settings.tenant_rate),
        in_doubt=settings.delivery_in_doubt,
    )
    # Announcements Teams cannot deliver go by email through Graph sendMail (the plan's ``email:``).
    email = EmailOutbox(db, mail_sender(directory), clock)
    exports = export_readiness(
        plan.plan, settings.plan_path, mfa=settings.mfa_export_path, devices=settings.devices_export_path
    )
    # Every service reads the plan as it stands through ``plan`` (switchover/plan/current.py).
    readiness = ReadinessService(plan, directory, exports)
    announcements = AnnouncementService(
        db,
        plan,
        directory,
        conversations,
        delivery,
        clock,
        tenant_id=plan.plan.organisation.tenant_id or "",
        readiness=readiness,
        grace=dt.timedelta(minutes=settings.missed_grace_minutes),
        email=email,
        links=LinkSigner(link_secret(settings.link_secret.get_secret_value()), EMAIL_ACK),
        public_base=public_base(settings.bot_domain, settings.port),
        escalate_to=settings.chasers_escalate_to,
        activity=activity_feed(settings, directory),
        app_id=settings.app_id,
    )
    installer = app_installer(settings, directory)
    reach = ReachService(
        db,
        clock,
        directory,
        conversations,
        plan=lambda: plan.plan,
        first_sends=first_sends_of(announcements),
        queue=InstallQueue(db, installer, clock) if installer is not None else None,
    )
    status = StatusService(db, clock, directory, conversations, announcements, readiness, reach=reach)
    # The digest's chart, by a signed link under BOT_DOMAIN (SWITCHOVER_LINK_SECRET signs it).
    chart_links = ChartLinks(
        LinkSigner(link_secret(settings.link_secret.get_secret_value()), CHART_PURPOSE),
        public_base(settings.bot_domain, settings.port),
    )
    digest = DigestService(
        db, clock, status, announcements, directory, conversations, delivery, plan=lambda: plan.plan, charts=chart_links
    )
    return Services(
        settings=settings,
        current_plan=plan,
        directory=directory,
        clock=clock,
        db=db,
        conversations=conversations,
        messenger=messenger,
        delivery=delivery,
        readiness=readiness,
        # A wave a lead moved is answered with its new dates; an applied revision with its new words.
        answers=AnswerEngine(plan, directory, clock, readiness=readiness),
        answer_store=AnswerStore(db),
        announcements=announcements,
        tenant=ServedTenant(db, announcements),
        problems=ProblemDesk(db, plan, directory, delivery, clock),
        wakeups=wakeups,
        installer=installer,
        digest=digest,
        email=email,
        reach=reach,
    )


def mail_sender(directory: Directory) -> GraphMailSender | None:
    """Graph ``sendMail`` through the Graph directory's client; None with the roster (no Graph)."""
    client = getattr(directory, "client", None)
    return GraphMailSender(client) if client is not None else None


def app_installer(settings: Settings, directory: Directory) -> AppInstaller | None:
    """An installer when the directory is Graph and ``TEAMS_APP_CATALOG_ID`` is set, else None."""
    client = getattr(directory, "client", None)
    catalog = settings.teams_app_catalog_id
    if client is None or not catalog:
        return None
    return AppInstaller(client, catalog, base_url=settings.graph_base_url)


def activity_feed(settings: Settings, directory: Directory) -> ActivityFeed | None:
    """Activity-feed nudges when the directory is Graph and ``TEAMS_APP_CATALOG_ID`` is set, else None."""
    client = getattr(directory, "client", None)
    catalog = settings.teams_app_catalog_id
    if client is None or not catalog:
        return None
    return ActivityFeed(client, catalog)


# -- lifespans: what runs while the app serves ---------------------------------------------


async def plan_in_force(current: CurrentPlan, file_text: str, name: str) -> None:
    """Settle which plan is in force (switchover/plan/current.py): the file given at start if it was
    edited since the last start (recorded as a revision), else the newest applied revision."""
    revision = await current.start(file_text, name=name)
    if revision.source != "file" or revision.sha256 != text_hash(file_text):
        log.warning(
            "the plan in force is revision %d (%s by %s at %s), not the file %s: the file is unchanged "
            "since the last start, and a newer revision was applied since",
            revision.number,
            revision.source,
            revision.applied_by or "someone",
            revision.applied_at.isoformat(timespec="minutes"),
            name,
        )


@contextlib.asynccontextmanager
async def answers_ready(services: Services) -> AsyncIterator[None]:
    """Build the answer engine's vocabularies and FAQ index at start, so the first question is as fast as the rest.

    At shutdown, gap rows still being committed are waited for before the database closes.
    """
    await services.answers.prepare()
    try:
        yield
    finally:
        await services.answer_store.drain()


async def announcements_reconciled(services: Services) -> None:
    """Bring the announcement calendar in line with the plan, for the tenant served if one is known yet."""
    if services.announcements.tenant_id:
        await services.announcements.reconcile_plan()
    else:
        await services.tenant.settle()  # reconciles when it finds one


def bulk_jobs_resumed(services: Services) -> None:
    """Take over, in the background, the lead's bulk jobs a stop left unfinished (the scheduler's
    first wake-up is 30 s away): see :mod:`switchover.announcements.jobs`."""
    if services.announcements.tenant_id:
        jobs = services.announcements.jobs
        jobs.spawn(jobs.run_due())


async def owed_replies_settled(services: Services) -> None:
    """Tell the reporters whom a crash left without their reference, and move on the reports a crash
    left between one step of their chain and the next (before serving: nothing waits)."""
    try:
        await services.problems.settle_owed_replies()
        await services.problems.advance_routing()
    except Exception:
        log.exception("could not settle replies owed to reporters at start; the scheduler tries again")


@contextlib.asynccontextmanager
async def outbox_workers(
    delivery: DeliveryEngine, email: EmailOutbox | None, *, grace: float | None = None
) -> AsyncIterator[None]:
    """Run the Teams delivery engine's worker and the email outbox's worker while inside.

    On the way out (before the database is disposed) both stop together, under one grace
    (``OUTBOX_STOP_SECONDS`` in all, not each): they claim nothing more, the sends they had started
    finish and are recorded, every pending outcome is written, and the rows they had claimed but
    not sent go back to ``pending`` for the next start. A send still on the wire past the grace is
    cut off (see :meth:`DeliveryEngine.shutdown` and :meth:`EmailOutbox.shutdown`).
    """
    stops: list[tuple[str, Any, asyncio.Task[None]]] = [
        ("delivery", delivery, asyncio.create_task(delivery.run_forever(), name="delivery-worker"))
    ]
    if email is not None:
        stops.append(("email", email, asyncio.create_task(email.run_forever(), name="email-worker")))
    try:
        yield
    finally:
        seconds = OUTBOX_STOP_SECONDS if grace is None else grace
        # Together, so one grace bounds the whole stop; each stops even if the other fails to.
        results = await asyncio.gather(
            *(outbox.shutdown(worker, grace=seconds) for _, outbox, worker in stops), return_exceptions=True
        )
        failed = [(name, r) for (name, _, _), r in zip(stops, results, strict=True) if isinstance(r, BaseException)]
        for name, error in failed:
            log.error("the %s outbox did not stop cleanly", name, exc_info=error)
        if failed:
            raise failed[0][1]


@contextlib.asynccontextmanager
async def directory_synced(directory: Directory, clock: Clock) -> AsyncIterator[None]:
    """Keep a Graph directory synced: its last snapshot at start, the first sync in the background.

    Startup never waits for Graph; the scheduler runs the later syncs. Nothing to do for the roster.
    """
    if not isinstance(directory, GraphDirectory):
        yield
        return
    directory.clock = clock  # the one clock

    try:
        await directory.start()
    except Exception:
        log.exception("could not load the stored directory snapshot; waiting for the first sync")
    first = asyncio.create_task(directory.sync(), name="directory-first-sync")
    try:
        yield
    finally:
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        await directory.aclose()


async def healthz(request: web.Request) -> web.Response:
    """The process is up."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready to serve: database reachable, plan loaded, directory usable."""
    services = request.app[SERVICES]
    current = services.current_plan
    checks: dict[str, Any] = {
        "plan": {
            "ok": True,
            "waves": len(services.plan.waves),
            "version": current.version,
            "revision": current.revision.number if current.revision else None,
        }
    }
    try:
        await asyncio.wait_for(services.db.ping(), timeout=5)
        checks["database"] = {"ok": True}
    except Exception as exc:  # any failure means not ready; say which
        checks["database"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    status = getattr(services.directory, "status", None)
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
    try:
        app = create_app(settings)
    except TenantConfigurationError as exc:
        log.critical("Switchover cannot start: %s", exc)  # one line saying what to set
        raise SystemExit(2) from None
    app.on_startup.append(freeze_startup_heap)
    host = settings.listen_host
    if settings.auth_enabled:
        log.info("listening on %s:%d; every request must carry a Bot Connector token", host, settings.port)
    else:
        log.warning(
            "local mode (no MicrosoftAppId): requests are NOT authenticated, anyone who can reach "
            "http://%s:%d can act as any user%s",
            host,
            settings.port,
            "" if _loopback(host) else " - HOST makes this reachable from other machines",
        )
    web.run_app(app, host=host, port=settings.port, print=None, access_log=None)


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


if __name__ == "__main__":
    main()
