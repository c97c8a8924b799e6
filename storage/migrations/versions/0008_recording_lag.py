"""How far transcription was behind each running recording at its last heartbeat, so
`recordings` (and any other process) can show a recording that is falling behind.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("lag_s", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("lag_s")
