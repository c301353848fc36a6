"""Answering latency: in the process, and over HTTP beside a bare aiohttp handler, in one run.

In process: every question of an example customer's labelled set (``--customer NAME``;
by default the demo's, examples/fabrikam/questions.yaml), asked as its labelled
asker at its labelled moment, answered by ``AnswerEngine`` (and rendered to its card)
several times; median and p99 per answer.

Over HTTP: Switchover (the app with ``bot.features.answers``) and a bare aiohttp
handler each run in their own process and answer Teams-shaped message
activities with one reply POSTed to a loopback Bot Connector (a third process).
The bare handler replies with a card of the same size without understanding
anything. The load generator keeps C conversations busy (each sends its next
question when the previous one is answered) and times each POST: both servers
send their reply before answering the POST, so that is the time until the
reply reached the connector. Switchover's figures are also given as a ratio to
the bare handler's, measured in the same run.

With ``--postgres URL`` (e.g. postgresql://postgres@127.0.0.1:5432/test) Switchover is
measured a second time on PostgreSQL ("switchover-pg"), in a database of its own that is
created for the run and dropped after it.

The same customer's labelled sets in other languages (questions.es.yaml) are measured in process too.

Usage: python bench/answers.py [--quick] [--concurrency 1,50] [--postgres URL] [--customer NAME]
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
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from loopback import cpu_seconds, free_port, reply_times, serve_connector, wait_http  # noqa: E402

from switchover.answers.cli import customer_files, language_files  # noqa: E402

# The bundled demo customer unless --customer names another (examples/NAME/).
DEFAULT_CUSTOMER = "fabrikam"
TENANT = "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11"


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


# -- in process -------------------------------------------------------------------


async def in_process(repeats: int, customer: str = DEFAULT_CUSTOMER, language: str | None = None) -> dict[str, Any]:
    """Every labelled question answered ``repeats`` times; ``language``: the customer's set in that language
    (questions.es.yaml), each question under its locale."""
    from switchover import i18n
    from switchover.answers.cards import answer_card
    from switchover.answers.engine import AnswerEngine
    from switchover.answers.evaluate import load_questions, roster_domain
    from switchover.answers.model import Who
    from switchover.clock import ManualClock
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan

    plan_path, roster_path, questions_path = customer_files(customer)
    plan = load_plan(plan_path)
    roster = RosterDirectory.from_csv(roster_path)
    if language:
        questions_path = dict(language_files(questions_path))[language]
    questions = load_questions(questions_path, domain=roster_domain(roster.users))
    clock = ManualClock(questions[0].now)
    engine = AnswerEngine(plan, roster, clock)
    t0 = time.perf_counter()
    await engine.prepare()
    prepare_ms = (time.perf_counter() - t0) * 1000
    answer_times: list[float] = []
    card_times: list[float] = []
    for _ in range(repeats):
        for q in questions:
            clock.set(q.now)
            who = Who(upn=q.asker, time_zone=q.time_zone)
            with i18n.use(q.locale):
                start = time.perf_counter()
                answer = await engine.answer(q.text, who)
                middle = time.perf_counter()
                answer_card(answer)
                end = time.perf_counter()
            answer_times.append(middle - start)
            card_times.append(end - start)
    answer_times.sort()
    card_times.sort()
    return {
        "questions": len(questions),
        "repeats": repeats,
        "prepare_ms": prepare_ms,
        "answer_p50_ms": statistics.median(answer_times) * 1000,
        "answer_p99_ms": percentile(answer_times, 0.99) * 1000,
        "answer_and_card_p50_ms": statistics.median(card_times) * 1000,
        "answer_and_card_p99_ms": percentile(card_times, 0.99) * 1000,
    }


# -- processes ----------------------------------------------------------------------


def spawn(
    kind: str, port: int, workdir: Path, extra_env: dict[str, str] | None = None, customer: str = DEFAULT_CUSTOMER
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LOG_LEVEL": "WARNING", **(extra_env or {})}
    log = (workdir / f"{kind}.log").open("wb")
    serve = ["--serve", kind, "--port", str(port), "--workdir", str(workdir), "--customer", customer]
    return subprocess.Popen(
        [sys.executable, __file__, *serve],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def serve_bare(port: int) -> None:
    """Replies to every message with one fixed card of a schedule answer's size: no understanding at all."""
    from cards.render import card_attachment

    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "x" * 2500, "wrap": True}],
    }

    async def startup(app: web.Application) -> Any:
        app["session"] = aiohttp.ClientSession()
        yield
        await app["session"].close()

    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        reply = {
            "type": "message",
            "attachments": [card_attachment(card)],
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


def serve_switchover(
    port: int, workdir: Path, database_url: str | None = None, customer: str = DEFAULT_CUSTOMER
) -> None:
    import logging

    import app as app_module
    from switchover.settings import Settings

    logging.basicConfig(level=logging.WARNING)
    data = workdir / ("switchover-pg" if database_url else "switchover")
    data.mkdir(exist_ok=True)
    plan_path, roster_path, _ = customer_files(customer)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url or f"sqlite:///{data / 'bench.db'}",
        data_dir=data,
        plan_path=plan_path,
        roster_path=roster_path,
        app_id="",
        log_level="WARNING",
    )
    app = app_module.create_app(settings)
    app.on_startup.append(app_module.freeze_startup_heap)  # as app.main() serves it
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- load ---------------------------------------------------------------------------


def labelled_messages(customer: str = DEFAULT_CUSTOMER) -> list[tuple[str, str, str | None, str]]:
    """(text, aad object id, time zone, name) for every labelled question, askers looked up in the roster."""
    from switchover.answers.evaluate import load_questions, roster_domain
    from switchover.directory.roster import RosterDirectory

    _, roster_path, questions_path = customer_files(customer)
    with roster_path.open(encoding="utf-8-sig") as fh:
        ids = {r["userPrincipalName"].casefold(): (r["id"], r["displayName"]) for r in csv.DictReader(fh)}
    domain = roster_domain(RosterDirectory.from_csv(roster_path).users)
    out = []
    for q in load_questions(questions_path, domain=domain):
        upn = q.asker or ""
        aad, name = ids.get(upn.casefold(), (str(uuid.uuid5(uuid.NAMESPACE_DNS, upn)), "Someone"))
        out.append((q.text, aad, q.time_zone, name))
    return out


def activity(message: tuple[str, str, str | None, str], n: int, connector_url: str) -> dict[str, Any]:
    text, aad, tz, name = message
    body: dict[str, Any] = {
        "type": "message",
        "id": f"m{n}",
        "text": text,
        "serviceUrl": connector_url,
        "channelId": "msteams",
        "from": {"id": f"29:{aad}", "name": name, "aadObjectId": aad},
        "recipient": {"id": "28:bench-bot", "name": "Switchover"},
        "conversation": {"id": f"a:bench-{aad}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if tz:
        body["localTimezone"] = tz
    return body


async def load(
    bot_url: str, connector_url: str, messages: int, concurrency: int, customer: str = DEFAULT_CUSTOMER
) -> dict[str, float]:
    pool = labelled_messages(customer)
    latencies: list[float] = []
    sent: dict[str, float] = {}
    errors = 0
    counter = iter(range(messages))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency + 8)) as session:

        async def conversation() -> None:
            nonlocal errors
            for n in counter:
                body = activity(pool[n % len(pool)], n, connector_url)
                start = time.perf_counter()
                sent[body["id"]] = time.monotonic()
                async with session.post(f"{bot_url}/api/messages", json=body) as resp:
                    await resp.read()
                    errors += resp.status >= 300
                latencies.append(time.perf_counter() - start)

        for n in range(min(30, messages)):  # warm up, untimed
            async with session.post(
                f"{bot_url}/api/messages", json=activity(pool[n % len(pool)], -n - 1, connector_url)
            ) as resp:
                await resp.read()
        await reply_times(session, connector_url, {})  # forget the warm-up's replies
        t0 = time.perf_counter()
        await asyncio.gather(*(conversation() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
        replies = await reply_times(session, connector_url, sent)
    latencies.sort()
    return {
        "messages": len(latencies),
        "errors": errors,
        "messages_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "replies": len(replies),
        "reply_p50_ms": statistics.median(replies) * 1000 if replies else None,
        "reply_p99_ms": percentile(replies, 0.99) * 1000 if replies else None,
    }


async def measure_server(
    kind: str,
    workdir: Path,
    connector_url: str,
    plan: dict[int, int],
    env: dict[str, str] | None = None,
    customer: str = DEFAULT_CUSTOMER,
) -> dict[str, Any]:
    port = free_port()
    proc = spawn(kind, port, workdir, env, customer)
    bot_url = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{bot_url}/healthz")
        results = {}
        for concurrency, messages in plan.items():
            cpu0 = cpu_seconds(proc.pid)
            figures = await load(bot_url, connector_url, messages, concurrency, customer)
            figures["cpu_ms_per_message"] = (cpu_seconds(proc.pid) - cpu0) * 1000 / figures["messages"]
            results[f"c{concurrency}"] = figures
        return results
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"customer": args.customer, "in_process": await in_process(args.repeats, args.customer)}
    for language, _ in language_files(customer_files(args.customer)[2]):
        figures[f"in_process_{language}"] = await in_process(args.repeats, args.customer, language)
    levels = [int(x) for x in args.concurrency.split(",")]
    plan = {c: (args.messages // 4 if c == 1 else args.messages) for c in levels}
    with tempfile.TemporaryDirectory(prefix="switchover-answers-bench-") as tmp:
        workdir = Path(tmp)
        cport = free_port()
        connector = spawn("connector", cport, workdir)
        connector_url = f"http://127.0.0.1:{cport}/"
        try:
            await wait_http(f"{connector_url}stats")
            for kind in ("bare", "switchover"):
                print(f"measuring {kind} over HTTP ...", file=sys.stderr, flush=True)
                figures[kind] = await measure_server(kind, workdir, connector_url, plan, customer=args.customer)
            if args.postgres:
                print("measuring switchover-pg over HTTP ...", file=sys.stderr, flush=True)
                async with postgres_database(args.postgres) as url:
                    env = {"BENCH_DATABASE_URL": url}
                    figures["switchover-pg"] = await measure_server(
                        "switchover-pg", workdir, connector_url, plan, env, args.customer
                    )
        finally:
            connector.terminate()
            connector.wait(10)
    for kind in ("switchover", "switchover-pg"):
        for level in figures.get(kind, {}):
            s, b = figures[kind][level], figures["bare"][level]
            s["throughput_ratio_to_bare"] = s["messages_per_s"] / b["messages_per_s"]
            s["p50_ratio_to_bare"] = s["p50_ms"] / b["p50_ms"]
    return figures


@contextlib.asynccontextmanager
async def postgres_database(admin_url: str) -> Any:
    """A new, empty database on the server of ``admin_url`` for this run; dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"switchover_bench_{uuid.uuid4().hex[:10]}"
    admin = make_url(admin_url).set(drivername="postgresql")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin.set(database=name).render_as_string(hide_password=False)
        finally:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def print_table(figures: dict[str, Any]) -> None:
    for key in sorted(k for k in figures if k.startswith("in_process")):
        p = figures[key]
        said = f" [{key.removeprefix('in_process_')}]" if key != "in_process" else ""
        print(
            f"in process{said} ({p['questions']} questions x {p['repeats']}): answer p50 {p['answer_p50_ms']:.2f} ms, "
            f"p99 {p['answer_p99_ms']:.2f} ms; with card p50 {p['answer_and_card_p50_ms']:.2f} ms, "
            f"p99 {p['answer_and_card_p99_ms']:.2f} ms; index build {p['prepare_ms']:.0f} ms"
        )
    print(
        f"{'server':<13} {'conc':>4} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'reply p99':>9} "
        f"{'cpu ms/msg':>10} {'x bare':>7}"
    )
    for kind in ("bare", "switchover", "switchover-pg"):
        for level, f in figures.get(kind, {}).items():
            ratio = f.get("throughput_ratio_to_bare", 1.0)
            reply = f"{f['reply_p99_ms']:>9.1f}" if f.get("reply_p99_ms") is not None else f"{'-':>9}"
            print(
                f"{kind:<13} {level[1:]:>4} {f['messages_per_s']:>8.0f} {f['p50_ms']:>8.1f} {f['p99_ms']:>8.1f} "
                f"{reply} {f['cpu_ms_per_message']:>10.2f} {ratio:>7.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages: under a minute")
    parser.add_argument("--messages", type=int, default=2000, help="messages at each concurrency above 1")
    parser.add_argument("--repeats", type=int, default=5, help="in-process passes over the labelled set")
    parser.add_argument("--concurrency", default="1,50")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help="also measure on PostgreSQL (an admin URL that may create databases)")
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--customer", default=DEFAULT_CUSTOMER, help="example customer in examples/ (default: %(default)s)"
    )
    args = parser.parse_args()
    if args.serve:
        servers = {
            "connector": lambda: serve_connector(args.port),
            "bare": lambda: serve_bare(args.port),
            "switchover": lambda: serve_switchover(args.port, args.workdir, customer=args.customer),
            "switchover-pg": lambda: serve_switchover(
                args.port, args.workdir, os.environ["BENCH_DATABASE_URL"], args.customer
            ),
        }
        servers[args.serve]()
        return
    if args.quick:
        args.messages = min(args.messages, 400)
        args.repeats = min(args.repeats, 2)
    figures = asyncio.run(run(args))
    print_table(figures)
    print(json.dumps(figures, separators=(",", ":")))


if __name__ == "__main__":
    main()
