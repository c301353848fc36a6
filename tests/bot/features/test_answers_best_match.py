"""A best match over /api/messages: a question the FAQ is not sure enough to answer, but whose closest entry is
likely and clearly ahead of the next, gets that one entry worded as a guess ("This may be what you are
asking:", the entry's question and its answer in the reader's language) with "Yes, that's it" and "No,
something else". "Yes" keeps the pick and thanks; "No" keeps a "Not helpful" vote and offers the other
closest entries, or a problem report and the Service Desk when none is close. A confident question still
gets the plain answer, an out-of-scope one no best match, and text that reads as a problem report starts
the report without one."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from switchover.answers.model import AnswerKind, Who
from switchover.answers.store import AnswerStore, GapKind
from tests.bot.features.test_answers_learn import _faq_learn
from tests.cards.schema import schema_errors
from tests.support.app import TeamsClient, person

LA = "America/Los_Angeles"
# Near the "email-down" entry ("Will email be down during the cutover?"), but not confidently.
NEAR = "can I still read mail during the weekend of the move"
# Near the "contact" entry (who to call, the Service Desk), asked in Spanish from an English Teams.
NEAR_ES = "¿a quién llamo si algo falla?"
BEST_MATCH_VERBS = {"faq_best_yes", "faq_best_no"}


def _card(replies: list) -> dict[str, Any]:  # type: ignore[type-arg]
    (card,) = [r.card for r in replies if r.card]
    return card


def _said(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def _body(card: dict[str, Any]) -> list[str]:
    return [str(b.get("text", "")) for b in card["body"]]


def _verbs(card: dict[str, Any]) -> list[str]:
    return [a.get("verb") or a["type"] for a in card.get("actions", [])]


def _best_match(card: dict[str, Any], key: str, question: str) -> dict[str, dict[str, Any]]:
    """Check ``card`` is a best match on entry ``key`` for ``question``; its two buttons by verb."""
    assert schema_errors(card) == []
    assert _verbs(card) == ["faq_best_yes", "faq_best_no"]
    buttons = {a["verb"]: a for a in card["actions"]}
    assert all(b["data"] == {"faq_key": key, "question": question} for b in buttons.values())
    return buttons


async def test_a_question_near_an_entry_gets_it_as_a_best_match_and_yes_keeps_the_pick(
    teams: TeamsClient, capsys: pytest.CaptureFixture[str]
) -> None:
    card = _card(await teams.say("nora.abbott", NEAR, time_zone=LA))
    buttons = _best_match(card, "email-down", NEAR)
    entry = next(e for e in teams.app.services.plan.faq if e.key == "email-down")
    assert _body(card)[:3] == ["This may be what you are asking:", entry.question, entry.answer.strip()]
    assert [b["title"] for b in buttons.values()] == ["Yes, that's it", "No, something else"]

    status, body = await teams.invoke_action("nora.abbott", "faq_best_yes", buttons["faq_best_yes"]["data"])
    assert status == 200 and schema_errors(body["value"]) == []
    answered = body["value"]
    assert entry.answer.strip() in _body(answered) and "Thanks, glad it helped." in _body(answered)
    assert "This may be what you are asking:" not in _body(answered)
    assert not {"faq_helpful", "faq_unhelpful", *BEST_MATCH_VERBS} & set(_verbs(answered))
    # Kept like a suggestion picked: this question meant this entry (for `switchover faq learn`).
    store: AnswerStore = teams.app.services.answer_store
    await store.drain()
    (pick,) = await store.picks(tenant_id=teams.tenant_id)
    assert (pick.question, pick.faq_key, pick.language) == (NEAR, "email-down", "en")
    assert await store.gaps(tenant_id=teams.tenant_id) == []
    # `switchover faq learn` offers the phrasing as an alternate: with it, the entry is a confident answer.
    (offer,) = yaml.safe_load(await _faq_learn(teams, capsys, "--customer", "fabrikam"))["faq"]
    assert offer == {"key": "email-down", "alternates": [NEAR]}


async def test_no_something_else_offers_the_other_closest_entries_and_keeps_the_vote(teams: TeamsClient) -> None:
    card = _card(await teams.say("nora.abbott", NEAR, time_zone=LA))
    buttons = _best_match(card, "email-down", NEAR)
    status, body = await teams.invoke_action("nora.abbott", "faq_best_no", buttons["faq_best_no"]["data"])
    assert status == 200 and schema_errors(body["value"]) == []
    others = body["value"]
    assert "These answers may be closer to what you asked:" in _body(others)
    picks = [a for a in others["actions"] if a.get("verb") == "faq_pick"]
    questions = {e.key: e.question for e in teams.app.services.plan.faq}
    assert 1 <= len(picks) <= 3 and "email-down" not in {p["data"]["faq_key"] for p in picks}
    assert all(p["data"]["question"] == NEAR and p["title"] == questions[p["data"]["faq_key"]] for p in picks)
    assert _verbs(others)[-1] == "report_problem" and not BEST_MATCH_VERBS & set(_verbs(others))
    # Kept as a "Not helpful" vote on the entry (and a gap for the lead).
    store: AnswerStore = teams.app.services.answer_store
    (tally,) = await store.tallies(tenant_id=teams.tenant_id)
    assert (tally.faq_key, tally.helpful, tally.unhelpful) == ("email-down", 0, 1)
    (gap,) = await store.gaps(tenant_id=teams.tenant_id)
    assert (gap.kind, gap.faq_key, gap.question) == (GapKind.UNHELPFUL, "email-down", NEAR)

    # A pick from them is answered and kept like any pick.
    status, body = await teams.invoke_action("nora.abbott", "faq_pick", picks[0]["data"])
    assert status == 200 and {"faq_helpful", "faq_unhelpful"} <= set(_verbs(body["value"]))
    await store.drain()
    (pick,) = await store.picks(tenant_id=teams.tenant_id)
    assert (pick.question, pick.faq_key) == (NEAR, picks[0]["data"]["faq_key"])


async def test_no_with_nothing_else_close_offers_a_problem_report_and_the_service_desk(teams: TeamsClient) -> None:
    # A card that carries no question (an older card, or one clipped): no other entry can be ranked.
    status, body = await teams.invoke_action("nora.abbott", "faq_best_no", {"faq_key": "email-down", "question": ""})
    assert status == 200 and schema_errors(body["value"]) == []
    card = body["value"]
    assert _verbs(card) == ["report_problem", "Action.OpenUrl"]
    assert card["actions"][-1]["url"] == "tel:+12065550100"
    assert any("report a problem here, or call the Service Desk" in t for t in _body(card))


async def test_a_spanish_question_gets_its_best_match_in_spanish(teams: TeamsClient) -> None:
    replies = await teams.say("nora.abbott", NEAR_ES, time_zone=LA, locale="en-US")
    card = _card(replies)
    buttons = _best_match(card, "contact", NEAR_ES)
    entry = next(e for e in teams.app.services.plan.faq if e.key == "contact")
    spanish = entry.translations["es"]
    assert _body(card)[:3] == ["Puede que esto sea lo que pregunta:", spanish.question, spanish.answer.strip()]
    assert [b["title"] for b in buttons.values()] == ["Sí, es eso", "No, es otra cosa"]
    assert "This may be what you are asking" not in _said(card) and entry.answer.strip() not in _said(card)

    status, body = await teams.invoke_action("nora.abbott", "faq_best_yes", buttons["faq_best_yes"]["data"])
    assert status == 200 and "Gracias, nos alegra que le haya servido." in _said(body["value"])
    assert spanish.answer.strip() in _body(body["value"])
    store: AnswerStore = teams.app.services.answer_store
    await store.drain()
    (pick,) = await store.picks(tenant_id=teams.tenant_id)
    assert (pick.question, pick.faq_key, pick.language) == (NEAR_ES, "contact", "es")

    status, body = await teams.invoke_action("nora.abbott", "faq_best_no", buttons["faq_best_no"]["data"])
    assert status == 200 and schema_errors(body["value"]) == []
    said = _said(body["value"])
    assert "Reportar un problema" in said or "reportar un problema" in said
    assert "Report a problem" not in said and "These answers may be closer" not in said


async def test_an_out_of_scope_question_gets_no_best_match(teams: TeamsClient) -> None:
    for question in ("can you order lunch", "who won the game last night"):
        card = _card(await teams.say("nora.abbott", question, time_zone=LA))
        assert not BEST_MATCH_VERBS & set(_verbs(card)), question
        assert "This may be what you are asking" not in _said(card), question


async def test_a_confident_question_still_gets_the_plain_answer(teams: TeamsClient) -> None:
    card = _card(await teams.say("nora.abbott", "will i lose my emails", time_zone=LA))
    assert {"faq_helpful", "faq_unhelpful"} <= set(_verbs(card)) and not BEST_MATCH_VERBS & set(_verbs(card))
    assert "This may be what you are asking" not in _said(card)
    assert any("All mail, calendar items and contacts are copied" in t for t in _body(card))


async def test_text_that_reads_as_a_problem_report_starts_the_report_without_a_best_match(teams: TeamsClient) -> None:
    # The engine alone would offer the email-down entry as a best match; as a report, no guess comes first.
    text = "cant read mail during the weekend of the move, its broken"
    alone = await teams.app.services.answers.answer(text, Who(upn=person("nora.abbott").upn, time_zone=LA))
    assert alone.kind is AnswerKind.BEST_MATCH and alone.faq is not None and alone.faq.key == "email-down"
    replies = await teams.say("nora.abbott", text, time_zone=LA)
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 1 and "problem_dialog" in json.dumps(cards[0])
    assert "This may be what you are asking" not in _said(cards[0])
    assert not BEST_MATCH_VERBS & set(_verbs(cards[0]))
