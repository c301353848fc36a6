"""scripts/playground_relay.py: the Playground's activities reach the bot in the persona's language."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from switchover.settings import REPO_ROOT


def load_relay() -> ModuleType:
    path = REPO_ROOT / "scripts" / "playground_relay.py"
    spec = importlib.util.spec_from_file_location("playground_relay", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("playground_relay", module)
    spec.loader.exec_module(module)
    return module


relay = load_relay()

# What the Playground 0.2.x sends for a message typed into the personal chat (trimmed).
PLAYGROUND_MESSAGE: dict[str, Any] = {
    "type": "message",
    "text": "¿cuándo es mi migración?",
    "locale": "en-US",
    "localTimezone": "America/Los_Angeles",
    "serviceUrl": "http://127.0.0.1:56150",
    "entities": [
        {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web", "timezone": "America/Denver"},
        {"type": "mention", "text": "<at>Switchover</at>"},
    ],
}


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def bot_and_relay() -> AsyncIterator[tuple[list[tuple[bytes, dict[str, str]]], str]]:
    """A bot that records what it receives and answers like an invoke, behind the relay in es-US."""
    received: list[tuple[bytes, dict[str, str]]] = []

    async def messages(request: web.Request) -> web.Response:
        received.append((await request.read(), dict(request.headers)))
        return web.json_response({"statusCode": 200, "value": {"ok": True}}, status=200)

    bot = web.Application()
    bot.router.add_post("/api/messages", messages)
    bot_runner, bot_url = await _serve(bot)
    relay_runner, relay_url = await _serve(relay.create_app(f"{bot_url}/api/messages", "es-US"))
    try:
        yield received, relay_url
    finally:
        await relay_runner.cleanup()
        await bot_runner.cleanup()


async def test_the_bot_receives_the_activity_in_the_personas_language(bot_and_relay) -> None:  # type: ignore[no-untyped-def]
    received, relay_url = bot_and_relay
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{relay_url}/api/messages", json=PLAYGROUND_MESSAGE, headers={"Authorization": "Bearer x"}
        ) as answer:
            assert answer.status == 200
            assert await answer.json() == {"statusCode": 200, "value": {"ok": True}}  # an invoke's answer, as it was
    [(body, headers)] = received
    activity = json.loads(body)
    assert activity["locale"] == "es-US"
    assert activity["entities"][0]["locale"] == "es-US"
    # Everything else as the Playground sent it: the text, the zone, where to reply, other entities.
    assert {k: v for k, v in activity.items() if k not in {"locale", "entities"}} == {
        k: v for k, v in PLAYGROUND_MESSAGE.items() if k not in {"locale", "entities"}
    }
    assert activity["entities"][1] == PLAYGROUND_MESSAGE["entities"][1]
    assert {k: v for k, v in activity["entities"][0].items() if k != "locale"} == {
        k: v for k, v in PLAYGROUND_MESSAGE["entities"][0].items() if k != "locale"
    }
    assert headers["Authorization"] == "Bearer x"


async def test_what_is_not_an_activity_passes_as_it_is(bot_and_relay) -> None:  # type: ignore[no-untyped-def]
    received, relay_url = bot_and_relay
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{relay_url}/api/messages", data=b"not json") as answer:
            assert answer.status == 200
        async with session.post(f"{relay_url}/api/messages", json=[1, 2]) as answer:
            assert answer.status == 200
    assert [body for body, _ in received] == [b"not json", b"[1, 2]"]


@pytest.mark.parametrize("tag", ["es US", "$(id)", ""])
def test_the_relay_refuses_what_is_not_a_language_tag(tag: str) -> None:
    with pytest.raises(ValueError, match="not a language tag"):
        relay.create_app("http://127.0.0.1:1/api/messages", tag)


async def test_a_bot_that_does_not_answer_is_a_bad_gateway() -> None:
    runner, relay_url = await _serve(relay.create_app("http://127.0.0.1:9/api/messages", "es-US"))
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{relay_url}/api/messages", json=PLAYGROUND_MESSAGE) as answer:
                assert answer.status == 502
    finally:
        await runner.cleanup()
