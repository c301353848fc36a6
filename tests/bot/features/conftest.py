"""The app with the answers feature registered (until the lead adds it to ``bot.features.FEATURES``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from switchover.clock import ManualClock
from switchover.settings import Settings
from tests.support.app import RunningApp, start_app

ANSWERS = "bot.features.answers"


@pytest.fixture
async def running_app(
    app_settings: Settings, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningApp]:
    import app as app_module

    if ANSWERS not in app_module.FEATURES:
        monkeypatch.setattr(app_module, "FEATURES", [*app_module.FEATURES, ANSWERS])
    runner, running = await start_app(app_settings, clock)
    try:
        yield running
    finally:
        await runner.cleanup()
