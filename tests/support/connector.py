"""A loopback Bot Connector: the Teams side of the Bot Framework protocol, on 127.0.0.1.

It speaks the Bot Connector REST API the bot calls (``/v3/conversations``:
create, send, reply, update, delete), records everything it receives, and can
fail on command the way Teams does: 429 with ``Retry-After``, 412/5xx, 403 with
``ConversationBlockedByUser`` and friends, 404 ``ConversationNotFound``. With
``enforce_limits=True`` it applies Teams' per-conversation limits (7/1 s,
8/2 s, 60/30 s, 1800/h) and a per-tenant limit, answering 429 when exceeded.

Usage::

    async with LoopbackConnector() as connector:
        ... post activities to the bot with serviceUrl=connector.url ...
        reply = await connector.wait_for(lambda r: r.conversation_id == "a:1")
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEAMS_CONVERSATION_WINDOWS = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))


@dataclass
class Received:
    """One call the bot made."""

    op: str  # "send", "reply", "update", "delete", "create"
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    at: float
    authorization: str | None = None

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.body.get("attachments") or ():
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment.get("content")
        return None

    def card_text(self) -> str:
        """All text in the card, joined (for assertions on what a person reads)."""
        return " ".join(_texts(self.card)) if self.card else ""


def _texts(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "title", "value") and isinstance(value, str):
                out.append(value)
            else:
                out.extend(_texts(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(_texts(item))
    return out


@dataclass
class Failure:
    status: int
    code: str | None = None
    retry_after: float | None = None
    times: int = 1
    conversation_id: str | None = None  # None = any
    ops: tuple[str, ...] = ("send", "reply", "update", "delete", "create")
    sub_code: str | None = None


@dataclass
class ConnectorStats:
    calls: int = 0
    throttled: int = 0
    failed: int = 0
    by_op: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class LoopbackConnector:
    """The Bot Connector service, in-process, on a random loopback port."""

    def __init__(
        self,
        *,
        enforce_limits: bool = False,
        tenant_rate: float | None = None,
        require_token: str | None = None,
        latency: float = 0.0,
    ) -> None:
        self.received: list[Received] = []
        self.failures: list[Failure] = []
        self.blocked: dict[str, tuple[int, str]] = {}  # conversation id -> (status, code)
        self.stats = ConnectorStats()
        self.enforce_limits = enforce_limits
        self.tenant_rate = tenant_rate
        self.require_token = require_token
        self.latency = latency
        self.activities: dict[tuple[str, str], dict[str, Any]] = {}  # (conversation, activity id) -> latest body
        self.deleted: set[tuple[str, str]] = set()
        self.conversations: dict[str, dict[str, Any]] = {}  # created 1:1 conversations
        # team id -> its channels as GET /v3/teams/{id}/conversations lists them ({"id", "name"};
        # the General channel, whose id is the team's, comes without a name, as in Teams).
        self.teams: dict[str, list[dict[str, Any]]] = {}
        # Pictures a user attached, as Teams keeps them: inline images under the attachments API
        # (the bot's token required, as for any Bot Connector call) and files behind a pre-authorised
        # download link (no token). path -> (Content-Type, bytes); every GET is noted with its Authorization.
        self.attachments: dict[str, tuple[str, bytes]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.downloads: list[tuple[str, str | None]] = []
        # When each Bot Connector request arrived (time.monotonic), refused or not: what Teams counts
        # against the per-tenant limit, measured at the wire rather than where the bot scheduled it.
        self.arrivals: list[float] = []
        self._ids = itertools.count(1)
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._tenant_window: deque[float] = deque()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle --------------------------------------------------------------

    async def start(self) -> LoopbackConnector:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_get("/v3/teams/{tid}/conversations", self._team_channels)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_delete("/v3/conversations/{cid}/activities/{aid}", self._delete)
        app.router.add_get("/v3/attachments/{aid}/views/{view}", self._attachment)
        app.router.add_get("/files/{name}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LoopbackConnector:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- commands for tests -----------------------------------------------------

    def fail(
        self,
        status: int,
        code: str | None = None,
        *,
        times: int = 1,
        retry_after: float | None = None,
        conversation_id: str | None = None,
        ops: tuple[str, ...] = ("send", "reply", "update", "delete", "create"),
        sub_code: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching calls with ``status``."""
        self.failures.append(Failure(status, code, retry_after, times, conversation_id, ops, sub_code))

    def block(self, conversation_id: str, status: int = 403, code: str = "ConversationBlockedByUser") -> None:
        """Every call into ``conversation_id`` fails this way until :meth:`unblock`."""
        self.blocked[conversation_id] = (status, code)

    def unblock(self, conversation_id: str) -> None:
        self.blocked.pop(conversation_id, None)

    def to(self, conversation_id: str, op: str | None = None) -> list[Received]:
        return [r for r in self.received if r.conversation_id == conversation_id and (op is None or r.op == op)]

    async def wait_for(
        self,
        predicate: Callable[[Received], bool],
        *,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[Received]:
        """Wait until ``count`` recorded calls match ``predicate``; returns them."""

        def matches() -> list[Received]:
            return [r for r in self.received if predicate(r)]

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: len(matches()) >= count), timeout)
            except TimeoutError:
                got = matches()
                raise AssertionError(
                    f"expected {count} matching call(s) at the loopback connector within {timeout}s, got {len(got)}; "
                    f"all calls: {[(r.op, r.conversation_id, r.text or r.card_text()[:80]) for r in self.received]}"
                ) from None
        return matches()

    # -- attachments ------------------------------------------------------------

    def attach_inline(self, attachment_id: str, content_type: str, data: bytes) -> str:
        """Keep an inline image as Teams does; returns its ``contentUrl`` (needs the bot's token)."""
        self.attachments[attachment_id] = (content_type, data)
        return f"{self.url}v3/attachments/{attachment_id}/views/original"

    def attach_file(self, name: str, content_type: str, data: bytes) -> str:
        """Keep a file as OneDrive does; returns its pre-authorised ``downloadUrl``."""
        self.files[name] = (content_type, data)
        return f"{self.url}files/{name}"

    async def _attachment(self, request: web.Request) -> web.Response:
        self.downloads.append((request.path, request.headers.get("Authorization")))
        if self.require_token is not None and request.headers.get("Authorization") != f"Bearer {self.require_token}":
            return _error(401, "Unauthorized", "missing or wrong bearer token")
        found = self.attachments.get(request.match_info["aid"])
        if found is None:
            return _error(404, "NotFound", "no such attachment")
        return web.Response(body=found[1], content_type=found[0])

    async def _file(self, request: web.Request) -> web.Response:
        self.downloads.append((request.path, request.headers.get("Authorization")))
        found = self.files.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[1], content_type=found[0])

    def peak(self, seconds: float) -> int:
        """The most requests that arrived within any sliding window of ``seconds``."""
        return peak_in_window(self.arrivals, seconds)

    # -- protocol ---------------------------------------------------------------

    async def _admit(self, request: web.Request, op: str, conversation_id: str) -> web.Response | None:
        self.arrivals.append(time.monotonic())
        self.stats.calls += 1
        self.stats.by_op[op] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.require_token is not None:
            if request.headers.get("Authorization") != f"Bearer {self.require_token}":
                self.stats.failed += 1
                return _error(401, "Unauthorized", "missing or wrong bearer token")
        if conversation_id in self.blocked:
            status, code = self.blocked[conversation_id]
            self.stats.failed += 1
            return _error(status, code, "blocked by test")
        for failure in self.failures:
            if failure.times > 0 and op in failure.ops and failure.conversation_id in (None, conversation_id):
                failure.times -= 1
                if failure.status == 429:
                    self.stats.throttled += 1
                else:
                    self.stats.failed += 1
                return _error(failure.status, failure.code, "injected by test", failure.retry_after, failure.sub_code)
        if self.enforce_limits:
            now = time.monotonic()
            if self.tenant_rate is not None:
                window = self._tenant_window
                while window and now - window[0] > 1.0:
                    window.popleft()
                if len(window) >= self.tenant_rate:
                    self.stats.throttled += 1
                    return _error(429, "TooManyRequests", "tenant limit", retry_after=1.0)
            window = self._windows[conversation_id]
            while window and now - window[0] > 3600:
                window.popleft()
            for seconds, limit in TEAMS_CONVERSATION_WINDOWS:
                if sum(1 for t in window if now - t <= seconds) >= limit:
                    self.stats.throttled += 1
                    return _error(429, "TooManyRequests", f"over {limit} per {seconds:g}s", retry_after=seconds / 2)
            window.append(now)
            if self.tenant_rate is not None:
                self._tenant_window.append(now)
        return None

    async def _record(
        self, op: str, conversation_id: str, activity_id: str | None, body: dict[str, Any], request: web.Request
    ) -> None:
        async with self._changed:
            self.received.append(
                Received(op, conversation_id, activity_id, body, time.monotonic(), request.headers.get("Authorization"))
            )
            self._changed.notify_all()

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise web.HTTPBadRequest(text="body is not JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="body must be an object")
        return body

    async def _create(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        members = body.get("members") or []
        user = members[0]["id"] if members else "?"
        if error := await self._admit(request, "create", f"create:{user}"):
            return error
        conversation_id = f"a:loopback-{user}"
        self.conversations[conversation_id] = body
        await self._record("create", conversation_id, None, body, request)
        return web.json_response({"id": conversation_id, "activityId": None}, status=201)

    async def _team_channels(self, request: web.Request) -> web.Response:
        tid = request.match_info["tid"]
        if error := await self._admit(request, "channels", tid):
            return error
        if tid not in self.teams:
            return _error(404, "NotFound", "no such team")
        return web.json_response({"conversations": self.teams[tid]})

    async def _send(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        body = await self._body(request)
        if error := await self._admit(request, "send", cid):
            return error
        aid = f"act-{next(self._ids)}"
        self.activities[(cid, aid)] = body
        await self._record("send", cid, aid, body, request)
        return web.json_response({"id": aid}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        body = await self._body(request)
        if error := await self._admit(request, "reply", cid):
            return error
        aid = f"act-{next(self._ids)}"
        self.activities[(cid, aid)] = body
        await self._record("reply", cid, aid, body, request)
        return web.json_response({"id": aid}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        body = await self._body(request)
        if error := await self._admit(request, "update", cid):
            return error
        if (cid, aid) not in self.activities or (cid, aid) in self.deleted:
            return _error(404, "ActivityNotFound", "no such activity")
        self.activities[(cid, aid)] = body
        await self._record("update", cid, aid, body, request)
        return web.json_response({"id": aid})

    async def _delete(self, request: web.Request) -> web.Response:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        if error := await self._admit(request, "delete", cid):
            return error
        if (cid, aid) not in self.activities:
            return _error(404, "ActivityNotFound", "no such activity")
        self.deleted.add((cid, aid))
        await self._record("delete", cid, aid, {}, request)
        return web.Response(status=200)


def _error(
    status: int, code: str | None, message: str, retry_after: float | None = None, sub_code: str | None = None
) -> web.Response:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
    error: dict[str, Any] = {"code": code or "Error", "message": message}
    if sub_code:
        error["innerHttpError"] = {"statusCode": status, "body": {"subCode": sub_code}}
        error["subCode"] = sub_code
    return web.json_response({"error": error}, status=status, headers=headers)


def peak_in_window(times: list[float], seconds: float) -> int:
    """The most of ``times`` (seconds, ascending) that fall within any window ``[t, t + seconds)``."""
    best = 0
    start = 0
    for end, t in enumerate(times):
        while times[start] <= t - seconds:
            start += 1
        best = max(best, end - start + 1)
    return best
