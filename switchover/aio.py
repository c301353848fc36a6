"""Small asyncio helpers the domain's workers share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

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
