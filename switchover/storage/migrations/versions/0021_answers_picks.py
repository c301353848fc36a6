"""Suggestion picks: a question the FAQ was unsure of, and the suggested entry the asker chose
(``switchover faq gaps`` lists them, ``switchover faq learn`` turns them into alternates for the plan).

Revision ID: 0021_answers_picks
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0021_answers_picks"
down_revision = "0001_core"
branch_labels = ("answers_picks",)
depends_on = None  # a table of its own beside the gaps and votes (0002_answers)

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "answers_picks",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("folded", sa.String(500), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("faq_key", sa.String(100), nullable=False),
        sa.Column("asker_id", sa.String(100)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(op.f("ix_answers_picks_tenant_id"), "answers_picks", ["tenant_id"])
    op.create_index("ix_answers_picks_tenant_created", "answers_picks", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_answers_picks_tenant_created", table_name="answers_picks")
    op.drop_index(op.f("ix_answers_picks_tenant_id"), table_name="answers_picks")
    op.drop_table("answers_picks")
