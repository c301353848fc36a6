"""Core tables: conversation references and bot (dialog) state.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision: str = "0001_core"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_refs",
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("service_url", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("bot_id", sa.String(), nullable=True),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("upn", sa.String(), nullable=True),
        sa.Column("user_name", sa.String(), nullable=True),
        sa.Column("team_id", sa.String(), nullable=True),
        sa.Column("team_name", sa.String(), nullable=True),
        sa.Column("channel_name", sa.String(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("installed", sa.Boolean(), nullable=False),
        sa.Column("first_seen", UtcDateTime(), nullable=False),
        sa.Column("last_seen", UtcDateTime(), nullable=False),
        sa.Column("uninstalled_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", "tenant_id", name=op.f("pk_conversation_refs")),
    )
    op.create_index(op.f("ix_conversation_refs_tenant_id"), "conversation_refs", ["tenant_id"])
    op.create_index("ix_conversation_refs_tenant_aad", "conversation_refs", ["tenant_id", "aad_object_id"])
    op.create_index(
        "ix_conversation_refs_tenant_team_channel", "conversation_refs", ["tenant_id", "team_name", "channel_name"]
    )

    op.create_table(
        "bot_state",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("e_tag", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name=op.f("pk_bot_state")),
    )
    op.create_index(op.f("ix_bot_state_tenant_id"), "bot_state", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bot_state_tenant_id"), table_name="bot_state")
    op.drop_table("bot_state")
    op.drop_index("ix_conversation_refs_tenant_team_channel", table_name="conversation_refs")
    op.drop_index("ix_conversation_refs_tenant_aad", table_name="conversation_refs")
    op.drop_index(op.f("ix_conversation_refs_tenant_id"), table_name="conversation_refs")
    op.drop_table("conversation_refs")
