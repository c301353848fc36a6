"""Free text over /api/messages: questions get answers, reports of something broken start a report."""

from __future__ import annotations

from tests.support.app import TeamsClient


def _card_text(replies) -> str:
    cards = [r for r in replies if r.card]
    assert cards, [r.text for r in replies]
    return " ".join(r.card_text() for r in cards)


REPORTING = {"problem_submit", "problem_dialog"}


def _verbs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["verb"]} if isinstance(node.get("verb"), str) else set()
        return found.union(*(_verbs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_verbs(v) for v in node))
    return set()


async def test_a_broken_thing_in_one_message_starts_a_report(teams: TeamsClient) -> None:
    replies = await teams.say("nora.abbott", "the printer in tacoma is not working")
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 1
    assert _verbs(cards[0]) == {"problem_dialog"}  # the report flow asks what it could not tell: who else is hit


async def test_a_question_gets_the_faq_answer(teams: TeamsClient) -> None:
    text = _card_text(await teams.say("nora.abbott", "will i loose my emails"))
    assert "All mail, calendar items and contacts are copied before cutover" in text


async def test_a_problem_the_faq_answers_gets_the_answer_first_then_the_report(teams: TeamsClient) -> None:
    replies = await teams.say("nora.abbott", "my H drive files are missing")
    cards = [r.card for r in replies if r.card]
    assert len(cards) == 2
    assert "Documents - Migrated H drive" in " ".join(r.card_text() for r in replies if r.card)
    assert not _verbs(cards[0]) & REPORTING and _verbs(cards[1]) == {"problem_dialog"}
