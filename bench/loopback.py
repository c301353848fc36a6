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


def serve_connector(port: int) -> None:
    """Answers the Bot Connector calls the servers make; counts them."""
    counts = {"replies": 0}

    async def reply(request: web.Request) -> web.Response:
        await request.read()
        counts["replies"] += 1
        return web.json_response({"id": f"r{counts['replies']}"}, status=201)

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counts)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", reply)
    app.router.add_post("/v3/conversations/{cid}/activities", reply)
    app.router.add_get("/stats", stats)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
