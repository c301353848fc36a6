"""An activity whose fields have the wrong JSON type is refused at the door (400 naming the field), not mid-turn.

Each case below crashed a turn (a traceback and a 5xx) before the shape check: found by the
malformed-activity fuzz test (tests/bot/test_activity_fuzz.py).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.inbound import check_shape
from tests.support.app import TeamsClient, person

WHO = person("omar.reyes")

FOUND: list[tuple[str, dict[str, Any], str]] = [
    # "unknown conversation kind 9223372036854775808" (the conversation store)
    ("conversation-kind-a-number", {"conversation": {"conversationType": 2**63}}, "conversation.conversationType"),
    ("conversation-kind-unknown", {"conversation": {"conversationType": "meeting-room"}}, "conversationType"),
    # sqlite3.ProgrammingError: type 'list' is not supported (a name or id stored as it came)
    ("from-name-a-list", {"from": {"name": ["Omar"]}}, "activity.from.name"),
    ("recipient-id-an-object", {"recipient": {"id": {"x": 1}}}, "activity.recipient.id"),
    ("time-zone-a-list", {"localTimezone": ["Europe/Paris"]}, "activity.localTimezone"),
    # msrest DeserializationError on channelData (messageDelete, messageUpdate, conversationUpdate)
    ("channel-data-team-a-list", {"type": "messageDelete", "channelData": {"team": [1]}}, "channelData.team"),
    ("channel-data-a-list", {"type": "conversationUpdate", "channelData": [{"team": {}}]}, "activity.channelData"),
    ("members-added-strings", {"type": "conversationUpdate", "membersAdded": ["28:bot"]}, "membersAdded.0"),
    ("attachments-an-object", {"attachments": {"contentType": "image/png"}}, "activity.attachments"),
    # psycopg/asyncpg: "A string literal cannot contain NUL (0x00) characters" (a question or name stored)
    ("text-with-nul", {"text": "when is my\x00 migration"}, "activity.text: Value error, must not contain NUL"),
    ("from-name-with-nul", {"from": {"name": "Omar\x00"}}, "activity.from.name"),
]


@pytest.mark.parametrize(("case", "change", "field"), FOUND, ids=[c for c, _, _ in FOUND])
async def test_an_activity_field_of_the_wrong_type_gets_400_naming_it_not_a_crash(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture, case: str, change: dict[str, Any], field: str
) -> None:
    activity = teams.activity(WHO, text="hello")
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(activity.get(key), dict):
            activity[key] = {**activity[key], **value}
        else:
            activity[key] = value
    async with teams.session.post(
        f"{teams.app.url}/api/messages",
        json=activity,
        headers={"Content-Type": "application/json", **teams.auth_headers()},
    ) as resp:
        assert resp.status == 400
        assert field in (await resp.json())["error"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_an_activity_as_teams_sends_it_passes_and_unknown_fields_are_left_alone(teams: TeamsClient) -> None:
    activity = teams.activity(WHO, text="hello", entities=[{"type": "clientInfo", "locale": "en-US"}])
    activity["channelData"]["settings"] = {"selectedChannel": {"id": "19:x"}}
    activity["somethingNew"] = {"any": ["shape"]}
    assert check_shape(activity) is None


def test_every_wrong_field_is_named_up_to_five() -> None:
    payload = {"type": 1, "from": {"id": 2, "name": 3}, "conversation": {"id": 4, "tenantId": 5}, "text": 6}
    said = check_shape(payload)
    assert said is not None and said.count("activity.") == 5 and said.endswith("and 1 more")
