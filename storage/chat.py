"""`ChatRepository`: chat messages, moderation events and verdicts; chat windows; chat search."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, String, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import ChatMessage, ChatWindow, Recording
from storage.records import ChatMessageRecord, ChatWindowRecord, SearchHit
from storage.search import SearchBackend
from storage.upsert import insert_skipping_duplicates

# What a caller gives `add_many` per message: the record's fields, less those the library
# sets itself (the id, the recording, `deleted`, which moderation events set later).
CHAT_COLUMNS = tuple(
    f.name for f in fields(ChatMessageRecord) if f.name not in ("id", "recording_id", "deleted")
)


class ChatRepository:
    def __init__(self, sessions: sessionmaker[Session], search: SearchBackend) -> None:
        self._sessions = sessions
        self._search = search

    def add_many(self, recording_id: int, rows: Iterable[dict]) -> int:
        """Store messages/events (dicts of CHAT_COLUMNS) in one transaction; returns how many
        were new. A message id already stored for this recording is skipped, so a replayed
        or re-delivered message is kept exactly once."""
        values = [
            {"recording_id": recording_id, **{k: row.get(k) for k in CHAT_COLUMNS}} for row in rows
        ]
        for value in values:
            value["at"] = naive_utc(value["at"])
            value["text"] = value["text"] or ""
            value["bits"] = value["bits"] or 0
            value["first_message"] = bool(value["first_message"])
        if not values:
            return 0
        # The ids of the rows really inserted say how many were new: counting before and
        # after would also count what other writers (a second worker, the GUI) committed
        # in between, which PostgreSQL's READ COMMITTED lets this transaction see.
        table = ChatMessage.__table__
        with translate_errors("save chat"), self._sessions.begin() as session:
            statement = insert_skipping_duplicates(table, session.get_bind().dialect.name)
            return len(session.execute(statement.returning(table.c.id), values).all())

    def mark_deleted(
        self,
        recording_id: int,
        *,
        message_id: str | None = None,
        author: str | None = None,
        since_s: float | None = None,
    ) -> int:
        """Mark a deleted message, or (ban/timeout) an author's messages since `since_s`."""
        query = update(ChatMessage).where(
            ChatMessage.recording_id == recording_id, ChatMessage.kind == "message"
        )
        if message_id is not None:
            query = query.where(ChatMessage.message_id == message_id)
        elif author is not None:
            query = query.where(func.lower(ChatMessage.author) == author.lower())
            if since_s is not None:
                query = query.where(ChatMessage.offset_s >= since_s)
        else:
            return 0
        with translate_errors("save chat"), self._sessions.begin() as session:
            return session.execute(query.values(deleted=True)).rowcount or 0

    def for_recording(
        self,
        recording_id: int,
        *,
        flagged_only: bool = False,
        kinds: tuple[str, ...] | None = None,
        limit: int | None = None,
    ) -> list[ChatMessageRecord]:
        """A recording's chat in time order, read as plain rows rather than ORM objects: 50,000
        messages in 0.5 s rather than 4.4 s on the 2-core test machine (the recording of
        `benchmarks/gui_large.py`), the same records either way."""
        query = (
            select(*_RECORD_COLUMNS)
            .where(ChatMessage.recording_id == recording_id)
            .order_by(ChatMessage.offset_s, ChatMessage.id)
        )
        if flagged_only:
            query = query.where(ChatMessage.violation.is_(True))
        if kinds is not None:
            query = query.where(ChatMessage.kind.in_(kinds))
        if limit:
            query = query.limit(limit)
        with translate_errors("read chat"), self._sessions() as session:
            return [_row_to_record(row) for row in session.connection().execute(query)]

    def count(self, recording_id: int) -> int:
        with translate_errors("read chat"), self._sessions() as session:
            return int(
                session.scalar(
                    select(func.count(ChatMessage.id)).where(
                        ChatMessage.recording_id == recording_id, ChatMessage.kind == "message"
                    )
                )
                or 0
            )

    def first_seen(self, recording_id: int) -> dict[str, datetime]:
        """Each author's first message time in earlier recordings of the same source."""
        with translate_errors("read chat"), self._sessions() as session:
            source_id = session.scalar(
                select(Recording.source_id).where(Recording.id == recording_id)
            )
            if source_id is None:
                return {}
            rows = session.execute(
                select(ChatMessage.author, func.min(ChatMessage.at))
                .join(Recording, Recording.id == ChatMessage.recording_id)
                .where(Recording.source_id == source_id, Recording.id != recording_id)
                .group_by(ChatMessage.author)
            )
            return {author: at for author, at in rows if author}

    # --- windows ---------------------------------------------------------------------------

    def replace_windows(self, recording_id: int, windows: list[dict]) -> None:
        with translate_errors("save chat statistics"), self._sessions.begin() as session:
            session.execute(
                ChatWindow.__table__.delete().where(ChatWindow.recording_id == recording_id)
            )
            if windows:
                session.execute(
                    insert(ChatWindow), [{"recording_id": recording_id, **w} for w in windows]
                )

    def windows(self, recording_id: int) -> list[ChatWindowRecord]:
        with translate_errors("read chat statistics"), self._sessions() as session:
            rows = session.scalars(
                select(ChatWindow)
                .where(ChatWindow.recording_id == recording_id)
                .order_by(ChatWindow.start_s)
            )
            return [
                ChatWindowRecord(
                    start_s=r.start_s,
                    end_s=r.end_s,
                    messages=r.messages,
                    chatters=r.chatters,
                    first_timers=r.first_timers,
                    emotes=r.emotes,
                    flagged=r.flagged,
                    moderation_actions=r.moderation_actions,
                    spike_score=r.spike_score,
                    is_spike=r.is_spike,
                )
                for r in rows
            ]

    # --- search ----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Chat messages matching `query` (the transcript search's syntax), best first."""
        with translate_errors("search chat"), self._sessions() as session:
            return self._search.chat_hits(session.connection(), query, limit)


def plain_column(column):
    """A column as the database driver returns it: SQLAlchemy's result processing for JSON
    and dates (json.loads of an empty list, a regular expression per date) was most of the
    time it took to read a long chat; `json_list` and `_as_datetime` do the same work only
    where there is some to do. (Under PostgreSQL the driver already returns lists and
    datetimes, which both pass through.)"""
    if isinstance(column.type, JSON | DateTime):
        return type_coerce(column, String).label(column.name)
    return column


# in the order of the record's fields, which `_row_to_record` unpacks
_RECORD_COLUMNS = [plain_column(ChatMessage.__table__.c[f.name]) for f in fields(ChatMessageRecord)]
_EMPTY_JSON = (None, "", "null", "[]")


def json_list(value) -> list:
    """A JSON list column's value read plain (`plain_column`) as the list it holds."""
    if value in _EMPTY_JSON:
        return []
    return list(json.loads(value) or []) if isinstance(value, str) else list(value)


def naive_utc(value: datetime) -> datetime:
    """The library stores UTC without a zone; an aware time is converted first."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _as_datetime(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _row_to_record(row) -> ChatMessageRecord:
    """A record from the driver's plain values (what the ORM would have made of the row)."""
    (
        id_,
        recording_id,
        at,
        offset_s,
        kind,
        platform,
        message_id,
        author,
        display_name,
        text_,
        badges,
        emotes,
        bits,
        first_message,
        target_user,
        target_message_id,
        duration_s,
        deleted,
        violation,
        score,
        category,
        target,
    ) = row
    author = author or ""
    return ChatMessageRecord(
        id_,
        recording_id,
        _as_datetime(at),
        offset_s,
        kind,
        platform,
        message_id,
        author,
        display_name or author,
        text_,
        tuple(json_list(badges)),
        tuple(json_list(emotes)),
        bits,
        bool(first_message),
        target_user,
        target_message_id,
        duration_s,
        bool(deleted),
        None if violation is None else bool(violation),
        score,
        category,
        target,
    )
