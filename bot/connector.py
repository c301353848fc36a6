"""A pooled Bot Connector client: the fast outbound path.

Why this exists. botbuilder 4.17's ``CloudAdapter`` asks its connector factory
for a *new* msrest ``ConnectorClient`` on every turn. Building one runs msrest's
``ClientRetryPolicy.__init__``, whose ``[i for i in range(999) if i not in
self.safe_codes]`` scans a 500-item list 999 times (most of the CPU of a turn);
each client then opens a new ``requests`` session in a thread pool, so every
reply costs a TCP connect, and every activity goes through msrest's model
validation again. Measured on a 2-core machine, that caps a bot at about 130
messages/s where a bare aiohttp handler does several thousand.

What we do instead, at the narrowest point: :class:`PooledConnectorFactory`
wraps the factory botbuilder creates (same app id, credentials factory, OAuth
scope and login endpoint: the authentication is unchanged) and returns one
:class:`PooledConnectorClient` per (service URL, audience), cached. That client
speaks the same Bot Connector REST API (``/v3/conversations/...``) over one
shared ``aiohttp.ClientSession`` with keep-alive, serialises activities with a
compiled plan per model (bot/wire.py) instead of msrest's generic serializer, signs requests with the bot's
``AppCredentials`` (token cached, refreshed off the event loop), and retries
what msrest retried (408 and 5xx except 501/505, three times with backoff),
plus 429 and 412 with ``Retry-After``. Operations we do not implement fall
through to botbuilder's own msrest client, built lazily once per
(service URL, audience), so TeamsInfo and friends keep working.

:func:`check_library_shape` fails loudly if botbuilder's internals that this
relies on change (a test calls it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import orjson
from botbuilder.schema import ConversationResourceResponse, ResourceResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AppCredentials, ConnectorFactory
from botframework.connector.auth._connector_factory_impl import USER_AGENT as BOTBUILDER_USER_AGENT
from botframework.connector.auth._connector_factory_impl import _ConnectorFactoryImpl

from bot.wire import dumps, from_wire, to_wire

log = logging.getLogger(__name__)

# What msrest's ClientRetryPolicy retries (every status >= 500 but 501 and 505,
# and 408), plus what the Teams rate-limit guidance asks for (429, 412).
RETRY_STATUSES = frozenset({408, 412, 429, 500, 502, 503, 504})
MAX_ATTEMPTS = 4  # first try + 3 retries, as msrest
BACKOFF_BASE = 0.8
BACKOFF_MAX = 20.0
TOKEN_REFRESH_SECONDS = 10 * 60  # msal caches and renews; we only ask it again this often


class ConnectorError(Exception):
    """The Bot Connector answered with an error status."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        retry_after: float | None = None,
        sub_code: str | None = None,
    ) -> None:
        super().__init__(f"Bot Connector answered {status} {code or ''}: {message}".strip())
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.sub_code = sub_code


def check_library_shape() -> None:
    """Raise if botbuilder's connector factory no longer has the attributes we read."""
    probe = _ConnectorFactoryImpl("", "scope", "login", True, None)  # type: ignore[arg-type]
    for name in (
        "_app_id",
        "_to_channel_from_bot_oauth_scope",
        "_login_endpoint",
        "_validate_authority",
        "_credential_factory",
    ):
        if not hasattr(probe, name):
            raise RuntimeError(
                f"botframework-connector changed: _ConnectorFactoryImpl has no {name}; "
                "revisit bot/connector.py (PooledConnectorFactory)"
            )


class _TokenSource:
    """Bearer tokens for outbound calls, fetched off the event loop and cached."""

    def __init__(self, credentials: AppCredentials | None) -> None:
        self._credentials = credentials
        self._token: str | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        creds = self._credentials
        return bool(creds is not None and getattr(creds, "microsoft_app_id", None))

    async def header(self, *, force: bool = False) -> dict[str, str]:
        if not self.enabled:
            return {}
        now = time.monotonic()
        if force or self._token is None or now - self._fetched_at > TOKEN_REFRESH_SECONDS:
            async with self._lock:
                if force or self._token is None or time.monotonic() - self._fetched_at > TOKEN_REFRESH_SECONDS:
                    assert self._credentials is not None
                    # get_access_token is synchronous (msal); it may go to the network.
                    self._token = await asyncio.to_thread(self._credentials.get_access_token, force)
                    self._fetched_at = time.monotonic()
        return {"Authorization": f"Bearer {self._token}"}


class _Conversations:
    """The ``conversations`` operations of the Bot Connector API that the bot uses on its hot paths."""

    def __init__(self, client: PooledConnectorClient) -> None:
        self._client = client

    async def send_to_conversation(self, conversation_id: str, activity: Any, **_: Any) -> Any:
        body = to_wire(activity)
        data = await self._client.request(
            "POST", f"v3/conversations/{quote(conversation_id, safe='')}/activities", body
        )
        return from_wire(ResourceResponse, data) if data else None

    async def reply_to_activity(self, conversation_id: str, activity_id: str, activity: Any, **_: Any) -> Any:
        body = to_wire(activity)
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities/{quote(activity_id, safe='')}"
        data = await self._client.request("POST", path, body)
        return from_wire(ResourceResponse, data) if data else None

    async def update_activity(self, conversation_id: str, activity_id: str, activity: Any, **_: Any) -> Any:
        body = to_wire(activity)
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities/{quote(activity_id, safe='')}"
        data = await self._client.request("PUT", path, body)
        return from_wire(ResourceResponse, data) if data else None

    async def delete_activity(self, conversation_id: str, activity_id: str, **_: Any) -> None:
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities/{quote(activity_id, safe='')}"
        await self._client.request("DELETE", path, None)

    async def create_conversation(self, parameters: Any, **_: Any) -> Any:
        body = to_wire(parameters)
        data = await self._client.request("POST", "v3/conversations", body)
        return from_wire(ConversationResourceResponse, data) if data else None

    def __getattr__(self, name: str) -> Any:
        # Anything else (members, paged members, history, attachments) goes to
        # botbuilder's own client: rare calls, correctness over speed.
        return getattr(self._client.fallback().conversations, name)


class PooledConnectorClient:
    """A Bot Connector client for one service URL that reuses connections and tokens."""

    def __init__(
        self,
        *,
        base_url: str,
        session: Any,  # () -> aiohttp.ClientSession, the pool's shared session
        credentials: AppCredentials | None,
        fallback_factory: Any,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._pool_session = session
        self._tokens = _TokenSource(credentials)
        self._credentials = credentials
        self._fallback_factory = fallback_factory
        self._fallback: ConnectorClient | None = None
        self.conversations = _Conversations(self)
        # botbuilder reads client.config.credentials in a few places (e.g. OAuth).
        self.config = type("Config", (), {"credentials": credentials, "base_url": base_url})()

    def fallback(self) -> ConnectorClient:
        if self._fallback is None:
            self._fallback = self._fallback_factory()
        return self._fallback

    @property
    def attachments(self) -> Any:
        return self.fallback().attachments

    async def download(self, url: str, *, limit: int, authorize: bool) -> bytes:
        """GET ``url`` whole, at most ``limit`` bytes (:class:`ConnectorError` 413 beyond).

        ``authorize`` sends the bot's token, and only to this client's own origin (an
        inline image in a 1:1 chat lives under the Bot Connector's attachments API);
        any other address is fetched without it, so the token never leaves the service.
        """
        headers = {"User-Agent": BOTBUILDER_USER_AGENT}
        if authorize:
            if not same_origin(url, self.base_url):
                raise ConnectorError(400, "ForeignOrigin", "the bot's token goes to the Bot Connector only")
            headers.update(await self._tokens.header())
        try:
            async with self._pool_session().get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=20)) as resp:
                if resp.status >= 300:
                    raise ConnectorError(resp.status, "DownloadFailed", f"HTTP {resp.status}")
                if resp.content_length is not None and resp.content_length > limit:
                    raise ConnectorError(413, "TooLarge", f"{resp.content_length} bytes")
                data = bytearray()
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        raise ConnectorError(413, "TooLarge", f"over {limit} bytes")
                return bytes(data)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConnectorError(503, "ConnectionError", str(exc) or type(exc).__name__) from exc

    async def request(self, method: str, path: str, body: Any, *, attempts: int = MAX_ATTEMPTS) -> Any:
        """One REST call with msrest-equivalent retries; returns parsed JSON or None.

        ``attempts=1`` leaves retrying to the caller (the delivery engine, which
        also owns rate limits); replies inside a turn use the default.
        """
        url = self.base_url + path
        data = None if body is None else dumps(body)
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": BOTBUILDER_USER_AGENT}
            headers.update(await self._tokens.header())
            try:
                async with self._pool_session().request(method, url, data=data, headers=headers) as resp:
                    text = await resp.text()
                    if resp.status < 300:
                        return orjson.loads(text) if text.strip() else None
                    error = _error_from(resp.status, text, resp.headers.get("Retry-After"))
            except (aiohttp.ClientConnectionError, TimeoutError) as exc:
                error = ConnectorError(503, "ConnectionError", str(exc) or type(exc).__name__)
            if error.status == 401 and not refreshed and self._tokens.enabled:
                refreshed = True  # a token may have been revoked early: fetch a fresh one once
                await self._tokens.header(force=True)
                continue
            if error.status not in RETRY_STATUSES or attempt >= attempts:
                raise error
            delay = error.retry_after if error.retry_after is not None else _backoff(attempt)
            log.info("Bot Connector %s %s answered %s; retry %d in %.2fs", method, path, error.status, attempt, delay)
            await asyncio.sleep(delay)


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port."""
    try:
        a, b = urlsplit(url), urlsplit(other)
        return bool(a.hostname) and (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:
        return False


def _backoff(attempt: int) -> float:
    return min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (attempt - 1))) * (0.5 + random.random() / 2)  # noqa: S311


def _error_from(status: int, text: str, retry_after: str | None) -> ConnectorError:
    code = message = None
    sub_code = None
    try:
        payload = json.loads(text) if text else {}
        err = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(err, dict):
            code = err.get("code")
            message = err.get("message")
            inner = err.get("innerHttpError") or {}
            sub_code = err.get("subCode") or (inner.get("subCode") if isinstance(inner, dict) else None)
        elif isinstance(payload, dict):
            code = payload.get("code")
            message = payload.get("message")
            sub_code = payload.get("subCode")
    except (ValueError, AttributeError):
        message = text[:200]
    if sub_code is None and text and "MessageWritesBlocked" in text:
        sub_code = "MessageWritesBlocked"
    seconds = None
    if retry_after:
        try:
            seconds = max(0.0, float(retry_after))
        except ValueError:
            seconds = None
    return ConnectorError(status, code, message or "", seconds, sub_code)


class PooledConnectorFactory(ConnectorFactory):
    """Wraps botbuilder's connector factory; hands out cached pooled clients."""

    def __init__(self, inner: _ConnectorFactoryImpl, pool: ConnectorPool) -> None:
        self._inner = inner
        self._pool = pool

    async def create(self, service_url: str, audience: str | None = None) -> PooledConnectorClient:  # type: ignore[override]
        inner = self._inner
        scope = audience or inner._to_channel_from_bot_oauth_scope
        return await self._pool.client(
            app_id=inner._app_id or "",
            scope=scope,
            service_url=service_url,
            make_credentials=lambda: inner._credential_factory.create_credentials(
                inner._app_id, scope, inner._login_endpoint, inner._validate_authority
            ),
        )


def _fallback_client(credentials: AppCredentials | None, service_url: str) -> ConnectorClient:
    """botbuilder's own msrest client, for the operations the pooled client does not implement."""
    client = ConnectorClient(credentials, base_url=service_url)
    client.config.add_user_agent(BOTBUILDER_USER_AGENT)
    return client


class ConnectorPool:
    """Owns the shared HTTP session and one client per (app id, scope, service URL).

    The session is opened lazily inside the running event loop and closed by
    :meth:`close` when the app stops.
    """

    def __init__(self, *, connections: int = 256) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[tuple[str, str, str], PooledConnectorClient] = {}
        self._lock = asyncio.Lock()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._connections, limit_per_host=self._connections, keepalive_timeout=60
                ),
                timeout=aiohttp.ClientTimeout(total=30, connect=10),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._clients.clear()

    async def client(
        self, *, app_id: str, scope: str, service_url: str, make_credentials: Any
    ) -> PooledConnectorClient:
        key = (app_id, scope or "", service_url)
        client = self._clients.get(key)
        if client is not None:
            return client
        async with self._lock:
            client = self._clients.get(key)
            if client is None:
                credentials = await make_credentials()
                client = PooledConnectorClient(
                    base_url=service_url,
                    session=lambda: self.session,
                    credentials=credentials,
                    fallback_factory=lambda: _fallback_client(credentials, service_url),
                )
                self._clients[key] = client
        return client

    def wrap(self, factory: ConnectorFactory) -> ConnectorFactory:
        if isinstance(factory, PooledConnectorFactory):
            return factory
        if isinstance(factory, _ConnectorFactoryImpl):
            return PooledConnectorFactory(factory, self)
        return factory
