"""Each recording's candidate terms, kept so that trends and the library's IDF need not
re-read every transcript.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_terms",
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("fingerprint", sa.String, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recording_terms")
