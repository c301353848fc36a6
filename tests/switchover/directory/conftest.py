"""Fixtures for the directory tests: a loopback fake Graph, the real SDK client pointed at it, a network guard."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from switchover.clock import ManualClock
from switchover.directory.graph import GraphDirectory
from switchover.directory.graph_client import build_graph_client
from switchover.plan.model import ReadinessChecks
from tests.support.fake_graph import FakeGraph, StaticTokenCredential

START = dt.datetime(2027, 1, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection to a non-loopback address (the SDK must never reach Microsoft)."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            assert ipaddress.ip_address(host).is_loopback, f"a test tried to connect to {address!r}"
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    """The seeded Fabrikam tenant with pages of at most 100 (so a full read pages)."""
    async with FakeGraph(page_size=100) as graph:
        yield graph


@pytest.fixture
def clock_start() -> dt.datetime:
    return START


@pytest.fixture
def credential() -> StaticTokenCredential:
    return StaticTokenCredential()


@pytest.fixture
async def graph_directory(
    fake_graph: FakeGraph, clock: ManualClock, credential: StaticTokenCredential
) -> AsyncIterator[GraphDirectory]:
    """A GraphDirectory over the real msgraph-sdk client against the fake, no store."""
    client = build_graph_client(credential, base_url=fake_graph.base_url, timeout_seconds=5)
    directory = GraphDirectory(
        client,
        clock=clock,
        tenant_id="fabrikam",
        checks=ReadinessChecks(mfa=True, device_compliance=True),
        timeout_seconds=2,
    )
    yield directory
    await directory.aclose()


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the SDK RetryHandler's waits instead of waiting them (the delays are what tests assert).

    Only the name ``asyncio`` inside kiota's retry_handler module is replaced; the
    handler's decision (whether to retry, how long) is untouched.
    """
    import asyncio
    import types

    import kiota_http.middleware.retry_handler as rh

    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)
        await asyncio.sleep(0)

    monkeypatch.setattr(rh, "asyncio", types.SimpleNamespace(sleep=sleep))
    return waits
