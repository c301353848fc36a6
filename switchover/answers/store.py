"""What people thought of the answers, and the questions we could not answer (so the FAQ can grow).

Two tables (revision ``0002_answers``):

- ``answers_feedback``: one row per "Helpful" / "Not helpful" click on an FAQ answer;
- ``answers_gaps``: one row per question that got no confident answer
  (``unanswered``: nothing close; ``unclear``: only suggestions) or whose answer
  was voted not helpful (``unhelpful``).

Project leads list the gaps with ``switchover faq gaps``: grouped by the
question's folded text, with counts, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Table, Text, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Mapped, mapped_column

from switchover.answers.text import fold
from switchover.storage.base import Base, TenantMixin, UtcDateTime
from switchover.storage.batch import GroupWriter
from switchover.storage.db import Database

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


_feedback = cast(Table, AnswerFeedback.__table__)
_gaps = cast(Table, AnswerGap.__table__)


async def _insert_gaps(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    await conn.execute(insert(_gaps), list(rows))


@dataclass(frozen=True, slots=True)
class GapSummary:
    """One distinct gap question, with how often and how recently it came up."""

    question: str
    kind: GapKind
    count: int
    last_asked: dt.datetime
    faq_key: str | None


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
        await self._gaps.add(
            {
                "tenant_id": tenant_id,
                "kind": kind.value,
                "question": question,
                "folded": folded,
                "faq_key": faq_key,
                "asker_id": asker_id,
                "created_at": at,
            }
        )

    async def drain(self) -> None:
        """Wait for gap rows still being committed (at shutdown)."""
        await self._gaps.drain()

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
        out = []
        for _folded, kind, n, last_asked, question, faq_key in rows:
            when = last_asked if isinstance(last_asked, dt.datetime) else dt.datetime.fromisoformat(str(last_asked))
            if when.tzinfo is None:  # SQLite returns the aggregate as naive UTC text
                when = when.replace(tzinfo=dt.UTC)
            out.append(GapSummary(question, GapKind(kind), int(n), when.astimezone(dt.UTC), faq_key))
        return out

    async def tallies(self, *, tenant_id: str | None = None) -> list[FeedbackTally]:
        """Helpful / not helpful votes per FAQ entry."""
        helpful = func.sum(func.cast(AnswerFeedback.helpful, Integer))
        stmt = select(AnswerFeedback.faq_key, helpful, func.count()).group_by(AnswerFeedback.faq_key)
        if tenant_id is not None:
            stmt = stmt.where(AnswerFeedback.tenant_id == tenant_id)
        async with self.db.begin(read_only=True) as conn:
            rows = (await conn.execute(stmt.order_by(AnswerFeedback.faq_key))).all()
        return [FeedbackTally(key, int(h or 0), int(n) - int(h or 0)) for key, h, n in rows]
