"""The last good directory snapshot in the database, so a restart during a Graph outage still has a directory.

Tables (revision ``0005_directory``): ``directory_users`` (one row per user, the
profile and groups as JSON), ``directory_readiness`` (MFA and device state per
user) and ``directory_syncs`` (per tenant: when the last sync succeeded or failed).
A save replaces the tenant's rows in one transaction, so a reader never sees
half a sync.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from switchover.directory.base import DirectoryUser, Readiness
from switchover.directory.snapshot import Snapshot
from switchover.storage.base import Base, UtcDateTime
from switchover.storage.db import rowcount

if TYPE_CHECKING:
    from switchover.storage import Database

directory_users = sa.Table(
    "directory_users",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("upn", sa.String(320), nullable=False),
    sa.Column("profile", sa.JSON, nullable=False),
    sa.Column("synced_at", UtcDateTime, nullable=False),
)

directory_readiness = sa.Table(
    "directory_readiness",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("mfa_registered", sa.Boolean, nullable=True),
    sa.Column("methods", sa.JSON, nullable=False),
    sa.Column("device_compliant", sa.Boolean, nullable=True),
    sa.Column("checked_at", UtcDateTime, nullable=True),
)

directory_syncs = sa.Table(
    "directory_syncs",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("last_success_at", UtcDateTime, nullable=True),
    sa.Column("last_attempt_at", UtcDateTime, nullable=False),
    sa.Column("last_error", sa.String(1000), nullable=True),
    sa.Column("user_count", sa.Integer, nullable=False),
)

_PROFILE_FIELDS = (
    "upn",
    "display_name",
    "given_name",
    "mail",
    "department",
    "office",
    "city",
    "state",
    "country",
    "usage_location",
    "job_title",
    "preferred_language",
    "enabled",
    "user_type",
    "manager_id",
)


def _profile(user: DirectoryUser) -> dict[str, Any]:
    out = {f: getattr(user, f) for f in _PROFILE_FIELDS}
    out["groups"] = sorted(user.groups)
    return out


def _user(user_id: str, profile: dict[str, Any]) -> DirectoryUser:
    fields = {f: profile[f] for f in _PROFILE_FIELDS if f in profile}
    return DirectoryUser(id=user_id, groups=frozenset(profile.get("groups", ())), **fields)


class DirectoryStore:
    """Saves and loads directory snapshots per tenant.

    Args:
        db: the :class:`~switchover.storage.Database` (migrated to ``0005_directory``).
    """

    # Rows per INSERT: well under SQLite's and asyncpg's bound-parameter limits.
    BATCH = 500

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, tenant_id: str, snapshot: Snapshot) -> None:
        """Replace the tenant's stored snapshot with ``snapshot`` (one transaction)."""
        users = [
            {
                "tenant_id": tenant_id,
                "user_id": u.id,
                "upn": u.upn,
                "profile": _profile(u),
                "synced_at": snapshot.synced_at,
            }
            for u in snapshot.users
        ]
        ready = [
            {
                "tenant_id": tenant_id,
                "user_id": r.user_id,
                "mfa_registered": r.mfa_registered,
                "methods": list(r.methods),
                "device_compliant": r.device_compliant,
                "checked_at": r.checked_at,
            }
            for r in snapshot.readiness.values()
        ]
        async with self.db.begin() as conn:
            await conn.execute(sa.delete(directory_users).where(directory_users.c.tenant_id == tenant_id))
            await conn.execute(sa.delete(directory_readiness).where(directory_readiness.c.tenant_id == tenant_id))
            for i in range(0, len(users), self.BATCH):
                await conn.execute(sa.insert(directory_users), users[i : i + self.BATCH])
            for i in range(0, len(ready), self.BATCH):
                await conn.execute(sa.insert(directory_readiness), ready[i : i + self.BATCH])
            await self._upsert_sync(
                conn,
                tenant_id,
                last_success_at=snapshot.synced_at,
                last_attempt_at=snapshot.synced_at,
                last_error=None,
                user_count=len(users),
            )

    async def record_failure(self, tenant_id: str, at: dt.datetime, error: str) -> None:
        """Note a failed sync (the stored snapshot stays as it was)."""
        async with self.db.begin() as conn:
            await self._upsert_sync(conn, tenant_id, last_attempt_at=at, last_error=error[:1000])

    async def load(self, tenant_id: str) -> Snapshot | None:
        """The tenant's last good snapshot, or None if there never was one."""
        async with self.db.begin(read_only=True) as conn:
            sync = (
                await conn.execute(sa.select(directory_syncs).where(directory_syncs.c.tenant_id == tenant_id))
            ).first()
            if sync is None or sync.last_success_at is None:
                return None
            rows = (
                await conn.execute(
                    sa.select(directory_users.c.user_id, directory_users.c.profile)
                    .where(directory_users.c.tenant_id == tenant_id)
                    .order_by(directory_users.c.user_id)
                )
            ).all()
            ready = (
                await conn.execute(sa.select(directory_readiness).where(directory_readiness.c.tenant_id == tenant_id))
            ).all()
        users = tuple(_user(r.user_id, r.profile) for r in rows)
        readiness = {
            r.user_id: Readiness(
                user_id=r.user_id,
                mfa_registered=r.mfa_registered,
                methods=tuple(r.methods or ()),
                device_compliant=r.device_compliant,
                checked_at=r.checked_at,
            )
            for r in ready
        }
        return Snapshot(users, readiness, sync.last_success_at)

    async def last_sync(self, tenant_id: str) -> tuple[dt.datetime | None, str | None]:
        """(last success, last error) for the tenant."""
        async with self.db.begin(read_only=True) as conn:
            row = (
                await conn.execute(sa.select(directory_syncs).where(directory_syncs.c.tenant_id == tenant_id))
            ).first()
        return (row.last_success_at, row.last_error) if row else (None, None)

    async def _upsert_sync(self, conn: AsyncConnection, tenant_id: str, **values: Any) -> None:
        # Write first (UPDATE, then INSERT if no row): the transaction holds the write lock from its first
        # statement, so SQLite never has to upgrade a read lock. Only this store writes the row.
        where = directory_syncs.c.tenant_id == tenant_id
        updated = await conn.execute(sa.update(directory_syncs).where(where).values(**values))
        if rowcount(updated) == 0:
            values.setdefault("user_count", 0)
            await conn.execute(sa.insert(directory_syncs).values(tenant_id=tenant_id, **values))
