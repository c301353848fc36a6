"""What the scheduler wakes, and how often: due announcements, their chasers (reminders, lists,
activity-feed nudges), problem escalations, the daily digest, the directory sync, the Teams app
installations due ahead of each wave.

:func:`schedule` registers every periodic wake-up on ``services.wakeups``; the
app starts the scheduler only when background work is on (test apps call
:func:`announcements_due`, :func:`chasers_due`, :func:`digests_due` and ``services.problems.run_due`` by hand).
"""

from __future__ import annotations

import datetime as dt

from switchover.directory.graph import GraphDirectory
from switchover.privacy import PersonalData
from switchover.services import Services

WAKE_SECONDS = 30  # announcements, problem escalations and digests
PURGE_SECONDS = 3600  # data past the retention period
PLAN_SECONDS = 5  # the plan's version (switchover/plan/current.py)
REACH_SECONDS = 60  # Teams app installations due (switchover/reach/)
REACH_BUDGET_SECONDS = 50  # how long one wake-up works the installation queue


async def announcements_due(services: Services) -> list[str]:
    """Start the announcements that are due, then nudge the delivery worker.

    Returns:
        The ids of the announcements started; none while no tenant is known
        (nobody has talked to the bot yet, so nothing can be delivered).
    """
    if not await services.tenant.settle():
        return []
    started = await services.announcements.run_due()
    if started:
        services.delivery.wake()
    return started


async def chasers_due(services: Services) -> int:
    """Send the reminders, champions' lists and activity-feed nudges that are due, then nudge the
    delivery worker (each step claimed once in the database, whatever the number of instances).

    Returns:
        How many steps and nudges this instance worked; none while no tenant is known.
    """
    if not await services.tenant.settle():
        return 0
    worked = await services.announcements.chasers_due()
    if worked:
        services.delivery.wake()
    return worked


async def digests_due(services: Services) -> list[str]:
    """Send the digests that are due (each once, whatever the number of instances).

    Returns:
        The keys of the digests this instance sent; none while no tenant is known.
    """
    if services.digest is None:
        return []
    tenant = await services.tenant.settle()
    if not tenant:
        return []
    return await services.digest.run_due(tenant)


async def reach_due(services: Services) -> int:
    """Queue the Teams app installations that are due (``reach.install_days_before`` days before each
    wave's first announcement, and people added to a wave since), then work the queue for a while.

    Returns:
        How many installations reached a final state in this run (none without a tenant, or when
        the app cannot be installed: no Graph directory or no ``TEAMS_APP_CATALOG_ID``).
    """
    reach = services.reach
    if reach is None or reach.queue is None:
        return 0
    tenant = await services.tenant.settle()
    if not tenant:
        return 0
    result = await reach.run_due(tenant, budget=dt.timedelta(seconds=REACH_BUDGET_SECONDS))
    return result.done if result is not None else 0


def schedule(services: Services) -> None:
    """Register the periodic wake-ups of a running Switchover."""
    wakeups = services.wakeups

    async def announcements() -> None:
        await announcements_due(services)

    async def problems() -> None:
        await services.problems.run_due()
        await services.problems.settle_owed_replies()

    async def plan() -> None:
        await services.current_plan.refresh()  # another instance's move or revision, within seconds

    wakeups.every("plan.refresh", PLAN_SECONDS, plan)
    wakeups.every("announcements.run_due", WAKE_SECONDS, announcements)

    async def chasers() -> None:
        await chasers_due(services)

    wakeups.every("chasers.run_due", WAKE_SECONDS, chasers)
    wakeups.every("problems.run_due", WAKE_SECONDS, problems)

    async def digests() -> None:
        await digests_due(services)

    wakeups.every("digest.run_due", WAKE_SECONDS, digests)

    async def purge() -> None:
        retention = dt.timedelta(days=services.settings.retention_days)
        await PersonalData(services.db).purge(retention, services.clock.now())

    wakeups.every("privacy.purge", PURGE_SECONDS, purge)

    async def reach() -> None:
        await reach_due(services)

    wakeups.every("reach.install", REACH_SECONDS, reach)
    directory = services.directory
    if isinstance(directory, GraphDirectory):

        async def sync() -> None:
            await directory.sync()

        wakeups.every("directory-sync", services.settings.graph_sync_minutes * 60, sync)
