"""Problem-report tables (SQLAlchemy Core on ``Base.metadata``).

The migration ``0004_problems`` creates the same tables with explicit
``op.create_table``; this module is what the problem service queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from switchover.storage.base import Base, UtcDateTime

metadata = Base.metadata
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only

reports = sa.Table(
    "problem_reports",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("reporter_id", sa.String(100), nullable=False),  # Entra object id
    sa.Column("reporter_name", sa.String(300)),
    sa.Column("reporter_upn", sa.String(300)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("area", sa.String(60), nullable=False),
    sa.Column("area_confidence", sa.Float, nullable=False),
    sa.Column("impact", sa.String(20), nullable=False),
    sa.Column("urgency", sa.String(20), nullable=False),
    sa.Column("priority", sa.String(4), nullable=False),
    sa.Column("wave", sa.String(60)),
    sa.Column("site", sa.String(200)),
    sa.Column("department", sa.String(200)),
    sa.Column("city", sa.String(200)),  # 0008_problem_desk: which Service Desk serves the reporter
    sa.Column("country", sa.String(100)),
    sa.Column("screenshot_url", sa.String(2000)),
    sa.Column("submission_key", sa.String(100)),  # idempotency: one report per confirmed draft
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("assignee", sa.String(100)),  # plan person key
    sa.Column("incident_id", BigId),
    sa.Column("duplicate_of", BigId),
    sa.Column("resolution_note", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("clock_started_at", UtcDateTime, nullable=False),  # created, or reopened
    sa.Column("ack_due_at", UtcDateTime),
    sa.Column("next_due_at", UtcDateTime),  # the next escalation step; NULL when none is due
    sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cycle", sa.Integer, nullable=False, server_default="0"),  # bumped on reopen
    sa.Column("acknowledged_at", UtcDateTime),
    sa.Column("resolved_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # 0011_problem_routing: when the chain's current card's outcome is next looked at (NULL: nothing to
    # look at), and when the last step of the chain failed (the report tops the desk's list until taken).
    sa.Column("route_due_at", UtcDateTime),
    sa.Column("unrouted_at", UtcDateTime),
    sa.UniqueConstraint("tenant_id", "submission_key", name="uq_problem_reports_submission"),
    sa.Index("ix_problem_reports_due", "status", "next_due_at"),
    sa.Index("ix_problem_reports_route_due", "route_due_at"),
    sa.Index("ix_problem_reports_reporter", "tenant_id", "reporter_id"),
    sa.Index("ix_problem_reports_area_wave", "tenant_id", "area", "wave", "created_at"),
)

events = sa.Table(
    "problem_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("report_id", BigId, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("actor", sa.String(300)),
    sa.Column("detail", sa.Text),
    sa.Index("ix_problem_events_report", "tenant_id", "report_id", "id"),
)

cards = sa.Table(
    "problem_cards",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("report_id", BigId),
    sa.Column("incident_id", BigId),
    sa.Column("role", sa.String(30), nullable=False),  # owner, backup, project_lead, sponsor, ...
    sa.Column("chain_index", sa.Integer, nullable=False, server_default="0"),
    sa.Column("delivery_id", BigId, nullable=False),
    sa.Column("recipient_kind", sa.String(10), nullable=False),
    sa.Column("recipient_key", sa.String(300), nullable=False),
    sa.Column("actionable", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("tenant_id", "delivery_id", name="uq_problem_cards_delivery"),
    sa.Index("ix_problem_cards_report", "tenant_id", "report_id"),
)

incidents = sa.Table(
    "problem_incidents",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("area", sa.String(60), nullable=False),
    sa.Column("wave", sa.String(60)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("resolved_at", UtcDateTime),
    sa.Column("resolution_note", sa.Text),
    sa.Index("ix_problem_incidents_open", "tenant_id", "area", "wave", "status"),
)

drafts = sa.Table(
    "problem_drafts",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),  # unguessable; the confirmation card's Submit carries it
    sa.Column("reporter_id", sa.String(100), nullable=False),  # whose draft: only they may read or submit it
    sa.Column("screenshot", sa.String(64)),  # a screenshots.token
    sa.Column("created_at", UtcDateTime, nullable=False),
)

screenshots = sa.Table(
    "problem_screenshots",
    metadata,
    sa.Column("token", sa.String(64), primary_key=True),  # unguessable: the image's address
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("reporter_id", sa.String(100), nullable=False),
    sa.Column("content_type", sa.String(40), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# A report whose reporter has not been told its reference yet: written with the report, deleted
# once a message to the reporter is in the outbox; what is left after a crash is swept at start.
replies_owed = sa.Table(
    "problem_replies_owed",
    metadata,
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("report_id", BigId, nullable=False),
    sa.Column("owed_since", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "report_id", name="pk_problem_replies_owed"),
)
