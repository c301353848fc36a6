"""The one delivery engine of a running Switchover, configured from its settings.

Announcements and problem reports both send through it; whichever feature
registers first creates it (``runtime.features["delivery"]``).
"""

from __future__ import annotations

from switchover.delivery.conversations import StoredConversations
from switchover.delivery.engine import DeliveryEngine
from switchover.delivery.limits import TeamsLimits
from switchover.runtime import Runtime

FEATURE = "delivery"


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
