"""Activities whose body arrives in pieces, as over a real network, over a raw socket.

Teams' Bot Connector, an Azure front end, a proxy or TLS records routinely deliver
the headers and parts of the body in separate reads. Each activity here is written
to the app's socket by hand: headers and the first piece in one write, the rest in
one or many later writes with pauses between them, with a Content-Length or chunked
(each piece its own chunk). Every one must be answered like an activity sent whole.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.app import RunningApp, TeamsClient, make_settings, person, start_app

PAUSE = 0.02  # seconds between writes: long enough for the server to read what came so far


def _padded_activity(teams: TeamsClient, size: int) -> bytes:
    """A Teams ``help`` message padded (in channelData, which Teams also fills) to ``size`` bytes of JSON."""
    activity = teams.activity(person("vanessa.fox"), text="help")
    activity["channelData"]["padding"] = ""
    base = len(json.dumps(activity).encode())
    activity["channelData"]["padding"] = "x" * max(0, size - base)
    body = json.dumps(activity).encode()
    assert len(body) == max(size, base)
    return body


def _pieces(body: bytes, count: int) -> list[bytes]:
    step = -(-len(body) // count)
    return [body[i : i + step] for i in range(0, len(body), step)]


async def _exchange(
    app: RunningApp, headers: dict[str, str], pieces: list[bytes], *, chunked: bool, pause: float = PAUSE
) -> tuple[int, bytes]:
    """Write the request in ``pieces`` with ``pause`` between writes; return (status, response body)."""
    url = urlsplit(app.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        head = ["POST /api/messages HTTP/1.1", f"Host: {url.netloc}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if chunked:
            head.append("Transfer-Encoding: chunked")
            frames = [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces] + [b"0\r\n\r\n"]
        else:
            head.append(f"Content-Length: {sum(len(p) for p in pieces)}")
            frames = list(pieces)
        preamble = ("\r\n".join(head) + "\r\n\r\n").encode()
        frames[0] = preamble + frames[0]
        for i, frame in enumerate(frames):
            if i:
                await asyncio.sleep(pause)
            writer.write(frame)
            await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=30)
    finally:
        writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    _, _, body = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), body


def _headers(teams: TeamsClient) -> dict[str, str]:
    return {"Content-Type": "application/json", **teams.auth_headers()}


SIZES = [1024, 2 * 1024, 20 * 1024, 60 * 1024, 120 * 1024]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("writes", [2, 12], ids=["two-writes", "many-writes"])
@pytest.mark.parametrize("size", [*SIZES, "just-under-limit"])
async def test_an_activity_in_pieces_is_answered_as_if_sent_whole(
    teams: TeamsClient, size: int | str, writes: int, chunked: bool
) -> None:
    limit = teams.app.settings.max_body_bytes
    body = _padded_activity(teams, limit - 1 if size == "just-under-limit" else int(size))
    status, _ = await _exchange(teams.app, _headers(teams), _pieces(body, writes), chunked=chunked)
    assert status == 202
    replies = teams.connector.received
    assert len(replies) == 1
    assert replies[0].card is not None
    assert "What I can do" in replies[0].card_text()


async def test_headers_alone_then_the_body_in_one_byte_pieces(teams: TeamsClient) -> None:
    """The harshest split: the headers in one write, then the JSON a few bytes at a time."""
    body = _padded_activity(teams, 1024)
    pieces = [b"", *_pieces(body, 64)]
    status, _ = await _exchange(teams.app, _headers(teams), pieces[1:], chunked=False, pause=0.002)
    assert status == 202
    assert len(teams.connector.received) == 1


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_in_pieces_gets_413(teams: TeamsClient, chunked: bool) -> None:
    limit = teams.app.settings.max_body_bytes
    body = _padded_activity(teams, limit + 1)
    status, answer = await _exchange(teams.app, _headers(teams), _pieces(body, 8), chunked=chunked)
    assert status == 413
    assert json.loads(answer) == {"error": f"body over {limit} bytes"}
    assert teams.connector.received == []
    # The app goes on serving.
    assert (await teams.say("vanessa.fox", "help"))[0].card is not None


@pytest.fixture
async def impatient_app(tmp_path, clock, identity) -> AsyncIterator[RunningApp]:
    settings = make_settings(tmp_path, identity=identity, body_timeout_seconds=0.5)
    runner, running = await start_app(settings, clock, identity=identity)
    try:
        yield running
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_client_that_stops_mid_body_is_timed_out_with_408(
    impatient_app: RunningApp, connector: Any, chunked: bool
) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        teams = TeamsClient(impatient_app, connector, session)
        body = _padded_activity(teams, 4096)
        url = urlsplit(impatient_app.url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        head = ["POST /api/messages HTTP/1.1", f"Host: {url.netloc}"]
        head += [f"{k}: {v}" for k, v in _headers(teams).items()]
        half = body[: len(body) // 2]
        if chunked:
            head.append("Transfer-Encoding: chunked")
            first = f"{len(half):x}\r\n".encode() + half + b"\r\n"
        else:
            head.append(f"Content-Length: {len(body)}")
            first = half
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + first)
        await writer.drain()
        # The rest never comes; the server answers and closes instead of waiting forever.
        raw = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
        assert raw.startswith(b"HTTP/1.1 408")
        assert b"body not received within 0.5 s" in raw
        assert connector.received == []
