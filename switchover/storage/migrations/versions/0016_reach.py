"""Reach: the Teams app installed for wave users through Graph, one row per (person, app), and the
tenant-wide pause Graph's 429 asks for.

Revision ID: 0016_reach
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0016_reach"
down_revision = "0001_core"
branch_labels = ("reach",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reach_installs",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("app_id", sa.String(64), primary_key=True),
        sa.Column("upn", sa.String(320), nullable=False),
        sa.Column("wave_key", sa.String(120)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("throttled", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.Integer),
        sa.Column("detail", sa.String(500)),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("done_at", UtcDateTime),
    )
    op.create_index("ix_reach_installs_due", "reach_installs", ["state", "next_attempt_at"])
    op.create_table(
        "reach_install_pauses",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("paused_until", UtcDateTime, nullable=False),
        sa.Column("reason", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("reach_install_pauses")
    op.drop_index("ix_reach_installs_due", table_name="reach_installs")
    op.drop_table("reach_installs")
