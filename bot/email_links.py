"""An email's "Got it" link: ``/email/ack/<token>`` on the bot's own HTTPS endpoint.

The token is signed and expiring (:mod:`switchover.links`, purpose ``email-ack``) and says which
announcement, which person and which button. Mail scanners open every link in an email, so a
``GET`` only shows a small page with a button; the ``POST`` that button makes records the
acknowledgement, through the same path as the card's button
(:meth:`switchover.announcements.AnnouncementService.acknowledge`).

The pages are in the recipient's language: their Teams language as stored with their chat with the
bot, else the browser's (``Accept-Language``), else the plan's.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from aiohttp import web

from cards.email import render_email
from switchover import i18n
from switchover.announcements.acknowledgements import NotARecipient
from switchover.announcements.email import ACK_TITLES
from switchover.announcements.model import AnnouncementError
from switchover.i18n import N_
from switchover.i18n import gettext as _
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
    "expired": N_("This link has expired. Open Switchover in Microsoft Teams, or ask your Service Desk."),
    "invalid": N_("This link is not valid. Use the link in your email as it was sent."),
}
_WEIGHTED = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def browser_language(header: str | None) -> str | None:
    """The first language of an ``Accept-Language`` header the bot has a catalog for (by weight), as
    its tag (``es-MX``); None when it names none."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")[:20]):
        m = _WEIGHTED.match(part)
        if m is None:
            continue
        try:
            weight = float(m.group(2)) if m.group(2) else 1.0
        except ValueError:
            continue
        if weight > 0:
            ranked.append((-weight, i, m.group(1)))
    for _weight, _i, tag in sorted(ranked):
        if re.split(r"[-_]", tag, maxsplit=1)[0].lower() in i18n.SUPPORTED:
            return tag
    return None


def _page(status: int, template: str, **view: object) -> web.Response:
    html = render_email(template, lang=i18n.current().code, **view)
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8", headers=HEADERS)


def setup(app: web.Application, services: Services) -> None:
    """Serve the acknowledgement page (GET) and record the acknowledgement (POST)."""
    announcements = services.announcements

    async def reader(request: web.Request, tenant_id: str | None = None, user_id: str | None = None) -> i18n.Language:
        """The language to write the page in: the recipient's stored Teams language, else the browser's."""
        default = services.plan.organisation.language
        if tenant_id and user_id:
            chat = (await services.conversations.personal_for_users(tenant_id, [user_id])).get(user_id)
            if chat is not None and chat.locale:
                return i18n.language(chat.locale, default)
        return i18n.language(browser_language(request.headers.get("Accept-Language")), default)

    def problem(exc: LinkError) -> web.Response:
        return _page(
            410 if exc.reason == "expired" else 404,
            "ack-done",
            title="Switchover",
            message=_(_LINK_PROBLEMS.get(exc.reason, _LINK_PROBLEMS["invalid"])),
            good=False,
        )

    async def confirm_page(request: web.Request) -> web.Response:
        with i18n.use(await reader(request)):
            return await _confirm_page(request)

    async def acknowledge(request: web.Request) -> web.Response:
        with i18n.use(await reader(request)):
            return await _acknowledge(request)

    async def _confirm_page(request: web.Request) -> web.Response:
        try:
            link = announcements.email.read_link(request.match_info["token"])
            announcement = await announcements.get(link.announcement_id)
        except LinkError as exc:
            return problem(exc)
        except AnnouncementError:
            return problem(LinkError("invalid"))
        with i18n.use(await reader(request, announcement.tenant_id, link.user_id)):
            return _confirm(announcement.title, _(ACK_TITLES.get(link.verb, "Got it")), request.path)

    def _confirm(title: str, button: str, action: str) -> web.Response:
        return _page(
            200,
            "ack-confirm",
            title=title,
            question=_('Press "{button}" to tell the migration team you have read this announcement.').format(
                button=button
            ),
            button=button,
            action=action,
        )

    async def _acknowledge(request: web.Request) -> web.Response:
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
                403, "ack-done", title="Switchover", message=_("This announcement was not sent to you."), good=False
            )
        log.info("acknowledged through an email link", extra={"announcement": link.announcement_id})
        with i18n.use(await reader(request, announcement.tenant_id, link.user_id)):
            return _page(
                200, "ack-done", title=announcement.title, message=_("Thank you: your answer is recorded."), good=True
            )

    app.router.add_get("/email/ack/{token}", confirm_page)
    app.router.add_post("/email/ack/{token}", acknowledge)
