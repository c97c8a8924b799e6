"""`KeywordRepository`: stored keywords per window and per recording."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import KeywordRow
from storage.records import KeywordRecord


class KeywordRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def replace(self, recording_id: int, rows: list[dict]) -> None:
        """All keywords of a recording at once: dicts of scope, start_s, end_s, term, score,
        count."""
        with translate_errors("save keywords"), self._sessions.begin() as session:
            session.execute(delete(KeywordRow).where(KeywordRow.recording_id == recording_id))
            session.add_all(KeywordRow(recording_id=recording_id, **row) for row in rows)

    def for_recording(self, recording_id: int, scope: str | None = None) -> list[KeywordRecord]:
        query = (
            select(KeywordRow)
            .where(KeywordRow.recording_id == recording_id)
            .order_by(KeywordRow.scope.desc(), KeywordRow.start_s, KeywordRow.score.desc())
        )
        if scope:
            query = query.where(KeywordRow.scope == scope)
        with translate_errors("read keywords"), self._sessions() as session:
            return [
                KeywordRecord(r.scope, r.start_s, r.end_s, r.term, r.score, r.count)
                for r in session.scalars(query)
            ]
