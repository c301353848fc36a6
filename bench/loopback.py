"""Process helpers shared by the benchmarks: free ports, CPU time, readiness, a counting Bot Connector.

Each benchmark runs the server under test and a loopback Bot Connector in
processes of their own, so their CPU is measured apart from the load generator's.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path

import aiohttp
from aiohttp import web


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


async def wait_http(url: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up within {within}s")
            await asyncio.sleep(0.1)


async def reply_times(session: aiohttp.ClientSession, connector_url: str, sent: dict[str, float]) -> list[float]:
    """Seconds from each POST's start (``sent``: activity id -> ``time.monotonic``) to its first reply, sorted."""
    async with session.get(f"{connector_url.rstrip('/')}/arrivals") as resp:
        arrivals = await resp.json()
    return sorted(arrivals[aid] - at for aid, at in sent.items() if aid in arrivals)


def serve_connector(port: int) -> None:
    """Answers the Bot Connector calls the servers make; counts them.

    Also notes when the first reply to each activity arrived (``time.monotonic``, the
    same clock in every process on this machine): ``GET /arrivals`` hands those over
    and forgets them, so a load generator can time what the user sees, the reply,
    apart from the POST, which a bot may hold open for work after replying.
    """
    counts = {"replies": 0}
    arrivals: dict[str, float] = {}

    async def reply(request: web.Request) -> web.Response:
        await request.read()
        arrivals.setdefault(request.match_info.get("aid", ""), time.monotonic())
        counts["replies"] += 1
        return web.json_response({"id": f"r{counts['replies']}"}, status=201)

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counts)

    async def handed_over(request: web.Request) -> web.Response:
        out = dict(arrivals)
        arrivals.clear()
        return web.json_response(out)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", reply)
    app.router.add_post("/v3/conversations/{cid}/activities", reply)
    app.router.add_get("/stats", stats)
    app.router.add_get("/arrivals", handed_over)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
