"""Announcement tables (SQLAlchemy Core); migration ``0006_announcements`` creates the same (its wave moves
became the plan's in ``0012_plan_revisions``: :mod:`switchover.plan.tables`)."""

from __future__ import annotations

import sqlalchemy as sa

from switchover.storage.base import Base, UtcDateTime

announcements = sa.Table(
    "announcement_announcements",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # calendar, freeform, reschedule
    sa.Column("wave_key", sa.String(64)),
    sa.Column("calendar_key", sa.String(64)),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("content", sa.JSON, nullable=False),  # summary, body, points, buttons, urgency, image, links
    sa.Column("audience", sa.JSON, nullable=False),
    sa.Column("send_at", UtcDateTime),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("created_by", sa.String(300)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("reason", sa.String(500)),
    sa.Index("ix_announcement_announcements_due", "status", "send_at"),
)

acknowledgements = sa.Table(
    "announcement_acks",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("announcement_id", sa.String(100), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),  # Entra object id
    sa.Column("verb", sa.String(32), primary_key=True),  # acknowledge, mfa_done
    sa.Column("at", UtcDateTime, nullable=False),
)
