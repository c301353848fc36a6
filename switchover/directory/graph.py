"""The live directory: Microsoft Graph through ``msgraph-sdk`` with app-only credentials.

A :class:`GraphDirectory` keeps a *snapshot* of the whole tenant (users, their
transitive groups, MFA registration and device compliance), refreshed by a
paged ``$select`` sync on a schedule, held in memory and saved in the database
(tables ``directory_*``). Single-user lookups go to Graph with a TTL cache and
a timeout; when Graph is slow or down the snapshot answers, so an outage (even
across a restart) degrades the bot instead of stopping it.

Retries on 429 (honouring ``Retry-After``), 503 and 504 are the SDK's
``RetryHandler`` middleware; this module adds only the timeout and the fallback.

Requests go through :mod:`switchover.directory.graph_client`, which reads response
bodies as JSON instead of the SDK's models: the SDK's generated model deserializers cost about 40 ms per
object on this machine (``Entity.get_field_deserializers`` re-imports hundreds
of subtypes on every call), which made a 243-user sync take a minute.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.users.item.transitive_member_of.transitive_member_of_request_builder import (
    TransitiveMemberOfRequestBuilder,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from switchover.directory.base import DirectoryUser, Readiness
from switchover.directory.graph_client import (
    GraphForbidden,
    GraphUnavailable,
    close_graph_client,
    graph_json,
    graph_pages,
)
from switchover.directory.graph_readiness import fetch_readiness, fetch_user_readiness
from switchover.directory.snapshot import Snapshot
from switchover.plan.model import ReadinessChecks

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from switchover.clock import Clock
    from switchover.directory.store import DirectoryStore

log = logging.getLogger(__name__)

# Only what the plan rules, answers and readiness need (least data, smaller pages).
USER_SELECT = (
    "id",
    "userPrincipalName",
    "displayName",
    "givenName",
    "mail",
    "department",
    "officeLocation",
    "city",
    "state",
    "country",
    "usageLocation",
    "preferredLanguage",
    "jobTitle",
    "accountEnabled",
    "userType",
)
PAGE_SIZE = 999  # the largest page /users allows
GROUP_PAGE_SIZE = 999  # the largest page transitiveMemberOf allows (default 100)


# -- mapping --------------------------------------------------------------------


def user_from_graph(user: dict[str, Any], groups: Iterable[dict[str, Any]] = ()) -> DirectoryUser:
    """A :class:`DirectoryUser` from Graph ``user`` JSON and its transitive groups (ids and names)."""
    names: set[str] = set()
    for g in groups:
        for key in ("id", "displayName"):
            if g.get(key):
                names.add(g[key])
    manager = user.get("manager") or {}
    enabled = user.get("accountEnabled")
    upn = user.get("userPrincipalName") or ""
    return DirectoryUser(
        id=user.get("id") or "",
        upn=upn,
        display_name=user.get("displayName") or upn,
        given_name=user.get("givenName") or "",
        mail=user.get("mail"),
        department=user.get("department"),
        office=user.get("officeLocation"),
        city=user.get("city"),
        state=user.get("state"),
        country=user.get("country"),
        usage_location=user.get("usageLocation"),
        job_title=user.get("jobTitle"),
        preferred_language=user.get("preferredLanguage"),
        enabled=True if enabled is None else bool(enabled),
        user_type=user.get("userType") or "Member",
        manager_id=manager.get("id"),
        groups=frozenset(names),
    )


@dataclass(frozen=True, slots=True)
class DirectoryStatus:
    """What ``/readyz`` says about the directory."""

    source: Literal["roster", "graph"]
    state: Literal["ok", "degraded", "unavailable", "starting"]
    last_sync: dt.datetime | None = None
    users: int = 0
    error: str | None = None

    @property
    def healthy(self) -> bool:
        return self.state == "ok"

    @property
    def serving(self) -> bool:
        """The bot can identify people: Graph answers, or a snapshot stands in for it."""
        return self.state != "unavailable"

    def as_dict(self) -> dict[str, Any]:
        """The ``/readyz`` check: ``ok`` is False only when there is no directory at all."""
        return {
            "ok": self.serving,
            "source": self.source,
            "state": self.state,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "users": self.users,
            "error": self.error,
            "detail": self.describe(),
        }

    def describe(self) -> str:
        """E.g. ``directory: degraded (last sync 12:03Z)``."""
        when = f"last sync {self.last_sync.astimezone(dt.UTC):%H:%MZ}" if self.last_sync else "never synced"
        if self.state == "ok":
            return f"directory: ok ({self.source}, {self.users} users, {when})"
        return f"directory: {self.state} ({when})"


# -- the directory ------------------------------------------------------------------


@dataclass
class _Cached:
    user: DirectoryUser | None
    at: dt.datetime


class GraphDirectory:
    """The Microsoft Graph :class:`~switchover.directory.base.Directory`.

    Args:
        client: a ``GraphServiceClient`` (see :func:`build_graph_client`).
        clock: the one source of now (TTL, sync times).
        tenant_id: the tenant the rows are stored under.
        checks: which readiness checks the plan asks for (MFA, device compliance).
        store: where the last good snapshot is kept across restarts; None keeps it in memory only.
        cache_seconds: how long a single-user lookup from Graph is reused.
        timeout_seconds: the longest a live lookup may hold a caller before the snapshot answers.
        pause_seconds: after a failed Graph call, lookups answer from the snapshot for this long
            (a down Graph costs one timeout, not one per answer); the scheduled sync still tries.
        concurrency: parallel transitiveMemberOf calls during a sync.
    """

    def __init__(
        self,
        client: GraphServiceClient,
        *,
        clock: Clock,
        tenant_id: str,
        checks: ReadinessChecks | None = None,
        store: DirectoryStore | None = None,
        cache_seconds: float = 300.0,
        timeout_seconds: float = 5.0,
        pause_seconds: float = 60.0,
        concurrency: int = 8,
    ) -> None:
        self.client = client
        self.clock = clock
        self.tenant_id = tenant_id
        self.checks = checks or ReadinessChecks()
        self.store = store
        self.cache_ttl = dt.timedelta(seconds=cache_seconds)
        self.timeout = timeout_seconds
        self.pause_after_failure = dt.timedelta(seconds=pause_seconds)
        self.concurrency = concurrency
        self._snapshot: Snapshot | None = None
        self._cache: dict[str, _Cached] = {}
        self._sync_lock = asyncio.Lock()
        self._last_error: str | None = None
        self._last_failure: dt.datetime | None = None
        self._started = False
        self._warned_groups = False

    # -- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Load the last good snapshot from the database (so an outage at start still has one)."""
        if self.store is not None and self._snapshot is None:
            self._snapshot = await self.store.load(self.tenant_id)
            if self._snapshot is not None:
                log.info(
                    "directory snapshot loaded",
                    extra={"tenant": self.tenant_id, "users": len(self._snapshot.users)},
                )
        self._started = True

    async def aclose(self) -> None:
        """Close the HTTP client under the SDK."""
        await close_graph_client(self.client)

    # -- Directory protocol -------------------------------------------------------

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        """A user by object id, UPN or mail: fresh cache, else Graph (bounded wait), else the snapshot."""
        key = id_or_upn.strip().casefold()
        if not key:
            return None
        now = self.clock.now()
        cached = self._cache.get(key)
        if cached is not None and now - cached.at < self.cache_ttl:
            return cached.user
        snap = self._snapshot
        if snap is not None and now - snap.synced_at < self.cache_ttl:
            return snap.find(key)
        if self._paused(now):
            # Graph failed a moment ago: do not make every answer wait for it to fail again.
            return snap.find(key) if snap is not None else None
        try:
            user = await asyncio.wait_for(self._fetch_user(id_or_upn.strip()), self.timeout)
        except (TimeoutError, GraphUnavailable) as exc:
            self._note_failure(f"lookup: {exc or type(exc).__name__}")
            log.warning(
                "Graph lookup failed; answering from the last directory snapshot",
                extra={"tenant": self.tenant_id, "error": str(exc) or type(exc).__name__},
            )
            return snap.find(key) if snap is not None else None
        self._last_error = None
        entry = _Cached(user, now)
        self._cache[key] = entry
        if user is not None:
            for k in (user.id, user.upn, user.mail):
                if k:
                    self._cache[k.casefold()] = entry
        return user

    async def all_users(self) -> list[DirectoryUser]:
        """Every user in the last snapshot; syncs first if there has never been one."""
        if self._snapshot is None:
            if not self._started:
                await self.start()
            if self._snapshot is None:
                await self.sync()
        return list(self._snapshot.users) if self._snapshot is not None else []

    async def readiness(self, user_id: str) -> Readiness | None:
        """Readiness from the last snapshot (no Graph call); None when never synced."""
        snap = self._snapshot
        if snap is None:
            return None
        user = snap.find(user_id)
        if user is None:
            return None
        return snap.readiness.get(user.id) or Readiness(user_id=user.id, mfa_registered=None)

    async def check_readiness(self, user_id: str) -> Readiness | None:
        """Readiness asked of Graph now (e.g. after "I've set up Authenticator"); the snapshot if Graph fails."""
        if self._paused(self.clock.now()):
            return await self.readiness(user_id)
        try:
            fresh = await asyncio.wait_for(
                fetch_user_readiness(self.client, user_id, self.checks, self.clock.now()), self.timeout
            )
        except (TimeoutError, GraphUnavailable) as exc:
            self._note_failure(f"readiness: {exc or type(exc).__name__}")
            log.warning("Graph readiness check failed; using the snapshot", extra={"user": user_id})
            return await self.readiness(user_id)
        snap = self._snapshot
        if fresh is not None and snap is not None:
            # Keep the snapshot's view current so summaries agree with what the user was just told.
            snap.readiness[fresh.user_id] = fresh
        return fresh

    # -- sync ---------------------------------------------------------------------

    async def sync(self) -> bool:
        """Read the whole directory (paged) and replace the snapshot; on failure keep the last one.

        Returns:
            True when the snapshot was replaced.
        """
        async with self._sync_lock:
            started = self.clock.now()
            try:
                users = await self._fetch_all_users()
                readiness = await fetch_readiness(self.client, [u.id for u in users], self.checks, started)
            except (GraphUnavailable, TimeoutError) as exc:
                self._note_failure(f"sync: {exc or type(exc).__name__}")
                log.warning(
                    "directory sync failed; keeping the last snapshot",
                    extra={
                        "tenant": self.tenant_id,
                        "error": str(exc),
                        "last_sync": self._snapshot.synced_at.isoformat() if self._snapshot else None,
                    },
                )
                if self.store is not None:
                    await self._store_quietly(self.store.record_failure(self.tenant_id, started, str(exc)))
                return False
            snap = Snapshot(tuple(users), readiness, started)
            self._snapshot = snap
            self._cache.clear()
            self._last_error = None
            self._last_failure = None
            log.info(
                "directory synced",
                extra={"tenant": self.tenant_id, "users": len(users), "readiness": len(readiness)},
            )
            if self.store is not None:
                await self._store_quietly(self.store.save(self.tenant_id, snap))
            return True

    def status(self) -> dict[str, Any]:
        """The ``/readyz`` check, e.g. ``{"ok": true, "state": "degraded", "detail": "directory: degraded
        (last sync 12:03Z)", ...}``; a degraded directory still serves, so it stays ready."""
        return self.health().as_dict()

    def health(self) -> DirectoryStatus:
        """ok, degraded (Graph failing, snapshot answering), unavailable (no snapshot) or starting."""
        snap = self._snapshot
        last = snap.synced_at if snap else None
        count = len(snap.users) if snap else 0
        if self._last_error is not None:
            state: Literal["ok", "degraded", "unavailable", "starting"] = "degraded" if snap else "unavailable"
            return DirectoryStatus("graph", state, last, count, self._last_error)
        if snap is None:
            return DirectoryStatus("graph", "starting")
        return DirectoryStatus("graph", "ok", last, count)

    # -- Graph calls ----------------------------------------------------------------

    async def _fetch_all_users(self) -> list[DirectoryUser]:
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=list(USER_SELECT), top=PAGE_SIZE, expand=["manager($select=id)"]
        )
        raw = await graph_pages(self.client, self.client.users, RequestConfiguration(query_parameters=query))
        sem = asyncio.Semaphore(self.concurrency)

        async def with_groups(u: dict[str, Any]) -> DirectoryUser:
            async with sem:
                return user_from_graph(u, await self._fetch_groups(u.get("id") or ""))

        return list(await asyncio.gather(*(with_groups(u) for u in raw)))

    async def _fetch_groups(self, user_id: str) -> list[dict[str, Any]]:
        builder = self.client.users.by_user_id(user_id).transitive_member_of
        query = TransitiveMemberOfRequestBuilder.TransitiveMemberOfRequestBuilderGetQueryParameters(
            select=["id", "displayName"], top=GROUP_PAGE_SIZE
        )
        try:
            objects = await graph_pages(self.client, builder, RequestConfiguration(query_parameters=query))
        except GraphForbidden:
            # Not allowed to read memberships: rules on groups cannot match, everything else still works.
            if not self._warned_groups:
                log.warning("group memberships not readable (permission); group-based wave rules will not match")
                self._warned_groups = True
            return []
        # transitiveMemberOf also lists directory roles and administrative units; plan rules name groups.
        return [o for o in objects if o.get("@odata.type", "#microsoft.graph.group") == "#microsoft.graph.group"]

    async def _fetch_user(self, id_or_upn: str) -> DirectoryUser | None:
        query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
            select=list(USER_SELECT), expand=["manager($select=id)"]
        )
        config = RequestConfiguration(query_parameters=query)
        user = await graph_json(self.client, self.client.users.by_user_id(id_or_upn), config, missing_ok=True)
        if user is None and "@" in id_or_upn:
            # /users/{key} takes an id or UPN, not a mail address.
            lookup = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
                select=list(USER_SELECT), filter=f"mail eq '{id_or_upn.replace(chr(39), chr(39) * 2)}'"
            )
            page = await graph_json(self.client, self.client.users, RequestConfiguration(query_parameters=lookup))
            values = (page or {}).get("value") or []
            user = values[0] if values else None
        if user is None:
            return None
        return user_from_graph(user, await self._fetch_groups(user.get("id") or ""))

    # -- helpers --------------------------------------------------------------------

    def _note_failure(self, error: str) -> None:
        self._last_error = error
        self._last_failure = self.clock.now()

    def _paused(self, now: dt.datetime) -> bool:
        """True for ``pause_after_failure`` after a failed Graph call: lookups answer from the snapshot."""
        return self._last_failure is not None and now - self._last_failure < self.pause_after_failure

    async def _store_quietly(self, op: Awaitable[None]) -> None:
        # The database failing must not take the in-memory directory down with it.
        try:
            await op
        except Exception:
            log.exception("could not save the directory snapshot", extra={"tenant": self.tenant_id})
