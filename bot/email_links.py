"""An email's "Got it" link: ``/email/ack/<token>`` on the bot's own HTTPS endpoint.

The token is signed and expiring (:mod:`switchover.links`, purpose ``email-ack``) and says which
announcement, which person and which button. Mail scanners open every link in an email, so a
``GET`` only shows a small page with a button; the ``POST`` that button makes records the
acknowledgement, through the same path as the card's button
(:meth:`switchover.announcements.AnnouncementService.acknowledge`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from cards.email import render_email
from switchover.announcements.acknowledgements import NotARecipient
from switchover.announcements.email import ACK_TITLES
from switchover.announcements.model import AnnouncementError
from switchover.links import LinkError

if TYPE_CHECKING:
    from switchover.services import Services

log = logging.getLogger(__name__)

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}
_LINK_PROBLEMS = {
    "expired": "This link has expired. Open Switchover in Microsoft Teams, or ask your Service Desk.",
    "invalid": "This link is not valid. Use the link in your email as it was sent.",
}


def _page(status: int, template: str, **view: object) -> web.Response:
    html = render_email(template, lang="en", **view)
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8", headers=HEADERS)


def setup(app: web.Application, services: Services) -> None:
    """Serve the acknowledgement page (GET) and record the acknowledgement (POST)."""
    announcements = services.announcements

    def problem(exc: LinkError) -> web.Response:
        return _page(
            410 if exc.reason == "expired" else 404,
            "ack-done",
            title="Switchover",
            message=_LINK_PROBLEMS.get(exc.reason, _LINK_PROBLEMS["invalid"]),
            good=False,
        )

    async def confirm_page(request: web.Request) -> web.Response:
        try:
            link = announcements.email.read_link(request.match_info["token"])
            announcement = await announcements.get(link.announcement_id)
        except LinkError as exc:
            return problem(exc)
        except AnnouncementError:
            return problem(LinkError("invalid"))
        button = ACK_TITLES.get(link.verb, "Got it")
        return _page(
            200,
            "ack-confirm",
            title=announcement.title,
            question=f'Press "{button}" to tell the migration team you have read this announcement.',
            button=button,
            action=request.path,
        )

    async def acknowledge(request: web.Request) -> web.Response:
        try:
            link = announcements.email.read_link(request.match_info["token"])
            announcement = await announcements.get(link.announcement_id)
            await announcements.acknowledge(link.announcement_id, link.user_id, link.verb)
        except LinkError as exc:
            return problem(exc)
        except AnnouncementError:
            return problem(LinkError("invalid"))
        except NotARecipient:
            return _page(
                403, "ack-done", title="Switchover", message="This announcement was not sent to you.", good=False
            )
        log.info("acknowledged through an email link", extra={"announcement": link.announcement_id})
        return _page(
            200, "ack-done", title=announcement.title, message="Thank you: your answer is recorded.", good=True
        )

    app.router.add_get("/email/ack/{token}", confirm_page)
    app.router.add_post("/email/ack/{token}", acknowledge)
