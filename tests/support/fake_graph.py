"""A loopback Microsoft Graph for tests: the documented JSON shapes, paging, faults and a request log.

The real ``msgraph-sdk`` client is pointed at it (``base_url``), so the SDK's
serialization, paging and retry middleware run for real. Only 127.0.0.1 is
ever contacted: :class:`StaticTokenCredential` refuses to hand out a token for
any other host, and the server itself listens on loopback.

Seeded from ``examples/fabrikam/roster.csv``; some users are not MFA-registered,
a few Entra groups exist (``Migration Champions`` with a nested group, so
transitive membership matters), and some users have Intune devices.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import random
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from azure.core.credentials import AccessToken

ROSTER = Path(__file__).resolve().parents[2] / "examples" / "fabrikam" / "roster.csv"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

CHAMPIONS = (
    "grace.okafor@fabrikamhealth.com",
    "hiro.tanaka@fabrikamhealth.com",
    "elena.morales@fabrikamhealth.com",
    "nadia.hassan@fabrikamhealth.com",
    "lucia.santos@fabrikamhealth.com",
)

# The roster columns that are Graph user properties, with their JSON types.
_BOOL_FIELDS = {"accountEnabled", "directorySynced"}


class StaticTokenCredential:
    """An ``AsyncTokenCredential`` that returns a fixed token, only for loopback scopes.

    Asserting here is what keeps the SDK from ever reaching login.microsoftonline.com
    or graph.microsoft.com in a test: a scope for any other host fails the test.
    """

    def __init__(self, token: str = "fake-graph-token") -> None:
        self.token = token
        self.scopes_seen: list[str] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        for scope in scopes:
            host = urlparse(scope).hostname
            assert host in LOOPBACK, f"a test asked for a token for {scope!r}"
            self.scopes_seen.append(scope)
        expires = int(dt.datetime.now(dt.UTC).timestamp()) + 3600
        return AccessToken(self.token, expires)

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> StaticTokenCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass


@dataclass
class Fault:
    """An injected failure: the next ``times`` requests whose path contains ``path`` get ``status``."""

    path: str
    status: int
    times: int = 1
    retry_after: int | None = None
    method: str | None = None


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    status: int
    body: Any = None


@dataclass
class FakeGraphData:
    """What the fake tenant holds; tests may change it between calls."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> Graph user JSON
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {id, displayName, members: [ids]}
    mfa_registered: dict[str, bool] = field(default_factory=dict)  # user id -> registered
    devices: list[dict[str, Any]] = field(default_factory=list)  # managedDevice JSON
    installed: set[str] = field(default_factory=set)  # user ids that have the app
    install_forbidden: set[str] = field(default_factory=set)  # user ids where Graph answers 403
    managers: dict[str, str] = field(default_factory=dict)  # user id -> manager id
    # Mailboxes that are not users (shared mailboxes) sendMail may send from, by address.
    mailboxes: set[str] = field(default_factory=set)
    # sendActivityNotification bodies accepted, in order: (user id, body)
    activity_notifications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def user_by_key(self, key: str) -> dict[str, Any] | None:
        k = key.casefold()
        if key in self.users:
            return self.users[key]
        for u in self.users.values():
            if (u.get("userPrincipalName") or "").casefold() == k:
                return u
        return None

    def upn_id(self, upn: str) -> str:
        u = self.user_by_key(upn)
        assert u is not None, upn
        return u["id"]

    def transitive_groups(self, user_id: str) -> list[dict[str, Any]]:
        """Groups the user is in directly or through nested groups."""
        found: dict[str, dict[str, Any]] = {}
        frontier = {user_id}
        while frontier:
            nxt: set[str] = set()
            for g in self.groups.values():
                if g["id"] not in found and frontier & set(g["members"]):
                    found[g["id"]] = g
                    nxt.add(g["id"])
            frontier = nxt
        return list(found.values())


def seeded_data(roster: Path = ROSTER) -> FakeGraphData:
    """The Fabrikam tenant from the roster CSV, plus groups, MFA state and devices.

    Every fourth member (by roster order) is not MFA-registered; guests and
    disabled accounts never are. The champions are in ``Site Champions``, which is
    nested inside ``Migration Champions``; IT is in ``IT Staff``.
    """
    data = FakeGraphData()
    with roster.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        user: dict[str, Any] = {}
        for k, v in row.items():
            if k in _BOOL_FIELDS:
                user[k] = v.strip().casefold() == "true"
            else:
                user[k] = v or None
        data.users[user["id"]] = user
        member = user["userType"] == "Member" and user["accountEnabled"]
        data.mfa_registered[user["id"]] = member and i % 4 != 3
    site = _group(data, "Site Champions", [data.upn_id(u) for u in CHAMPIONS if data.user_by_key(u)])
    _group(data, "Migration Champions", [site])
    _group(
        data,
        "IT Staff",
        [u["id"] for u in data.users.values() if u.get("department") == "Information Technology"],
    )
    _group(data, "All Staff", [u["id"] for u in data.users.values() if u["userType"] == "Member"])
    # Intune: the Tacoma clinical staff have managed devices; every fifth is non-compliant.
    tacoma = [u for u in data.users.values() if u.get("officeLocation") == "Tacoma Clinic"]
    for i, u in enumerate(tacoma):
        data.devices.append(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "device/" + u["id"])),
                "userId": u["id"],
                "userPrincipalName": u["userPrincipalName"],
                "deviceName": f"TAC-{i:03d}",
                "operatingSystem": "Windows",
                "complianceState": "noncompliant" if i % 5 == 4 else "compliant",
            }
        )
    return data


def synthetic_users(data: FakeGraphData, count: int, *, department: str = "Synthetic") -> list[str]:
    """Add ``count`` enabled members (ids and UPNs derived from their number) and return their ids."""
    ids = []
    for i in range(count):
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"synthetic-user/{i}"))
        data.users[uid] = {
            "id": uid,
            "userPrincipalName": f"user{i:05d}@example.org",
            "displayName": f"User {i:05d}",
            "givenName": "User",
            "mail": f"user{i:05d}@example.org",
            "department": department,
            "accountEnabled": True,
            "userType": "Member",
        }
        ids.append(uid)
    return ids


def _group(data: FakeGraphData, name: str, members: list[str]) -> str:
    gid = str(uuid.uuid5(uuid.NAMESPACE_URL, "group/" + name))
    data.groups[gid] = {"id": gid, "displayName": name, "members": members}
    return gid


@dataclass
class SentMail:
    """One email ``POST /users/{mailbox}/sendMail`` accepted."""

    mailbox: str
    subject: str
    content_type: str
    html: str
    to: list[str]
    body: dict[str, Any]


class FakeGraph:
    """The aiohttp server. Use ``async with FakeGraph() as graph: graph.base_url``."""

    def __init__(self, data: FakeGraphData | None = None, *, page_size: int = 100) -> None:
        self.data = data if data is not None else seeded_data()
        self.page_size = page_size  # the most items one page holds, whatever $top asks
        self.requests: list[LoggedRequest] = []
        self.faults: deque[Fault] = deque()
        self.down = False  # every request answers 503 while True
        self.mail: list[SentMail] = []  # every email sendMail accepted (202), in order
        self.mail_arrivals = 0  # sendMail requests that reached the handler (answered or not yet)
        self.mail_latency = 0.0  # seconds sendMail takes to answer (a slow mailbox: a send on the wire)
        self._mail_arrived = asyncio.Condition()
        # Installs answered 429 at random (seeded), as Graph throttles Teams writes per app per tenant.
        self.install_throttle_ratio = 0.0
        self.install_retry_after = 1
        self._throttle_random = random.Random(18)
        # Graph's own limit for POST installedApps (30 per second per app per tenant), when set:
        # a POST beyond it within the trailing second is answered 429 with Retry-After.
        self.install_limit_per_second: float | None = None
        self._install_times: deque[float] = deque()
        self.token = "fake-graph-token"
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- control -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"

    def fail(
        self, path: str, status: int, *, times: int = 1, retry_after: int | None = None, method: str | None = None
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` (and ``Retry-After``)."""
        self.faults.append(Fault(path, status, times, retry_after, method))

    def log(self, path_part: str = "", method: str | None = None) -> list[LoggedRequest]:
        """Requests seen whose path contains ``path_part``."""
        return [r for r in self.requests if path_part in r.path and (method is None or r.method == method)]

    async def wait_for_mail(self, arrivals: int, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until ``arrivals`` sendMail requests have reached the fake (answered or still on the wire)."""
        async with self._mail_arrived:
            await asyncio.wait_for(self._mail_arrived.wait_for(lambda: self.mail_arrivals >= arrivals), timeout)

    # -- lifecycle -----------------------------------------------------------

    async def __aenter__(self) -> FakeGraph:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/v1.0/users", self._users)
        r.add_get("/v1.0/users/{key}", self._user)
        r.add_get("/v1.0/users/{key}/transitiveMemberOf", self._member_of)
        r.add_get("/v1.0/users/{key}/manager", self._manager)
        r.add_post("/v1.0/users/{key}/teamwork/installedApps", self._install)
        r.add_post("/v1.0/users/{key}/sendMail", self._send_mail)
        r.add_post("/v1.0/users/{key}/teamwork/sendActivityNotification", self._activity_notification)
        r.add_get("/v1.0/reports/authenticationMethods/userRegistrationDetails", self._registrations)
        r.add_get("/v1.0/reports/authenticationMethods/userRegistrationDetails/{key}", self._registration)
        r.add_get("/v1.0/deviceManagement/managedDevices", self._devices)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- plumbing ------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = None
        if request.can_read_body:
            body = await request.json()
        resp = await self._answer(request, handler)
        self.requests.append(LoggedRequest(request.method, request.path, dict(request.query), resp.status, body))
        return resp

    async def _answer(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if self.down:
            return _error(503, "serviceNotAvailable", "The service is temporarily unavailable.")
        for fault in list(self.faults):
            if fault.path in request.path and (fault.method is None or fault.method == request.method):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                code = {429: "TooManyRequests", 503: "serviceNotAvailable", 404: "Request_ResourceNotFound"}
                return _error(fault.status, code.get(fault.status, "generalException"), "injected", headers)
        return await handler(request)

    def _page(self, request: web.Request, items: list[dict[str, Any]], context: str) -> web.Response:
        top = min(int(request.query.get("$top", self.page_size)), self.page_size)
        skip = int(request.query.get("$skiptoken", "0"))
        page = items[skip : skip + top]
        select = request.query.get("$select")
        if select:
            keep = {s.strip() for s in select.split(",")} | {"id", "@odata.type"}
            page = [{k: v for k, v in item.items() if k in keep or k == "manager"} for item in page]
        body: dict[str, Any] = {"@odata.context": f"{self.base_url}/$metadata#{context}", "value": page}
        if skip + top < len(items):
            query = {k: v for k, v in request.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(skip + top)
            qs = "&".join(f"{k}={v}" for k, v in query.items())
            body["@odata.nextLink"] = f"{self.base_url}{request.path.removeprefix('/v1.0')}?{qs}"
        return web.json_response(body)

    def _user_json(self, user: dict[str, Any], request: web.Request) -> dict[str, Any]:
        out = dict(user)
        if "manager" in request.query.get("$expand", ""):
            mid = self.data.managers.get(user["id"])
            if mid:
                out["manager"] = {"@odata.type": "#microsoft.graph.user", "id": mid}
        return out

    # -- endpoints -----------------------------------------------------------

    async def _users(self, request: web.Request) -> web.Response:
        users = sorted(self.data.users.values(), key=lambda u: u["id"])
        flt = request.query.get("$filter", "")
        if flt.startswith("mail eq "):
            mail = flt.removeprefix("mail eq ").strip("'").casefold()
            users = [u for u in users if (u.get("mail") or "").casefold() == mail]
        return self._page(request, [self._user_json(u, request) for u in users], "users")

    async def _user(self, request: web.Request) -> web.Response:
        user = self.data.user_by_key(request.match_info["key"])
        if user is None:
            return _error(404, "Request_ResourceNotFound", f"Resource '{request.match_info['key']}' does not exist.")
        out = self._user_json(user, request)
        select = request.query.get("$select")
        if select:
            keep = {s.strip() for s in select.split(",")} | {"id", "manager"}
            out = {k: v for k, v in out.items() if k in keep}
        return web.json_response({"@odata.context": f"{self.base_url}/$metadata#users/$entity", **out})

    async def _member_of(self, request: web.Request) -> web.Response:
        user = self.data.user_by_key(request.match_info["key"])
        if user is None:
            return _error(404, "Request_ResourceNotFound", "no such user")
        groups = [
            {"@odata.type": "#microsoft.graph.group", "id": g["id"], "displayName": g["displayName"]}
            for g in self.data.transitive_groups(user["id"])
        ]
        return self._page(request, groups, "directoryObjects")

    async def _manager(self, request: web.Request) -> web.Response:
        user = self.data.user_by_key(request.match_info["key"])
        mid = self.data.managers.get(user["id"]) if user else None
        if mid is None:
            return _error(404, "Request_ResourceNotFound", "no manager")
        return web.json_response({"@odata.type": "#microsoft.graph.user", "id": mid})

    def _registration_json(self, user: dict[str, Any]) -> dict[str, Any]:
        registered = self.data.mfa_registered.get(user["id"], False)
        return {
            "id": user["id"],
            "userPrincipalName": user["userPrincipalName"],
            "userDisplayName": user["displayName"],
            "userType": "guest" if user["userType"] == "Guest" else "member",
            "isAdmin": False,
            "isMfaCapable": registered,
            "isMfaRegistered": registered,
            "isPasswordlessCapable": False,
            "isSsprCapable": registered,
            "isSsprEnabled": True,
            "isSsprRegistered": registered,
            "isSystemPreferredAuthenticationMethodEnabled": False,
            "lastUpdatedDateTime": "2026-11-20T08:00:00Z",
            "methodsRegistered": ["microsoftAuthenticatorPush", "softwareOneTimePasscode"] if registered else [],
            "userPreferredMethodForSecondaryAuthentication": "push" if registered else "none",
            "systemPreferredAuthenticationMethods": [],
        }

    async def _registrations(self, request: web.Request) -> web.Response:
        users = sorted(self.data.users.values(), key=lambda u: u["id"])
        return self._page(request, [self._registration_json(u) for u in users], "reports/userRegistrationDetails")

    async def _registration(self, request: web.Request) -> web.Response:
        user = self.data.users.get(request.match_info["key"])
        if user is None:
            return _error(404, "Request_ResourceNotFound", "no such user")
        return web.json_response(self._registration_json(user))

    async def _devices(self, request: web.Request) -> web.Response:
        return self._page(request, list(self.data.devices), "deviceManagement/managedDevices")

    def installs_by_user(self, status: int | None = None) -> dict[str, int]:
        """How many install POSTs each user got (those answered ``status``, when given)."""
        counts: dict[str, int] = {}
        for r in self.log("/teamwork/installedApps", "POST"):
            if status is None or r.status == status:
                key = r.path.split("/users/")[1].split("/")[0]
                counts[key] = counts.get(key, 0) + 1
        return counts

    async def _install(self, request: web.Request) -> web.Response:
        if self.install_limit_per_second is not None:
            now = time.monotonic()
            while self._install_times and now - self._install_times[0] >= 1.0:
                self._install_times.popleft()
            if len(self._install_times) >= self.install_limit_per_second:
                headers = {"Retry-After": str(self.install_retry_after)}
                return _error(429, "TooManyRequests", "Too many requests.", headers)
            self._install_times.append(now)
        if self.install_throttle_ratio and self._throttle_random.random() < self.install_throttle_ratio:
            headers = {"Retry-After": str(self.install_retry_after)}
            return _error(429, "TooManyRequests", "Too many requests.", headers)
        user = self.data.user_by_key(request.match_info["key"])
        body = await request.json()
        bind = body.get("teamsApp@odata.bind", "")
        if "/appCatalogs/teamsApps/" not in bind:
            return _error(400, "BadRequest", "teamsApp@odata.bind is required")
        if user is None:
            return _error(404, "NotFound", "User not found")
        if user["id"] in self.data.install_forbidden or not user["accountEnabled"]:
            return _error(403, "Forbidden", "The app is blocked for this user by the app permission policy.")
        if user["id"] in self.data.installed:
            return _error(409, "Conflict", "App is already installed.")
        self.data.installed.add(user["id"])
        return web.Response(status=201)

    async def _send_mail(self, request: web.Request) -> web.Response:
        """``sendMail`` as documented: ``{message: {subject, body: {contentType, content}, toRecipients}}``, 202."""
        mailbox = request.match_info["key"]
        async with self._mail_arrived:
            self.mail_arrivals += 1
            self._mail_arrived.notify_all()
        if self.mail_latency:
            await asyncio.sleep(self.mail_latency)
        if self.data.user_by_key(mailbox) is None and mailbox not in self.data.mailboxes:
            return _error(404, "ErrorInvalidUser", f"The requested user '{mailbox}' is invalid.")
        body = await request.json()
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict):
            return _error(400, "ErrorInvalidRequest", "message is required")
        content = message.get("body") or {}
        recipients = [
            ((r or {}).get("emailAddress") or {}).get("address", "") for r in message.get("toRecipients") or []
        ]
        if not recipients or not all("@" in a for a in recipients):
            return _error(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")
        if content.get("contentType") not in ("HTML", "Text", "html", "text"):
            return _error(400, "ErrorInvalidRequest", "body.contentType must be Text or HTML")
        self.mail.append(
            SentMail(
                mailbox,
                str(message.get("subject") or ""),
                content["contentType"],
                str(content.get("content") or ""),
                recipients,
                body,
            )
        )
        return web.Response(status=202)

    async def _activity_notification(self, request: web.Request) -> web.Response:
        """``POST /users/{id}/teamwork/sendActivityNotification``: the documented body, 204; the app
        must be installed for the user (else 403, as Graph answers)."""
        user = self.data.user_by_key(request.match_info["key"])
        body = await request.json()
        topic = body.get("topic") or {}
        problems = []
        if topic.get("source") not in ("entityUrl", "text"):
            problems.append("topic.source must be entityUrl or text")
        if not topic.get("value"):
            problems.append("topic.value is required")
        if topic.get("source") == "text" and not topic.get("webUrl"):
            problems.append("topic.webUrl is required when the source is text")
        if not body.get("activityType"):
            problems.append("activityType is required")
        if not (body.get("previewText") or {}).get("content"):
            problems.append("previewText.content is required")
        params = body.get("templateParameters")
        if params is not None and not all(isinstance(p, dict) and {"name", "value"} <= set(p) for p in params):
            problems.append("templateParameters are {name, value} pairs")
        if problems:
            return _error(400, "BadRequest", "; ".join(problems))
        if user is None:
            return _error(404, "NotFound", "User not found")
        if user["id"] not in self.data.installed:
            return _error(403, "Forbidden", "The app is not installed for the recipient.")
        self.data.activity_notifications.append((user["id"], body))
        return web.Response(status=204)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    inner = {"date": "2026-11-25T00:00:00", "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}
    return web.json_response(
        {"error": {"code": code, "message": message, "innerError": inner}}, status=status, headers=headers
    )
