"""`ChatRepository`: chat messages, moderation events and verdicts; chat windows; chat search."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import ChatMessage, ChatWindow, Recording
from storage.records import ChatMessageRecord, ChatWindowRecord, SearchHit
from storage.search import to_fts_query

CHAT_COLUMNS = (
    "at",
    "offset_s",
    "kind",
    "platform",
    "message_id",
    "author",
    "display_name",
    "text",
    "badges",
    "emotes",
    "bits",
    "first_message",
    "target_user",
    "target_message_id",
    "duration_s",
    "violation",
    "score",
    "category",
    "target",
)


class ChatRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add_many(self, recording_id: int, rows: Iterable[dict]) -> int:
        """Store messages/events (dicts of CHAT_COLUMNS) in one transaction; returns how many
        were new. A message id already stored for this recording is skipped, so a replayed
        or re-delivered message is kept exactly once."""
        values = [
            {"recording_id": recording_id, **{k: row.get(k) for k in CHAT_COLUMNS}} for row in rows
        ]
        for value in values:
            value["text"] = value["text"] or ""
            value["bits"] = value["bits"] or 0
            value["first_message"] = bool(value["first_message"])
        if not values:
            return 0
        with translate_errors("save chat"), self._sessions.begin() as session:
            before = session.scalar(
                select(func.count(ChatMessage.id)).where(ChatMessage.recording_id == recording_id)
            )
            session.execute(insert(ChatMessage).prefix_with("OR IGNORE"), values)
            after = session.scalar(
                select(func.count(ChatMessage.id)).where(ChatMessage.recording_id == recording_id)
            )
        return int(after - before)

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
        query = (
            select(ChatMessage)
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
            return [_to_record(r) for r in session.scalars(query)]

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
        fts = to_fts_query(query)
        if not fts:
            return []
        sql = text(
            """SELECT c.id, c.recording_id, c.offset_s, r.title,
                      snippet(chat_fts, 0, '[', ']', '…', 12), c.author, c.text
               FROM chat_fts JOIN chat_messages c ON c.id = chat_fts.rowid
               JOIN recordings r ON r.id = c.recording_id
               WHERE chat_fts MATCH :q ORDER BY rank LIMIT :limit"""
        )
        with translate_errors("search chat"), self._sessions() as session:
            return [
                SearchHit(
                    recording_id=rid,
                    recording_title=title,
                    segment_id=cid,
                    start_s=offset,
                    end_s=offset,
                    text=body,
                    snippet=f"{author}: {snippet}",
                    source="chat",
                )
                for cid, rid, offset, title, snippet, author, body in session.execute(
                    sql, {"q": fts, "limit": limit}
                )
            ]


def _to_record(row: ChatMessage) -> ChatMessageRecord:
    return ChatMessageRecord(
        id=row.id,
        recording_id=row.recording_id,
        at=row.at,
        offset_s=row.offset_s,
        kind=row.kind,
        platform=row.platform,
        message_id=row.message_id,
        author=row.author or "",
        display_name=row.display_name or row.author or "",
        text=row.text,
        badges=list(row.badges or []),
        emotes=list(row.emotes or []),
        bits=row.bits,
        first_message=row.first_message,
        target_user=row.target_user,
        target_message_id=row.target_message_id,
        duration_s=row.duration_s,
        deleted=row.deleted,
        violation=row.violation,
        score=row.score,
        category=row.category,
        target=row.target,
    )
