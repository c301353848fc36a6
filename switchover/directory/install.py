"""Reaching people who never opened the bot: install the Teams app for them through Graph.

``POST /users/{id}/teamwork/installedApps`` with the app's catalog id
(``TEAMS_APP_CATALOG_ID``; permission ``TeamsAppInstallation.ReadWriteSelfForUser.All``).
Teams then creates the 1:1 chat and sends the bot a ``conversationUpdate``; the
bot stores that conversation reference as for any install, after which the
delivery engine can reach the person.

Outcomes per user, for the "who could not be reached and why" report:
``installed`` (201), ``already_installed`` (409), ``forbidden`` (403: app
permission policy, no Teams licence, or the permission is not granted),
``not_found`` (404: no such user, or no Teams mailbox yet), ``failed``
(throttled past retries, 5xx, network, timeout); ``throttled`` (429, only from
:meth:`AppInstaller.install_once`, which leaves the waiting to its caller: the durable
installation queue in :mod:`switchover.reach.installs` pauses the whole tenant).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.generated.models.user_scope_teams_app_installation import UserScopeTeamsAppInstallation

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

    from switchover.directory.base import DirectoryUser

log = logging.getLogger(__name__)


class InstallOutcome(StrEnum):
    INSTALLED = "installed"
    ALREADY_INSTALLED = "already_installed"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    FAILED = "failed"
    THROTTLED = "throttled"

    @property
    def reached(self) -> bool:
        """The app is (now) installed for the user, so the bot can open a 1:1 chat."""
        return self in (InstallOutcome.INSTALLED, InstallOutcome.ALREADY_INSTALLED)


_WHY = {
    InstallOutcome.FORBIDDEN: "Teams refused the installation (app permission policy, no Teams licence, "
    "or TeamsAppInstallation.ReadWriteSelfForUser.All not granted)",
    InstallOutcome.NOT_FOUND: "no such user in Entra ID, or the user has no Teams account yet",
}


@dataclass(frozen=True, slots=True)
class InstallResult:
    """What happened for one user."""

    user_id: str
    upn: str
    outcome: InstallOutcome
    status: int | None = None  # Graph's HTTP status, when there was one
    detail: str = ""  # Graph's error message or the exception
    retry_after: float | None = None  # seconds Graph asked to wait (429's Retry-After)

    @property
    def reason(self) -> str:
        """Why the user could not be reached, in words for a project lead ("" when reached)."""
        if self.outcome.reached:
            return ""
        why = _WHY.get(self.outcome, "Graph did not answer")
        return f"{why}: {self.detail}" if self.detail else why


@dataclass
class InstallReport:
    """Every user's outcome; ``unreachable`` is the list a lead acts on."""

    results: list[InstallResult] = field(default_factory=list)

    @property
    def unreachable(self) -> list[InstallResult]:
        return [r for r in self.results if not r.outcome.reached]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(str(r.outcome) for r in self.results))

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "unreachable": [
                {"id": r.user_id, "upn": r.upn, "outcome": str(r.outcome), "status": r.status, "reason": r.reason}
                for r in self.unreachable
            ],
        }


class AppInstaller:
    """Installs the Switchover Teams app for users (app-only, no user interaction).

    Args:
        client: the Graph client (see :func:`switchover.directory.graph.build_graph_client`).
        catalog_app_id: the app's id in the organisation's app catalog (``TEAMS_APP_CATALOG_ID``).
        base_url: the Graph root the ``teamsApp@odata.bind`` reference uses.
        concurrency: parallel installations (Graph throttles Teams writes per app per tenant).
        timeout_seconds: per user, including the SDK's retries.
    """

    def __init__(
        self,
        client: GraphServiceClient,
        catalog_app_id: str,
        *,
        base_url: str = "https://graph.microsoft.com/v1.0",
        concurrency: int = 4,
        timeout_seconds: float = 60.0,
    ) -> None:
        if not catalog_app_id:
            raise ValueError("TEAMS_APP_CATALOG_ID is required to install the app for users")
        self.client = client
        self.catalog_app_id = catalog_app_id
        self.base_url = base_url.rstrip("/")
        self.concurrency = concurrency
        self.timeout = timeout_seconds

    async def install(self, user: DirectoryUser) -> InstallResult:
        """Install the app for one user; never raises for Graph failures (they are the result).

        The SDK's retry handler retries 429, 503 and 504 (after ``Retry-After``).
        """
        result = await self._post(user.id, user.upn, retry=True)
        if not result.outcome.reached:
            log.warning(
                "could not install the Teams app for a user",
                extra={"user": user.id, "upn": user.upn, "outcome": str(result.outcome), "status": result.status},
            )
        return result

    async def install_once(self, user_id: str, upn: str) -> InstallResult:
        """One POST for one user, no retry: a 429 comes back as ``throttled`` with its ``retry_after``.

        For callers that keep their own durable retries and honour Graph's pause for the whole
        tenant (:class:`switchover.reach.installs.InstallQueue`), instead of each request
        waiting on its own.
        """
        return await self._post(user_id, upn, retry=False)

    async def _post(self, user_id: str, upn: str, *, retry: bool) -> InstallResult:
        body = UserScopeTeamsAppInstallation()
        body.additional_data = {"teamsApp@odata.bind": f"{self.base_url}/appCatalogs/teamsApps/{self.catalog_app_id}"}
        config: RequestConfiguration[Any] | None = None
        if not retry:
            config = RequestConfiguration(options=[RetryHandlerOption(max_retries=0, should_retry=False)])
        request = self.client.users.by_user_id(user_id).teamwork.installed_apps.post(body, config)
        try:
            await asyncio.wait_for(request, self.timeout)
        except APIError as exc:
            status = exc.response_status_code
            outcome = {
                409: InstallOutcome.ALREADY_INSTALLED,
                403: InstallOutcome.FORBIDDEN,
                404: InstallOutcome.NOT_FOUND,
                429: InstallOutcome.FAILED if retry else InstallOutcome.THROTTLED,
            }.get(status or 0, InstallOutcome.FAILED)
            detail = "" if outcome.reached else (exc.primary_message or f"HTTP {status}")
            wait = _retry_after(exc.response_headers) if status == 429 else None
            return InstallResult(user_id, upn, outcome, status, detail[:400], wait)
        except (httpx.HTTPError, TimeoutError) as exc:
            return InstallResult(user_id, upn, InstallOutcome.FAILED, None, type(exc).__name__)
        return InstallResult(user_id, upn, InstallOutcome.INSTALLED, 201)

    async def install_all(self, users: Iterable[DirectoryUser]) -> InstallReport:
        """Install for every user (enabled members only; guests and disabled accounts are skipped)."""
        sem = asyncio.Semaphore(self.concurrency)

        async def one(u: DirectoryUser) -> InstallResult:
            async with sem:
                return await self.install(u)

        targets = [u for u in users if u.enabled and not u.is_guest]
        results = await asyncio.gather(*(one(u) for u in targets))
        report = InstallReport(list(results))
        log.info("Teams app installation finished", extra={"counts": report.counts})
        return report


def _retry_after(headers: Any) -> float | None:
    """``Retry-After`` in seconds (Graph sends whole seconds), None when absent or unreadable."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if str(key).casefold() == "retry-after":
            try:
                return max(0.0, float(str(value).split(",")[0]))
            except ValueError:
                return None
    return None
