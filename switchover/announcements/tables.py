"""Announcement tables (SQLAlchemy Core); migrations ``0006_announcements``, ``0013_bulk_jobs`` and
``0018_chasers`` create the same (the wave moves of ``0006`` became the plan's in
``0012_plan_revisions``: :mod:`switchover.plan.tables`)."""

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

bulk_jobs = sa.Table(
    "announcement_bulk_jobs",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # send, correct, recall, reschedule
    sa.Column("announcement_ids", sa.JSON, nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=False),  # the outbox rows that are this job's work
    sa.Column("subject_id", sa.String(100), nullable=False),
    sa.Column("requested_by", sa.String(300)),
    sa.Column("lead_key", sa.String(64)),  # who is told the outcome in Teams (Entra object id)
    sa.Column("lead_name", sa.String(300)),
    sa.Column("state", sa.String(20), nullable=False),  # queued, running, finished
    sa.Column("expected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("summary", sa.JSON),
    sa.Index("ix_announcement_bulk_jobs_state", "state"),
)

chasers = sa.Table(
    "announcement_chasers",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("announcement_id", sa.String(100), primary_key=True),
    # 0: the activity-feed nudge; 1..n: the reminders; n + 1: the lists to champions or managers.
    sa.Column("step", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),  # a nudge's person; "" for a whole step
    sa.Column("kind", sa.String(20), nullable=False),  # nudge, reminder, escalation
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),  # pending, claimed, done, stopped
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("people", sa.Integer),  # reminded, listed, or 1 for a nudge delivered
    sa.Column("outcome", sa.String(40)),  # sent, no_one_left, cutover_started, cancelled, forbidden, ...
    sa.Column("detail", sa.String(500)),
    sa.Column("finished_at", UtcDateTime),
    sa.Index("ix_announcement_chasers_due", "state", "due_at"),
)
