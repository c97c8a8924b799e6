"""Keywords per window and per recording.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "keywords",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("scope", sa.String, nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
        sa.Column("term", sa.String, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_keywords_recording", "keywords", ["recording_id", "scope", "start_s"])
    op.create_index("ix_keywords_term", "keywords", ["term"])


def downgrade() -> None:
    op.drop_table("keywords")
