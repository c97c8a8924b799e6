"""Who speaks: voice profiles kept per source (recurring voices, named once) and each
recording's speakers, linked to the profile their voice matched.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), index=True
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("name", sa.String),
        sa.Column("centroid", sa.LargeBinary, nullable=False),
        sa.Column("weight_s", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "recording_speakers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            index=True,
            nullable=False,
        ),
        sa.Column(
            "profile_id",
            sa.Integer,
            sa.ForeignKey("voice_profiles.id", ondelete="SET NULL"),
            index=True,
        ),
        sa.Column("label", sa.String, nullable=False),
        sa.Column("speech_s", sa.Float, nullable=False),
        sa.Column("similarity", sa.Float),
        sa.Column("centroid", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recording_speakers")
    op.drop_table("voice_profiles")
