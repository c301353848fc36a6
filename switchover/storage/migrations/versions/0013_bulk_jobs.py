"""Bulk operations as outbox work: updates and deletions of sent messages, and a record per lead operation.

``delivery_outbox`` rows gain an ``operation`` (``send``, ``update`` or ``delete``) and, for an
update or a deletion, the ``original_id`` of the delivery whose message it changes. Each
correction, recall, reschedule or Send a lead asks for gets one ``announcement_bulk_jobs`` row:
what it is, who asked, its state, and its final figures once every piece of it is done.

Revision ID: 0013_bulk_jobs
Revises: 0003_delivery
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0013_bulk_jobs"
down_revision = "0003_delivery"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("delivery_outbox") as batch:
        batch.add_column(sa.Column("operation", sa.String(10), nullable=False, server_default="send"))
        batch.add_column(sa.Column("original_id", BigId))
        batch.create_index("ix_delivery_outbox_subject_status", ["tenant_id", "purpose", "subject_id", "status"])
        batch.create_index("ix_delivery_outbox_original", ["original_id"])
    op.create_table(
        "announcement_bulk_jobs",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("announcement_ids", sa.JSON, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("requested_by", sa.String(300)),
        sa.Column("lead_key", sa.String(64)),
        sa.Column("lead_name", sa.String(300)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("expected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime),
        sa.Column("summary", sa.JSON),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_announcement_bulk_jobs"),
    )
    op.create_index("ix_announcement_bulk_jobs_state", "announcement_bulk_jobs", ["state"])


def downgrade() -> None:
    op.drop_table("announcement_bulk_jobs")
    with op.batch_alter_table("delivery_outbox") as batch:
        batch.drop_index("ix_delivery_outbox_original")
        batch.drop_index("ix_delivery_outbox_subject_status")
        batch.drop_column("original_id")
        batch.drop_column("operation")
