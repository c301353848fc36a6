"""Replies owed to reporters: a report stored but its reporter not yet told (cleared once told).

Revision ID: 0010_replies_owed
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0010_replies_owed"
down_revision = "0001_core"
branch_labels = ("replies_owed",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "problem_replies_owed",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("report_id", BigId, nullable=False),
        sa.Column("owed_since", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "report_id", name="pk_problem_replies_owed"),
    )


def downgrade() -> None:
    op.drop_table("problem_replies_owed")
