"""One recipient's deliveries go one at a time, in the order they were queued. The claim checks
that no other row of the same person (or channel) is in flight or still to go before it: an index
on the recipient and status for that check, and ``id`` added to the due index, so the claim walks
the due rows in queue order and stops as soon as it has enough. Rows already queued need nothing
more: their place in the queue is their id.

Revision ID: 0022_delivery_recipient
Revises: 0001_core
"""

from alembic import op

revision = "0022_delivery_recipient"
down_revision = "0001_core"
branch_labels = ("delivery_recipient",)
depends_on = ("0003_delivery",)  # the outbox it indexes


def upgrade() -> None:
    op.create_index(
        "ix_delivery_outbox_recipient",
        "delivery_outbox",
        ["tenant_id", "recipient_kind", "recipient_key", "status", "id"],
    )
    op.drop_index("ix_delivery_outbox_due", table_name="delivery_outbox")
    op.create_index("ix_delivery_outbox_due", "delivery_outbox", ["status", "next_attempt_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_delivery_outbox_due", table_name="delivery_outbox")
    op.create_index("ix_delivery_outbox_due", "delivery_outbox", ["status", "next_attempt_at"])
    op.drop_index("ix_delivery_outbox_recipient", table_name="delivery_outbox")
