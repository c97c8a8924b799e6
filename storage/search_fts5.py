"""Full-text search on SQLite: the FTS5 tables `segments_fts` and `chat_fts` (migrations
0001 and 0003), kept in step with their tables by triggers, with porter stemming."""

from __future__ import annotations

from sqlalchemy import Connection, text

from storage.records import SearchHit
from storage.search_hits import chat_hit, transcript_hit
from storage.search_syntax import parse_query

SNIPPET_TOKENS = 12


def to_fts_query(query: str) -> str:
    """What a user types (`storage.search_syntax`) as an FTS5 expression.

    Each term is quoted, so punctuation or FTS5 operators typed by the user (AND, NEAR(,
    a stray quote) are words or nothing, never syntax; terms side by side must all match.
    """
    parts = []
    for term in parse_query(query):
        quoted = '"' + " ".join(term.words) + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return " ".join(parts)


class Fts5Search:
    """Transcript and chat search over the FTS5 indexes, ranked by bm25."""

    dialect = "sqlite"

    def segment_hits(
        self, conn: Connection, query: str, limit: int, recording_id: int | None
    ) -> list[SearchHit]:
        expression = to_fts_query(query)
        if not expression:
            return []
        sql = """
            SELECT s.recording_id, r.title, s.id, s.start_s, s.end_s, s.text, s.speaker,
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
        return [transcript_hit(row, row[7]) for row in conn.execute(text(sql), params)]

    def segment_texts(self, conn: Connection, query: str) -> list[tuple[int, str]]:
        expression = to_fts_query(query)
        if not expression:
            return []
        sql = """
            SELECT s.recording_id, s.text
            FROM segments_fts
            JOIN segments s ON s.id = segments_fts.rowid
            WHERE segments_fts MATCH :q
        """
        return [(row[0], row[1]) for row in conn.execute(text(sql), {"q": expression})]

    def chat_hits(self, conn: Connection, query: str, limit: int) -> list[SearchHit]:
        expression = to_fts_query(query)
        if not expression:
            return []
        sql = text(
            """SELECT c.id, c.recording_id, c.offset_s, r.title,
                      snippet(chat_fts, 0, '[', ']', '…', :tokens), c.author, c.text
               FROM chat_fts JOIN chat_messages c ON c.id = chat_fts.rowid
               JOIN recordings r ON r.id = c.recording_id
               WHERE chat_fts MATCH :q ORDER BY rank, c.recording_id, c.offset_s
               LIMIT :limit"""
        )
        params = {"q": expression, "limit": limit, "tokens": SNIPPET_TOKENS}
        return [chat_hit(*row) for row in conn.execute(sql, params)]
