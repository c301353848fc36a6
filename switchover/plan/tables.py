"""The plan as it stands, stored (SQLAlchemy Core); migration ``0012_plan_revisions`` creates the same.

- ``plan_state``: one row per plan (keyed by its tenant): the version every instance compares
  with its own (bumped by every applied revision and every wave move) and the revision in force;
- ``plan_revisions``: every plan text applied (the file at start, ``switchover plan apply``,
  ``POST /api/plan``), with its hash, who applied it, when, and what it changed;
- ``plan_wave_moves``: a lead's wave moves (cutover window and hypercare), laid over the revision.
"""

from __future__ import annotations

import sqlalchemy as sa

from switchover.storage.base import Base, UtcDateTime

plan_state = sa.Table(
    "plan_state",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),  # plan_revisions.number in force
    sa.Column("changed_by", sa.String(300)),
    sa.Column("changed_at", UtcDateTime, nullable=False),
)

plan_revisions = sa.Table(
    "plan_revisions",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),  # file, cli, api
    sa.Column("name", sa.String(500)),  # the file it came from, as given
    sa.Column("applied_by", sa.String(300)),
    sa.Column("applied_at", UtcDateTime, nullable=False),
    # What it changed: {"summary": [one line per thing], "diff": switchover.plan.diff's JSON}
    sa.Column("changes", sa.JSON, nullable=False),
)

plan_wave_moves = sa.Table(
    "plan_wave_moves",
    Base.metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("wave_key", sa.String(64), primary_key=True),
    sa.Column("cutover_start", UtcDateTime, nullable=False),
    sa.Column("cutover_end", UtcDateTime, nullable=False),
    sa.Column("hypercare_until", sa.Date),  # NULL: the plan's, shifted as the cutover moved
    sa.Column("moved_by", sa.String(300)),
    sa.Column("moved_at", UtcDateTime, nullable=False),
)
