"""Which Microsoft 365 tenant this Switchover serves, when the plan does not say.

The plan may name the tenant (``organisation.tenant_id``). When it does not,
the first tenant Teams shows us (a lead's command, an acknowledgement) is the
one; before anyone has said anything since a restart, it is the tenant most
stored conversations belong to. Announcements go to that tenant; until one is
known, nothing can be delivered.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import sqlalchemy as sa

from switchover.storage.conversations import ConversationRef

if TYPE_CHECKING:
    from switchover.announcements import AnnouncementService
    from switchover.storage import Database

log = logging.getLogger(__name__)


class ServedTenant:
    """Settles the tenant announcements go to, once, and reconciles their calendar for it.

    Args:
        db: the database (stored conversations tell which tenant has installed the bot).
        announcements: the announcement service whose tenant this settles.
    """

    def __init__(self, db: Database, announcements: AnnouncementService) -> None:
        self._db = db
        self._announcements = announcements

    @property
    def id(self) -> str:
        """The tenant served; empty while none is known."""
        return self._announcements.tenant_id

    async def settle(self, seen: str | None = None) -> str:
        """The tenant served, deciding it now if it is not known yet.

        Args:
            seen: the tenant of the activity at hand, if any: it becomes the tenant
                when none is known.

        Returns:
            The tenant id, or ``""`` when none is known and no conversation is stored.
        """
        if self._announcements.tenant_id:
            return self._announcements.tenant_id
        tenant = seen or await self._most_seen()
        if tenant is not None:
            log.info("serving tenant %s", tenant, extra={"tenant_id": tenant})
            self._announcements.tenant_id = tenant
            await self._announcements.reconcile_plan()
        return self._announcements.tenant_id

    async def _most_seen(self) -> str | None:
        async with self._db.begin(read_only=True) as conn:
            row = (
                await conn.execute(
                    sa.select(ConversationRef.tenant_id, sa.func.count())
                    .group_by(ConversationRef.tenant_id)
                    .order_by(sa.func.count().desc())
                    .limit(1)
                )
            ).first()
        return row[0] if row is not None else None
