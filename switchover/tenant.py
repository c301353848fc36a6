"""Which Microsoft 365 tenants this Switchover serves: who may talk to it, and where announcements go.

Who may talk to it (:func:`served_tenants`): the plan's tenant (``organisation.tenant_id``)
when it names one, else the ``SWITCHOVER_ALLOWED_TENANTS`` list; activities from any
other tenant are refused at the edge. With an app id (a bot reachable from every
tenant's Teams) and neither, the app does not start unless ``SWITCHOVER_ALLOW_ANY_TENANT``
says it is meant to be open.

Where announcements go (:class:`ServedTenant`): the plan's tenant. When it names none,
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
    from switchover.plan.model import Plan
    from switchover.settings import Settings
    from switchover.storage import Database

log = logging.getLogger(__name__)


class TenantConfigurationError(ValueError):
    """The settings and the plan do not say which tenants this instance serves (the app does not start)."""


def served_tenants(settings: Settings, plan: Plan) -> frozenset[str]:
    """The tenant ids whose activities are accepted; empty means any tenant.

    Args:
        settings: ``SWITCHOVER_ALLOWED_TENANTS``, ``SWITCHOVER_ALLOW_ANY_TENANT`` and whether
            there is an app id.
        plan: its ``organisation.tenant_id``, when set, is the one tenant served.

    Raises:
        TenantConfigurationError: the allow-list contradicts the plan, or there is an app id
            and nothing names a tenant and the app is not explicitly open; the message is one
            line saying what to set.
    """
    allowed = settings.allowed_tenant_ids
    plan_tenant = (plan.organisation.tenant_id or "").strip().lower()
    if plan_tenant:
        if allowed and allowed != {plan_tenant}:
            raise TenantConfigurationError(
                f"SWITCHOVER_ALLOWED_TENANTS ({', '.join(sorted(allowed))}) is not the plan's tenant "
                f"(organisation.tenant_id: {plan_tenant}); a plan serves one tenant: "
                "leave SWITCHOVER_ALLOWED_TENANTS empty or set it to that id"
            )
        return frozenset({plan_tenant})
    if allowed:
        return allowed
    if settings.auth_enabled and not settings.allow_any_tenant:
        raise TenantConfigurationError(
            "MicrosoftAppId is set but no tenant is named, so users of any Microsoft 365 tenant could "
            "use this bot: set organisation.tenant_id in the plan or SWITCHOVER_ALLOWED_TENANTS "
            "(or SWITCHOVER_ALLOW_ANY_TENANT=true to serve every tenant on purpose)"
        )
    return frozenset()


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
