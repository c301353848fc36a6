"""The message path, measured: Switchover's /api/messages beside a bare aiohttp handler, in one run.

Every server runs in its own process and answers Teams-shaped message
activities with one reply POSTed to a loopback Bot Connector (another process).
The load generator keeps C conversations busy (each sends its next message when
the previous one is answered) and measures each POST's round trip, and also when
the reply reached the connector (``reply_p50_ms``/``reply_p99_ms``: what the user
sees; a bot may keep the POST open for work it does after replying).

Servers:
    bare        aiohttp handler that POSTs the same reply with one shared ClientSession
    echo        minimal botbuilder echo bot (CloudAdapter, auth off): the stock SDK path
    stock       Switchover with botbuilder's stock connector (a new msrest client per turn)
    switchover  Switchover as shipped (pooled connector clients), authentication off
    switchover-auth  the same with authentication on: every activity carries a channel
                token the bot validates (signature, issuer, audience, service URL) against
                a loopback identity provider's keys, and every reply carries the bot's token

Messages cycle through a schedule question, a FAQ question and "help" from
Fabrikam users, with the database and dialog state in play.

Also measured: CPU ms per proactive send (BotMessenger vs botbuilder's
continue_conversation + send_activity).

Usage: python bench/messages.py [--quick] [--messages N] [--concurrency 1,50]
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TENANT = "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11"
from loopback import cpu_seconds, free_port, reply_times, serve_connector, wait_http  # noqa: E402

QUESTIONS = ("when is my migration?", "will I lose any email?", "help")


# -- processes ------------------------------------------------------------------


def spawn(kind: str, port: int, workdir: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LOG_LEVEL": "WARNING", **(extra_env or {})}
    log = (workdir / f"{kind}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--workdir", str(workdir)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


# -- the servers (run in child processes) ----------------------------------------


def serve_bare(port: int) -> None:
    async def startup(app: web.Application) -> Any:
        app["session"] = aiohttp.ClientSession()
        yield
        await app["session"].close()

    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        reply = {
            "type": "message",
            "text": f"You said: {activity.get('text', '')}",
            "replyToId": activity["id"],
            "conversation": activity["conversation"],
            "from": activity["recipient"],
            "recipient": activity["from"],
        }
        base = activity["serviceUrl"].rstrip("/")
        url = f"{base}/v3/conversations/{activity['conversation']['id']}/activities/{activity['id']}"
        async with request.app["session"].post(url, json=reply) as resp:
            await resp.read()
        return web.Response(status=200)

    app = web.Application()
    app.cleanup_ctx.append(startup)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", lambda r: web.Response(text="ok"))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve_echo(port: int) -> None:
    from types import SimpleNamespace

    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
    from botbuilder.schema import Activity

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.text(f"You said: {turn_context.activity.text}"))

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(SimpleNamespace(APP_ID="", APP_PASSWORD="")))
    bot = Echo()

    async def messages(request: web.Request) -> web.Response:
        activity = Activity().deserialize(await request.json())
        await adapter.process_activity(request.headers.get("Authorization", ""), activity, bot.on_turn)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", lambda r: web.Response(text="ok"))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve_switchover(port: int, workdir: Path, *, pooled: bool, auth: bool = False) -> None:
    import logging
    from types import SimpleNamespace

    from app import create_app, freeze_startup_heap
    from switchover.settings import Settings

    logging.basicConfig(level=logging.WARNING)
    data = workdir / ("switchover-auth" if auth else "switchover" if pooled else "stock")
    data.mkdir(exist_ok=True)
    identity: dict[str, object] = {"app_id": ""}
    credentials_factory = None
    if auth:
        from tests.support.identity import ISSUER, LoopbackCredentialFactory

        identity = {
            "app_id": os.environ["BENCH_APP_ID"],
            "app_password": "loopback-password",
            "botframework_openid_metadata_url": os.environ["BENCH_OPENID_METADATA_URL"],
            "botframework_token_issuer": ISSUER,
        }
        # The bot's own token (Entra ID cannot run here): the provider's, as in the tests.
        credentials_factory = LoopbackCredentialFactory(
            SimpleNamespace(app_id=os.environ["BENCH_APP_ID"], bot_token=os.environ["BENCH_BOT_TOKEN"])  # type: ignore[arg-type]
        )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        plan_path=REPO / "examples" / "fabrikam" / "plan.yaml",  # the bundled demo customer
        database_url=f"sqlite:///{data / 'bench.db'}",
        data_dir=data,
        log_level="WARNING",
        allowed_tenants=TENANT,  # closed, as a deployment must be
        **identity,
    )
    app = create_app(settings, pooled_connector=pooled, credentials_factory=credentials_factory)
    if os.environ.get("BENCH_FREEZE", "1") == "1":  # as app.main() ships it; BENCH_FREEZE=0 measures without
        app.on_startup.append(freeze_startup_heap)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- load ------------------------------------------------------------------------


def roster_users(limit: int) -> list[dict[str, str]]:
    with (REPO / "examples" / "fabrikam" / "roster.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["accountEnabled"] == "True" and r["userType"] == "Member"]
    return rows[:limit]


def activity(user: dict[str, str], n: int, text: str, connector_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"m{n}",
        "text": text,
        "serviceUrl": connector_url,
        "channelId": "msteams",
        "from": {"id": f"29:{user['id']}", "name": user["displayName"], "aadObjectId": user["id"]},
        "recipient": {"id": "28:bench-bot", "name": "Switchover"},
        "conversation": {"id": f"a:bench-{user['id']}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "localTimezone": "America/Los_Angeles",
    }


async def load(
    bot_url: str, connector_url: str, messages: int, concurrency: int, token: str | None = None
) -> dict[str, float]:
    users = roster_users(max(concurrency, 3))
    # Teams' Bot Connector signs a token and reuses it for many activities; so do we.
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    sent: dict[str, float] = {}
    errors = 0
    counter = iter(range(messages))
    connector = aiohttp.TCPConnector(limit=concurrency + 8)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def conversation(slot: int) -> None:
            nonlocal errors
            user = users[slot % len(users)]
            for n in counter:
                body = activity(user, n, QUESTIONS[n % len(QUESTIONS)], connector_url)
                start = time.perf_counter()
                sent[body["id"]] = time.monotonic()
                async with session.post(f"{bot_url}/api/messages", json=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status >= 300:
                        errors += 1
                latencies.append(time.perf_counter() - start)

        # Warm up caches and connections, untimed: every conversation says hello once,
        # so the timed part measures steady state (first contact stores the
        # conversation reference; that write is measured by bench/storage.py).
        for n in range(max(30, len(users))):
            async with session.post(
                f"{bot_url}/api/messages",
                json=activity(users[n % len(users)], -n - 1, QUESTIONS[n % 3], connector_url),
                headers=headers,
            ) as resp:
                await resp.read()
        await reply_times(session, connector_url, {})  # forget the warm-up's replies
        t0 = time.perf_counter()
        await asyncio.gather(*(conversation(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - t0
        replies = await reply_times(session, connector_url, sent)
    latencies.sort()
    return {
        "messages": len(latencies),
        "errors": errors,
        "messages_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "replies": len(replies),
        "reply_p50_ms": statistics.median(replies) * 1000 if replies else None,
        "reply_p99_ms": replies[min(len(replies) - 1, int(len(replies) * 0.99))] * 1000 if replies else None,
    }


async def measure_server(
    kind: str, workdir: Path, connector_url: str, messages: int, levels: list[int], identity: Any = None
) -> dict:
    port = free_port()
    env, token = None, None
    if kind == "switchover-auth":
        env = {
            "BENCH_APP_ID": identity.app_id,
            "BENCH_OPENID_METADATA_URL": identity.metadata_url,
            "BENCH_BOT_TOKEN": identity.bot_token,
        }
        token = identity.channel_token(connector_url)
    proc = spawn(kind, port, workdir, env)
    bot_url = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{bot_url}/healthz")
        results = {}
        for concurrency in levels:
            cpu0 = cpu_seconds(proc.pid)
            figures = await load(
                bot_url, connector_url, messages if concurrency > 1 else messages // 4, concurrency, token
            )
            figures["cpu_ms_per_message"] = (cpu_seconds(proc.pid) - cpu0) * 1000 / figures["messages"]
            results[f"c{concurrency}"] = figures
        return results
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()


async def measure_proactive(connector_url: str, sends: int) -> dict[str, float]:
    """CPU ms per proactive send in this process: BotMessenger vs botbuilder's continue_conversation."""
    from types import SimpleNamespace

    from botbuilder.core import MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
    from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

    from bot.adapter import build_adapter
    from bot.connector import ConnectorPool
    from bot.messenger import BotMessenger
    from switchover.messaging import ConversationTarget, OutgoingMessage
    from switchover.settings import Settings

    settings = Settings(_env_file=None, app_id="")  # type: ignore[call-arg]
    pool = ConnectorPool()
    messenger = BotMessenger(build_adapter(settings, pool), "")
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Your move is Saturday"}]}
    message = OutgoingMessage(card=card, summary="Your move")
    results: dict[str, float] = {}

    targets = [
        ConversationTarget(tenant_id=TENANT, service_url=connector_url, conversation_id=f"a:p{i}") for i in range(50)
    ]
    for i in range(20):
        await messenger.send(targets[i % 50], message)
    cpu0, t0 = time.process_time(), time.perf_counter()
    sem = asyncio.Semaphore(50)

    async def one(i: int) -> None:
        async with sem:
            await messenger.send(targets[i % 50], message)

    await asyncio.gather(*(one(i) for i in range(sends)))
    results["switchover_cpu_ms_per_send"] = (time.process_time() - cpu0) * 1000 / sends
    results["switchover_sends_per_s"] = sends / (time.perf_counter() - t0)
    await pool.close()

    stock = CloudAdapter(ConfigurationBotFrameworkAuthentication(SimpleNamespace(APP_ID="", APP_PASSWORD="")))
    refs = [
        ConversationReference(
            channel_id="msteams",
            service_url=connector_url,
            conversation=ConversationAccount(id=f"a:s{i}", tenant_id=TENANT),
            bot=ChannelAccount(id="28:bench-bot"),
        )
        for i in range(50)
    ]

    async def stock_send(i: int) -> None:
        async def logic(context: TurnContext) -> None:
            await context.send_activity(
                MessageFactory.attachment({"contentType": "application/vnd.microsoft.card.adaptive", "content": card})
            )  # type: ignore[arg-type]

        async with sem:
            await stock.continue_conversation(refs[i % 50], logic, "")

    stock_sends = max(50, sends // 5)
    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(stock_send(i) for i in range(stock_sends)))
    results["stock_cpu_ms_per_send"] = (time.process_time() - cpu0) * 1000 / stock_sends
    results["stock_sends_per_s"] = stock_sends / (time.perf_counter() - t0)
    return results


async def run(args: argparse.Namespace) -> dict[str, Any]:
    levels = [int(x) for x in args.concurrency.split(",")]
    with tempfile.TemporaryDirectory(prefix="switchover-bench-") as tmp:
        workdir = Path(tmp)
        cport = free_port()
        connector = spawn("connector", cport, workdir)
        connector_url = f"http://127.0.0.1:{cport}/"
        identity = None
        if "switchover-auth" in args.servers.split(","):
            from tests.support.identity import LoopbackIdentity

            identity = LoopbackIdentity("5b0c6d1e-7f2a-4c3b-9d8e-0a1b2c3d4e5f").start()
        try:
            await wait_http(f"{connector_url}stats")
            figures: dict[str, Any] = {"messages": args.messages, "concurrency": levels}
            for kind in args.servers.split(","):
                print(f"measuring {kind} ...", file=sys.stderr, flush=True)
                figures[kind] = await measure_server(kind, workdir, connector_url, args.messages, levels, identity)
            figures["proactive"] = await measure_proactive(connector_url, args.proactive)
        finally:
            connector.terminate()
            connector.wait(10)
            if identity is not None:
                identity.stop()
    bare = figures.get("bare")
    for kind in ("echo", "stock", "switchover", "switchover-auth"):
        if bare and kind in figures:
            for level in figures[kind]:
                figures[kind][level]["ratio_to_bare"] = (
                    figures[kind][level]["messages_per_s"] / bare[level]["messages_per_s"]
                )
    return figures


def print_table(figures: dict[str, Any]) -> None:
    print(
        f"{'server':<16} {'conc':>4} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'reply p99':>9} "
        f"{'cpu ms/msg':>10} {'x bare':>7}"
    )
    for kind in ("bare", "echo", "stock", "switchover", "switchover-auth"):
        for level, f in figures.get(kind, {}).items():
            reply = f"{f['reply_p99_ms']:>9.1f}" if f.get("reply_p99_ms") is not None else f"{'-':>9}"
            print(
                f"{kind:<16} {level[1:]:>4} {f['messages_per_s']:>8.0f} {f['p50_ms']:>8.1f} {f['p99_ms']:>8.1f} "
                f"{reply} {f['cpu_ms_per_message']:>10.2f} {f.get('ratio_to_bare', 1.0):>7.2f}"
            )
    p = figures.get("proactive", {})
    if p:
        print(
            f"proactive send: switchover {p['switchover_cpu_ms_per_send']:.2f} CPU ms "
            f"({p['switchover_sends_per_s']:.0f}/s), "
            f"botbuilder continue_conversation {p['stock_cpu_ms_per_send']:.2f} CPU ms ({p['stock_sends_per_s']:.0f}/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages: under a minute")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", default="1,50")
    parser.add_argument("--servers", default="bare,echo,stock,switchover")
    parser.add_argument("--proactive", type=int, default=2000)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        servers = {
            "connector": lambda: serve_connector(args.port),
            "bare": lambda: serve_bare(args.port),
            "echo": lambda: serve_echo(args.port),
            "stock": lambda: serve_switchover(args.port, args.workdir, pooled=False),
            "switchover": lambda: serve_switchover(args.port, args.workdir, pooled=True),
            "switchover-auth": lambda: serve_switchover(args.port, args.workdir, pooled=True, auth=True),
        }
        servers[args.serve]()
        return
    if args.quick:
        args.messages = min(args.messages, 600)
        args.proactive = min(args.proactive, 500)
    figures = asyncio.run(run(args))
    print_table(figures)
    print(json.dumps(figures, separators=(",", ":")))


if __name__ == "__main__":
    main()
