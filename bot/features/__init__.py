"""The Teams features, registered on the routing table by :func:`register` (called by ``app.create_app``).

Each feature module exposes ``register(router, services, ...)`` adding its
commands, card actions and events; the running services come built from the
app, so registration order does not matter except for what one feature hands
to another (the report-a-problem conversation, which free text can start).
"""

from __future__ import annotations

from bot.features import announcements, answers, core, digest, freetext, problems, reach, readiness, status
from bot.routing import Router
from switchover.services import Services


def register(router: Router, services: Services) -> None:
    """Add every feature's routes to ``router``."""
    core.register(router, services)
    answers.register(router, services)
    announcements.register(router, services)
    reports = problems.register(router, services)
    readiness.register(router, services)
    status.register(router, services)
    reach.register(router, services)
    digest.register(router, services)
    freetext.register(router, services, reports)
