"""Wave states a lead records (cutover started, cutover complete): one row per tenant and wave.

Revision ID: 0015_wave_states
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0015_wave_states"
down_revision = "0001_core"
branch_labels = ("wave_states",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wave_states",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("wave_key", sa.String(120), primary_key=True),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("set_by", sa.String(320), nullable=False),
        sa.Column("set_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("wave_states")
