"""One plan, changed in one place: applied plan revisions, the version every instance checks,
and wave moves that carry hypercare (moved here from ``announcement_wave_moves``).

Revision ID: 0012_plan_revisions
Revises: 0006_announcements
"""

import sqlalchemy as sa
from alembic import op

from switchover.storage.base import UtcDateTime

revision = "0012_plan_revisions"
down_revision = "0006_announcements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_state",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("changed_by", sa.String(300)),
        sa.Column("changed_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "plan_revisions",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("name", sa.String(500)),
        sa.Column("applied_by", sa.String(300)),
        sa.Column("applied_at", UtcDateTime, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
    )
    moves = op.create_table(
        "plan_wave_moves",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("wave_key", sa.String(64), primary_key=True),
        sa.Column("cutover_start", UtcDateTime, nullable=False),
        sa.Column("cutover_end", UtcDateTime, nullable=False),
        sa.Column("hypercare_until", sa.Date),
        sa.Column("moved_by", sa.String(300)),
        sa.Column("moved_at", UtcDateTime, nullable=False),
    )
    # Moves made before hypercare moved with them carry none: hypercare_until NULL reads as the
    # plan's, shifted by as many days as the cutover moved (switchover/plan/current.py).
    old = sa.table(
        "announcement_wave_moves",
        sa.column("tenant_id", sa.String),
        sa.column("wave_key", sa.String),
        sa.column("cutover_start", UtcDateTime),
        sa.column("cutover_end", UtcDateTime),
        sa.column("moved_by", sa.String),
        sa.column("moved_at", UtcDateTime),
    )
    rows = op.get_bind().execute(sa.select(old)).all()
    if rows:
        op.bulk_insert(
            moves,
            [
                {
                    "tenant_id": r.tenant_id,
                    "wave_key": r.wave_key,
                    "cutover_start": r.cutover_start,
                    "cutover_end": r.cutover_end,
                    "hypercare_until": None,
                    "moved_by": r.moved_by,
                    "moved_at": r.moved_at,
                }
                for r in rows
            ],
        )
    op.drop_table("announcement_wave_moves")


def downgrade() -> None:
    op.create_table(
        "announcement_wave_moves",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("wave_key", sa.String(64), primary_key=True),
        sa.Column("cutover_start", UtcDateTime, nullable=False),
        sa.Column("cutover_end", UtcDateTime, nullable=False),
        sa.Column("moved_by", sa.String(300)),
        sa.Column("moved_at", UtcDateTime, nullable=False),
    )
    op.drop_table("plan_wave_moves")
    op.drop_table("plan_revisions")
    op.drop_table("plan_state")
