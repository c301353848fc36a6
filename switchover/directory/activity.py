"""A nudge in a person's Teams activity feed, through Microsoft Graph.

``POST /users/{id}/teamwork/sendActivityNotification`` (permission ``TeamsActivity.Send``,
application). The body, as documented: ``topic`` (``source: text``, ``value``, ``webUrl``: where
a click goes, the chat with the bot), ``activityType`` (declared in the app manifest's
``activities.activityTypes``: :data:`ACTIVITY_TYPE`), ``previewText`` ``{content}``,
``templateParameters`` (``{title}`` in the type's ``templateText``) and ``teamsAppId`` (the app's
catalog id, which also says which installed app the notice comes from). Graph sends it only to a
person who has the app installed.

Outcomes per person: ``sent`` (204), ``throttled`` (429 past the SDK's retries, which honour
``Retry-After``; the caller tries again after ``retry_after``), ``forbidden`` (403: permission
not granted, or the app not installed for the person), ``not_found`` (404), ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import httpx
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.key_value_pair import KeyValuePair
from msgraph.generated.models.teamwork_activity_topic import TeamworkActivityTopic
from msgraph.generated.models.teamwork_activity_topic_source import TeamworkActivityTopicSource
from msgraph.generated.users.item.teamwork.send_activity_notification.send_activity_notification_post_request_body import (  # noqa: E501
    SendActivityNotificationPostRequestBody,
)

from switchover.manifest import ACTIVITY_TYPES

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

log = logging.getLogger(__name__)

# The activity type the manifest declares (manifest/manifest.template.json, activities.activityTypes;
# switchover/manifest.py checks it is there, with the {title} parameter sent here).
ACTIVITY_TYPE = next(iter(ACTIVITY_TYPES))
PREVIEW_CHARS = 150  # Teams shows about this much of previewText


class NudgeOutcome(StrEnum):
    SENT = "sent"
    THROTTLED = "throttled"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class NudgeResult:
    """What Graph said for one person."""

    outcome: NudgeOutcome
    status: int | None = None
    retry_after: float | None = None  # seconds, when throttled
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Nudge:
    """What the feed shows: the topic line (``title``), a preview, and where a click goes."""

    title: str
    preview: str
    web_url: str


class ActivityFeed:
    """Sends activity-feed notifications for the Switchover app (app-only).

    Args:
        client: the Graph client (see :func:`switchover.directory.graph_client.build_graph_client`).
        catalog_app_id: the app's id in the organisation's app catalog (``TEAMS_APP_CATALOG_ID``).
        timeout_seconds: per person, including the SDK's retries.
    """

    def __init__(self, client: GraphServiceClient, catalog_app_id: str, *, timeout_seconds: float = 60.0) -> None:
        if not catalog_app_id:
            raise ValueError("TEAMS_APP_CATALOG_ID is required for activity-feed notifications")
        self.client = client
        self.catalog_app_id = catalog_app_id
        self.timeout = timeout_seconds

    def body(self, nudge: Nudge) -> SendActivityNotificationPostRequestBody:
        """The request body for one nudge (the documented shape)."""
        topic = TeamworkActivityTopic()
        topic.source = TeamworkActivityTopicSource.Text
        topic.value = nudge.title[:200]
        topic.web_url = nudge.web_url
        preview = ItemBody()
        preview.content = nudge.preview[:PREVIEW_CHARS]
        preview.content_type = BodyType.Text
        title = KeyValuePair()
        title.name = "title"
        title.value = nudge.title[:200]
        body = SendActivityNotificationPostRequestBody()
        body.topic = topic
        body.activity_type = ACTIVITY_TYPE
        body.preview_text = preview
        body.template_parameters = [title]
        body.teams_app_id = self.catalog_app_id
        return body

    async def notify(self, user_id: str, nudge: Nudge) -> NudgeResult:
        """Nudge one person; never raises for Graph failures (they are the result)."""
        request = self.client.users.by_user_id(user_id).teamwork.send_activity_notification.post(self.body(nudge))
        try:
            await asyncio.wait_for(request, self.timeout)
        except APIError as exc:
            status = exc.response_status_code
            outcome = {
                429: NudgeOutcome.THROTTLED,
                403: NudgeOutcome.FORBIDDEN,
                404: NudgeOutcome.NOT_FOUND,
            }.get(status or 0, NudgeOutcome.FAILED)
            retry_after = _retry_after(exc.response_headers or {}) if outcome is NudgeOutcome.THROTTLED else None
            result = NudgeResult(outcome, status, retry_after, exc.primary_message or f"HTTP {status}")
        except (httpx.HTTPError, TimeoutError) as exc:
            result = NudgeResult(NudgeOutcome.FAILED, None, None, type(exc).__name__)
        else:
            return NudgeResult(NudgeOutcome.SENT, 204)
        log.warning(
            "activity-feed notification not sent",
            extra={"user": user_id, "outcome": str(result.outcome), "status": result.status},
        )
        return result


def _retry_after(headers: dict[str, str]) -> float | None:
    for name, value in headers.items():
        if name.casefold() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None
