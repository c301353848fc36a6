"""Answers: feedback on FAQ answers and the questions the FAQ did not answer.

Revision ID: 0002_answers
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0002_answers"
down_revision = "0001_core"
branch_labels = ("answers",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "answers_feedback",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("faq_key", sa.String(100), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("asker_id", sa.String(100)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(op.f("ix_answers_feedback_tenant_id"), "answers_feedback", ["tenant_id"])
    op.create_table(
        "answers_gaps",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("folded", sa.String(500), nullable=False),
        sa.Column("faq_key", sa.String(100)),
        sa.Column("asker_id", sa.String(100)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(op.f("ix_answers_gaps_tenant_id"), "answers_gaps", ["tenant_id"])
    op.create_index("ix_answers_gaps_tenant_created", "answers_gaps", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_answers_gaps_tenant_created", table_name="answers_gaps")
    op.drop_index(op.f("ix_answers_gaps_tenant_id"), table_name="answers_gaps")
    op.drop_table("answers_gaps")
    op.drop_index(op.f("ix_answers_feedback_tenant_id"), table_name="answers_feedback")
    op.drop_table("answers_feedback")
