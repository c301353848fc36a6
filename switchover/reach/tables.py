"""The reach tables (SQLAlchemy Core); migration ``0016_reach`` creates the same ones."""

from __future__ import annotations

import sqlalchemy as sa

from switchover.storage.base import Base, UtcDateTime

installs = sa.Table(
    "reach_installs",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),  # Entra object id
    sa.Column("app_id", sa.String(64), primary_key=True),  # the app's catalog id (TEAMS_APP_CATALOG_ID)
    sa.Column("upn", sa.String(320), nullable=False),
    sa.Column("wave_key", sa.String(120)),  # the wave that asked first (for the log and the lead)
    sa.Column("state", sa.String(20), nullable=False),  # InstallState
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),  # answers other than 429
    sa.Column("throttled", sa.Integer, nullable=False, server_default="0"),  # 429 answers
    sa.Column("status", sa.Integer),  # Graph's last HTTP status
    sa.Column("detail", sa.String(500)),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("done_at", UtcDateTime),
    sa.Index("ix_reach_installs_due", "state", "next_attempt_at"),
)

pauses = sa.Table(
    "reach_install_pauses",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("paused_until", UtcDateTime, nullable=False),
    sa.Column("reason", sa.String(200)),
)
