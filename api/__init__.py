"""The HTTP API for automation (PSA tools, Power Automate, scripts).

Each module exposes ``setup(app, runtime)`` adding its routes; all use the
bearer token from ``Settings.api_token``.
"""

API_MODULES: list[str] = [
    "api.announcements",
    "api.problems",
    "api.readiness",
]
