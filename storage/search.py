"""Full-text search over transcript segments.

SQLite's FTS5 lives behind `TranscriptSearch` so a PostgreSQL implementation (tsvector) can
take its place when the library moves to a shared server.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.engine import translate_errors
from storage.records import SearchHit

SNIPPET_TOKENS = 12
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def to_fts_query(query: str) -> str:
    """Turn what a user types into a safe FTS5 expression.

    Every word must match (AND); "double quotes" keep a phrase together; a trailing `*` is a
    prefix search. Everything else is quoted so punctuation or FTS operators typed by the user
    cannot raise a syntax error.
    """
    parts: list[str] = []
    for phrase, word in _TOKEN.findall(query):
        if phrase:
            cleaned = phrase.replace('"', "").strip()
            if cleaned:
                parts.append(f'"{cleaned}"')
            continue
        prefix = word.endswith("*")
        core = re.sub(r"[^\w']+", " ", word).strip()
        for piece in core.split():
            parts.append(f'"{piece}"' + ("*" if prefix else ""))
    return " ".join(parts)


class TranscriptSearch:
    """FTS5 queries (SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def search(
        self, query: str, limit: int = 50, recording_id: int | None = None
    ) -> list[SearchHit]:
        expression = to_fts_query(query)
        if not expression:
            return []
        sql = """
            SELECT s.recording_id, r.title, s.id, s.start_s, s.end_s, s.text,
                   snippet(segments_fts, 0, '[', ']', '…', :tokens) AS snip
            FROM segments_fts
            JOIN segments s ON s.id = segments_fts.rowid
            JOIN recordings r ON r.id = s.recording_id
            WHERE segments_fts MATCH :q {extra}
            ORDER BY bm25(segments_fts), s.recording_id, s.start_s
            LIMIT :limit
        """.format(extra="AND s.recording_id = :rid" if recording_id is not None else "")
        params = {"q": expression, "limit": limit, "tokens": SNIPPET_TOKENS}
        if recording_id is not None:
            params["rid"] = recording_id
        with translate_errors("search the transcripts"), self._engine.connect() as conn:
            rows = conn.execute(text(sql), params).all()
        return [
            SearchHit(
                recording_id=row[0],
                recording_title=row[1],
                segment_id=row[2],
                start_s=row[3],
                end_s=row[4],
                text=row[5],
                snippet=row[6],
            )
            for row in rows
        ]

    def matching_texts(self, query: str) -> list[tuple[int, str]]:
        """(recording id, text) of every segment matching `query`, in no particular order.

        For counting how often something is said across the whole library (mentions per
        day): no limit, and no snippet or bm25 ranking, which cost more than the match
        itself and mean nothing to a count.
        """
        expression = to_fts_query(query)
        if not expression:
            return []
        sql = """
            SELECT s.recording_id, s.text
            FROM segments_fts
            JOIN segments s ON s.id = segments_fts.rowid
            WHERE segments_fts MATCH :q
        """
        with translate_errors("search the transcripts"), self._engine.connect() as conn:
            return [(row[0], row[1]) for row in conn.execute(text(sql), {"q": expression})]
