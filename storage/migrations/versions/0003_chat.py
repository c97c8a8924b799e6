"""Chat: messages and moderation events with verdicts (+ FTS5), and per-window chat stats.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FTS_STATEMENTS = [
    """CREATE VIRTUAL TABLE chat_fts USING fts5(
        text, content='chat_messages', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER chat_fts_ai AFTER INSERT ON chat_messages BEGIN
        INSERT INTO chat_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER chat_fts_ad AFTER DELETE ON chat_messages BEGIN
        INSERT INTO chat_fts(chat_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER chat_fts_au AFTER UPDATE OF text ON chat_messages BEGIN
        INSERT INTO chat_fts(chat_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chat_fts(rowid, text) VALUES (new.id, new.text);
    END""",
]


def upgrade() -> None:
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("offset_s", sa.Float, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("platform", sa.String),
        sa.Column("message_id", sa.String),
        sa.Column("author", sa.String),
        sa.Column("display_name", sa.String),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("badges", sa.JSON),
        sa.Column("emotes", sa.JSON),
        sa.Column("bits", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_message", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("target_user", sa.String),
        sa.Column("target_message_id", sa.String),
        sa.Column("duration_s", sa.Float),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("violation", sa.Boolean),
        sa.Column("score", sa.Float),
        sa.Column("category", sa.String),
        sa.Column("target", sa.String),
    )
    op.create_index("ix_chat_recording_offset", "chat_messages", ["recording_id", "offset_s"])
    op.create_index(
        "ix_chat_recording_message", "chat_messages", ["recording_id", "message_id"], unique=True
    )
    op.create_table(
        "chat_windows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float, nullable=False),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("chatters", sa.Integer, nullable=False),
        sa.Column("first_timers", sa.Integer, nullable=False),
        sa.Column("emotes", sa.Integer, nullable=False),
        sa.Column("flagged", sa.Integer, nullable=False),
        sa.Column("moderation_actions", sa.Integer, nullable=False),
        sa.Column("spike_score", sa.Float),
        sa.Column("is_spike", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_chat_windows_recording", "chat_windows", ["recording_id", "start_s"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS chat_fts")
    op.drop_table("chat_windows")
    op.drop_table("chat_messages")
