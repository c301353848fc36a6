"""The pooled Bot Connector path: one client per service URL, retries as msrest did, library shape pinned."""

from __future__ import annotations

import copy

import msrest.universal_http.requests as msrest_requests
import pytest

from bot.connector import ConnectorPool, check_library_shape
from bot.turn import card_reply
from tests.support.app import TeamsClient


def test_botbuilder_internals_we_rely_on_are_still_there() -> None:
    # If botframework-connector renames what PooledConnectorFactory reads, this fails
    # before anything silently falls back to a client per turn.
    check_library_shape()


async def test_turns_reuse_one_client_and_never_build_msrest_clients(
    teams: TeamsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = []
    original = msrest_requests.ClientRetryPolicy.__init__

    def counting_init(self: object) -> None:
        built.append(1)
        original(self)

    monkeypatch.setattr(msrest_requests.ClientRetryPolicy, "__init__", counting_init)
    await teams.say("vanessa.fox", "help")  # the first turn may build the (cached) OAuth token client
    built.clear()
    for _ in range(5):
        assert (await teams.say("vanessa.fox", "help"))[0].card is not None
    from app import POOL

    pool: ConnectorPool = teams.app.app[POOL]
    assert len(pool._clients) == 1
    assert built == []  # no msrest ConnectorClient (and its 999x500 scan) per turn


@pytest.mark.parametrize(("status", "retry_after"), [(503, None), (502, None), (429, 0.05), (412, 0.05)])
async def test_a_reply_is_retried_after_a_transient_failure(teams: TeamsClient, status: int, retry_after) -> None:
    teams.connector.fail(status, "Transient", retry_after=retry_after, ops=("reply",))
    replies = await teams.say("vanessa.fox", "help")
    assert [r.op for r in replies] == ["reply"]  # the second attempt got through
    assert teams.connector.stats.calls == 2


async def test_a_reply_is_not_retried_after_a_client_error(teams: TeamsClient) -> None:
    teams.connector.fail(400, "BadArgument", ops=("reply",))
    replies = await teams.say("vanessa.fox", "help")
    # The card was refused once (no retry); the user is told something went wrong instead of silence.
    assert teams.connector.stats.calls == 2
    assert len(replies) == 1 and "something went wrong" in replies[0].text


def test_reply_activities_copy_shallowly_but_independently() -> None:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    reply = card_reply(card, "s")
    clone = copy.deepcopy(reply)
    clone.conversation = "changed"
    assert reply.conversation is None
    assert clone.attachments[0].content is card
