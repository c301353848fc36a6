"""Feature modules, registered in this order by ``app.create_app``.

Each module exposes ``register(router, runtime)`` and optionally
``lifespan(runtime)`` (an async context manager factory for background work).
Commands are matched longest phrase first, so order only matters for the
fallback: the last module to set one wins.
"""

FEATURES: list[str] = [
    "bot.features.core",
    "bot.features.answers",
    "bot.features.announcements",
    "bot.features.problems",
    "bot.features.readiness",
    "bot.features.freetext",
]
