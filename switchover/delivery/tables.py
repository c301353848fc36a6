"""The delivery outbox: one row per recipient per message (SQLAlchemy Core).

The migration ``0003_delivery`` creates the same table with explicit
``op.create_table``; this module is what the engine queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from switchover.storage.base import Base, UtcDateTime

metadata = Base.metadata
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


deliveries = sa.Table(
    "delivery_outbox",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("dedupe_key", sa.String(300), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("subject_id", sa.String(100), nullable=False),
    sa.Column("recipient_kind", sa.String(10), nullable=False),
    sa.Column("recipient_key", sa.String(300), nullable=False),
    sa.Column("recipient_name", sa.String(300)),
    sa.Column("message", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("not_before", UtcDateTime),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reopened", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("target", sa.JSON),
    sa.Column("conversation_id", sa.String(300)),
    sa.Column("activity_id", sa.String(200)),
    sa.Column("reason", sa.String(500)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("read_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # ``send`` a new message, or ``update`` / ``delete`` the message of delivery ``original_id``
    # (migration ``0013_bulk_jobs``).
    sa.Column("operation", sa.String(10), nullable=False, server_default="send"),
    sa.Column("original_id", BigId),
    # The language the message is written in (catalog code: en, es, pl; migration
    # ``0020_delivery_language``): a change of the message is written in it too.
    sa.Column("language", sa.String(16)),
    sa.UniqueConstraint("tenant_id", "dedupe_key", name="uq_delivery_outbox_dedupe"),
    # With ``id`` (migration ``0022_delivery_recipient``): the claim walks it in queue order and stops early.
    sa.Index("ix_delivery_outbox_due", "status", "next_attempt_at", "id"),
    sa.Index("ix_delivery_outbox_subject", "tenant_id", "purpose", "subject_id"),
    sa.Index("ix_delivery_outbox_conversation", "tenant_id", "conversation_id"),
    sa.Index("ix_delivery_outbox_subject_status", "tenant_id", "purpose", "subject_id", "status"),
    sa.Index("ix_delivery_outbox_original", "original_id"),
    # A recipient's rows still to go, for the claim's "next in line" check (migration
    # ``0022_delivery_recipient``): one person's messages go one at a time, in queue order.
    sa.Index("ix_delivery_outbox_recipient", "tenant_id", "recipient_kind", "recipient_key", "status", "id"),
)
