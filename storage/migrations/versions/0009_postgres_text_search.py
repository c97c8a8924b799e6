"""Full-text search on PostgreSQL: a generated tsvector column with a GIN index on
segments.text and chat_messages.text, under a text search configuration without stop words.

SQLite has had its FTS5 tables since 0001 and 0003; there this revision does nothing.
The names here are those `storage.search_postgres` and `storage.search` use; a migration
keeps its own copy, as migrations are history and must not change when the code does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CONFIG = "streamlens_english"
DICTIONARY = "streamlens_english_stem"
TABLES = ("segments", "chat_messages")
# The token types the stock `english` configuration stems; the others (numbers, URLs, …)
# keep its mapping.
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # English (snowball) stemming, as FTS5's porter tokenizer, but no stop words: FTS5
    # keeps every word, and "the council" must mean the same on both databases.
    op.execute(
        f"CREATE TEXT SEARCH DICTIONARY {DICTIONARY} (TEMPLATE = snowball, LANGUAGE = english)"
    )
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.english)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
        f"ALTER MAPPING FOR {WORD_TOKENS} WITH {DICTIONARY}"
    )
    for table in TABLES:
        # Generated (PostgreSQL 12+): kept in step with `text` by the server itself, on
        # insert and update, whoever writes; no trigger to forget.
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN text_search tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{CONFIG}'::regconfig, text)) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_text_search ON {table} USING gin (text_search)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_text_search")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS text_search")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
    op.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {DICTIONARY}")
