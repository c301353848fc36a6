"""Announcements: scheduled and sent announcements, acknowledgements, rescheduled waves.

Revision ID: 0006_announcements
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0006_announcements"
down_revision = "0001_core"
branch_labels = ("announcements",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcement_announcements",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("wave_key", sa.String(64)),
        sa.Column("calendar_key", sa.String(64)),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("audience", sa.JSON, nullable=False),
        sa.Column("send_at", UtcDateTime),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("created_by", sa.String(300)),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("started_at", UtcDateTime),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("reason", sa.String(500)),
    )
    op.create_index("ix_announcement_announcements_due", "announcement_announcements", ["status", "send_at"])
    op.create_table(
        "announcement_acks",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("announcement_id", sa.String(100), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("verb", sa.String(32), primary_key=True),
        sa.Column("at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "announcement_wave_moves",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("wave_key", sa.String(64), primary_key=True),
        sa.Column("cutover_start", UtcDateTime, nullable=False),
        sa.Column("cutover_end", UtcDateTime, nullable=False),
        sa.Column("moved_by", sa.String(300)),
        sa.Column("moved_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("announcement_wave_moves")
    op.drop_table("announcement_acks")
    op.drop_table("announcement_announcements")
