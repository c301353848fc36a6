"""The one delivery engine of a running Switchover, configured from its settings, and its worker.

Announcements and problem reports both send through it; whichever feature
registers first creates it (``runtime.features["delivery"]``), and whichever
feature's lifespan starts first runs its worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from switchover.delivery.conversations import StoredConversations
from switchover.delivery.engine import DeliveryEngine
from switchover.delivery.limits import TeamsLimits
from switchover.runtime import Runtime

FEATURE = "delivery"
WORKER = "delivery.worker"


def shared_engine(runtime: Runtime) -> DeliveryEngine:
    """The runtime's delivery engine, created on first use.

    Settings: ``SWITCHOVER_TENANT_RATE`` (Teams' per-app-per-tenant limit, requests/s) and
    ``SWITCHOVER_DELIVERY_IN_DOUBT`` (``resend`` or ``hold``: see :mod:`switchover.delivery.engine`).
    """
    engine = runtime.features.get(FEATURE)
    if engine is None:
        if runtime.messenger is None:
            raise RuntimeError("delivery needs runtime.messenger to send")
        settings = runtime.settings
        engine = DeliveryEngine(
            runtime.db,
            runtime.messenger,
            StoredConversations(runtime.conversations, runtime.clock),
            runtime.clock,
            limits=TeamsLimits(per_tenant_per_second=settings.tenant_rate),
            in_doubt=settings.delivery_in_doubt,
        )
        runtime.features[FEATURE] = engine
    return engine


@contextlib.asynccontextmanager
async def worker_running(runtime: Runtime) -> AsyncIterator[None]:
    """Run the shared engine's worker while inside; once per runtime, however many features ask.

    Not at all when ``runtime.features["run_background"]`` is False (test apps deliver by
    hand). On the way out the worker stops and the sends it had started are recorded.
    """
    if not runtime.features.get("run_background", True) or runtime.features.get(WORKER) is not None:
        yield
        return
    engine = shared_engine(runtime)
    worker = asyncio.create_task(engine.run_forever(), name="delivery-worker")
    runtime.features[WORKER] = worker
    try:
        yield
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        await engine.wait_in_flight()
        runtime.features.pop(WORKER, None)
