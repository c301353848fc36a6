"""Acknowledgement chasers and activity-feed nudges: one row per due step of an announcement
(reminders, the list to champions or managers) and per nudged person, claimed when due.

Revision ID: 0018_chasers
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0018_chasers"
down_revision = "0001_core"
branch_labels = ("chasers",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcement_chasers",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("announcement_id", sa.String(100), primary_key=True),
        sa.Column("step", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("people", sa.Integer),
        sa.Column("outcome", sa.String(40)),
        sa.Column("detail", sa.String(500)),
        sa.Column("finished_at", UtcDateTime),
    )
    op.create_index("ix_announcement_chasers_due", "announcement_chasers", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_announcement_chasers_due", table_name="announcement_chasers")
    op.drop_table("announcement_chasers")
