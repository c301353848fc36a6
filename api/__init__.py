"""The HTTP API for automation (PSA tools, Power Automate, scripts): announcements, problem reports, readiness.

:func:`setup` adds every module's routes behind the one bearer-token check
(:mod:`api.auth`), together, when ``SWITCHOVER_API_TOKEN`` is set; without a
token there is no API.
"""

from __future__ import annotations

from aiohttp import web

from api import announcements, problems, readiness
from api.auth import bearer_token
from switchover.services import Services


def setup(app: web.Application, services: Services) -> None:
    """Guard ``/api/`` with the bearer token and add the API's routes (nothing without a token)."""
    token = services.settings.api_token.get_secret_value()
    if not token:
        return
    app.middlewares.append(bearer_token(token))
    announcements.setup(app, services)
    problems.setup(app, services)
    readiness.setup(app, services)
