"""The email outbox: one row per email (SQLAlchemy Core); migration ``0017_email_outbox`` creates the same.

``(tenant_id, dedupe_key)`` is unique, so queueing the same email twice (a callback and the sweep
that backs it up, two instances) stores and sends it once.
"""

from __future__ import annotations

import sqlalchemy as sa

from switchover.storage.base import Base, UtcDateTime

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only

emails = sa.Table(
    "email_outbox",
    Base.metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("dedupe_key", sa.String(300), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=False),  # e.g. "announcement"
    sa.Column("subject_id", sa.String(100), nullable=False),  # e.g. the announcement's id
    sa.Column("kind", sa.String(40), nullable=False),  # e.g. "announcement", "reminder-1"
    sa.Column("person_id", sa.String(100), nullable=False),  # Entra object id
    sa.Column("mailbox", sa.String(320), nullable=False),  # sent from
    sa.Column("to_address", sa.String(320), nullable=False),
    sa.Column("to_name", sa.String(300)),
    sa.Column("subject", sa.String(500), nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("why", sa.String(500)),  # why it went by email (the Teams outcome)
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("reason", sa.String(500)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("tenant_id", "dedupe_key", name="uq_email_outbox_dedupe"),
    sa.Index("ix_email_outbox_due", "status", "next_attempt_at"),
    sa.Index("ix_email_outbox_subject", "tenant_id", "purpose", "subject_id"),
)
