"""What people thought of the answers, and the questions we could not answer (so the FAQ can grow).

Three tables (revisions ``0002_answers`` and ``0021_answers_picks``):

- ``answers_feedback``: one row per "Helpful" / "Not helpful" click on an FAQ answer;
- ``answers_gaps``: one row per question that got no confident answer
  (``unanswered``: nothing close; ``unclear``: only suggestions) or whose answer
  was voted not helpful (``unhelpful``);
- ``answers_picks``: one row per suggestion chosen: the question as asked, the language it
  was read in and the entry the asker picked (what they meant, in their words).

Each row keeps what a gap keeps about the asker (their Entra object or Teams id, for
``switchover privacy``), nothing more. Project leads list the gaps and the picks with
``switchover faq gaps``: grouped by the question's folded text, with counts, newest first;
``switchover faq learn`` offers the picked phrasings as alternates of their entries.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Table, Text, and_, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from switchover.answers.text import fold
from switchover.storage.base import Base, TenantMixin, UtcDateTime
from switchover.storage.batch import GroupWriter, WriteInterrupted
from switchover.storage.db import Database

log = logging.getLogger(__name__)

_BigId = BigInteger().with_variant(Integer(), "sqlite")
MAX_QUESTION = 2000  # characters kept of a question; Teams messages can be far longer


class GapKind(StrEnum):
    UNANSWERED = "unanswered"  # nothing close in the FAQ
    UNCLEAR = "unclear"  # only suggestions were shown
    UNHELPFUL = "unhelpful"  # answered, and the asker said "Not helpful"


class AnswerFeedback(TenantMixin, Base):
    """One click on "Helpful" / "Not helpful" under an FAQ answer."""

    __tablename__ = "answers_feedback"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    faq_key: Mapped[str] = mapped_column(String(100), nullable=False)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    helpful: Mapped[bool] = mapped_column(Boolean, nullable=False)
    asker_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)


class AnswerGap(TenantMixin, Base):
    """A question the FAQ did not answer well."""

    __tablename__ = "answers_gaps"
    __table_args__ = (Index("ix_answers_gaps_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    folded: Mapped[str] = mapped_column(String(500), nullable=False)
    faq_key: Mapped[str | None] = mapped_column(String(100))
    asker_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)


class AnswerPick(TenantMixin, Base):
    """A suggested question the asker chose: their question meant that entry."""

    __tablename__ = "answers_picks"
    __table_args__ = (Index("ix_answers_picks_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    folded: Mapped[str] = mapped_column(String(500), nullable=False)
    language: Mapped[str] = mapped_column(String(16), nullable=False)  # what the question was read as: en, es...
    faq_key: Mapped[str] = mapped_column(String(100), nullable=False)
    asker_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)


_feedback = cast(Table, AnswerFeedback.__table__)
_gaps = cast(Table, AnswerGap.__table__)
_picks = cast(Table, AnswerPick.__table__)


async def _insert_gaps(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    await conn.execute(insert(_gaps), list(rows))


async def _insert_picks(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    await conn.execute(insert(_picks), list(rows))


def _utc(value: Any) -> dt.datetime:
    """An aggregated timestamp as an aware UTC datetime (SQLite returns it as naive UTC text)."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class GapSummary:
    """One distinct gap question, with how often and how recently it came up."""

    question: str
    kind: GapKind
    count: int
    last_asked: dt.datetime
    faq_key: str | None


@dataclass(frozen=True, slots=True)
class PickSummary:
    """One phrasing (by folded text and language) that reached an FAQ entry through its suggestion."""

    faq_key: str
    question: str
    language: str
    count: int
    last_picked: dt.datetime


@dataclass(frozen=True, slots=True)
class FeedbackTally:
    faq_key: str
    helpful: int
    unhelpful: int


class AnswerStore:
    """Repository for feedback and gaps.

    Args:
        db: the database (migrated to heads).
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        # Gap rows come with every question the FAQ could not answer: many at once under
        # load, so they are committed together (each caller still waits for its own row).
        self._gaps: GroupWriter[dict[str, Any]] = GroupWriter(db, _insert_gaps, name="answers_gaps")
        self._picks: GroupWriter[dict[str, Any]] = GroupWriter(db, _insert_picks, name="answers_picks")
        self._soon: set[asyncio.Task[None]] = set()  # picks being written while the reply goes out

    async def record_gap(
        self,
        tenant_id: str,
        question: str,
        kind: GapKind,
        at: dt.datetime,
        *,
        faq_key: str | None = None,
        asker_id: str | None = None,
    ) -> None:
        """Store a question the FAQ did not answer well."""
        question = question.strip()[:MAX_QUESTION]
        folded = fold(question)[:500] or "(empty)"
        await _add(
            self._gaps,
            {
                "tenant_id": tenant_id,
                "kind": kind.value,
                "question": question,
                "folded": folded,
                "faq_key": faq_key,
                "asker_id": asker_id,
                "created_at": at,
            },
        )

    async def record_pick(
        self,
        tenant_id: str,
        question: str,
        faq_key: str,
        language: str,
        at: dt.datetime,
        *,
        asker_id: str | None = None,
    ) -> None:
        """Store a suggestion chosen: ``question`` (as asked, read in ``language``) meant ``faq_key``."""
        question = question.strip()[:MAX_QUESTION]
        await _add(
            self._picks,
            {
                "tenant_id": tenant_id,
                "question": question,
                "folded": fold(question)[:500] or "(empty)",
                "language": (language or "").strip().lower()[:16],
                "faq_key": faq_key,
                "asker_id": asker_id,
                "created_at": at,
            },
        )

    def record_pick_soon(
        self,
        tenant_id: str,
        question: str,
        faq_key: str,
        language: str,
        at: dt.datetime,
        *,
        asker_id: str | None = None,
    ) -> None:
        """:meth:`record_pick` without waiting for it (the asker's answer goes out meanwhile); a row
        that cannot be written is logged. :meth:`drain` waits for it."""
        task = asyncio.get_running_loop().create_task(
            self.record_pick(tenant_id, question, faq_key, language, at, asker_id=asker_id),
            name="answers-pick",
        )
        self._soon.add(task)
        task.add_done_callback(self._picked)

    def _picked(self, task: asyncio.Task[None]) -> None:
        self._soon.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The asker has their answer; the lead loses one pick row.
            log.error("could not store an FAQ pick", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for gap and pick rows still being committed (at shutdown)."""
        while self._soon:
            await asyncio.gather(*self._soon, return_exceptions=True)
        await self._gaps.drain()
        await self._picks.drain()

    async def record_feedback(
        self,
        tenant_id: str,
        question: str,
        faq_key: str,
        helpful: bool,
        at: dt.datetime,
        *,
        asker_id: str | None = None,
    ) -> None:
        """Store a Helpful / Not helpful vote; a "Not helpful" also becomes a gap."""
        question = question.strip()[:MAX_QUESTION]
        feedback = {
            "tenant_id": tenant_id,
            "faq_key": faq_key,
            "question": question,
            "helpful": helpful,
            "asker_id": asker_id,
            "created_at": at,
        }
        async with self.db.begin() as conn:
            await conn.execute(insert(_feedback).values(feedback))
            if not helpful:
                gap = {
                    "tenant_id": tenant_id,
                    "kind": GapKind.UNHELPFUL.value,
                    "question": question,
                    "folded": fold(question)[:500] or "(empty)",
                    "faq_key": faq_key,
                    "asker_id": asker_id,
                    "created_at": at,
                }
                await conn.execute(insert(_gaps).values(gap))

    async def gaps(self, *, tenant_id: str | None = None, limit: int = 50) -> list[GapSummary]:
        """Distinct gap questions (by folded text and kind), newest first, with counts."""
        last = func.max(AnswerGap.created_at).label("last_asked")
        stmt = (
            select(
                AnswerGap.folded,
                AnswerGap.kind,
                func.count().label("n"),
                last,
                func.max(AnswerGap.question),
                func.max(AnswerGap.faq_key),
            )
            .group_by(AnswerGap.folded, AnswerGap.kind)
            .order_by(last.desc(), AnswerGap.folded)
            .limit(limit)
        )
        if tenant_id is not None:
            stmt = stmt.where(AnswerGap.tenant_id == tenant_id)
        async with self.db.begin(read_only=True) as conn:
            rows = (await conn.execute(stmt)).all()
        return [
            GapSummary(question, GapKind(kind), int(n), _utc(last_asked), faq_key)
            for _folded, kind, n, last_asked, question, faq_key in rows
        ]

    async def picks(
        self,
        *,
        tenant_id: str | None = None,
        limit: int | None = 50,
        min_count: int = 1,
        unvoted: bool = False,
    ) -> list[PickSummary]:
        """Phrasings picked from suggestions, grouped by entry: the entry picked most recently first,
        and within an entry its phrasings newest first, with counts.

        Args:
            tenant_id: only this tenant's picks (None: every tenant's).
            limit: at most this many phrasings (the most recent ones); None for all.
            min_count: only phrasings picked at least this often.
            unvoted: leave out a pick whose answer the asker then voted "Not helpful" (the same
                question and entry, at or after the pick): the suggestion was not what they meant.
        """
        last = func.max(AnswerPick.created_at).label("last_picked")
        n = func.count().label("n")
        stmt = (
            select(AnswerPick.faq_key, AnswerPick.folded, AnswerPick.language, n, last, func.max(AnswerPick.question))
            .group_by(AnswerPick.faq_key, AnswerPick.folded, AnswerPick.language)
            .order_by(last.desc(), AnswerPick.faq_key, AnswerPick.folded)
        )
        if min_count > 1:
            stmt = stmt.having(func.count() >= min_count)
        if limit is not None:
            stmt = stmt.limit(limit)
        if tenant_id is not None:
            stmt = stmt.where(AnswerPick.tenant_id == tenant_id)
        if unvoted:
            voted_down = exists().where(
                and_(
                    AnswerFeedback.tenant_id == AnswerPick.tenant_id,
                    AnswerFeedback.faq_key == AnswerPick.faq_key,
                    AnswerFeedback.question == AnswerPick.question,
                    AnswerFeedback.helpful.is_(False),
                    AnswerFeedback.created_at >= AnswerPick.created_at,
                )
            )
            stmt = stmt.where(~voted_down)
        async with self.db.begin(read_only=True) as conn:
            rows = (await conn.execute(stmt)).all()
        found = [
            PickSummary(key, question, language, int(count), _utc(when))
            for key, _folded, language, count, when, question in rows
        ]
        # Grouped by entry, entries in the order of their newest pick (rows come newest first).
        order = {key: i for i, key in reversed(list(enumerate(p.faq_key for p in found)))}
        return sorted(found, key=lambda p: order[p.faq_key])

    async def tallies(self, *, tenant_id: str | None = None) -> list[FeedbackTally]:
        """Helpful / not helpful votes per FAQ entry."""
        helpful = func.sum(func.cast(AnswerFeedback.helpful, Integer))
        stmt = select(AnswerFeedback.faq_key, helpful, func.count()).group_by(AnswerFeedback.faq_key)
        if tenant_id is not None:
            stmt = stmt.where(AnswerFeedback.tenant_id == tenant_id)
        async with self.db.begin(read_only=True) as conn:
            rows = (await conn.execute(stmt.order_by(AnswerFeedback.faq_key))).all()
        return [FeedbackTally(key, int(h or 0), int(n) - int(h or 0)) for key, h, n in rows]


async def _add(writer: GroupWriter[dict[str, Any]], row: dict[str, Any]) -> None:
    """Insert one gap or pick row through its group writer.

    A write cut off before its COMMIT (:class:`WriteInterrupted`, ``maybe_written`` False) surely
    stored nothing: it is written again, once. One cut off after its COMMIT started may be stored
    already; these rows have no unique key, so writing it again could count that question twice:
    it is logged as in doubt instead, and not written again.
    """
    try:
        await writer.add(row)
    except WriteInterrupted as exc:
        if exc.maybe_written:
            log.warning(
                "answers row may or may not be stored (its write was cut off during COMMIT); not written again",
                extra={"writer": exc.writer, "tenant": row.get("tenant_id"), "created_at": row.get("created_at")},
            )
            return
        log.info("answers row not stored (its write was cut off); writing it again", extra={"writer": exc.writer})
        await writer.add(row)
