"""Directory: the last good Microsoft Graph snapshot (users, readiness, sync state).

Revision ID: 0005_directory
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0005_directory"
down_revision = "0001_core"
branch_labels = ("directory",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_users",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("upn", sa.String(320), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name="pk_directory_users"),
    )
    op.create_table(
        "directory_readiness",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("mfa_registered", sa.Boolean, nullable=True),
        sa.Column("methods", sa.JSON, nullable=False),
        sa.Column("device_compliant", sa.Boolean, nullable=True),
        sa.Column("checked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name="pk_directory_readiness"),
    )
    op.create_table(
        "directory_syncs",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("last_success_at", UtcDateTime(), nullable=True),
        sa.Column("last_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("user_count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_directory_syncs"),
    )


def downgrade() -> None:
    op.drop_table("directory_syncs")
    op.drop_table("directory_readiness")
    op.drop_table("directory_users")
