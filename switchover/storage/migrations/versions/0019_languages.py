"""Each person's Teams language, kept with their conversation (as their time zone is), so that
messages sent to them later are written in it.

Revision ID: 0019_languages
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_languages"
down_revision = "0001_core"
branch_labels = ("languages",)
depends_on = None


def upgrade() -> None:
    op.add_column("conversation_refs", sa.Column("locale", sa.String(35)))


def downgrade() -> None:
    with op.batch_alter_table("conversation_refs") as batch:
        batch.drop_column("locale")
