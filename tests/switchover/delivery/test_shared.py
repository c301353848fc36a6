"""The delivery engine and the missed-announcement grace are configured from settings."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from app import RUNTIME, create_app
from tests.support.app import make_settings


def test_the_shared_engine_keeps_the_configured_tenant_rate_and_crash_policy(tmp_path):
    settings = make_settings(tmp_path, tenant_rate=20, delivery_in_doubt="hold", missed_grace_minutes=30)
    runtime = create_app(settings, start_scheduler=False)[RUNTIME]
    engine = runtime.features["delivery"]
    assert engine.limits.per_tenant_per_second == 20
    assert engine.in_doubt == "hold"
    assert runtime.features["announcements"].sending.grace == dt.timedelta(minutes=30)
    assert runtime.features["problems"].delivery is engine  # one engine, one set of limits


def test_defaults_are_teams_limit_and_resend(tmp_path):
    runtime = create_app(make_settings(tmp_path), start_scheduler=False)[RUNTIME]
    engine = runtime.features["delivery"]
    assert engine.limits.per_tenant_per_second == 50
    assert engine.in_doubt == "resend"
    assert runtime.features["announcements"].sending.grace == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("env", "value"),
    [("SWITCHOVER_DELIVERY_IN_DOUBT", "maybe"), ("SWITCHOVER_TENANT_RATE", "0"), ("SWITCHOVER_TENANT_RATE", "fast")],
)
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch, env, value):
    from switchover.settings import Settings

    monkeypatch.setenv(env, value)
    with pytest.raises(ValidationError) as err:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert env in str(err.value)


async def test_one_worker_runs_however_many_features_ask_and_stops_with_them(tmp_path):
    from switchover.delivery.shared import WORKER, worker_running

    runtime = create_app(make_settings(tmp_path), start_scheduler=True)[RUNTIME]
    await runtime.db.migrate()
    try:
        async with worker_running(runtime):
            worker = runtime.features[WORKER]
            async with worker_running(runtime):  # the second feature's lifespan
                assert runtime.features[WORKER] is worker
            assert not worker.done()  # the inner exit left it to its owner
        assert worker.cancelled()
        assert WORKER not in runtime.features
    finally:
        await runtime.db.dispose()


async def test_test_apps_run_no_worker(tmp_path):
    from switchover.delivery.shared import WORKER, worker_running

    runtime = create_app(make_settings(tmp_path), start_scheduler=False)[RUNTIME]
    async with worker_running(runtime):
        assert WORKER not in runtime.features
