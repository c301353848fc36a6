"""Problem reports: reports, their timeline, the cards sent about them, major incidents.

Revision ID: 0004_problems
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0004_problems"
down_revision = "0001_core"
branch_labels = ("problems",)
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "problem_reports",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("reporter_id", sa.String(100), nullable=False),
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
        sa.Column("screenshot_url", sa.String(2000)),
        sa.Column("submission_key", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(100)),
        sa.Column("incident_id", BigId),
        sa.Column("duplicate_of", BigId),
        sa.Column("resolution_note", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("clock_started_at", UtcDateTime, nullable=False),
        sa.Column("ack_due_at", UtcDateTime),
        sa.Column("next_due_at", UtcDateTime),
        sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cycle", sa.Integer, nullable=False, server_default="0"),
        sa.Column("acknowledged_at", UtcDateTime),
        sa.Column("resolved_at", UtcDateTime),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("tenant_id", "submission_key", name="uq_problem_reports_submission"),
    )
    op.create_index("ix_problem_reports_due", "problem_reports", ["status", "next_due_at"])
    op.create_index("ix_problem_reports_reporter", "problem_reports", ["tenant_id", "reporter_id"])
    op.create_index("ix_problem_reports_area_wave", "problem_reports", ["tenant_id", "area", "wave", "created_at"])
    op.create_table(
        "problem_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("report_id", BigId, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(300)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_problem_events_report", "problem_events", ["tenant_id", "report_id", "id"])
    op.create_table(
        "problem_cards",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("report_id", BigId),
        sa.Column("incident_id", BigId),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("chain_index", sa.Integer, nullable=False, server_default="0"),
        sa.Column("delivery_id", BigId, nullable=False),
        sa.Column("recipient_kind", sa.String(10), nullable=False),
        sa.Column("recipient_key", sa.String(300), nullable=False),
        sa.Column("actionable", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("tenant_id", "delivery_id", name="uq_problem_cards_delivery"),
    )
    op.create_index("ix_problem_cards_report", "problem_cards", ["tenant_id", "report_id"])
    op.create_table(
        "problem_incidents",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("area", sa.String(60), nullable=False),
        sa.Column("wave", sa.String(60)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("resolved_at", UtcDateTime),
        sa.Column("resolution_note", sa.Text),
    )
    op.create_index("ix_problem_incidents_open", "problem_incidents", ["tenant_id", "area", "wave", "status"])


def downgrade() -> None:
    op.drop_table("problem_incidents")
    op.drop_table("problem_cards")
    op.drop_table("problem_events")
    op.drop_table("problem_reports")
