"""``digest now``: a project lead previews the daily digest as it would go now, in their own chat
(sent to no one else; its picture is kept for its chart link). The digest itself is sent by the scheduler
(:mod:`switchover.digest`)."""

from __future__ import annotations

from bot.routing import Router
from bot.turn import Turn
from switchover.i18n import N_
from switchover.i18n import gettext as _
from switchover.services import Services

NO_DIGEST = N_("The plan has no `digest:` section, so no digest is sent. This is how it would look:")


def register(router: Router, services: Services) -> None:
    """Add ``digest now`` (project leads)."""

    async def on_digest_now(turn: Turn, rest: str) -> None:
        digest = services.digest
        if digest is None:
            await turn.reply_text(_("The digest is not running on this instance."))
            return
        tenant = await services.tenant.settle(turn.asker.tenant_id) or turn.asker.tenant_id
        if services.plan.digest is None:
            await turn.reply_text(_(NO_DIGEST))
        await turn.reply_card(await digest.preview(tenant), summary=_("Digest preview"))

    router.command(
        "digest now",
        on_digest_now,
        help=N_("preview the daily digest as it would go now (to you only)"),
        leads_only=True,
        exact=True,
    )
