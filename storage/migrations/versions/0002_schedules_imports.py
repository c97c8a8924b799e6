"""Schedules and imports: run history, import keys, schedule links, station regions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("region", sa.String))
    op.add_column("recordings", sa.Column("import_key", sa.String))
    op.add_column("recordings", sa.Column("schedule_id", sa.String))
    op.add_column("recordings", sa.Column("scheduled_at", sa.DateTime))
    op.add_column("recordings", sa.Column("late_s", sa.Float))
    op.create_index("ix_recordings_import_key", "recordings", ["import_key"], unique=True)
    op.create_table(
        "schedule_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("schedule_id", sa.String, nullable=False),
        sa.Column("schedule_name", sa.String),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("scheduled_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("status", sa.String, nullable=False),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="SET NULL"),
        ),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_schedule_runs_schedule_id", "schedule_runs", ["schedule_id"])
    op.create_index("ix_schedule_runs_scheduled_at", "schedule_runs", ["scheduled_at"])


def downgrade() -> None:
    op.drop_table("schedule_runs")
    op.drop_index("ix_recordings_import_key", "recordings")
    with op.batch_alter_table("recordings") as batch:
        for column in ("late_s", "scheduled_at", "schedule_id", "import_key"):
            batch.drop_column(column)
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("region")
