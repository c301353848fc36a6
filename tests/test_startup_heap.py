"""The start-up heap is frozen before traffic, so full collections stay short."""

from __future__ import annotations

import gc

import pytest

import app as app_module


async def test_freeze_moves_the_start_up_objects_out_of_the_collectors_way():
    gc.unfreeze()
    try:
        await app_module.freeze_startup_heap(None)  # type: ignore[arg-type]
        assert gc.get_freeze_count() > 10_000  # this process's imports alone
    finally:
        gc.unfreeze()  # the rest of the suite builds and drops many apps


def test_main_freezes_after_the_features_have_started(monkeypatch: pytest.MonkeyPatch):
    started: dict[str, object] = {}

    def run_app(app, **_kw):  # noqa: ANN001, ANN003
        started["on_startup"] = list(app.on_startup)

    monkeypatch.setattr(app_module.web, "run_app", run_app)
    monkeypatch.setattr(app_module, "create_app", lambda settings: app_module.web.Application())
    monkeypatch.setattr(app_module, "Settings", lambda: _Settings())
    app_module.main()
    assert started["on_startup"][-1] is app_module.freeze_startup_heap


class _Settings:
    log_level = "WARNING"
    listen_host = "127.0.0.1"
    auth_enabled = False
    port = 0

    class data_dir:  # noqa: N801 - stands in for a Path
        @staticmethod
        def mkdir(**_kw: object) -> None:
            return None
