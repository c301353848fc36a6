"""In a group chat or a channel a report draft is its author's: nobody else answers its questions or submits it.

Over real HTTP (both test modes): two people in one group chat, each press the other's cards.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.features.problems import DRAFT_NOT_FOUND
from tests.bot.features.problems.conftest import executes, inputs
from tests.support.app import Person, TeamsClient, person

GROUP = "19:move-questions-0b6f@thread.v2"
CHANNEL_THREAD = "19:fabrikam-it-service-desk@thread.tacv2;messageid=1759881511856"


async def _say(teams: TeamsClient, who: Person, text: str, conversation: str, kind: str) -> dict[str, Any]:
    before = len(teams.connector.received)
    resp = await teams.post(teams.activity(who, text=text, conversation_id=conversation, conversation_type=kind))
    assert resp.status == 202
    cards = [r.card for r in teams.connector.received[before:] if r.card]
    assert cards, "the bot sent no card"
    return cards[-1]


async def _press(
    teams: TeamsClient, who: Person, verb: str, data: dict[str, Any], conversation: str, kind: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Press a button as ``who``; returns (the invoke response body, the card the bot then sent, if any)."""
    before = len(teams.connector.received)
    activity = teams.activity(
        who,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
        conversation_id=conversation,
        conversation_type=kind,
    )
    headers = {"Content-Type": "application/json", **teams.auth_headers()}
    async with teams.session.post(f"{teams.app.url}/api/messages", json=activity, headers=headers) as resp:
        assert resp.status == 200
        body = await resp.json()
    sent = [r.card for r in teams.connector.received[before:] if r.card]
    return body, (sent[-1] if sent else None)


def _text(card: dict[str, Any]) -> str:
    return " ".join(str(b.get("text", "")) for b in card.get("body", []))


async def _reports(teams: TeamsClient) -> list[tuple[str, str]]:
    async with teams.app.services.db.begin(read_only=True) as conn:
        rows = await conn.execute(sa.text("SELECT reporter_id, text FROM problem_reports"))
        return [tuple(r) for r in rows.all()]


async def _draft_to_confirmation(
    teams: TeamsClient, author: Person, other: Person, conversation: str, kind: str
) -> dict[str, Any]:
    """``author`` reports; ``other`` presses each question first (refused), then the author answers."""
    card = await _say(teams, author, "report a problem Outlook is acting up since this morning", conversation, kind)
    for _ in range(3):
        actions = dict(executes(card))
        if "problem_submit" in actions:
            return card
        verb, data = executes(card)[0]
        assert data["by"] == author.aad_object_id  # the card names its author
        body, _ = await _press(teams, other, verb, data, conversation, kind)
        assert "someone else's draft" in _text(body["value"])
        body, card = await _press(teams, author, verb, data, conversation, kind)
        assert "someone else's draft" not in _text(body["value"])
        assert card is not None
    raise AssertionError("the dialog never reached the confirmation card")


async def test_someone_else_cannot_submit_another_persons_draft_in_a_group_chat(teams: TeamsClient) -> None:
    author, other = person("vanessa.fox"), person("wesley.grant")
    confirm = await _draft_to_confirmation(teams, author, other, GROUP, "groupChat")
    submit = {**dict(executes(confirm))["problem_submit"], **inputs(confirm)}

    body, _ = await _press(teams, other, "problem_submit", submit, GROUP, "groupChat")
    assert DRAFT_NOT_FOUND in _text(body["value"])  # the draft on the server is the author's
    assert await _reports(teams) == []

    body, _ = await _press(teams, author, "problem_submit", submit, GROUP, "groupChat")
    assert "Submitted" in _text(body["value"])
    assert [reporter for reporter, _ in await _reports(teams)] == [author.aad_object_id]


async def test_report_dialog_state_in_a_group_chat_is_keyed_per_person(teams: TeamsClient) -> None:
    author, other = person("vanessa.fox"), person("wesley.grant")
    card = await _say(teams, author, "report a problem Outlook is acting up", GROUP, "groupChat")
    verb, data = executes(card)[0]
    # A card from before drafts named their author (no "by"): the presser's own report is looked
    # for, and they have none, so the author's draft is not carried on by them.
    body, _ = await _press(teams, other, verb, {k: v for k, v in data.items() if k != "by"}, GROUP, "groupChat")
    assert "expired" in _text(body["value"])
    body, next_card = await _press(teams, author, verb, data, GROUP, "groupChat")
    assert "expired" not in _text(body["value"]) and next_card is not None  # the author's draft went on
    async with teams.app.services.db.begin(read_only=True) as conn:
        keys = (await conn.execute(sa.text("SELECT key FROM bot_state"))).scalars().all()
    assert keys == [f"msteams/conversations/{GROUP}/users/{author.teams_id}"]


async def test_someone_else_cannot_submit_another_persons_draft_in_a_channel_thread(teams: TeamsClient) -> None:
    author, other = person("vanessa.fox"), person("wesley.grant")
    confirm = await _draft_to_confirmation(teams, author, other, CHANNEL_THREAD, "channel")
    submit = {**dict(executes(confirm))["problem_submit"], **inputs(confirm)}
    body, _ = await _press(teams, other, "problem_submit", submit, CHANNEL_THREAD, "channel")
    assert DRAFT_NOT_FOUND in _text(body["value"])
    assert await _reports(teams) == []


async def test_a_personal_chat_keeps_its_draft_under_the_conversation(teams: TeamsClient) -> None:
    author = person("vanessa.fox")
    await _say(teams, author, "report a problem Outlook is acting up", author.personal_conversation, "personal")
    async with teams.app.services.db.begin(read_only=True) as conn:
        keys = (await conn.execute(sa.text("SELECT key FROM bot_state"))).scalars().all()
    assert keys == [f"msteams/conversations/{author.personal_conversation}"]  # as before: drafts in progress carry on
