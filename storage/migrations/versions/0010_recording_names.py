"""Each recording's names and noun phrases (`nlp.naming_terms`), what trends rank, kept
beside its candidate terms and valid with the same fingerprint.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("recording_terms", sa.Column("names", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recording_terms") as batch:
        batch.drop_column("names")
