"""`EntityRepository`: named entities per recording and window, and which recordings
mention a name."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import EntityRow, Recording
from storage.records import EntityRecord


class EntityRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def replace(self, recording_id: int, rows: list[dict]) -> None:
        with translate_errors("save entities"), self._sessions.begin() as session:
            session.execute(delete(EntityRow).where(EntityRow.recording_id == recording_id))
            session.add_all(EntityRow(recording_id=recording_id, **row) for row in rows)

    def for_recording(self, recording_id: int, scope: str | None = None) -> list[EntityRecord]:
        query = (
            select(EntityRow)
            .where(EntityRow.recording_id == recording_id)
            .order_by(EntityRow.scope.desc(), EntityRow.start_s, EntityRow.mentions.desc())
        )
        if scope:
            query = query.where(EntityRow.scope == scope)
        with translate_errors("read entities"), self._sessions() as session:
            return [_record(r) for r in session.scalars(query)]

    def find(self, name: str, limit: int = 50) -> list[tuple[int, str | None, EntityRecord]]:
        """Recordings mentioning `name` (case-insensitive, partial), most mentions first."""
        query = (
            select(EntityRow, Recording.title)
            .join(Recording, Recording.id == EntityRow.recording_id)
            .where(
                EntityRow.scope == "recording", func.lower(EntityRow.name).contains(name.lower())
            )
            .order_by(EntityRow.mentions.desc())
            .limit(limit)
        )
        with translate_errors("search entities"), self._sessions() as session:
            return [(r.recording_id, title, _record(r)) for r, title in session.execute(query)]

    def mention_counts(self, name: str) -> dict[int, int]:
        """Mentions of `name` per recording (matched as `find` does), every recording: what
        a mentions-over-time chart adds up, where `find` lists only the top few."""
        query = (
            select(EntityRow.recording_id, func.sum(EntityRow.mentions))
            .where(
                EntityRow.scope == "recording", func.lower(EntityRow.name).contains(name.lower())
            )
            .group_by(EntityRow.recording_id)
        )
        with translate_errors("search entities"), self._sessions() as session:
            return {rid: int(n or 0) for rid, n in session.execute(query)}


def _record(r: EntityRow) -> EntityRecord:
    return EntityRecord(r.scope, r.start_s, r.end_s, r.name, r.kind, r.mentions, r.first_s)
