"""The FAQ learns from the people who use it, end to end over /api/messages on a customer other than
the demo: a question gets suggestions, the asker picks one, ``switchover faq learn`` offers their
phrasing for that entry, and once the plan has it as an alternate (applied the way a plan change
reaches the running app) the same question is answered directly."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from switchover.answers.store import AnswerStore
from switchover.cli import build_parser
from switchover.plan_apply import apply_plan_text
from switchover.storage import Database
from tests.support.app import EXAMPLES, TeamsClient, customer_app, person

OLIVER = person("oliver.bramwell@treyresearch.net", "trey")  # London: the UK wave
LONDON = "Europe/London"
QUESTION = "where will my drive stuff end up"


@pytest.fixture
def clock_start() -> dt.datetime:
    return dt.datetime(2027, 2, 1, 8, 30, tzinfo=dt.UTC)  # before every wave


@pytest.fixture
async def trey(tmp_path, clock, identity, connector) -> AsyncIterator[TeamsClient]:  # type: ignore[no-untyped-def]
    async with customer_app("trey", tmp_path, clock, identity, connector) as client:
        yield client


def _card(replies: list) -> dict:  # type: ignore[type-arg]
    (card,) = [r.card for r in replies if r.card]
    return card


def _said(card: dict) -> str:  # type: ignore[type-arg]
    return " ".join(str(b.get("text", "")) for b in card["body"])


async def _faq_learn(teams: TeamsClient, capsys: pytest.CaptureFixture[str], *plan: str) -> str:
    """``switchover faq learn`` on the app's database and a plan file (the customer's), as the lead runs it."""
    args = build_parser().parse_args(
        ["faq", "learn", *(plan or ("--customer", "trey")), "--database-url", teams.app.settings.database_url]
    )
    capsys.readouterr()
    assert await args.func(args) == 0
    return capsys.readouterr().out


def _with_alternate(plan_text: str, line: int, phrasing: str) -> str:
    """The plan with ``phrasing`` added under the alternates of the entry at ``line`` (1-based)."""
    lines = plan_text.splitlines(keepends=True)
    at = next(i for i in range(line, len(lines)) if lines[i].strip() == "alternates:")
    indent = re.match(r"\s*", lines[at + 1]).group(0)  # type: ignore[union-attr]
    lines.insert(at + 1, f'{indent}- "{phrasing}"\n')
    return "".join(lines)


async def test_a_picked_suggestion_becomes_an_alternate_and_then_a_direct_answer(
    trey: TeamsClient, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    await trey.install(OLIVER)
    card = _card(await trey.say(OLIVER, QUESTION, time_zone=LONDON))
    picks = {a["data"]["faq_key"]: a for a in card["actions"] if a.get("verb") == "faq_pick"}
    assert "my-drive" in picks and len(picks) > 1  # unsure: suggestions, the right entry among them

    status, body = await trey.invoke_action(OLIVER, "faq_pick", picks["my-drive"]["data"])
    assert status == 200 and "Migrated from Google Drive" in str(body["value"])
    store: AnswerStore = trey.app.services.answer_store
    await store.drain()
    (pick,) = await store.picks(tenant_id=trey.tenant_id)
    assert (pick.question, pick.faq_key, pick.language, pick.count) == (QUESTION, "my-drive", "en", 1)

    out = await _faq_learn(trey, capsys)
    (entry,) = yaml.safe_load(out)["faq"]
    assert entry == {"key": "my-drive", "alternates": [QUESTION]}
    line = int(re.search(r"# my-drive: plan.yaml line (\d+)", out).group(1))  # type: ignore[union-attr]

    # The lead pastes it into the plan and applies it (switchover plan apply), as any plan change.
    edited = tmp_path / "edited" / "plan.yaml"
    edited.parent.mkdir()
    edited.write_text(_with_alternate((EXAMPLES / "trey" / "plan.yaml").read_text(encoding="utf-8"), line, QUESTION))
    db = Database(trey.app.settings.async_database_url)
    try:
        applied = await apply_plan_text(
            db, edited.read_text(encoding="utf-8"), name="plan.yaml", by="lead", clock=trey.app.clock
        )
    finally:
        await db.dispose()
    assert applied.applied.revision is not None
    trey.app.clock.advance(dt.timedelta(seconds=6))  # the running app's version check comes round

    answered = _card(await trey.say(OLIVER, QUESTION, time_zone=LONDON))
    assert "Migrated from Google Drive" in _said(answered)
    assert not any(a.get("verb") == "faq_pick" for a in answered["actions"])
    assert any(a.get("verb") == "faq_helpful" and a["data"]["faq_key"] == "my-drive" for a in answered["actions"])
    # And on the edited plan the lead is offered nothing more for it.
    roster = str(EXAMPLES / "trey" / "roster.csv")
    again = await _faq_learn(trey, capsys, "--plan", str(edited), "--roster", roster)
    assert "Nothing to add" in again and "1 already among the entry's phrasings" in again


async def test_the_answer_to_a_pick_does_not_wait_for_the_pick_to_be_stored(
    trey: TeamsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await trey.install(OLIVER)
    card = _card(await trey.say(OLIVER, QUESTION, time_zone=LONDON))
    pick = next(a for a in card["actions"] if a.get("verb") == "faq_pick" and a["data"]["faq_key"] == "my-drive")
    store: AnswerStore = trey.app.services.answer_store
    written = asyncio.Event()
    stored: list[tuple[str, str]] = []

    async def slow_database(tenant_id: str, question: str, faq_key: str, *args: object, **kw: object) -> None:
        await written.wait()  # the database is stuck
        stored.append((question, faq_key))

    monkeypatch.setattr(store, "record_pick", slow_database)
    status, body = await asyncio.wait_for(trey.invoke_action(OLIVER, "faq_pick", pick["data"]), timeout=10)
    assert status == 200 and "Migrated from Google Drive" in str(body["value"])
    assert stored == []  # answered while the pick was still being written
    written.set()
    await store.drain()
    assert stored == [(QUESTION, "my-drive")]
