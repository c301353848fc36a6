"""The digest's one table (SQLAlchemy Core); migration ``0014_digests`` creates the same.

One row per digest occurrence of a tenant (``2027-02-15T08:00/daily``, ``wave-2/cutover-start``),
unique: the row is the claim, so two instances never send the same digest twice.
"""

from __future__ import annotations

import sqlalchemy as sa

from switchover.storage.base import Base, UtcDateTime

digests = sa.Table(
    "digest_occurrences",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # daily, cutover-start, cutover-end
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # claimed, sent, missed
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("recipients", sa.Integer, nullable=False, server_default="0"),
    sa.Column("picture", sa.JSON),  # the StatusPicture sent (model_dump(mode="json"))
    sa.Column("change", sa.JSON),  # the change since the previous digest, as sent
    sa.Index("ix_digest_occurrences_sent", "tenant_id", "status", "due_at"),
)
