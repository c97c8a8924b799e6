"""Full-text search over transcripts and chat: one interface, whichever database.

SQLite searches with FTS5 (`storage.search_fts5`), PostgreSQL with tsvector columns and GIN
indexes (`storage.search_postgres`); both read the same user syntax
(`storage.search_syntax`) and return the same `SearchHit`s, so nothing above this module
knows which one it has. The index objects each keeps beside the tables are not ORM columns;
`is_search_index_object` names them for Alembic's comparisons.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from storage.engine import translate_errors
from storage.errors import StorageError
from storage.records import SearchHit
from storage.search_fts5 import Fts5Search
from storage.search_postgres import PostgresSearch

# SQLite: the FTS5 virtual tables (and the shadow tables FTS5 makes for them).
FTS5_TABLE_PREFIXES = ("segments_fts", "chat_fts")
# PostgreSQL: the generated tsvector columns and their GIN indexes (migration 0009).
TSVECTOR_COLUMN = "text_search"
TSVECTOR_INDEXES = ("ix_segments_text_search", "ix_chat_messages_text_search")


class SearchBackend(Protocol):
    """One database's way of running the searches; see `Fts5Search`, `PostgresSearch`."""

    dialect: str

    def segment_hits(
        self, conn: Connection, query: str, limit: int, recording_id: int | None
    ) -> list[SearchHit]: ...

    def segment_texts(self, conn: Connection, query: str) -> list[tuple[int, str]]: ...

    def chat_hits(self, conn: Connection, query: str, limit: int) -> list[SearchHit]: ...


BACKENDS: dict[str, type] = {"sqlite": Fts5Search, "postgresql": PostgresSearch}


def backend_for(engine: Engine) -> SearchBackend:
    """The search implementation for the engine's database."""
    try:
        return BACKENDS[engine.dialect.name]()
    except KeyError:
        raise StorageError(
            f"Full-text search needs SQLite or PostgreSQL, not {engine.dialect.name}."
        ) from None


def is_search_index_object(name: str | None, type_: str) -> bool:
    """Whether a reflected table, column or index belongs to a full-text index (kept by
    migrations and triggers or generated columns, deliberately not declared in the ORM)."""
    if not name:
        return False
    if type_ == "table":
        return name.startswith(FTS5_TABLE_PREFIXES)
    if type_ == "column":
        return name == TSVECTOR_COLUMN
    if type_ == "index":
        return name in TSVECTOR_INDEXES
    return False


def include_in_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic `include_object` hook: compare everything but the full-text index objects."""
    return not (reflected and compare_to is None and is_search_index_object(name, type_))


class TranscriptSearch:
    """Search across every transcript (`search`) or count what is said (`matching_texts`)."""

    def __init__(self, engine: Engine, backend: SearchBackend | None = None) -> None:
        self._engine = engine
        self.backend = backend or backend_for(engine)

    def search(
        self, query: str, limit: int = 50, recording_id: int | None = None
    ) -> list[SearchHit]:
        """The best `limit` segments matching `query`, best first, with a marked snippet."""
        with translate_errors("search the transcripts"), self._engine.connect() as conn:
            return self.backend.segment_hits(conn, query, limit, recording_id)

    def matching_texts(self, query: str) -> list[tuple[int, str]]:
        """(recording id, text) of every segment matching `query`, in no particular order.

        For counting how often something is said across the whole library (mentions per
        day): no limit, and no snippet or ranking, which cost more than the match itself
        and mean nothing to a count.
        """
        with translate_errors("search the transcripts"), self._engine.connect() as conn:
            return self.backend.segment_texts(conn, query)
