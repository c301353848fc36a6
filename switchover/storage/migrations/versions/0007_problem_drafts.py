"""Problem drafts and screenshots: a confirmed draft belongs to its reporter; screenshots are kept by the bot.

Revision ID: 0007_problem_drafts
Revises: 0004_problems
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0007_problem_drafts"
down_revision = "0004_problems"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "problem_drafts",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("reporter_id", sa.String(100), nullable=False),
        sa.Column("screenshot", sa.String(64)),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "problem_screenshots",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("reporter_id", sa.String(100), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("problem_screenshots")
    op.drop_table("problem_drafts")
