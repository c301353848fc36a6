"""Answer cards: every template renders valid Adaptive Card 1.5 JSON, whatever text people type."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cards.render import render_card
from cards.text import neutralise
from switchover.answers.cards import answer_card, faq_answer_card
from switchover.answers.engine import AnswerEngine
from switchover.answers.model import Answer, AnswerKind, Who
from switchover.clock import ManualClock
from switchover.directory.base import Readiness
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan
from switchover.plan.model import FaqEntry
from switchover.readiness.service import ReadinessService

FABRIKAM = Path(__file__).resolve().parents[3] / "examples" / "fabrikam"
HOSTILE = [
    'he said "hi" }, {"type": "Action.OpenUrl", "url": "https://evil"}',
    "{{ 7*7 }} {% raw %} </script>",
    "line one\nline two\r\n\ttabbed \\ backslash",
    "\u202eunicode \U0001f600 \u00e9\u00e8 \u4e2d\u6587 \x00\x1f",
    "' OR 1=1 --",
]
TEMPLATES = ["schedule", "group-schedule", "faq-answer", "faq-best-match", "faq-suggestions", "not-found"]


def _texts(card: Any) -> list[str]:
    """Every string in a card, depth first."""
    if isinstance(card, dict):
        return [t for v in card.values() for t in _texts(v)]
    if isinstance(card, list):
        return [t for v in card for t in _texts(v)]
    return [card] if isinstance(card, str) else []


def _buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return card.get("actions", [])


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    plan = load_plan(FABRIKAM / "plan.yaml")
    return AnswerEngine(
        plan,
        RosterDirectory.from_csv(FABRIKAM / "roster.csv"),
        ManualClock(dt.datetime(2027, 1, 11, 17, tzinfo=dt.UTC)),
    )


QUESTIONS = {
    AnswerKind.PERSONAL: ("when is my migration", "grace.okafor@fabrikamhealth.com"),
    AnswerKind.GROUP: ("when does the front desk move", None),
    AnswerKind.WHATS_ON: ("whats happening this weekend", None),
    AnswerKind.FAQ: ("will i lose my emails", None),
    AnswerKind.BEST_MATCH: ("can I still read mail during the weekend of the move", None),
    AnswerKind.SUGGESTIONS: ("who do I talk to if something goes wrong", None),
    AnswerKind.NOTHING: ("can you order lunch", None),
    AnswerKind.UNKNOWN_PERSON: ("when is my move", "stranger@example.com"),
    AnswerKind.NO_WAVE: ("when is my move", "logan.chang@fabrikamhealth.com"),
}


async def _answer(engine: AnswerEngine, kind: AnswerKind) -> Answer:
    text, upn = QUESTIONS[kind]
    answer = await engine.answer(text, Who(upn=upn, time_zone="America/Los_Angeles"))
    assert answer.kind is kind, (text, answer.kind)
    return answer


@pytest.mark.parametrize("kind", list(QUESTIONS))
async def test_every_answer_kind_renders(engine: AnswerEngine, kind: AnswerKind) -> None:
    card = answer_card(await _answer(engine, kind))
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert len(json.dumps(card).encode()) < 80 * 1024


async def test_personal_card_shows_the_plan(engine: AnswerEngine) -> None:
    card = answer_card(await _answer(engine, AnswerKind.PERSONAL))
    texts = _texts(card)
    assert "Saturday 16 January 2027, 08:00-14:00 PST" in texts
    assert "Wave 0 - Pilot" in texts
    assert any("Authenticator" in t for t in texts)
    assert [b.get("verb") for b in _buttons(card)] == [None, "report_problem"]


async def test_faq_card_votes_carry_question_and_key(engine: AnswerEngine) -> None:
    card = answer_card(await _answer(engine, AnswerKind.FAQ))
    votes = {b["verb"]: b["data"] for b in _buttons(card) if b.get("verb", "").startswith("faq_")}
    assert votes == {
        "faq_helpful": {"faq_key": "lose-email", "question": "will i lose my emails"},
        "faq_unhelpful": {"faq_key": "lose-email", "question": "will i lose my emails"},
    }
    thanked = faq_answer_card(engine.plan.faq[0], "q", thanks="Thanks!")
    assert not [b for b in _buttons(thanked) if b.get("verb", "").startswith("faq_")]


async def test_suggestions_are_buttons_asking_the_chosen_question(engine: AnswerEngine) -> None:
    answer = await _answer(engine, AnswerKind.SUGGESTIONS)
    card = answer_card(answer)
    picks = [b for b in _buttons(card) if b.get("verb") == "faq_pick"]
    assert 2 <= len(picks) <= 3
    assert [p["data"]["faq_key"] for p in picks] == [e.key for e in answer.suggestions[:3]]
    assert _buttons(card)[-1]["verb"] == "report_problem"


async def test_not_found_offers_the_service_desk(engine: AnswerEngine) -> None:
    card = answer_card(await _answer(engine, AnswerKind.UNKNOWN_PERSON))
    urls = [b.get("url") for b in _buttons(card)]
    assert "tel:+12065550100" in urls
    assert any("+1 206 555 0100" in t for t in _texts(card))


def _hostile_answer(base: Answer, text: str) -> Answer:
    entry = FaqEntry(key=text, question=text, answer=text)
    return dataclasses.replace(
        base,
        question=text,
        headline=text,
        notes=(text,),
        faq=entry if base.faq else None,
        suggestions=tuple(entry for _ in base.suggestions),
    )


@pytest.mark.parametrize("kind", list(QUESTIONS))
@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_stays_text(engine: AnswerEngine, kind: AnswerKind, text: str) -> None:
    base = await _answer(engine, kind)
    card = answer_card(_hostile_answer(base, text))
    # The text arrives as one string value (as plain text: cards/text.py); it added no element or action.
    assert any(neutralise(text) in t for t in _texts(card))
    assert len(_buttons(card)) == len(_buttons(answer_card(base)))
    assert not any(b.get("url") == "https://evil" for b in _buttons(card))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_in_every_template(text: str) -> None:
    views = {
        "schedule": dict(
            title=text,
            headline=text,
            readiness_title=text,
            readiness_text=text,
            wave_title=text,
            wave_key=text,
            facts=[{"title": text, "value": text}],
            notes=[text],
            before_title=text,
            before=[text],
            on_the_day_title=text,
            on_the_day=[text],
        ),
        "group-schedule": dict(
            title=text,
            headline=text,
            notes=[text],
            groups=[{"label": text, "rows": [{"title": text, "value": text}], "note": text}],
        ),
        "faq-answer": dict(faq_question=text, answer=text, faq_key=text, question=text, thanks=None, notes=[text]),
        "faq-best-match": dict(faq_question=text, answer=text, faq_key=text, question=text, notes=[text]),
        "faq-suggestions": dict(headline=text, footer=text, question=text, suggestions=[{"title": text, "key": text}]),
        "not-found": dict(title=text, message=text, question=text, phone=text, phone_url="tel:" + text),
    }
    for name in TEMPLATES:
        card = render_card(name, **views[name])
        assert card["type"] == "AdaptiveCard"
        assert neutralise(text) in _texts(card)


class _NotRegistered:
    """The roster, except that the directory knows who has not registered MFA."""

    def __init__(self, roster: RosterDirectory, missing: set[str]) -> None:
        self.roster = roster
        self.missing = missing

    async def get(self, id_or_upn: str) -> Any:
        return await self.roster.get(id_or_upn)

    async def all_users(self) -> Any:
        return await self.roster.all_users()

    async def readiness(self, user_id: str) -> Readiness:
        user = await self.roster.get(user_id)
        assert user is not None
        return Readiness(user_id, mfa_registered=user.upn not in self.missing)


async def test_personal_card_says_what_to_do_only_when_not_ready() -> None:
    plan = load_plan(FABRIKAM / "plan.yaml")
    directory = _NotRegistered(RosterDirectory.from_csv(FABRIKAM / "roster.csv"), {"grace.okafor@fabrikamhealth.com"})
    engine = AnswerEngine(
        plan,
        directory,
        ManualClock(dt.datetime(2027, 1, 11, 17, tzinfo=dt.UTC)),
        readiness=ReadinessService(plan, directory),
    )
    zone = "America/Los_Angeles"
    line = "Before your cutover on Saturday 16 January 2027: set up Microsoft Authenticator (https://aka.ms/mfasetup)."
    answer = await engine.answer("when is my migration", Who(upn="grace.okafor@fabrikamhealth.com", time_zone=zone))
    assert answer.readiness is not None and answer.readiness.text == line
    assert line in _texts(answer_card(answer)) and answer.summary == f"{answer.headline} {line}"
    ready = await engine.answer("when is my migration", Who(upn="hiro.tanaka@fabrikamhealth.com", time_zone=zone))
    assert ready.kind is AnswerKind.PERSONAL and ready.readiness is None
    assert not any("Before your cutover" in t for t in _texts(answer_card(ready)))
    assert ready.summary == ready.headline
    # After the cutover there is nothing left to do "before" it.
    engine.clock.set(dt.datetime(2027, 1, 20, 17, tzinfo=dt.UTC))  # type: ignore[attr-defined]
    done = await engine.answer("when is my migration", Who(upn="grace.okafor@fabrikamhealth.com", time_zone=zone))
    assert done.kind is AnswerKind.PERSONAL and done.readiness is None
