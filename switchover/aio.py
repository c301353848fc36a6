"""Small asyncio helpers the domain's workers share."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Collection
from typing import Any, TypeVar

T = TypeVar("T")


async def to_completion(coroutine: Awaitable[T]) -> T:
    """Await ``coroutine`` in a task of its own that a cancellation of the caller does not cut short.

    For database transactions a stop must not cut off half way (one left to the driver's clean-up
    may hold SQLite's write lock while the other writes wait for it) and for the write of an outcome
    that already happened. The caller's cancellation is raised once the task is done (its result dropped).
    """
    task = asyncio.ensure_future(coroutine)
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError as exc:
            if task.done():
                raise
            cancelled = exc
        else:
            break
    if cancelled is not None:
        raise cancelled
    return result


async def wind_down(
    worker: asyncio.Task[Any] | None,
    in_flight: Collection[asyncio.Task[Any]],
    deadline: float,
    *,
    log: logging.Logger,
    name: str,
    worker_id: str,
) -> None:
    """A worker's clean stop up to ``deadline`` (``time.monotonic()``): let ``worker`` (already told to
    stop) finish, cancelling it past the deadline, then wait for the sends it had started (``in_flight``,
    read again after the worker stops). What is still in flight at the deadline is the caller's to cut off.
    """
    if worker is not None and not worker.done():
        await asyncio.wait({worker}, timeout=max(deadline - time.monotonic(), 0))
        if not worker.done():
            log.warning("%s worker did not stop in time; cancelling it", name, extra={"worker": worker_id})
            worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    if in_flight:
        await asyncio.wait(set(in_flight), timeout=max(deadline - time.monotonic(), 0))
