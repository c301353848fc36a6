"""Pass the Agents Playground's activities on to the bot in the persona's Teams language.

The Playground (0.2.x) writes ``"locale": "en-US"`` into every activity it sends, whatever its
own process's language: Teams sends each person's client language there, which the bot answers
in. This relay listens on loopback where the Playground posts (``-e``), sets each activity's
``locale`` (and its ``clientInfo`` entity's) to the persona's, and hands it to the bot, giving
the Playground the bot's answer (status, type and body: an invoke's response) unchanged. The bot's
replies go straight to the Playground (the activity's ``serviceUrl``), not through here.

    python scripts/playground_relay.py --port 3979 --bot http://127.0.0.1:3978/api/messages --locale es-US

Used by ``./scripts/demo --locale`` and the browser tests (``PlaygroundProcess(locale=...)``).
It prints ``Listening on PORT`` once it listens; ``GET /healthz`` answers 200.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from typing import Any

import aiohttp
from aiohttp import ClientSession, ClientTimeout, web

log = logging.getLogger("playground_relay")

# A BCP 47 tag as Teams sends it (the same rule as `switchover playground persona --locale`).
LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# Headers that describe the hop, not the message (aiohttp sets its own).
HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive"})
TIMEOUT = ClientTimeout(total=120)  # the bot answers an invoke within Teams' own limit, far less


def in_language(activity: Any, locale: str) -> Any:
    """``activity`` with its ``locale`` and its ``clientInfo`` entities' locale set to ``locale``.

    Anything that is not an activity (a JSON object) is returned as it is.
    """
    if not isinstance(activity, dict):
        return activity
    out = {**activity, "locale": locale}
    entities = activity.get("entities")
    if isinstance(entities, list):
        out["entities"] = [
            {**e, "locale": locale} if isinstance(e, dict) and e.get("type") == "clientInfo" else e for e in entities
        ]
    return out


def create_app(bot_url: str, locale: str) -> web.Application:
    """The relay: ``POST /api/messages`` to ``bot_url`` in ``locale``; ``GET /healthz``."""
    if not LOCALE_TAG.fullmatch(locale):
        raise ValueError(f"{locale!r} is not a language tag; use one like es-US or pl-PL")
    session_key = web.AppKey("session", ClientSession)

    async def session_ctx(app: web.Application):  # type: ignore[no-untyped-def]
        async with ClientSession(timeout=TIMEOUT) as session:
            app[session_key] = session
            yield

    async def messages(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.dumps(in_language(json.loads(raw), locale)).encode("utf-8")
        except ValueError:
            body = raw  # not JSON: the bot says what is wrong with it
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        try:
            async with request.app[session_key].post(bot_url, data=body, headers=headers) as answer:
                content = await answer.read()
                dropped = HOP_HEADERS | {"content-encoding"}
                kept = {k: v for k, v in answer.headers.items() if k.lower() not in dropped}
                return web.Response(status=answer.status, body=content, headers=kept)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("the bot at %s did not answer: %s", bot_url, exc)
            return web.Response(status=502, text="the bot did not answer")

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.cleanup_ctx.append(session_ctx)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main(argv: list[str] | None = None) -> int:
    """Run the relay until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="where the Playground posts (127.0.0.1)")
    parser.add_argument("--bot", required=True, help="the bot's messaging endpoint")
    parser.add_argument("--locale", required=True, help="the persona's Teams language, e.g. es-US")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s relay %(levelname)s %(message)s")
    try:
        app = create_app(args.bot, args.locale)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 2

    def ready(_: object) -> None:
        print(f"Listening on {args.port}", flush=True)  # noqa: T201 - what the demo and the tests wait for

    web.run_app(app, host="127.0.0.1", port=args.port, print=ready, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
