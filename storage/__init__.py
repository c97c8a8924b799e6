"""Persistence: SQLAlchemy models, the engine (a SQLite file in WAL mode with FTS5, or a
PostgreSQL server with tsvector search), the repositories and the migrations.

Nothing outside this package writes SQL. The rest of the app talks to `Library` and the
repositories it hands out, and gets plain frozen dataclasses back.
"""

from storage.errors import StorageError
from storage.library import Library
from storage.records import (
    ArchiveFileRecord,
    ChatMessageRecord,
    ChatWindowRecord,
    EntityRecord,
    KeywordRecord,
    RecordingRecord,
    ScheduleRunRecord,
    SearchHit,
    SegmentRecord,
    SourceRecord,
    SummaryRecord,
)

__all__ = [
    "ArchiveFileRecord",
    "ChatMessageRecord",
    "ChatWindowRecord",
    "EntityRecord",
    "KeywordRecord",
    "Library",
    "RecordingRecord",
    "ScheduleRunRecord",
    "SearchHit",
    "SegmentRecord",
    "SourceRecord",
    "StorageError",
    "SummaryRecord",
]
