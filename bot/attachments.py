"""The reporter's screenshot, as Teams sends it, fetched once and kept by the bot.

In a 1:1 chat Teams sends a picture one of two ways:

- a file (``application/vnd.microsoft.teams.file.download.info``): ``content.downloadUrl``
  is a short-lived, pre-authorised link to the file in the sender's OneDrive;
- an inline image (``image/*``): ``contentUrl`` is under the Bot Connector's
  attachments API (``.../v3/attachments/<id>/views/original``) and needs the bot's token.

The bot fetches it (the token only ever to the activity's own Bot Connector
origin), checks it is an image and not too large (:mod:`switchover.problems.drafts`),
stores it, and serves it to the report's owners at ``/screenshots/<token>``
(:func:`setup`), because neither link works for anyone but the bot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity

from bot.connector import ConnectorError, PooledConnectorClient, same_origin
from switchover.i18n import gettext as _
from switchover.problems.drafts import MAX_SCREENSHOT_BYTES, DraftStore, ScreenshotRefused

if TYPE_CHECKING:
    from switchover.services import Services

log = logging.getLogger(__name__)

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
IMAGE_FILE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """Where an attached picture can be fetched, and whether that needs the bot's token."""

    url: str
    with_bot_token: bool
    name: str | None = None


def screenshot_ref(activity: Activity) -> AttachmentRef | None:
    """The first picture attached to ``activity`` (a file of an image type, or an inline image), else None."""
    for attachment in activity.attachments or []:
        content_type = (attachment.content_type or "").lower()
        content = attachment.content if isinstance(attachment.content, dict) else {}
        if content_type == FILE_DOWNLOAD_INFO:
            url = content.get("downloadUrl")
            if isinstance(url, str) and str(content.get("fileType", "")).lower() in IMAGE_FILE_TYPES:
                return AttachmentRef(url, with_bot_token=False, name=attachment.name)
        elif content_type.startswith("image/") and attachment.content_url:
            return AttachmentRef(attachment.content_url, with_bot_token=True, name=attachment.name)
    return None


def _allowed(ref: AttachmentRef, service_url: str) -> bool:
    # The token goes to the Bot Connector that sent the activity and nowhere else; a file link
    # must be https (or, for the loopback Bot Connector of tests and the Playground, its origin).
    if ref.with_bot_token:
        return same_origin(ref.url, service_url)
    return ref.url.startswith("https://") or same_origin(ref.url, service_url)


async def take_screenshot(context: TurnContext, drafts: DraftStore, tenant_id: str, reporter_id: str) -> str | None:
    """Fetch, check and keep the picture attached this turn; its token, or None when there is none.

    A picture that cannot be kept is answered in the chat (what was wrong) and the report goes on without it.
    """
    activity = context.activity
    ref = screenshot_ref(activity)
    if ref is None or not reporter_id:
        return None
    client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    reason = None
    if not _allowed(ref, activity.service_url or "") or not isinstance(client, PooledConnectorClient):
        reason = _("it did not come from Teams")
    else:
        try:
            data = await client.download(ref.url, limit=MAX_SCREENSHOT_BYTES, authorize=ref.with_bot_token)
            return await drafts.keep_screenshot(tenant_id, reporter_id, data)
        except ConnectorError as exc:
            log.warning("screenshot not fetched: %s", exc.status, extra={"reason": exc.code})
            reason = (
                _("it is larger than {size} MB").format(size=MAX_SCREENSHOT_BYTES // (1024 * 1024))
                if exc.status == 413
                else _("Teams did not give it to me")
            )
        except ScreenshotRefused as exc:
            reason = str(exc)
    await context.send_activity(
        _("I could not keep your picture ({reason}); the report goes on without it.").format(reason=reason)
    )
    return None


def setup(app: web.Application, services: Services) -> None:
    """Serve kept screenshots at ``/screenshots/<token>`` (the address is the only key: 256 random bits)."""
    drafts = services.problems.drafts

    async def screenshot(request: web.Request) -> web.StreamResponse:
        found = await drafts.screenshot(request.match_info["token"])
        if found is None:
            raise web.HTTPNotFound
        return web.Response(
            body=found.data,
            content_type=found.content_type,
            headers={
                "Cache-Control": "private, max-age=86400",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'",
                "Content-Disposition": "inline",
            },
        )

    app.router.add_get("/screenshots/{token}", screenshot)


def screenshot_address(bot_domain: str, port: int, token: str) -> str:
    """Where owners' cards load a screenshot: the bot's public address, else this machine's (local mode)."""
    base = f"https://{bot_domain}" if bot_domain else f"http://localhost:{port}"
    return f"{base}/screenshots/{token}"
