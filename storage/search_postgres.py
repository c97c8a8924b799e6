"""Full-text search on PostgreSQL: the `text_search` tsvector columns of `segments` and
`chat_messages` with their GIN indexes (migration 0009), ranked by ts_rank, snippets by
ts_headline.

The text search configuration `streamlens_english` is English stemming without a stop-word
list: FTS5 on SQLite keeps every word, so "the council" must find the same segments here
(the stock `english` configuration would drop "the" and match any council).
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from storage.records import SearchHit
from storage.search_hits import chat_hit, transcript_hit
from storage.search_syntax import parse_query

CONFIG = "streamlens_english"  # created by migration 0009
# ts_headline's options: FTS5's snippet shape (about 12 words around the match, marked
# [like this]); ShortWord=0 so that short words count as words, as they do in FTS5.
HEADLINE_OPTIONS = "StartSel=[, StopSel=], MaxWords=12, MinWords=5, ShortWord=0, MaxFragments=1"
ELLIPSIS = "…"
# PostgreSQL refuses a tsquery word longer than this (FTS5 matches nothing): cut it instead.
MAX_WORD_CHARS = 2000
_MARKERS = re.compile(r"[\[\]]")
_WORD = re.compile(r"\w")


def to_tsquery_text(query: str) -> str:
    """What a user types (`storage.search_syntax`) as input for `to_tsquery`.

    Every word is quoted as a tsquery literal (`'don''t'`), so `&`, `|`, `!`, `<->`,
    brackets and quotes typed by the user are text, never operators; terms are ANDed with
    `&`, the words of a phrase joined with `<->` (next to each other), a prefix marked
    `:*`. It is passed to `to_tsquery` as a bound parameter, never spliced into SQL.
    """
    parts = []
    for term in parse_query(query):
        words = [_literal(word) for word in term.words]
        if term.prefix:
            words = [word + ":*" for word in words]
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


def _literal(word: str) -> str:
    word = word[:MAX_WORD_CHARS].replace("\\", "\\\\").replace("'", "''")
    return f"'{word}'"


def with_ellipses(snippet: str, whole: str) -> str:
    """`ts_headline` cuts without saying so, and drops the punctuation around its words;
    FTS5's snippets end in "…" where text was left out and keep a sentence's full stop.
    Do the same, so a hit looks alike whichever database found it."""
    shown = snippet.strip()
    plain, full = _MARKERS.sub("", shown), _MARKERS.sub("", whole)
    start = full.find(plain) if plain else -1
    if start < 0:
        return snippet
    before, after = full[:start], full[start + len(plain) :]
    head = ELLIPSIS if _WORD.search(before) else before.lstrip()
    tail = ELLIPSIS if _WORD.search(after) else after.rstrip()
    return f"{head}{shown}{tail}"


class PostgresSearch:
    """Transcript and chat search over the tsvector columns."""

    dialect = "postgresql"

    def segment_hits(
        self, conn: Connection, query: str, limit: int, recording_id: int | None
    ) -> list[SearchHit]:
        expression = to_tsquery_text(query)
        if not expression:
            return []
        extra = "AND s.recording_id = :rid" if recording_id is not None else ""
        # The ranked, limited hits first; ts_headline (which re-reads each text) only for them.
        sql = f"""
            WITH q AS (SELECT to_tsquery('{CONFIG}', :q) AS query),
            hits AS (
                SELECT s.id, s.recording_id, s.start_s, s.end_s, s.text, s.speaker,
                       ts_rank(s.text_search, q.query, 1) AS rank
                FROM segments s, q
                WHERE s.text_search @@ q.query {extra}
                ORDER BY rank DESC, s.recording_id, s.start_s
                LIMIT :limit
            )
            SELECT h.recording_id, r.title, h.id, h.start_s, h.end_s, h.text, h.speaker,
                   ts_headline('{CONFIG}', h.text, q.query, :options)
            FROM hits h JOIN recordings r ON r.id = h.recording_id, q
            ORDER BY h.rank DESC, h.recording_id, h.start_s
        """
        params = {"q": expression, "limit": limit, "options": HEADLINE_OPTIONS}
        if recording_id is not None:
            params["rid"] = recording_id
        return [
            transcript_hit(row, with_ellipses(row[7], row[5]))
            for row in conn.execute(text(sql), params)
        ]

    def segment_texts(self, conn: Connection, query: str) -> list[tuple[int, str]]:
        expression = to_tsquery_text(query)
        if not expression:
            return []
        sql = f"""
            SELECT s.recording_id, s.text FROM segments s
            WHERE s.text_search @@ to_tsquery('{CONFIG}', :q)
        """
        return [(row[0], row[1]) for row in conn.execute(text(sql), {"q": expression})]

    def chat_hits(self, conn: Connection, query: str, limit: int) -> list[SearchHit]:
        expression = to_tsquery_text(query)
        if not expression:
            return []
        sql = text(
            f"""
            WITH q AS (SELECT to_tsquery('{CONFIG}', :q) AS query),
            hits AS (
                SELECT c.id, c.recording_id, c.offset_s, c.author, c.text,
                       ts_rank(c.text_search, q.query, 1) AS rank
                FROM chat_messages c, q
                WHERE c.text_search @@ q.query
                ORDER BY rank DESC, c.recording_id, c.offset_s
                LIMIT :limit
            )
            SELECT h.id, h.recording_id, h.offset_s, r.title,
                   ts_headline('{CONFIG}', h.text, q.query, :options), h.author, h.text
            FROM hits h JOIN recordings r ON r.id = h.recording_id, q
            ORDER BY h.rank DESC, h.recording_id, h.offset_s
            """
        )
        params = {"q": expression, "limit": limit, "options": HEADLINE_OPTIONS}
        return [
            chat_hit(cid, rid, offset, title, with_ellipses(snippet, body), author, body)
            for cid, rid, offset, title, snippet, author, body in conn.execute(sql, params)
        ]
