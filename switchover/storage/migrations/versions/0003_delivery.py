"""Delivery outbox: one row per recipient per message.

Revision ID: 0003_delivery
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0003_delivery"
down_revision = "0001_core"
branch_labels = ("delivery",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "delivery_outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("recipient_kind", sa.String(10), nullable=False),
        sa.Column("recipient_key", sa.String(300), nullable=False),
        sa.Column("recipient_name", sa.String(300)),
        sa.Column("message", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("not_before", UtcDateTime),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reopened", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("target", sa.JSON),
        sa.Column("conversation_id", sa.String(300)),
        sa.Column("activity_id", sa.String(200)),
        sa.Column("reason", sa.String(500)),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime),
        sa.Column("read_at", UtcDateTime),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name="uq_delivery_outbox_dedupe"),
    )
    op.create_index("ix_delivery_outbox_due", "delivery_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_delivery_outbox_subject", "delivery_outbox", ["tenant_id", "purpose", "subject_id"])
    op.create_index("ix_delivery_outbox_conversation", "delivery_outbox", ["tenant_id", "conversation_id"])


def downgrade() -> None:
    op.drop_table("delivery_outbox")
