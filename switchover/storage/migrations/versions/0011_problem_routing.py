"""Routing that survives a restart: when a report's chain step is next looked at, and reports nobody could be reached for.

Revision ID: 0011_problem_routing
Revises: 0008_problem_desk
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0011_problem_routing"
down_revision = "0008_problem_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problem_reports") as batch:
        batch.add_column(sa.Column("route_due_at", UtcDateTime))
        batch.add_column(sa.Column("unrouted_at", UtcDateTime))
        batch.create_index("ix_problem_reports_route_due", ["route_due_at"])


def downgrade() -> None:
    with op.batch_alter_table("problem_reports") as batch:
        batch.drop_index("ix_problem_reports_route_due")
        batch.drop_column("unrouted_at")
        batch.drop_column("route_due_at")
