"""Problem reports: the reporter's city and country, so a report's deadlines follow the Service Desk that serves them.

Revision ID: 0008_problem_desk
Revises: 0007_problem_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_problem_desk"
down_revision = "0007_problem_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problem_reports") as batch:
        batch.add_column(sa.Column("city", sa.String(200)))
        batch.add_column(sa.Column("country", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("problem_reports") as batch:
        batch.drop_column("country")
        batch.drop_column("city")
