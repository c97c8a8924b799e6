"""Initial schema: sources, recordings, segments (+ FTS5), archive files.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_STATEMENTS = [
    # External-content FTS5 over segment text; triggers keep it in step with the table.
    """CREATE VIRTUAL TABLE segments_fts USING fts5(
        text, content='segments', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER segments_fts_ai AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER segments_fts_ad AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER segments_fts_au AFTER UPDATE OF text ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
    END""",
]


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String, nullable=False, unique=True),
        sa.Column("name", sa.String),
        sa.Column("platform", sa.String),
        sa.Column("channel", sa.String),
        sa.Column("is_live", sa.Boolean),
        sa.Column("favourite", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id")),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("title", sa.String),
        sa.Column("platform", sa.String),
        sa.Column("channel", sa.String),
        sa.Column("is_live", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("mode", sa.String, nullable=False),
        sa.Column("model", sa.String),
        sa.Column("language", sa.String),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("duration_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("archive_dir", sa.String),
        sa.Column("pid", sa.Integer),
        sa.Column("host", sa.String),
        sa.Column("heartbeat_at", sa.DateTime),
    )
    op.create_index("ix_recordings_source_id", "recordings", ["source_id"])
    op.create_index("ix_recordings_started_at", "recordings", ["started_at"])
    op.create_index("ix_recordings_status", "recordings", ["status"])
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("words", sa.JSON),
        sa.Column("confidence", sa.Float),
        sa.Column("speaker", sa.String),
        sa.Column("final", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_segments_recording_id", "segments", ["recording_id"])
    op.create_table(
        "archive_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("uri", sa.String, nullable=False),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("duration_s", sa.Float),
    )
    op.create_index("ix_archive_files_recording_id", "archive_files", ["recording_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS segments_fts")
    op.drop_table("archive_files")
    op.drop_table("segments")
    op.drop_table("recordings")
    op.drop_table("sources")
