"""Group commit: rows from many concurrent callers written in one transaction.

Why. Each small write costs a transaction: on SQLite about 1 CPU ms through the
ORM and the driver's thread, and one turn at the single writer, so under load
the writers queue (50 conversations whose questions each leave an FAQ gap row
kept replies waiting 250-400 ms at p99 in ``bench/answers.py``). Here a caller's
``await writer.add(row)`` joins the batch being gathered; one task writes each
batch with a single ``executemany`` in one transaction, and every caller returns
once its own row is committed, or gets the error that kept it out. Nothing is
acknowledged before it is durable, so nothing is lost that the caller was told
was stored.

While a batch is being written, new rows gather for the next one; with no
contention a batch is one row and costs what a plain write costs. A batch that
fails is retried a row at a time, so one bad row fails only its own caller.
A caller that is cancelled while waiting does not take its row back: it is
written anyway (the write was asked for; the answer was merely not awaited).
If that write then fails, nobody is left to be told: the failure is logged once,
as an error naming the writer and the row lost (and asyncio never reports a
"Future exception was never retrieved" for it).
A COMMIT that fails ambiguously (the database got it, the answer was lost) is
retried row by row like any failure, so such a batch may be written twice:
fine for counters like FAQ gaps, not for rows that must be unique (give those a
unique key and an insert that ignores duplicates), nor for guarded updates whose
second run would find their guard gone (the delivery engine's ``sending`` mark:
such a row is then reported as not updated, the safe answer).

The write function may report what each row did, one count per row (an UPDATE's
row count, say); each caller gets its own row's count back from :meth:`GroupWriter.add`.

A flush that is cancelled half way (the task writing the batches cancelled: a shutdown, a
timeout) answers every caller still waiting with :class:`WriteInterrupted`, which says whether
that caller's row may have been written: ``maybe_written=True`` for the rows of the transaction
whose COMMIT had been started (the database may have it, the answer was lost), False for the rows
of a transaction cut off before its COMMIT (rolled back) and for the rows not yet in a transaction.
So a caller retries a row only when it surely was not written, and a row that may have been is
reported as such instead of being written twice, or given up, without a word.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from switchover.storage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
# Writes a batch on a connection inside its transaction; may return one count per row, in order.
WriteBatch = Callable[[AsyncConnection, Sequence[T]], Awaitable[Sequence[int] | None]]


class WriteInterrupted(Exception):
    """The flush writing a caller's row was cancelled before the row's fate was known.

    Attributes:
        writer: the writer's name.
        maybe_written: True when the row's transaction had started its COMMIT (the database may
            have it: writing it again may duplicate it); False when it surely was not written
            (rolled back, or never sent): it may be written again.
    """

    def __init__(self, writer: str, *, maybe_written: bool) -> None:
        what = (
            "its COMMIT had started: the row may have been written"
            if maybe_written
            else "before its COMMIT: the row was not written"
        )
        super().__init__(f"{writer}: the group write was cancelled {what}")
        self.writer = writer
        self.maybe_written = maybe_written


class GroupWriter(Generic[T]):
    """Commits rows added concurrently in shared transactions (see the module doc).

    Args:
        db: the database.
        write: writes a batch on the connection (inside the transaction), e.g.
            ``await conn.execute(insert(table), rows)``; it may return one count per row
            (e.g. each UPDATE's row count), which :meth:`add` hands back to that row's caller.
        name: for logs.
        max_batch: rows per transaction at most.
        immediate: on SQLite, take the write lock at BEGIN (``Database.begin(immediate=True)``),
            for writes that race other processes' read-then-write transactions.
    """

    def __init__(
        self, db: Database, write: WriteBatch[T], *, name: str, max_batch: int = 500, immediate: bool = False
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._db = db
        self._write = write
        self._name = name
        self._max_batch = max_batch
        self._immediate = immediate
        self._pending: list[tuple[T, asyncio.Future[int | None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._committing = False  # the transaction being written has started its COMMIT
        self.batches = 0  # transactions committed (for tests and benchmarks)
        self.rows = 0  # rows committed

    async def add(self, row: T) -> int | None:
        """Write ``row``; returns once it is committed, raises what kept it from being written.

        Returns:
            The row's count as the write function reported it, None if it reports none.

        Raises:
            WriteInterrupted: the flush was cancelled before the row's fate was known; its
                ``maybe_written`` says whether the row may have been written.
        """
        if self._db.holds_write_turn:
            # The batch needs SQLite's write turn, which this task holds until it returns.
            raise RuntimeError(f"{self._name}: add() inside a write transaction would wait for itself")
        loop = asyncio.get_running_loop()
        done: asyncio.Future[int | None] = loop.create_future()
        self._pending.append((row, done))
        flusher = self._flusher
        if flusher is None or flusher.done() or flusher.get_loop() is not loop:
            # A context of its own: it writes for every caller, so it must not inherit this
            # caller's (e.g. a claim to hold the write turn, or log fields).
            self._flusher = loop.create_task(
                self._flush(), name=f"group-writer:{self._name}", context=contextvars.Context()
            )
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            # The row is still written; if that fails, its error has nobody to go to but the log.
            done.add_done_callback(functools.partial(self._unheard, row))
            raise

    def _unheard(self, row: T, done: asyncio.Future[int | None]) -> None:
        """The outcome of a row whose caller stopped waiting: retrieve its error and log what was lost."""
        if done.cancelled():
            return
        error = done.exception()
        if isinstance(error, WriteInterrupted):
            log.error(
                "group write cancelled after its caller stopped waiting: the row may have been written, or not"
                if error.maybe_written
                else "group write cancelled after its caller stopped waiting: the row was not written and is lost",
                extra={"writer": self._name, "row": _describe(row), "maybe_written": error.maybe_written},
            )
        elif error is not None:
            log.error(
                "group write failed after its caller stopped waiting: the row is lost",
                extra={"writer": self._name, "row": _describe(row), "error": repr(error)},
            )

    async def drain(self) -> None:
        """Wait until every row added so far has been written (or has failed, or was interrupted)."""
        while self._flusher is not None and not self._flusher.done():
            # wait, not shield: a flush that was cancelled is not this caller's cancellation.
            await asyncio.wait({self._flusher})

    async def _flush(self) -> None:
        batch: list[tuple[T, asyncio.Future[int | None]]] = []
        in_transaction: list[tuple[T, asyncio.Future[int | None]]] = []
        try:
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                in_transaction = batch
                try:
                    counts = await self._commit([row for row, _ in batch])
                except Exception as exc:  # noqa: BLE001 - sorted out row by row below
                    if len(batch) == 1:
                        _settle(batch[0][1], None, exc)
                        continue
                    log.warning(
                        "group write failed; retrying its rows one at a time",
                        extra={"writer": self._name, "rows": len(batch), "error": str(exc)},
                    )
                    for row, done in batch:
                        in_transaction = [(row, done)]
                        try:
                            [count] = await self._commit([row])
                        except Exception as row_exc:  # noqa: BLE001 - handed to that row's caller
                            _settle(done, None, row_exc)
                        else:
                            _settle(done, count, None)
                else:
                    for (_, done), count in zip(batch, counts, strict=True):
                        _settle(done, count, None)
        except asyncio.CancelledError:
            self._interrupted(in_transaction, batch)
            raise

    def _interrupted(
        self,
        in_transaction: list[tuple[T, asyncio.Future[int | None]]],
        batch: list[tuple[T, asyncio.Future[int | None]]],
    ) -> None:
        """The flush was cancelled: tell every caller still waiting whether its row may have been written."""
        maybe = self._committing
        unsure = not_written = 0
        for _, done in in_transaction:
            if not done.done():
                _settle(done, None, WriteInterrupted(self._name, maybe_written=maybe))
                unsure += maybe
                not_written += not maybe
        for _, done in [*batch, *self._pending]:
            if not done.done():
                _settle(done, None, WriteInterrupted(self._name, maybe_written=False))
                not_written += 1
        self._pending.clear()  # not written: their callers may add them again (a new flush)
        log.warning(
            "group write cancelled",
            extra={"writer": self._name, "maybe_written": unsure, "not_written": not_written},
        )

    async def _commit(self, rows: list[T]) -> list[int | None]:
        """Write ``rows`` in one transaction; returns one count per row (None where none was reported)."""
        self._committing = False
        async with self._db.begin(immediate=self._immediate) as conn:
            counts = await self._write(conn, rows)
            if counts is not None and len(counts) != len(rows):  # a bug in the write function: roll back
                raise RuntimeError(f"{self._name}: the write reported {len(counts)} counts for {len(rows)} rows")
            # From here the transaction's end is its COMMIT: cancelled from now on, the database may have it.
            self._committing = True
        self._committing = False
        self.batches += 1
        self.rows += len(rows)
        return [None] * len(rows) if counts is None else list(counts)


def _settle(done: asyncio.Future[int | None], count: int | None, error: BaseException | None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(count)
    else:
        done.set_exception(error)


def _describe(row: object) -> str:
    """A row for a log line: its repr, an SQL statement with its bound values, at most 500 characters."""
    text = repr(row)
    if hasattr(row, "compile"):
        with contextlib.suppress(Exception):
            compiled = row.compile()
            text = f"{compiled} {compiled.params}"
    return text[:500]
