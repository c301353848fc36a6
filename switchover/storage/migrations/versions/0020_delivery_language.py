"""The language each delivery was written in (``es``, ``pl``...), so a correction, a reschedule or a
refresh re-renders a person's card in the language they first got it in, and the lead's report breaks
down by language.

Revision ID: 0020_delivery_language
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_delivery_language"
down_revision = "0001_core"
branch_labels = ("delivery_language",)
depends_on = ("0003_delivery",)  # the outbox it adds to


def upgrade() -> None:
    with op.batch_alter_table("delivery_outbox") as batch:
        batch.add_column(sa.Column("language", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("delivery_outbox") as batch:
        batch.drop_column("language")
