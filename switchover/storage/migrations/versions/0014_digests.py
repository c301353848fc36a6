"""The daily digest's occurrences: each claimed once per tenant, with the picture it sent.

Revision ID: 0014_digests
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0014_digests"
down_revision = "0001_core"
branch_labels = ("digests",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_occurrences",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("sent_at", UtcDateTime),
        sa.Column("recipients", sa.Integer, nullable=False, server_default="0"),
        sa.Column("picture", sa.JSON),
        sa.Column("change", sa.JSON),
    )
    op.create_index("ix_digest_occurrences_sent", "digest_occurrences", ["tenant_id", "status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_digest_occurrences_sent", table_name="digest_occurrences")
    op.drop_table("digest_occurrences")
