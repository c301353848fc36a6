"""The HTTP API for automation (PSA tools, Power Automate, scripts): announcements, problem reports, readiness,
status, reach, and exports (CSV and JSON) of deliveries, readiness and problem reports.

:func:`setup` adds every module's routes behind the token check (:mod:`api.auth`),
together, when an API token is configured (``SWITCHOVER_API_TOKENS``,
``SWITCHOVER_API_TOKENS_FILE`` or the single ``SWITCHOVER_API_TOKEN``); without
one there is no API.
"""

from __future__ import annotations

from aiohttp import web

from api import announcements, exports, plan, problems, reach, readiness, status
from api.auth import bearer_tokens
from switchover.api_tokens import ApiTokens
from switchover.services import Services


def setup(app: web.Application, services: Services) -> None:
    """Guard ``/api/`` with the API's tokens and add its routes (nothing without a token)."""
    settings = services.settings
    tokens = ApiTokens(
        entries=settings.api_tokens.get_secret_value(),
        file=settings.api_tokens_file,
        legacy=settings.api_token.get_secret_value(),
    )
    if not tokens.configured:
        return

    async def served() -> str | None:
        await services.current_plan.refresh()  # every API call sees the plan as it stands
        return services.plan.organisation.tenant_id or await services.tenant.settle() or None

    app.middlewares.append(bearer_tokens(tokens, served))
    announcements.setup(app, services)
    problems.setup(app, services)
    readiness.setup(app, services)
    status.setup(app, services)
    reach.setup(app, services)
    plan.setup(app, services)
    exports.setup(app, services)
