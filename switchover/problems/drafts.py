"""Report drafts and screenshots, kept on the server: a card carries only a draft's key.

A draft is made when the reporter is shown the confirmation card; it belongs
to that reporter (their Entra object id from the authenticated activity), and
only they can submit it: anyone else holding the key is told it is not found.
The reporter's screenshot is fetched once from Teams when they attach it,
checked (an image, at most :data:`MAX_SCREENSHOT_BYTES`), stored here under an
unguessable token, and shown to the report's owners from the bot's own address
(``/screenshots/<token>``); nothing a card says about a screenshot is believed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from switchover.clock import Clock
from switchover.i18n import gettext as _
from switchover.problems.tables import drafts, screenshots
from switchover.storage.db import Database

MAX_SCREENSHOT_BYTES = 4 * 1024 * 1024
"""The largest screenshot kept (a full-screen PNG of a 4K display is about 3 MB)."""

DRAFT_LIFETIME = dt.timedelta(days=7)
"""How long a confirmation card can still be submitted."""

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The image type of ``data`` from its first bytes (PNG, JPEG, GIF, WebP), else None.

    The bytes decide, not the name or the ``Content-Type`` a server claims: an
    SVG (which can carry script) or an HTML page is not an image here.
    """
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class ScreenshotRefused(ValueError):
    """A screenshot that is not kept (not an image, too large); the message says which, for the reporter."""


@dataclass(frozen=True, slots=True)
class Screenshot:
    """A stored screenshot."""

    token: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Draft:
    """A confirmed draft: whose it is and the screenshot it carries."""

    key: str
    reporter_id: str
    screenshot: str | None
    created_at: dt.datetime


class DraftStore:
    """Drafts and screenshots in the database.

    Args:
        db: The database (migrated with ``0007_problem_drafts``).
        clock: The one source of "now".
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def keep_screenshot(self, tenant_id: str, reporter_id: str, data: bytes) -> str:
        """Store an image the reporter attached; returns its token.

        Raises:
            ScreenshotRefused: not an image (PNG, JPEG, GIF, WebP), or larger than the cap.
        """
        if len(data) > MAX_SCREENSHOT_BYTES:
            raise ScreenshotRefused(_("it is larger than {size} MB").format(size=MAX_SCREENSHOT_BYTES // (1024 * 1024)))
        content_type = image_type(data)
        if content_type is None:
            raise ScreenshotRefused(_("it is not a picture (PNG, JPEG, GIF or WebP)"))
        token = secrets.token_urlsafe(32)
        async with self.db.begin() as c:
            await c.execute(
                sa.insert(screenshots).values(
                    token=token,
                    tenant_id=tenant_id,
                    reporter_id=reporter_id,
                    content_type=content_type,
                    size=len(data),
                    data=data,
                    created_at=self.clock.now(),
                )
            )
        return token

    async def screenshot(self, token: str) -> Screenshot | None:
        """The screenshot stored under ``token``, or None."""
        if not token or len(token) > 64:
            return None
        async with self.db.begin(read_only=True) as c:
            row = (
                await c.execute(
                    sa.select(screenshots.c.content_type, screenshots.c.data).where(screenshots.c.token == token)
                )
            ).first()
        return Screenshot(token, row.content_type, bytes(row.data)) if row is not None else None

    async def owns_screenshot(self, tenant_id: str, reporter_id: str, token: str) -> bool:
        """Whether ``token`` is a screenshot this reporter attached."""
        async with self.db.begin(read_only=True) as c:
            found = (
                await c.execute(
                    sa.select(screenshots.c.token).where(
                        screenshots.c.token == token,
                        screenshots.c.tenant_id == tenant_id,
                        screenshots.c.reporter_id == reporter_id,
                    )
                )
            ).first()
        return found is not None

    async def create(self, tenant_id: str, reporter_id: str, screenshot: str | None) -> str:
        """A new draft for ``reporter_id`` (with a screenshot token they own, if any); returns its key."""
        if screenshot is not None and not await self.owns_screenshot(tenant_id, reporter_id, screenshot):
            screenshot = None
        key = secrets.token_hex(16)
        async with self.db.begin() as c:
            await c.execute(
                sa.insert(drafts).values(
                    tenant_id=tenant_id,
                    key=key,
                    reporter_id=reporter_id,
                    screenshot=screenshot,
                    created_at=self.clock.now(),
                )
            )
        return key

    async def get(self, tenant_id: str, key: str, reporter_id: str) -> Draft | None:
        """The draft ``key`` if it is ``reporter_id``'s and not expired; None for anyone else's, as for none."""
        if not key or len(key) > 64 or not reporter_id:
            return None
        async with self.db.begin(read_only=True) as c:
            row = (
                await c.execute(sa.select(drafts).where(drafts.c.tenant_id == tenant_id, drafts.c.key == key))
            ).first()
        if row is None or row.reporter_id != reporter_id:
            return None
        if self.clock.now() - row.created_at > DRAFT_LIFETIME:
            return None
        return Draft(row.key, row.reporter_id, row.screenshot, row.created_at)
