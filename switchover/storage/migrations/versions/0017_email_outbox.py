"""The email outbox: announcements Teams could not deliver, sent through Graph sendMail.

Revision ID: 0017_email_outbox
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0017_email_outbox"
down_revision = "0001_core"
branch_labels = ("email_outbox",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "email_outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("to_name", sa.String(300)),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("why", sa.String(500)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("reason", sa.String(500)),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name="uq_email_outbox_dedupe"),
    )
    op.create_index("ix_email_outbox_due", "email_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_email_outbox_subject", "email_outbox", ["tenant_id", "purpose", "subject_id"])


def downgrade() -> None:
    op.drop_index("ix_email_outbox_subject", table_name="email_outbox")
    op.drop_index("ix_email_outbox_due", table_name="email_outbox")
    op.drop_table("email_outbox")
