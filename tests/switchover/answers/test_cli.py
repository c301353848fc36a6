"""The ``switchover faq gaps`` and ``switchover answers`` commands."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from switchover.answers.store import AnswerStore, GapKind
from switchover.cli import main
from switchover.settings import async_database_url
from switchover.storage import Database


def test_faq_gaps_lists_questions_with_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'gaps.db'}"

    async def seed() -> None:
        db = Database(async_database_url(url))
        await db.migrate()
        store = AnswerStore(db)
        at = dt.datetime(2027, 1, 18, 9, 0, tzinfo=dt.UTC)
        await store.record_gap("t", "can you order lunch", GapKind.UNANSWERED, at)
        await store.record_gap("t", "Can you order lunch?", GapKind.UNANSWERED, at + dt.timedelta(minutes=1))
        await store.record_feedback("t", "where did my h drive go", "h-drive", False, at + dt.timedelta(minutes=2))
        await db.dispose()

    asyncio.run(seed())
    assert main(["faq", "gaps", "--database-url", url]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "lunch" in line or "h drive" in line]
    # Newest first: the unhelpful vote came last.
    assert "unhelpful" in lines[0] and "h-drive" in lines[0]
    assert lines[1].split()[0] == "2" and "unanswered" in lines[1]
    assert "h-drive" in out.split("Votes per FAQ entry")[1]


def test_answers_ask_shows_the_reading(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["answers", "ask", "when is my cutover", "--as", "wesley.grant@fabrikamhealth.com"]
    assert main([*argv, "--tz", "America/Boise", "--now", "2027-01-25T09:00-08:00"]) == 0
    out = capsys.readouterr().out
    assert "my_schedule" in out and "08:00-16:00 MST" in out and "in 5 days" in out
