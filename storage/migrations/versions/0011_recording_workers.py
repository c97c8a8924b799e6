"""Recordings run by Celery workers: which task made the recording (so a job redelivered
after its worker died continues that recording), which worker runs it, and a stop request
any process (the GUI, `record --queue`) can set and the worker honours.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("task_id", sa.String))
        batch.add_column(sa.Column("worker", sa.String))
        batch.add_column(sa.Column("stop_requested_at", sa.DateTime))
        batch.create_index("ix_recordings_task_id", ["task_id"])


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of `recordings` would
    # have to drop the table, which SQLite refuses while a reader has it open.
    op.drop_index("ix_recordings_task_id", table_name="recordings")
    for column in ("stop_requested_at", "worker", "task_id"):
        op.drop_column("recordings", column)
